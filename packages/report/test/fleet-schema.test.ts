/**
 * The fleet layout (store v4) on both placements: a v3 store holding data (the schema before the fleet
 * layout) migrates in place and keeps every row, now with host and kernel on the fact rows and monthly
 * partitions; and N concurrent `txreplay report` processes on a fresh server database store one copy of the run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Store, resolveStoreConfig, STORE_SCHEMA_VERSION, type StoreConfig } from '@txreplay/report';
import { REPO_ROOT, SHARED, testServerEnv, stopTestServer, tempDir } from './helpers.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const placements: [string, () => StoreConfig][] = [
  [
    'embedded chDB',
    () => resolveStoreConfig({ db: path.join(tempDir('txreplay-chdb-'), 'db'), database: 'txr_mig' }, {}),
  ],
  [
    'ClickHouse server',
    () =>
      resolveStoreConfig({ clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database: `txr_mig_${process.pid}` }, {}),
  ],
];

const RUN = 'a'.repeat(32);

/** Rows as a v3 writer stored them (v1 layout, no host on the fact tables). */
async function seedV3(store: Store): Promise<void> {
  await store.command(
    `INSERT INTO ${store.table('runs')} (run_id, complete, host, kernel, first_time, last_time, events, verdict) VALUES ('${RUN}', 1, 'old-host', '6.1.0-old', '2025-03-04 05:06:07', '2025-03-04 05:06:09', 3, 'PROBLEM')`,
  );
  await store.command(
    `INSERT INTO ${store.table('events')} (run_id, ts_ns, time, event, dev, queue, line, source) VALUES ('${RUN}', 1, '2025-03-04 05:06:07', 'net:net_dev_queue', 'eth0', 0, 1, 'x'), ('${RUN}', 2, '2025-03-04 05:06:08', 'net:net_dev_xmit', 'eth0', 0, 2, 'x'), ('${RUN}', 3, '2025-03-04 05:06:09', 'skb:consume_skb', NULL, NULL, 3, 'x')`,
  );
  await store.command(
    `INSERT INTO ${store.table('queue_intervals')} (run_id, dev, queue, state, start_ns, end_ns, duration_ns, start_time, end_time) VALUES ('${RUN}', 'eth0', 0, 'DRV_XOFF', 1, 2, 1, '2025-03-04 05:06:07', '2025-03-04 05:06:08')`,
  );
  await store.command(
    `INSERT INTO ${store.table('findings')} (run_id, ordinal, kind, severity, dev, start_ns, end_ns, start_time, end_time, title) VALUES ('${RUN}', 0, 'lost_wakeup', 'critical', 'eth0', 1, 2, '2025-03-04 05:06:07', '2025-03-04 05:06:08', 'stuck')`,
  );
}

describe.each(placements)('fleet layout migration on %s', (_name, cfg) => {
  it('a v3 store with data migrates to the fleet layout and keeps every row', async () => {
    const config = cfg();
    const v3 = await Store.open(config, { migrateTo: 3 });
    expect(await v3.isFleetLayout('events')).toBe(false);
    await seedV3(v3);
    await v3.close();

    const store = await Store.open(config);
    try {
      expect(await store.schemaVersion()).toBe(STORE_SCHEMA_VERSION);
      for (const t of ['runs', 'events', 'packets', 'queue_intervals', 'series', 'findings'] as const)
        expect(await store.isFleetLayout(t)).toBe(true);
      const counts = await store.queryRows<{ t: string; n: string; host: string; kernel: string }>(
        `SELECT 'events' AS t, toString(count()) AS n, any(host) AS host, any(kernel) AS kernel FROM events WHERE run_id = '${RUN}'
         UNION ALL SELECT 'queue_intervals', toString(count()), any(host), any(kernel) FROM queue_intervals WHERE run_id = '${RUN}'
         UNION ALL SELECT 'findings', toString(count()), any(host), any(kernel) FROM findings WHERE run_id = '${RUN}'
         UNION ALL SELECT 'runs', toString(count()), any(host), any(kernel) FROM runs WHERE run_id = '${RUN}'`,
      );
      const byTable = Object.fromEntries(counts.map((c) => [c.t, [Number(c.n), c.host, c.kernel]]));
      expect(byTable).toEqual({
        events: [3, 'old-host', '6.1.0-old'],
        queue_intervals: [1, 'old-host', '6.1.0-old'],
        findings: [1, 'old-host', '6.1.0-old'],
        runs: [1, 'old-host', '6.1.0-old'],
      });
      // monthly partitions, not one per run; no rebuild copies left behind (the embedded store's events MergeTree
      // is `events_stored` under its Merge table `events`, event-files.ts)
      const parts = await store.queryRows<{ p: string }>(
        `SELECT DISTINCT partition AS p FROM system.parts WHERE database = '${store.database}' AND table IN ('events', 'events_stored') AND active`,
      );
      expect(parts.map((p) => p.p)).toEqual(['202503']);
      const tables = await store.queryRows<{ name: string }>(
        `SELECT name FROM system.tables WHERE database = '${store.database}' AND name LIKE '%fleet%'`,
      );
      expect(tables).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

const main = path.join(REPO_ROOT, 'packages/cli/dist/main.js');

function runReport(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, 'report', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('concurrent writers on the ClickHouse server', () => {
  it('6 `report` processes of the same trace on a fresh database: schema once, one copy of the run', async () => {
    const database = `txr_race_${process.pid}`;
    const trace = path.join(SHARED, 'traces/eth0-normal/perf-script.txt');
    const args = [trace, '--no-html', '--clickhouse-url', serverEnv.TXREPLAY_CLICKHOUSE_URL!, '--database', database];
    const results = await Promise.all(Array.from({ length: 6 }, () => runReport(args)));
    for (const r of results) expect(r.code, r.err).not.toBe(5);
    expect(
      results.every((r) => /stored run [0-9a-f]{32}/.test(r.out)),
      results.map((r) => r.err).join('\n'),
    ).toBe(true);
    expect(results.filter((r) => /^stored run/m.test(r.out))).toHaveLength(1);
    const store = await Store.open(
      resolveStoreConfig({ clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database }, {}),
    );
    try {
      const rows = await store.queryRows<{
        runs: string;
        events: string;
        expected: string;
        migrations: string;
        locks: string;
      }>(
        `SELECT (SELECT toString(count()) FROM runs) AS runs, (SELECT toString(count()) FROM events) AS events,
                (SELECT toString(any(events)) FROM runs) AS expected,
                (SELECT toString(count()) FROM schema_migrations) AS migrations,
                (SELECT toString(count()) FROM system.tables WHERE database = '${database}' AND name LIKE '\\_lock\\_%') AS locks`,
      );
      expect(Number(rows[0]!.runs)).toBe(1);
      expect(Number(rows[0]!.events)).toBe(Number(rows[0]!.expected));
      expect(Number(rows[0]!.migrations)).toBe(STORE_SCHEMA_VERSION);
      expect(Number(rows[0]!.locks)).toBe(0);
    } finally {
      await store.close();
    }
  }, 180_000);
});

describe('optional TTL', () => {
  it('chDB (26.x): every table gets TTL toDateTime(<time>) + INTERVAL 30 DAY', async () => {
    const config = resolveStoreConfig({ db: path.join(tempDir('txreplay-chdb-'), 'db'), database: 'txr_ttl' }, {});
    const store = await Store.open(config, { layout: { ttlDays: 30 } });
    try {
      const rows = await store.queryRows<{ name: string; e: string }>(
        `SELECT name, engine_full AS e FROM system.tables WHERE database = 'txr_ttl' AND engine = 'MergeTree' ORDER BY name`,
      );
      // the embedded store's `events` and `packets` are Merge tables over `<table>_stored` (event-files.ts)
      expect(rows.map((r) => r.name)).toEqual([
        'events_stored',
        'findings',
        'packets_stored',
        'queue_intervals',
        'runs',
        'series',
      ]);
      for (const r of rows) expect(r.e).toMatch(/TTL toDateTime\(\w+\) \+ toIntervalDay\(30\)/);
    } finally {
      await store.close();
    }
  });

  it('18.16 has no TTL: opening with a TTL says so', async () => {
    const config = resolveStoreConfig(
      { clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database: `txr_ttl_${process.pid}` },
      {},
    );
    await expect(Store.open(config, { layout: { ttlDays: 30 } })).rejects.toThrow(
      /TTL needs ClickHouse 20\.1 or later/,
    );
  });
});
