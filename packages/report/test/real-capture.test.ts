/**
 * Real captures end to end on both placements: ingest (shared traces) → replay → store, then the dashboard
 * queries return the same findings `txreplay diagnose` prints, and the stored counts match the ingest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadEvents, type IngestSummary } from '@txreplay/ingest';
import { replayTable, type ReplayResult } from '@txreplay/replay';
import type { Table } from 'apache-arrow';
import {
  Store,
  resolveStoreConfig,
  writeRun,
  parseDashboardQueries,
  exportCsv,
  runQuery,
  type StoreConfig,
} from '@txreplay/report';
import { REPO_ROOT, SHARED, expandForStore, testServerEnv, stopTestServer, tempDir } from './helpers.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const queries = parseDashboardQueries(readFileSync(path.join(REPO_ROOT, 'dashboards/queries.sql'), 'utf8'));
const ALL_TIME: [number, number] = [0, Date.UTC(2100, 0, 1) / 1000];

const CAPTURES = ['multiqueue/perf-script.txt', 'veth-stall-tbf/ftrace.txt'];

const placements: [string, () => StoreConfig][] = [
  ['embedded chDB', () => resolveStoreConfig({ db: path.join(tempDir('txreplay-chdb-'), 'db') }, {})],
  [
    'ClickHouse server',
    () =>
      resolveStoreConfig({ clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database: `txr_real_${process.pid}` }, {}),
  ],
];

const loaded: { file: string; table: Table; summary: IngestSummary; result: ReplayResult }[] = [];
beforeAll(async () => {
  for (const c of CAPTURES) {
    const file = path.join(SHARED, 'traces', c);
    const { table, summary } = await loadEvents([file]);
    loaded.push({ file, table, summary, result: replayTable(table, { maxSeriesPoints: 2000 }) });
  }
});

describe.each(placements)('real captures on %s', (_name, cfg) => {
  let store: Store;
  const runIds: string[] = [];
  beforeAll(async () => {
    store = await Store.open(cfg());
    for (const l of loaded) {
      const w = await writeRun(store, { table: l.table, summary: l.summary, result: l.result });
      expect(w.status).toBe('written');
      runIds.push(w.runId);
    }
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stores every event, with the per-event counts of the ingest', async () => {
    for (const [i, l] of loaded.entries()) {
      const rows = await store.queryRows<{ event: string; n: string }>(
        `SELECT event, toString(count()) AS n FROM events WHERE run_id = '${runIds[i]}' GROUP BY event`,
      );
      const got = Object.fromEntries(rows.map((r) => [r.event, Number(r.n)]));
      expect(got).toEqual(l.summary.eventCounts);
      expect(Object.values(got).reduce((a, b) => a + b, 0)).toBe(l.table.numRows);
    }
  });

  it('the findings dashboard query returns the findings diagnose prints', async () => {
    const q = queries.find((x) => x.name === 'findings')!;
    const rows = await store.queryRows<{
      run_id: string;
      kind: string;
      dev: string;
      queue: number | string | null;
      severity: string;
      title: string;
    }>(await expandForStore(store, q.sql, ...ALL_TIME));
    for (const [i, l] of loaded.entries()) {
      const mine = rows.filter((r) => r.run_id === runIds[i]);
      expect(l.result.findings.length).toBeGreaterThan(0);
      expect(mine.map((r) => [r.severity, r.kind, r.dev, r.queue === null ? null : Number(r.queue), r.title])).toEqual(
        l.result.findings.map((f) => [f.severity, f.kind, f.dev, f.queue, f.title]),
      );
    }
    // the multiqueue capture: the lost wake-up on vs0 queues 1, 2, 3
    const lost = rows
      .filter((r) => r.run_id === runIds[0] && r.kind === 'lost_wakeup')
      .map((r) => `${r.dev}#${r.queue}`)
      .sort();
    expect(lost).toEqual(['vs0#1', 'vs0#2', 'vs0#3']);
  });

  it('stalls per device: the stopped intervals of the replay', async () => {
    const q = queries.find((x) => x.name === 'stalls_per_device')!;
    const rows = await store.queryRows<{ dev: string; stalls: string | number }>(
      await expandForStore(store, q.sql, ...ALL_TIME),
    );
    const expected = new Map<string, number>();
    for (const l of loaded)
      for (const qs of l.result.queues) expected.set(qs.dev, (expected.get(qs.dev) ?? 0) + qs.stoppedIntervals.length);
    for (const [dev, n] of expected) if (n === 0) expected.delete(dev);
    expect(Object.fromEntries(rows.map((r) => [r.dev, Number(r.stalls)]))).toEqual(Object.fromEntries(expected));
  });

  it('per-skb lifecycles: every net_dev_queue starts one', async () => {
    const rows = await store.queryRows<{ n: string; fates: string[] }>(
      `SELECT toString(count()) AS n, groupUniqArray(fate) AS fates FROM packets WHERE run_id = '${runIds[0]}'`,
    );
    expect(Number(rows[0]!.n)).toBe(loaded[0]!.summary.eventCounts['net:net_dev_queue']);
    expect(rows[0]!.fates).toEqual(expect.arrayContaining(['consumed', 'dropped']));
  });

  it('query (table/csv/json) and export --csv read the same store', async () => {
    const table = await runQuery(
      store,
      `SELECT kind, count() AS n, toUInt64(18446744073709551615) AS big FROM findings WHERE run_id = '${runIds[0]}' GROUP BY kind ORDER BY kind`,
      'table',
    );
    // the table ends with a "(N rows)" line
    const [head, , ...body] = table
      .trimEnd()
      .split('\n')
      .filter((l) => !/^\(\d+ rows?\)$/.test(l));
    expect(head!.split(/\s+/)).toEqual(['kind', 'n', 'big']);
    expect(body.map((l) => l.split(/\s+/)[0])).toContain('lost_wakeup');
    // 64-bit exact: 2^64-1 is not rounded through a JavaScript number
    for (const l of body) expect(l.split(/\s+/).at(-1)).toBe('18446744073709551615');
    const csv = await runQuery(
      store,
      `SELECT kind FROM findings WHERE run_id = '${runIds[0]}' ORDER BY ordinal`,
      'csv',
    );
    expect(
      csv
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l)),
    ).toEqual(loaded[0]!.result.findings.map((f) => f.kind));
    const json = await runQuery(
      store,
      `SELECT dev, queue FROM findings WHERE run_id = '${runIds[0]}' ORDER BY ordinal`,
      'json',
    );
    expect(
      json
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).dev),
    ).toEqual(loaded[0]!.result.findings.map((f) => f.dev));
    const dir = tempDir('txreplay-export-');
    const files = await exportCsv(store, dir, { runId: runIds[0] });
    const byTable = Object.fromEntries(files.map((f) => [f.table, f]));
    expect(byTable.findings!.rows).toBe(loaded[0]!.result.findings.length);
    expect(byTable.series!.rows).toBe(loaded[0]!.result.series.reduce((a, s) => a + s.tsNs.length, 0));
    const findingsCsv = readFileSync(byTable.findings!.path, 'utf8').split('\n');
    expect(findingsCsv[0]).toBe(
      'run_id,ordinal,severity,kind,dev,queue,start_ns,end_ns,start_time,title,explanation,evidence,next_steps',
    );
    expect(findingsCsv[1]).toContain(loaded[0]!.result.findings[0]!.startNs.toString());
  });
});
