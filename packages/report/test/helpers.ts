/** Test helpers: event tables with the real ingest schema, a realistic replay result, the test server. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import {
  Bool,
  Dictionary,
  Int16,
  Int32,
  Int64,
  Uint32,
  Uint64,
  Utf8,
  makeTable,
  vectorFromArray,
  type DataType,
  type Table,
  type Vector,
} from 'apache-arrow';
import { CATALOGUE, COLUMNS, type CatalogueColumn, type TxEventRow, type IngestSummary } from '@txreplay/ingest';
import { DASHBOARD_VARIABLES, expandGrafanaMacros, legacySql, type Store } from '@txreplay/report';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = process.env.TXREPLAY_SHARED ?? path.resolve(REPO_ROOT, '../shared');

/** The Arrow type of each column of the ingest catalogue (dictionary ids are assigned by makeTable). */
const TYPE_OF_KIND: Record<CatalogueColumn['arrow'], () => DataType> = {
  int16: () => new Int16(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  uint32: () => new Uint32(),
  uint64: () => new Uint64(),
  bool: () => new Bool(),
  utf8: () => new Utf8(),
  dict: () => new Dictionary(new Utf8(), new Int32()),
};
function typeOf(name: string): DataType {
  return TYPE_OF_KIND[CATALOGUE.find((c) => c.name === name)!.arrow]();
}

export function eventRow(p: Partial<TxEventRow> & Pick<TxEventRow, 'ts_ns' | 'event' | 'line'>): TxEventRow {
  const nulls = Object.fromEntries(CATALOGUE.filter((c) => c.nullable).map((c) => [c.name, null]));
  return {
    ...nulls,
    cpu: 0,
    pid: 100,
    comm: 'udpflood',
    ptr_hashed: false,
    source: 'test.perf-script.txt',
    ...p,
  } as TxEventRow;
}

export function buildEventTable(rows: TxEventRow[]): Table {
  const cols: Record<string, Vector> = {};
  for (const name of COLUMNS) {
    cols[name] = vectorFromArray(rows.map((r) => r[name]) as unknown[], typeOf(name));
  }
  return makeTable(cols as never) as unknown as Table;
}

export function summaryFor(table: Table, source = 'test.perf-script.txt'): IngestSummary {
  const src = {
    path: source,
    format: 'perf-script' as const,
    kernel: '6.18.44-test',
    lines: table.numRows,
    events: table.numRows,
    skipped: 0,
    comments: 0,
    lostEvents: 0,
    issues: [],
    eventCounts: {},
  };
  return {
    sources: [src],
    lines: table.numRows,
    events: table.numRows,
    skipped: 0,
    comments: 0,
    lostEvents: 0,
    eventCounts: {},
  };
}

let startedByUs: string | null = null;

/**
 * The ClickHouse server URL for tests: $TXREPLAY_CLICKHOUSE_URL (set by .ci/run), else start one with
 * scripts/clickhouse-test-server.sh (and stop it in stopTestServer). Never skips: a missing server fails.
 */
export function testServerEnv(): Record<string, string> {
  if (process.env.TXREPLAY_CLICKHOUSE_URL && process.env.TXREPLAY_CLICKHOUSE_DIR) {
    return pickEnv(process.env as Record<string, string>);
  }
  if (process.env.TXREPLAY_CLICKHOUSE_URL) return { TXREPLAY_CLICKHOUSE_URL: process.env.TXREPLAY_CLICKHOUSE_URL };
  const out = execFileSync(path.join(REPO_ROOT, 'scripts/clickhouse-test-server.sh'), ['start'], {
    encoding: 'utf8',
    // a private state file, so we never stop a server someone else started
    env: { ...process.env, TMPDIR: tempDir('txreplay-chtest-') },
  });
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  Object.assign(process.env, env);
  startedByUs = env.TXREPLAY_CLICKHOUSE_DIR ?? null;
  return env;
}

function pickEnv(e: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(e)) if (k.startsWith('TXREPLAY_CLICKHOUSE_')) out[k] = v;
  return out;
}

export function stopTestServer(): void {
  if (!startedByUs) return;
  execFileSync(path.join(REPO_ROOT, 'scripts/clickhouse-test-server.sh'), ['stop'], {
    env: { ...process.env, TXREPLAY_CLICKHOUSE_DIR: startedByUs },
  });
  startedByUs = null;
}

const tempDirs: string[] = [];
// registered when a test file imports this module: its temp dirs go when the file's tests are done
afterAll(() => {
  stopTestServer(); // before its state dir goes (idempotent: the test file may have stopped it already)
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir, removed after the importing test file (unless `keep`: e.g. the screenshot). */
export function tempDir(prefix: string, keep = false): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  if (!keep) tempDirs.push(d);
  return d;
}

/**
 * A dashboard panel's SQL as Grafana would send it to this store with every variable on "All": the variables'
 * own queries run first (host → run → dev → queue), and on a server without DateTime64 (18.16) the SQL of
 * txreplay-clickhouse18.json (whole-second macros) is used.
 */
export async function expandForStore(store: Store, sql: string, fromSec: number, toSec: number): Promise<string> {
  const vars: Record<string, (string | number)[]> = {};
  for (const v of DASHBOARD_VARIABLES) {
    const rows = await store.queryRows<Record<string, string | number>>(
      expandGrafanaMacros(v.sql, fromSec, toSec, { vars }),
    );
    vars[v.name] = rows.map((r) => Object.values(r)[0]!);
    if (vars[v.name]!.length === 0) vars[v.name] = v.name === 'queue' ? [-2] : ['(none)']; // Grafana sends no empty IN ()
  }
  const text = store.caps.dateTime64 ? sql : legacySql(sql);
  return expandGrafanaMacros(text, fromSec, toSec, { vars, intervalMs: 1000 });
}
