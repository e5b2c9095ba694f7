/**
 * The events of a streamed run in the embedded store stay the Arrow IPC file ingest's writer made during the parse:
 * no MergeTree insert at all (at 1 GB of text that insert was ~4 s of wall after the parse and replay, at 10 GB 46 s of
 * chDB's insert threads and 83 s of its slice merges). From store version 6 (ddl.ts EVENT_FILES_VERSION) an embedded
 * store's `events` is a Merge table over `events_stored` — the MergeTree every other run's events go to (Store.table
 * names it for the writers) — and one view per streamed run, `events_run_<run id>`, whose SELECT is the one the insert
 * ran (arrow-insert.ts eventsSelectSql: the run id, its tags read as data from a TSV file beside the Arrow file, and
 * `time` = ts_ns + the wall offset), so a query of `events` sees the same rows either way. The file is hard-linked
 * into `<db dir>/event-files/<database>/` (copied when the temporary directory is on another file system) before the
 * view is created: the view appears whole or not at all, and, as for any run, readers count the run only once its
 * `runs` row is in. A server's `events` is unchanged (18.16 reads no Arrow; the file is not on its disk).
 */
import {
  closeSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { eventsSelectSql, type ArrowInsertRun } from './arrow-insert.js';
import { columnNames, quoteIdent, quoteString } from './ddl.js';
import type { Store } from './store.js';
import { tsvRow } from './tsv.js';

/** The tables whose streamed rows stay files: `events` (ingest's Arrow file), `packets` (the lifecycles' Native file) */
export type FileTable = 'events' | 'packets';
const FILE_TABLES: readonly FileTable[] = ['events', 'packets'];

export function isFileTable(table: string): table is FileTable {
  return (FILE_TABLES as readonly string[]).includes(table);
}

/** The MergeTree under an embedded store's `events` / `packets` (the inserts' table) */
export function storedName(table: FileTable): string {
  return `${table}_stored`;
}

function viewName(table: FileTable, runId: string): string {
  if (!/^[0-9a-f]{32}$/.test(runId)) throw new Error(`not a txreplay run id: ${JSON.stringify(runId)}`);
  return `${table}_run_${runId}`;
}

/** Where a store keeps its streamed runs' event files */
function filesDir(store: Store): string {
  if (!store.config.dbDir) throw new Error('event files: an embedded store with a data directory only');
  return path.join(store.config.dbDir, 'event-files', encodeURIComponent(store.database));
}

function runFiles(store: Store, runId: string): { arrow: string; tags: string; packets: string } {
  const dir = filesDir(store);
  const at = (suffix: string): string => path.join(dir, `${runId}${suffix}`);
  return { arrow: at('.arrow'), tags: at('.tags.tsv'), packets: at('.packets.native') };
}

/**
 * The migration to version 6 on the embedded store: `events` and `packets` renamed `<table>_stored`, and a Merge table
 * of that and the run views created under the old name. Each step checks first, so a crash between them is finished
 * at the next open.
 */
export async function splitFileTables(store: Store): Promise<void> {
  const q = (n: string): string => `${quoteIdent(store.database)}.${quoteIdent(n)}`;
  for (const t of FILE_TABLES) {
    const stored = storedName(t);
    const engines = await store.queryRows<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = ${quoteString(store.database)} AND name IN (${quoteString(t)}, ${quoteString(stored)})`,
    );
    const engine = (n: string): string | undefined => engines.find((r) => r.name === n)?.engine;
    if (engine(stored) === undefined) await store.command(`RENAME TABLE ${q(t)} TO ${q(stored)}`);
    const merged = `^(${stored}|${t}_run_[0-9a-f]{32})$`;
    if (engine(t) !== 'Merge')
      await store.command(
        `CREATE TABLE ${q(t)} AS ${q(stored)} ENGINE = Merge(${quoteString(store.database)}, ${quoteString(merged)})`,
      );
  }
}

/**
 * Make `arrowFile` (ingest's schema) the run's events: linked into the store's directory, its tags beside it, and
 * the run's view created (replacing one an earlier attempt left). The caller's file stays where it is (a replay may
 * still read it; its temporary directory goes as before).
 */
export async function attachEventsFile(store: Store, arrowFile: string, run: ArrowInsertRun): Promise<void> {
  const files = runFiles(store, run.runId);
  mkdirSync(path.dirname(files.arrow), { recursive: true });
  const part = `${files.arrow}.part`;
  rmSync(part, { force: true });
  try {
    linkSync(arrowFile, part);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(arrowFile, part);
  }
  renameSync(part, files.arrow);
  await createRunView(store, run);
}

/** (Re)create the run's view over its file with `run`'s tags and wall offset (a replay that placed it elsewhere). */
export async function createRunView(store: Store, run: ArrowInsertRun): Promise<void> {
  const files = runFiles(store, run.runId);
  writeFileSync(files.tags, tsvRow([run.tags.host, run.tags.kernel, run.tags.driver]));
  // pread: chDB's file() maps the whole file otherwise (file-insert.ts)
  await createView(store, 'events', run.runId, eventsSelectSql(files.arrow, 'Arrow', run, files.tags));
}

/**
 * Make the run's lifecycles `blocks` (Native, the `packets` table's columns and plain types: packet-native.ts, run
 * id, tags and wall-clock times in them) a file in the store's directory and a view of it, as the events.
 */
export async function attachPacketsFile(store: Store, runId: string, blocks: Iterable<Buffer>): Promise<void> {
  const file = runFiles(store, runId).packets;
  mkdirSync(path.dirname(file), { recursive: true });
  const part = `${file}.part`;
  const fd = openSync(part, 'w');
  try {
    // each block written before the next is asked for (the encoder reuses one buffer on the embedded store)
    for (const block of blocks) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  renameSync(part, file);
  const cols = columnNames('packets').join(', ');
  await createView(store, 'packets', runId, `SELECT ${cols} FROM file(${quoteString(file)}, 'Native')`);
}

async function createView(store: Store, table: FileTable, runId: string, select: string): Promise<void> {
  const view = `${quoteIdent(store.database)}.${quoteIdent(viewName(table, runId))}`;
  await store.command(`DROP VIEW IF EXISTS ${view}`);
  await store.command(`CREATE VIEW ${view} AS ${select} SETTINGS storage_file_read_method = 'pread'`);
}

/** Remove a run's view of `table` and its files (a failed attempt's leftovers, a deleted run); none is no error. */
export async function dropRunFiles(store: Store, table: FileTable, runId: string): Promise<void> {
  await store.command(`DROP VIEW IF EXISTS ${quoteIdent(store.database)}.${quoteIdent(viewName(table, runId))}`);
  const files = runFiles(store, runId);
  const mine = table === 'events' ? [files.arrow, files.tags] : [files.packets];
  for (const f of mine) for (const g of [f, `${f}.part`]) rmSync(g, { force: true });
}
