/** `txreplay export --csv DIR`: findings, series (and runs, queue intervals) of complete runs as CSV (fast-csv). */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { format } from 'fast-csv';
import { OutputError, writeOutputFile } from '@txreplay/ingest';
import type { Store } from './store.js';
import { quoteString } from './ddl.js';

export interface ExportOptions {
  /** only this run (32 hex chars); default all complete runs */
  runId?: string;
}

export interface ExportedFile {
  table: string;
  path: string;
  rows: number;
}

const EXPORTS: { table: string; columns: string; orderBy: string }[] = [
  {
    table: 'runs',
    columns:
      'run_id, host, kernel, format, toString(events) AS events, toString(packets) AS packets, findings, toString(first_ns) AS first_ns, toString(last_ns) AS last_ns, toString(last_time) AS last_time, verdict, sources',
    orderBy: 'run_id',
  },
  {
    table: 'findings',
    columns:
      'run_id, ordinal, severity, kind, dev, queue, toString(start_ns) AS start_ns, toString(end_ns) AS end_ns, toString(start_time) AS start_time, title, explanation, evidence, next_steps',
    orderBy: 'run_id, ordinal',
  },
  {
    table: 'series',
    columns:
      'run_id, dev, queue, toString(ts_ns) AS ts_ns, toString(time) AS time, backlog_packets, toString(inflight_bytes) AS inflight_bytes, toString(dql_limit_observed) AS dql_limit_observed, toString(dql_limit_expected) AS dql_limit_expected',
    orderBy: 'run_id, dev, queue, ts_ns',
  },
  {
    table: 'queue_intervals',
    columns:
      'run_id, dev, queue, state, toString(start_ns) AS start_ns, toString(end_ns) AS end_ns, toString(duration_ns) AS duration_ns',
    orderBy: 'run_id, dev, queue, start_ns',
  },
];

export async function exportCsv(store: Store, dir: string, opts: ExportOptions = {}): Promise<ExportedFile[]> {
  if (opts.runId !== undefined && !/^[0-9a-f]{32}$/.test(opts.runId))
    throw new Error(`--run: not a run id: ${JSON.stringify(opts.runId)}`);
  makeExportDir(dir);
  const runFilter = opts.runId
    ? `run_id = ${quoteString(opts.runId)}`
    : `run_id IN (SELECT run_id FROM ${store.table('runs')} WHERE complete = 1)`;
  const out: ExportedFile[] = [];
  for (const e of EXPORTS) {
    const rows = await store.queryRows<Record<string, unknown>>(
      `SELECT ${e.columns} FROM ${store.table(e.table as 'runs')} WHERE ${runFilter} ORDER BY ${e.orderBy}`,
    );
    const file = path.join(dir, `${e.table}.csv`);
    // POSIX text: every row, the last included, ends with a newline
    const csv = format({
      headers: e.columns.split(/,\s*(?![^()]*\))/).map((c) => c.split(' AS ').pop()!.trim()),
      includeEndRowDelimiter: true,
    });
    for (const r of rows) csv.write(r);
    csv.end();
    // through the one output writer (atomic, symlinks written through; @txreplay/ingest io/output.ts)
    await writeOutputFile(file, csv as AsyncIterable<string | Uint8Array>);
    out.push({ table: e.table, path: file, rows: rows.length });
  }
  return out;
}

/** The export directory itself is made when missing; its parent must exist (nothing else is created). */
function makeExportDir(dir: string): void {
  if (existsSync(dir)) return;
  const parent = path.dirname(path.resolve(dir));
  if (!existsSync(parent))
    throw new OutputError(
      dir,
      'ENOENT',
      `cannot write ${dir}: the directory ${parent} does not exist (create it first).`,
    );
  mkdirSync(dir);
}
