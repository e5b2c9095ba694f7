/**
 * Every dashboard query (dashboards/queries.sql = the panels of dashboards/txreplay.json), with the Grafana
 * $__timeFilter macro expanded, runs against both placements and returns the data written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Store,
  resolveStoreConfig,
  writeRun,
  parseDashboardQueries,
  expandGrafanaMacros,
  type StoreConfig,
} from '@txreplay/report';
import { REPO_ROOT, buildEventTable, summaryFor, testServerEnv, stopTestServer, tempDir } from './helpers.js';
import { multiqueueResult, smallEvents } from './fixtures.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const queries = parseDashboardQueries(readFileSync(path.join(REPO_ROOT, 'dashboards/queries.sql'), 'utf8'));
const FROM = Date.UTC(2025, 0, 1) / 1000;
const TO = Date.UTC(2030, 0, 1) / 1000;

describe('dashboards', () => {
  it('txreplay.json panels carry exactly the SQL of queries.sql, with $__timeFilter', () => {
    const dash = JSON.parse(readFileSync(path.join(REPO_ROOT, 'dashboards/txreplay.json'), 'utf8')) as {
      panels: { title: string; datasource: { type: string }; targets: { rawSql: string }[] }[];
    };
    expect(queries.length).toBeGreaterThanOrEqual(8);
    expect(dash.panels.map((p) => p.targets[0]!.rawSql)).toEqual(queries.map((q) => q.sql));
    expect(dash.panels.every((p) => p.datasource.type === 'grafana-clickhouse-datasource')).toBe(true);
    expect(queries.every((q) => q.sql.includes('$__timeFilter('))).toBe(true);
    expect(queries.map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'stalls_per_device',
        'queue_state_timeline',
        'drops_per_second',
        'napi_gaps',
        'dql_limit',
        'findings',
      ]),
    );
  });
});

const placements: [string, () => StoreConfig][] = [
  [
    'embedded chDB',
    () => resolveStoreConfig({ db: path.join(tempDir('txreplay-chdb-'), 'db'), database: 'txr_dash' }, {}),
  ],
  [
    'ClickHouse server',
    () =>
      resolveStoreConfig({ clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database: `txr_dash_${process.pid}` }, {}),
  ],
];

describe.each(placements)('dashboard queries on %s', (_name, cfg) => {
  let store: Store;
  const result = multiqueueResult();
  beforeAll(async () => {
    store = await Store.open(cfg());
    const dir = tempDir('txreplay-src-');
    const src = path.join(dir, 'small.perf-script.txt');
    writeFileSync(src, 'dashboard fixture\n');
    const table = buildEventTable(smallEvents().map((r) => ({ ...r, source: src })));
    await writeRun(store, {
      table,
      summary: summaryFor(table, src),
      result,
      host: 'lab-host-1',
      wallClockEndNs: 1_763_000_000_000_000_000n,
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  it.each(queries.map((q) => [q.name, q] as const))('%s returns rows', async (_n, q) => {
    const rows = await store.queryRows<Record<string, unknown>>(expandGrafanaMacros(q.sql, FROM, TO));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('stalls_per_device: 7 stopped intervals on vs0 of lab-host-1', async () => {
    const q = queries.find((x) => x.name === 'stalls_per_device')!;
    const rows = await store.queryRows<{
      host: string;
      dev: string;
      stalls: string | number;
      queues: string | number;
      longest_ms: number;
    }>(expandGrafanaMacros(q.sql, FROM, TO));
    expect(rows.map((r) => [r.host, r.dev, Number(r.stalls), Number(r.queues), Number(r.longest_ms)])).toEqual([
      ['lab-host-1', 'vs0', 7, 4, 500],
    ]);
  });

  it('findings query returns the findings the replay made', async () => {
    const q = queries.find((x) => x.name === 'findings')!;
    const rows = await store.queryRows<{
      kind: string;
      dev: string;
      queue: number | null;
      title: string;
      severity: string;
    }>(expandGrafanaMacros(q.sql, FROM, TO));
    expect(rows.map((r) => [r.severity, r.kind, r.dev, r.queue === null ? null : Number(r.queue), r.title])).toEqual(
      result.findings.map((f) => [f.severity, f.kind, f.dev, f.queue, f.title]),
    );
  });

  it('a time filter outside the run returns nothing', async () => {
    const q = queries.find((x) => x.name === 'findings')!;
    const rows = await store.queryRows(
      expandGrafanaMacros(q.sql, Date.UTC(2020, 0, 1) / 1000, Date.UTC(2021, 0, 1) / 1000),
    );
    expect(rows).toEqual([]);
  });
});
