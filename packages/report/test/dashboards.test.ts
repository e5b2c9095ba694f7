/**
 * The Grafana dashboards: dashboards/txreplay.json (ClickHouse 20.1+) and txreplay-clickhouse18.json are exactly
 * what the typed generator (packages/report/src/fleet/grafana.ts) makes from dashboards/queries.sql, with
 * provisioning files beside them; every panel uses the ClickHouse datasource's real query types and a unit; and
 * every panel's SQL — macros and variables expanded as Grafana does — runs on both placements (the 20.1+ SQL on
 * chDB, the 18.16 SQL on the 18.16 server) and returns the data written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Store,
  buildDashboard,
  provisioningYaml,
  resolveStoreConfig,
  writeRun,
  parseDashboardQueries,
  type StoreConfig,
} from '@txreplay/report';
import {
  REPO_ROOT,
  buildEventTable,
  expandForStore,
  summaryFor,
  testServerEnv,
  stopTestServer,
  tempDir,
} from './helpers.js';
import { multiqueueResult, smallEvents } from './fixtures.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const read = (rel: string): string => readFileSync(path.join(REPO_ROOT, 'dashboards', rel), 'utf8');
const queries = parseDashboardQueries(read('queries.sql'));
const FROM = Date.UTC(2025, 0, 1) / 1000;
const TO = Date.UTC(2030, 0, 1) / 1000;

interface PanelJson {
  title: string;
  type: string;
  datasource: { type: string };
  fieldConfig: { defaults: { unit?: string } };
  targets: { rawSql: string; queryType: string; editorType: string; format: number }[];
}

describe('dashboards', () => {
  it('the JSON and provisioning files are the generator output (no drift: node dashboards/build-dashboard.mjs)', () => {
    expect(JSON.parse(read('txreplay.json'))).toEqual(JSON.parse(JSON.stringify(buildDashboard(queries, false))));
    expect(JSON.parse(read('txreplay-clickhouse18.json'))).toEqual(
      JSON.parse(JSON.stringify(buildDashboard(queries, true))),
    );
    expect(read('provisioning/datasource.yaml')).toBe(provisioningYaml().datasource);
    expect(read('provisioning/dashboards.yaml')).toBe(provisioningYaml().dashboards);
  });

  it('panels: the datasource plugin, its query types, a unit each, host/run/device/queue variables', () => {
    const dash = JSON.parse(read('txreplay.json')) as { panels: PanelJson[]; templating: { list: { name: string }[] } };
    expect(dash.templating.list.map((v) => v.name)).toEqual(['host', 'run', 'dev', 'queue']);
    for (const p of dash.panels) {
      expect(p.datasource.type).toBe('grafana-clickhouse-datasource');
      expect(p.fieldConfig.defaults.unit).toBeTruthy();
      const t = p.targets[0]!;
      expect(t.editorType).toBe('sql');
      expect(['table', 'timeSeries']).toContain(t.queryType);
      expect(t.format).toBe(t.queryType === 'timeSeries' ? 0 : 1);
      expect(t.rawSql).toMatch(/\$__timeFilter_ms\(/);
      expect(t.rawSql).toMatch(/\$\{run:singlequote\}/);
    }
    expect(queries.map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'stalls_per_device',
        'stalls_by_host_driver_kernel',
        'time_to_watchdog',
        'enobufs_per_host',
        'verdicts_over_time',
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
      driver: 'veth',
      wallClockEndNs: 1_763_000_000_123_456_789n,
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  const EMPTY_HERE = new Set(['time_to_watchdog']); // the fixture run has no watchdog timeout
  it.each(queries.map((q) => [q.name, q] as const))('%s runs with macros and variables expanded', async (_n, q) => {
    const rows = await store.queryRows<Record<string, unknown>>(await expandForStore(store, q.sql, FROM, TO));
    if (!EMPTY_HERE.has(q.name)) expect(rows.length).toBeGreaterThan(0);
  });

  it('stalls_per_device: 7 stopped intervals on vs0 of lab-host-1', async () => {
    const q = queries.find((x) => x.name === 'stalls_per_device')!;
    const rows = await store.queryRows<{
      host: string;
      dev: string;
      stalls: string | number;
      queues: string | number;
      longest_ms: number;
    }>(await expandForStore(store, q.sql, FROM, TO));
    expect(rows.map((r) => [r.host, r.dev, Number(r.stalls), Number(r.queues), Number(r.longest_ms)])).toEqual([
      ['lab-host-1', 'vs0', 7, 4, 500],
    ]);
  });

  it('stalls_by_host_driver_kernel: host, driver profile and kernel without a join', async () => {
    const q = queries.find((x) => x.name === 'stalls_by_host_driver_kernel')!;
    const rows = await store.queryRows<{ host: string; driver: string; kernel: string; runs: string | number }>(
      await expandForStore(store, q.sql, FROM, TO),
    );
    expect(rows.map((r) => [r.host, r.driver, r.kernel, Number(r.runs)])).toEqual([
      ['lab-host-1', 'veth', '6.18.44-test', 1],
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
    }>(await expandForStore(store, q.sql, FROM, TO));
    expect(rows.map((r) => [r.severity, r.kind, r.dev, r.queue === null ? null : Number(r.queue), r.title])).toEqual(
      result.findings.map((f) => [f.severity, f.kind, f.dev, f.queue, f.title]),
    );
  });

  it('sub-second time where the server has DateTime64: the run ends at …:20.123456789', async () => {
    const rows = await store.queryRows<{ t: string }>(`SELECT toString(last_time) AS t FROM runs`);
    expect(rows[0]!.t).toBe(store.caps.dateTime64 ? '2025-11-13 02:13:20.123456789' : '2025-11-13 02:13:20');
  });

  it('a time filter outside the run returns nothing', async () => {
    const q = queries.find((x) => x.name === 'findings')!;
    const rows = await store.queryRows(
      await expandForStore(store, q.sql, Date.UTC(2020, 0, 1) / 1000, Date.UTC(2021, 0, 1) / 1000),
    );
    expect(rows).toEqual([]);
  });
});
