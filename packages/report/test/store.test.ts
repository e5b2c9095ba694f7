/**
 * Storage on both placements, same code: embedded chDB (26.x, in-process) and the real ClickHouse 18.16
 * server (Debian's clickhouse-server, started by scripts/clickhouse-test-server.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import {
  Store,
  resolveStoreConfig,
  writeRun,
  hashSources,
  computeRunId,
  encodeEvents,
  EVENT_INSERT_COLUMNS,
  STORE_SCHEMA_VERSION,
  type StoreConfig,
} from '@txreplay/report';
import { buildEventTable, summaryFor, testServerEnv, stopTestServer, tempDir } from './helpers.js';
import { multiqueueResult, smallEvents } from './fixtures.js';
import { writeFileSync } from 'node:fs';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const placements: [string, () => StoreConfig][] = [
  [
    'embedded chDB',
    () => resolveStoreConfig({ db: path.join(tempDir('txreplay-chdb-'), 'db'), database: 'txr_store' }, {}),
  ],
  [
    'ClickHouse server',
    () =>
      resolveStoreConfig(
        { clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database: `txr_store_${process.pid}` },
        {},
      ),
  ],
];

describe.each(placements)('store on %s', (_name, cfg) => {
  let store: Store;
  let config: StoreConfig;
  const dir = tempDir('txreplay-src-');
  const src = path.join(dir, 'small.perf-script.txt');
  writeFileSync(src, 'pretend trace bytes\n');
  const table = buildEventTable(smallEvents().map((r) => ({ ...r, source: src })));

  beforeAll(async () => {
    config = cfg();
    // create at schema v1, then reopen: the store migrates forward to the current version
    const v1 = await Store.open(config, { migrateTo: 1 });
    expect(await v1.schemaVersion()).toBe(1);
    await v1.close();
    store = await Store.open(config);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('migrates a v1 store forward to the current schema version', async () => {
    expect(await store.schemaVersion()).toBe(STORE_SCHEMA_VERSION);
    const cols = await store.queryRows<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = '${store.database}' AND table = 'runs' ORDER BY name`,
    );
    expect(cols.map((c) => c.name)).toEqual(expect.arrayContaining(['verdict', 'packets', 'run_id', 'complete']));
    // each migration recorded exactly once
    const mig = await store.queryRows<{ version: number | string }>(
      `SELECT version FROM schema_migrations ORDER BY version`,
    );
    expect(mig.map((m) => Number(m.version))).toEqual([1, 2, 3, 4, 5, 6]);
    // v3 added the ingest catalogue's net_cookie to the v1 events table, in catalogue order
    const ev = await store.queryRows<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = '${store.database}' AND table = 'events'`,
    );
    const names = ev.map((c) => c.name);
    expect(names.indexOf('net_cookie')).toBe(names.indexOf('ifindex') + 1);
  });

  it('writes a run once: same trace twice leaves exactly one copy', async () => {
    const input = {
      table,
      summary: summaryFor(table, src),
      result: multiqueueResult(),
      wallClockEndNs: 1_763_000_000_000_000_000n,
    };
    const first = await writeRun(store, input);
    expect(first.status).toBe('written');
    expect(first.runId).toMatch(/^[0-9a-f]{32}$/);
    const second = await writeRun(store, input);
    expect(second).toMatchObject({ status: 'exists', runId: first.runId });
    const counts = await store.queryRows<{ t: string; n: string }>(
      `SELECT 'events' AS t, toString(count()) AS n FROM events WHERE run_id = '${first.runId}'
       UNION ALL SELECT 'runs' AS t, toString(count()) AS n FROM runs WHERE run_id = '${first.runId}'
       UNION ALL SELECT 'findings' AS t, toString(count()) AS n FROM findings WHERE run_id = '${first.runId}'
       UNION ALL SELECT 'series' AS t, toString(count()) AS n FROM series WHERE run_id = '${first.runId}'
       UNION ALL SELECT 'queue_intervals' AS t, toString(count()) AS n FROM queue_intervals WHERE run_id = '${first.runId}'
       UNION ALL SELECT 'packets' AS t, toString(count()) AS n FROM packets WHERE run_id = '${first.runId}'`,
    );
    const byTable = Object.fromEntries(counts.map((c) => [c.t, Number(c.n)]));
    expect(byTable).toEqual({ events: 13, runs: 1, findings: 4, series: 4 * 201, queue_intervals: 7, packets: 3 });
  });

  it('keeps nanoseconds, 64-bit pointers and hostile strings exact', async () => {
    const rows = await store.queryRows<{
      ts: string;
      skb: string;
      comm: string | null;
      dev: string | null;
      location: string | null;
      line: number | string;
    }>(`SELECT toString(ts_ns) AS ts, toString(skbaddr) AS skb, comm, dev, location, line FROM events ORDER BY line`);
    const src0 = smallEvents();
    expect(rows).toHaveLength(src0.length);
    for (let i = 0; i < rows.length; i++) {
      expect(rows[i]!.ts).toBe(src0[i]!.ts_ns.toString());
      expect(rows[i]!.skb).toBe(
        src0[i]!.skbaddr === null ? ('\\N' === rows[i]!.skb ? '\\N' : rows[i]!.skb) : src0[i]!.skbaddr!.toString(),
      );
      expect(rows[i]!.comm).toBe(src0[i]!.comm);
      expect(rows[i]!.dev).toBe(src0[i]!.dev);
      expect(rows[i]!.location).toBe(src0[i]!.location);
    }
    expect(rows[10]!.skb).toBe('18446744073709551615');
    expect(rows[10]!.ts).toBe('9007199254740993');
    // the hostile comm did not drop anything
    const tables = await store.queryRows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = '${store.database}'`,
    );
    expect(tables.map((t) => t.name)).toContain('runs');
  });

  it('derives per-skb lifecycles: consumed after one TX_BUSY, dropped, in flight', async () => {
    const rows = await store.queryRows<{
      skb: string;
      fate: string;
      tx_busy: number | string;
      queue: number | string;
      drop_reason: string;
      xmit_rc: number | string;
    }>(`SELECT toString(skbaddr) AS skb, fate, tx_busy, queue, drop_reason, xmit_rc FROM packets ORDER BY queued_ns`);
    expect(
      rows.map((r) => [r.skb, r.fate, Number(r.tx_busy), Number(r.queue), r.drop_reason, Number(r.xmit_rc)]),
    ).toEqual([
      [0xffff888012340000n.toString(), 'consumed', 1, 1, '', 0],
      [0xffff888012350000n.toString(), 'dropped', 0, -1, 'QDISC_DROP', -1],
      ['18446744073709551615', 'in_flight', 0, -1, '', -1],
    ]);
  });

  it('stores findings with their evidence, and the run row last with the verdict', async () => {
    const f = await store.queryRows<{ kind: string; queue: number | null; evidence: string; title: string }>(
      `SELECT kind, queue, evidence, title FROM findings ORDER BY ordinal`,
    );
    expect(f.map((x) => [x.kind, x.queue === null ? null : Number(x.queue)])).toEqual([
      ['lost_wakeup', 1],
      ['lost_wakeup', 2],
      ['lost_wakeup', 3],
      ['qdisc_drops_enobufs', null],
    ]);
    expect(JSON.parse(f[0]!.evidence)[0]).toMatchObject({
      line: 1001,
      source: 'multiqueue/perf-script.txt',
      tsNs: (904_604_205_871n + 500_000_000n).toString(),
    });
    const runs = await store.queryRows<{
      verdict: string;
      complete: number | string;
      events: string;
      kernel: string;
      time: string;
    }>(`SELECT verdict, complete, toString(events) AS events, kernel, toString(last_time) AS time FROM runs`);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.verdict).toMatch(/^PROBLEM: 3 critical, 1 warning, 0 info finding\(s\). Worst: vs0 txq 1 stopped/);
    expect(Number(runs[0]!.complete)).toBe(1);
    expect(runs[0]!.kernel).toBe('6.18.44-test');
    // last event anchored at the given wall clock end (2025-11-13 02:13:20 UTC)
    expect(runs[0]!.time.startsWith('2025-11-13 02:13:20')).toBe(true);
  });

  it('removes the leftovers of a failed attempt (rows without a runs row) before writing the run once', async () => {
    const src2 = path.join(dir, 'other.perf-script.txt');
    writeFileSync(src2, 'another trace\n');
    const t2 = buildEventTable(smallEvents().map((r) => ({ ...r, source: src2 })));
    const runId = computeRunId(await hashSources([src2], t2));
    // what a crash after some committed blocks leaves behind: events of the run, no `runs` row
    const partial =
      [...encodeEvents(t2, { runId, wallOffsetNs: 0n, nanos: store.caps.dateTime64 })]
        .join('')
        .split('\n')
        .slice(0, 5)
        .join('\n') + '\n';
    await store.insertTsv('events', EVENT_INSERT_COLUMNS, partial);
    const before = await store.queryRows<{ n: string }>(
      `SELECT toString(count()) AS n FROM events WHERE run_id = '${runId}'`,
    );
    expect(Number(before[0]!.n)).toBe(5);
    const w = await writeRun(store, { table: t2, summary: summaryFor(t2, src2), result: multiqueueResult() });
    expect(w).toMatchObject({ status: 'written', runId });
    const after = await store.queryRows<{ n: string }>(
      `SELECT toString(count()) AS n FROM events WHERE run_id = '${runId}'`,
    );
    expect(Number(after[0]!.n)).toBe(t2.numRows);
  });
});
