/**
 * The events of a streamed `report` into the embedded store straight from ingest's Arrow IPC file: chDB reads the
 * file itself (`file(…, 'Arrow')`: record batch by record batch, dictionaries as LowCardinality), so no byte of the
 * events is encoded in JavaScript. The columns the file lacks are the run's: `run_id` (our hex id, validated by
 * the writer), the tags `host`, `kernel`, `driver_profile` (untrusted strings: read as data from a one-row TSV file
 * beside the Arrow file, never put in SQL) and `time = ts_ns + wall offset` (DateTime64(9): exact nanoseconds, as
 * encodeEventsNative writes it). Servers get Native blocks instead: 18.16 reads no Arrow and the file is not theirs.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { columnNames, quoteString } from './ddl.js';
import { fileInsertSettings } from './file-insert.js';
import type { RunTags } from './encode-events.js';
import type { Store } from './store.js';
import { tsvRow } from './tsv.js';

export interface ArrowInsertRun {
  runId: string;
  tags: RunTags;
  /** wall clock minus trace clock, ns: `time = ts_ns + wallOffsetNs` */
  wallOffsetNs: bigint;
}

const TAG_STRUCTURE = 'host String, kernel String, driver_profile String';

/** True when the store can read the events from the Arrow file itself (the embedded engine: DateTime64, Arrow). */
export function readsArrowFile(store: Store): boolean {
  return store.config.placement === 'embedded' && store.caps.dateTime64;
}

/** INSERT … SELECT the run's events from `arrowFile` (ingest's schema) into the `events` table. */
export async function insertEventsFromArrowFile(store: Store, arrowFile: string, run: ArrowInsertRun): Promise<void> {
  await store.command(eventsInsertSql(store.table('events'), arrowFile, 'Arrow', run));
}

/** The INSERT of the run's events from `file` (ingest's columns; `format` Arrow or ArrowStream) into `table`. */
export function eventsInsertSql(table: string, file: string, format: string, run: ArrowInsertRun): string {
  const tagsFile = path.join(path.dirname(file), 'run-tags.tsv');
  writeFileSync(tagsFile, tsvRow([run.tags.host, run.tags.kernel, run.tags.driver]));
  const cols = columnNames('events');
  return `INSERT INTO ${table} (${cols.join(', ')}) ${eventsSelectSql(file, format, run, tagsFile)}${fileInsertSettings(file, true)}`;
}

/**
 * The SELECT of the run's events as `events` rows from `file` (ingest's columns): the run's columns added, its tags
 * read from `tagsFile` (a one-row TSV: host, kernel, driver profile; the caller writes it). Also the body of a
 * streamed run's view on the embedded store (event-files.ts), so both give the same rows.
 */
export function eventsSelectSql(file: string, format: string, run: ArrowInsertRun, tagsFile: string): string {
  const tags = `(SELECT tuple(host, kernel, driver_profile) FROM file(${quoteString(tagsFile)}, 'TabSeparated', ${quoteString(TAG_STRUCTURE)}))`;
  const exprs: Record<string, string> = {
    run_id: quoteString(run.runId),
    host: 'tupleElement(run_tags, 1)',
    kernel: 'tupleElement(run_tags, 2)',
    driver_profile: 'tupleElement(run_tags, 3)',
    // Int64 arithmetic wraps as the Native encoder's two-halves addition does
    time: `fromUnixTimestamp64Nano(ts_ns + toInt64(${run.wallOffsetNs.toString()}), 'UTC')`,
  };
  const select = columnNames('events')
    .map((c) => (exprs[c] ? `${exprs[c]} AS ${c}` : c))
    .join(', ');
  return `WITH ${tags} AS run_tags SELECT ${select} FROM file(${quoteString(file)}, '${format}')`;
}
