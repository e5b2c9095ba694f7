/**
 * Writes one run (events, per-skb lifecycles, queue intervals, series, findings, then the `runs` row) to
 * either placement. Idempotent and safe under concurrency: the run id is a hash of the source contents and
 * options; the writer holds the run's lock (lock.ts) while it checks for the `runs` row and writes, so N
 * writers of the same trace store one copy whatever the timing; a leftover of a failed attempt (rows without a
 * `runs` row) is deleted first (ALTER … DELETE, waited for). The `runs` row goes last, so a run is either
 * listed in `runs` and whole, or not listed.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { RecordBatchReader, tableToIPC, type Table } from 'apache-arrow';
import { open } from 'node:fs/promises';
import { columnNames, tableStructure, TABLES, quoteString, type TableName } from './ddl.js';
import { withLock } from './lock.js';
import { encodeEventsTsv, type RunTags } from './encode-events.js';
import { encodeEventsRowBinary } from './encode-rowbinary.js';
import { encodeEventsNative, encodeEventsNativeParts } from './encode-native.js';
import type { SideTable } from './run-rows.js';
import {
  CHUNK_ROWS,
  EMBEDDED_BLOCK_ROWS,
  prepareRun,
  tableEvents,
  type EncodedRun,
  type RunInput,
  type SourceHash,
} from './encode-run.js';
import { failureText, isTransient, retryFits, type RetryPolicy } from './retry.js';
import { StoreError, type Store } from './store.js';
import { fileInsertSettings } from './file-insert.js';
import { insertEventsFromArrowFile, readsArrowFile } from './arrow-insert.js';
import { attachEventsFile, attachPacketsFile, dropRunFiles, isFileTable, storedName } from './event-files.js';
import { insertMergedSlices } from './merged-slices.js';
import { tsvRow, type TsvValue } from './tsv.js';

export interface WriteOptions {
  retry?: RetryPolicy;
  onRetry?: (attempt: number, message: string, delayMs: number) => void;
  /** events encoded and handed to the connection so far (for progress on a TTY, and for tests) */
  onEventsProgress?: (rows: number, total: number) => void;
  /** server placement: rows per block the server commits (max_insert_block_size); default the server's */
  insertBlockRows?: number;
  /** server placement: wire format of the events bulk insert (default Native; the others for comparison) */
  eventsFormat?: EventsWireFormat;
  /** told when another writer holds this run's lock (this one waits for it) */
  onLockWait?: (owner: string) => void;
  /**
   * ids of the runs that have rows but no complete `runs` row (orphanRuns), scanned once by a caller that writes
   * many runs: a run not in it is written without scanning every table for its leftovers
   */
  orphans?: ReadonlySet<string>;
  /**
   * with `orphans`, on the embedded store (one process's alone, so no other writer adds runs): the ids of its
   * complete runs that matter to the caller — a run not in it is written without asking the store — and this write
   * adds its run. `txreplay bulk` knows them: a file whose run was there was skipped by its content hash.
   */
  completeRuns?: Set<string>;
}

type EventsWireFormat = 'Native' | 'RowBinary' | 'TabSeparated';

export interface WriteResult {
  runId: string;
  status: 'written' | 'exists';
  events: number;
  packets: number;
  attempts: number;
  ms: number;
}

/** sha256 of each source file's bytes; a source that is not a file (stdin) is hashed from the table. */
export async function hashSources(paths: string[], table?: Table): Promise<SourceHash[]> {
  const out: SourceHash[] = [];
  for (const p of paths) {
    let isFile = false;
    try {
      isFile = statSync(p).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) {
      if (!table) throw new Error(`${p}: not a file, and no event table to hash instead`);
      const ipc = tableToIPC(table, 'file');
      out.push({ path: p, sha256: createHash('sha256').update(ipc).digest('hex'), bytes: ipc.byteLength });
      continue;
    }
    const h = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(p)) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    out.push({ path: p, sha256: h.digest('hex'), bytes });
  }
  return out;
}

const RUN_ID_RE = /^[0-9a-f]{32}$/;

function assertRunId(runId: string): void {
  // run ids are inlined into SQL (ClickHouse 18.16 has no query parameters): only our own hex ids pass
  if (!RUN_ID_RE.test(runId)) throw new Error(`not a txreplay run id: ${JSON.stringify(runId)}`);
}

export async function runExists(store: Store, runId: string): Promise<boolean> {
  assertRunId(runId);
  const rows = await store.queryRows<{ n: string | number }>(
    `SELECT toString(count()) AS n FROM ${store.table('runs')} WHERE run_id = ${quoteString(runId)} AND complete = 1`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/**
 * Remove every row of a run from all tables (runs first, so it stops being listed before data goes). The fleet
 * layout partitions by month, so this is a DELETE mutation per table that holds rows of the run, waited for:
 * 18.16 has no `mutations_sync`, so system.mutations is polled until the server reports it done.
 */
export async function dropRun(store: Store, runId: string): Promise<void> {
  await dropRunRows(store, runId, (await runRowCounts(store, runId)).tables);
}

/** Ids of the runs with rows in some table but no complete `runs` row: leftovers of failed writes. One scan (GLOBAL: on
 * a cluster the tables are Distributed, the subquery runs once). */
export async function orphanRuns(store: Store): Promise<Set<string>> {
  const parts = TABLES.map(
    (t) =>
      `SELECT DISTINCT run_id AS r FROM ${store.readTable(t)} WHERE run_id GLOBAL NOT IN (SELECT run_id FROM ${store.table('runs')} WHERE complete = 1)`,
  );
  const rows = await store.queryRows<{ r: string }>(parts.join(' UNION ALL '));
  return new Set(rows.map((x) => x.r));
}

/** Rows a run has in each table, and whether its `runs` row says complete: one query (UNION ALL, 18.16 too). */
async function runRowCounts(store: Store, runId: string): Promise<{ complete: boolean; tables: TableName[] }> {
  assertRunId(runId);
  const id = quoteString(runId);
  const parts = TABLES.map(
    (t) =>
      `SELECT ${quoteString(t)} AS t, toString(count()) AS n, toString(max(${t === 'runs' ? 'complete' : '0'})) AS c FROM ${store.readTable(t)} WHERE run_id = ${id}`,
  );
  const rows = await store.queryRows<{ t: TableName; n: string; c: string }>(parts.join(' UNION ALL '));
  return {
    complete: rows.some((r) => r.t === 'runs' && Number(r.c) === 1),
    tables: rows.filter((r) => Number(r.n) > 0).map((r) => r.t),
  };
}

/**
 * Delete a run's rows from `tables` (runs first, so it stops being listed before data goes), waited for. A delete is
 * a mutation, which a stop of the table's merges holds back for ever (a streamed write stops them on the embedded
 * store, stream-write.ts): they run again for it there.
 */
export async function dropRunRows(store: Store, runId: string, tables: TableName[]): Promise<void> {
  assertRunId(runId);
  const order: TableName[] = ['runs', ...TABLES.filter((t) => t !== 'runs')];
  for (const t of order) {
    if (!tables.includes(t)) continue;
    // a streamed run's events are its view and file (event-files.ts); a run's events are in one place or the other
    if (isFileTable(t) && store.eventFiles) {
      await dropRunFiles(store, t, runId);
      if (!(await hasStoredRows(store, t, runId))) continue;
    }
    if (store.config.placement === 'embedded') await store.command(`SYSTEM START MERGES ${store.table(t)}`);
    await store.command(`ALTER TABLE ${store.table(t)} DELETE WHERE run_id = ${quoteString(runId)}`);
    await waitForMutations(store, isFileTable(t) && store.eventFiles ? storedName(t) : t);
  }
}

/** True when `<table>_stored` holds rows of the run (an embedded store with event files). */
async function hasStoredRows(store: Store, table: TableName, runId: string): Promise<boolean> {
  const rows = await store.queryRows<{ n: string }>(
    `SELECT toString(count()) AS n FROM ${store.table(table)} WHERE run_id = ${quoteString(runId)}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

async function waitForMutations(store: Store, table: string): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (let delay = 20; ; delay = Math.min(500, delay * 2)) {
    const rows = await store.queryRows<{ n: string }>(
      `SELECT toString(count()) AS n FROM system.mutations WHERE database = ${quoteString(store.database)} AND table = ${quoteString(table)} AND is_done = 0`,
    );
    if (Number(rows[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the delete of a failed run's rows in ${table} did not finish in 10 min`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

export async function writeRun(entry: Store, input: RunInput, opts: WriteOptions = {}): Promise<WriteResult> {
  const t0 = performance.now();
  const paths = input.summary.sources.map((s) => s.path);
  const hashes = input.hashes ?? (await hashSources(paths, input.table));
  const hashMs = performance.now() - t0;
  const run = prepareRun(input, hashes, entry.caps.dateTime64, tableEvents(input.table));
  return writeEncodedRun(entry, { ...run, encodeMs: run.encodeMs + hashMs }, opts);
}

/**
 * Whether a run is complete in the store: from the caller's list on the embedded store (this process's alone: a
 * query per run there costs a chDB call, ~25 ms under load), else asked.
 */
async function knownComplete(store: Store, runId: string, completeRuns?: ReadonlySet<string>): Promise<boolean> {
  if (completeRuns && store.config.placement === 'embedded') return completeRuns.has(runId);
  return runExists(store, runId);
}

/** Write a run encoded already (writeRun, or bulk's workers): lock, skip when stored, clean leftovers, insert. */
export function writeEncodedRun(entry: Store, run: EncodedRun, opts: WriteOptions = {}): Promise<WriteResult> {
  return writeRunWith(entry, run, opts, (store, t0) =>
    writeRunRows(store, run, {
      t0,
      onEventsProgress: opts.onEventsProgress,
      insertBlockRows: opts.insertBlockRows,
      eventsFormat: opts.eventsFormat ?? 'Native',
    }),
  );
}

/** What writeRunWith needs of a run before its rows are written: its id, counts and the time encoding took. */
export type RunHead = Pick<EncodedRun, 'runId' | 'events' | 'packets' | 'encodeMs'>;

/**
 * The writer of every run: lock, skip when stored, clean leftovers, then `writeRows` (which writes the `runs` row
 * last; write_ms counts from `t0`), retried as a whole on transient failures.
 */
export async function writeRunWith(
  entry: Store,
  run: RunHead,
  opts: WriteOptions,
  writeRows: (store: Store, t0: number) => Promise<void>,
): Promise<WriteResult> {
  const t0 = performance.now() - run.encodeMs;
  const { runId } = run;
  // on a cluster: the run's shard (its local tables), so lock, cleanup and the runs row are on one server
  const store = await entry.storeForRun(runId);
  const policy = opts.retry ?? store.retry;

  let delay = policy.initialDelayMs;
  let firstFailureMs: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const status = await withLock(
        store,
        `run_${runId}`,
        async (fresh): Promise<WriteResult['status']> => {
          if (fresh && opts.orphans && !opts.orphans.has(runId)) {
            // the caller scanned the store for rows of incomplete runs, and no writer of this one failed since
            // (a failed writer removes its rows or keeps the lock): only the `runs` row can be there already
            if (await knownComplete(store, runId, opts.completeRuns)) return 'exists';
          } else {
            const rows = await runRowCounts(store, runId);
            if (rows.complete) return 'exists';
            await dropRunRows(store, runId, rows.tables); // leftovers of a failed attempt
          }
          await writeRows(store, t0);
          opts.completeRuns?.add(runId);
          return 'written';
        },
        async () => ((await runExists(store, runId)) ? 'exists' : undefined),
        {
          onWait: opts.onLockWait,
          // remove what this attempt wrote; when that fails too (server gone) the kept lock tells the next writer
          keepOnError: async () => {
            await dropRun(store, runId);
            return false;
          },
        },
      );
      return {
        runId,
        status,
        events: run.events,
        packets: run.packets,
        attempts: attempt,
        ms: performance.now() - t0,
      };
    } catch (err) {
      // the retry budget counts from the first failure (a long healthy insert does not use it up)
      firstFailureMs ??= Date.now();
      const why = failureText(err, store.config.requestTimeoutMs);
      if (attempt >= policy.attempts || !isTransient(err) || !retryFits(policy, firstFailureMs, delay)) {
        throw new StoreError(
          `could not write run ${runId} to the ${store.describe()} after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${why}`,
          { cause: err },
        );
      }
      opts.onRetry?.(attempt, why, delay);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(policy.maxDelayMs, delay * 2);
    }
  }
}

interface RowsContext {
  t0: number;
  onEventsProgress?: (rows: number, total: number) => void;
  insertBlockRows?: number;
  eventsFormat: EventsWireFormat;
}

function* withProgress(
  chunks: Generator<Buffer>,
  total: number,
  cb?: (rows: number, total: number) => void,
): Generator<Buffer> {
  let rows = 0;
  for (const c of chunks) {
    yield c;
    rows = Math.min(total, rows + CHUNK_ROWS);
    cb?.(rows, total);
  }
}

async function writeRunRows(store: Store, run: EncodedRun, ctx: RowsContext): Promise<void> {
  const r = run.rows.runs;
  const o: InsertEventsOptions = {
    runId: run.runId,
    tags: { host: String(r.host), kernel: String(r.kernel), driver: String(r.driver_profile) },
    wallOffsetNs: run.rows.wallOffsetNs,
    format: ctx.eventsFormat,
    onProgress: ctx.onEventsProgress,
    insertBlockRows: ctx.insertBlockRows,
  };
  const data = run.eventsData;
  if ('table' in data) await insertEvents(store, data.table, o);
  else if ('native' in data) await insertNativeBlocks(store, 'events', data.native, ctx.insertBlockRows);
  else if (readsArrowFile(store)) {
    if (store.eventFiles) await attachEventsFile(store, data.arrowFile, o);
    else await insertEventsFromArrowFile(store, data.arrowFile, o);
    o.onProgress?.(run.events, run.events);
  } else
    await insertNativeBlocks(
      store,
      'events',
      nativeFromArrowFile(store, data.arrowFile, run.events, o),
      ctx.insertBlockRows,
    );
  await writeSideRows(store, run, ctx.t0);
}

/**
 * The side tables of a run whose events are in, then its `runs` row (the completion marker), last. `prepared`: tables
 * whose Native file is written already (prepareNativeInsert), inserted from it instead of their `nativeRows`.
 */
export async function writeSideRows(
  store: Store,
  run: EncodedRun,
  t0: number,
  prepared: Partial<Record<SideTable, PreparedInsert>> = {},
): Promise<void> {
  for (const t of SIDE_TABLES) {
    const native = run.nativeRows?.[t];
    const chunks = run.rows.tsv[t];
    const file = prepared[t];
    if (file) await file.insert(store);
    // a streamed run's lifecycles stay their Native file on an embedded store (event-files.ts)
    else if (native && t === 'packets' && store.eventFiles) await attachPacketsFile(store, run.runId, native);
    else if (native) await insertNativeBlocks(store, t, native, undefined, true);
    else if (chunks) await insertRows(store, t, chunks);
  }
  await store.insertTsv('runs', columnNames('runs'), runsRow(run, t0));
}

/** A run's `runs` row (its completion marker) as one TSV line; write_ms counts from `t0`. */
export function runsRow(run: EncodedRun, t0: number): string {
  const values: Record<string, TsvValue> = {
    ...run.rows.runs,
    written_at: new Date().toISOString().slice(0, 19).replace('T', ' '),
    write_ms: Math.round(performance.now() - t0),
  };
  const cols = columnNames('runs');
  return tsvRow(cols.map((c) => values[c] ?? null));
}

export const SIDE_TABLES: SideTable[] = ['packets', 'queue_intervals', 'series', 'findings'];

interface InsertEventsOptions {
  runId: string;
  tags: RunTags;
  /** time = ts_ns + wallOffsetNs */
  wallOffsetNs: bigint;
  /** server wire format (default Native); the embedded placement always goes through a Native file */
  format?: EventsWireFormat;
  onProgress?: (rows: number, total: number) => void;
  insertBlockRows?: number;
}

/**
 * The bulk path for the events of one run, straight from the Arrow buffers. Server: one streamed HTTP insert
 * of Native blocks (columnar, nothing to parse on the server) by default. Embedded: chdb's connection turns
 * an insert body into a JS string, so the events go through a temporary Native file that the engine reads
 * itself (file() table function).
 */
async function insertEvents(store: Store, table: Table, o: InsertEventsOptions): Promise<void> {
  const encOpts = {
    runId: o.runId,
    tags: o.tags,
    wallOffsetNs: o.wallOffsetNs,
    nanos: store.caps.dateTime64,
    chunkRows: CHUNK_ROWS,
  };
  if (store.config.placement !== 'server') {
    await insertViaNativeFile(store, table, { ...encOpts, caps: store.caps }, o.onProgress);
    return;
  }
  const format = o.format ?? 'Native';
  const chunks = withProgress(
    format === 'Native'
      ? encodeEventsNative(table, { ...encOpts, caps: store.caps, blockRows: CHUNK_ROWS })
      : format === 'RowBinary'
        ? encodeEventsRowBinary(table, encOpts)
        : encodeEventsTsv(table, encOpts),
    table.numRows,
    o.onProgress,
  );
  const settings = { maxInsertBlockRows: o.insertBlockRows };
  if (format === 'TabSeparated') await store.insertTsv('events', columnNames('events'), chunks, settings);
  else await store.insertBinary('events', columnNames('events'), format, chunks, settings);
}

/** Native blocks of the events in an Arrow IPC file, read and encoded one record batch at a time. */
async function* nativeFromArrowFile(
  store: Store,
  file: string,
  total: number,
  o: InsertEventsOptions,
): AsyncGenerator<Buffer> {
  const fh = await open(file, 'r');
  try {
    const blockRows = store.config.placement === 'server' ? CHUNK_ROWS : EMBEDDED_BLOCK_ROWS;
    const opts = { ...o, nanos: store.caps.dateTime64, caps: store.caps, blockRows };
    let rows = 0;
    for await (const batch of await RecordBatchReader.from(fh)) {
      for (const parts of encodeEventsNativeParts({ batches: [batch] }, opts)) yield* parts;
      rows += batch.numRows;
      o.onProgress?.(rows, total);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Rows encoded already (encodeRun's events, an Arrow file's, a streamed run's packets): one streamed Native insert
 * (server), or a Native file.
 */
export async function insertNativeBlocks(
  store: Store,
  table: TableName,
  blocks: Iterable<Buffer> | AsyncIterable<Buffer>,
  insertBlockRows?: number,
  bounded?: boolean,
): Promise<void> {
  const cols = columnNames(table);
  if (store.config.placement === 'server') {
    await store.insertBinary(table, cols, 'Native', blocks, { maxInsertBlockRows: insertBlockRows });
    return;
  }
  await withTempFile(`${table}.native`, blocks, (file) =>
    store.command(
      `INSERT INTO ${store.table(table)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM file(${quoteString(file)}, 'Native')${fileInsertSettings(file, bounded)}`,
    ),
  );
}

/** `chunks` in a temporary file (removed after `use`, or by removeInsertTempFiles on Ctrl-C). */
async function withTempFile(
  name: string,
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  use: (file: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-insert-'));
  activeTempDirs.add(dir);
  const file = path.join(dir, name);
  try {
    const fd = openSync(file, 'w');
    try {
      for await (const chunk of chunks) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    activeTempDirs.delete(dir);
  }
}

/** A side table's rows in a temporary Native file written ahead of its insert (the embedded store). */
export interface PreparedInsert {
  /** INSERT … FROM the file (bounded, as insertNativeBlocks' with `bounded`), then remove it */
  insert(store: Store): Promise<void>;
  /** remove the file without inserting it (idempotent) */
  remove(): void;
}

/** How a side table's prepared Native blocks are cut into merged slices (merged-slices.ts; tests make them small) */
export interface BlockSlicing {
  /** blocks inserted into the table as they are, first (16,384-row blocks of lifecycles: ~100 per GB of text) */
  directBlocks: number;
  /** blocks per merged slice after those */
  sliceBlocks: number;
}

/** The lifecycles' slices: 100 blocks (~1.6 M rows, ~1 GB of text) as they are, then 16 (~260 K rows) per merge */
const BLOCK_SLICING: BlockSlicing = { directBlocks: 100, sliceBlocks: 16 };

/**
 * Write `blocks` of `table` to temporary Native files now, to insert later: a streamed report writes its lifecycles'
 * files while chDB inserts the events on its own thread, instead of after (writeSideRows' `prepared`). The first
 * `directBlocks` blocks go to one file inserted as it is, the rest `sliceBlocks` to a file, each merged into one part
 * before it joins the table (insertMergedSlices: the process's memory no longer grows with the table's parts).
 */
export function prepareNativeInsert(
  table: SideTable,
  blocks: Iterable<Buffer>,
  slicing: BlockSlicing = BLOCK_SLICING,
): PreparedInsert {
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-insert-'));
  activeTempDirs.add(dir);
  const files: string[] = [];
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    activeTempDirs.delete(dir);
  };
  try {
    writeBlockFiles(blocks, slicing, () => {
      files.push(path.join(dir, `${table}-${files.length}.native`));
      return files[files.length - 1]!;
    });
  } catch (e) {
    remove();
    throw e;
  }
  const cols = columnNames(table).join(', ');
  const sql = (into: string, file: string): string =>
    `INSERT INTO ${into} (${cols}) SELECT ${cols} FROM file(${quoteString(file)}, 'Native')${fileInsertSettings(file, true)}`;
  const insert = async (store: Store): Promise<void> => {
    try {
      if (files.length === 1) await store.command(sql(store.table(table), files[0]!));
      else await insertMergedSlices(store, table, files.length, (i, into) => store.command(sql(into, files[i]!)));
    } finally {
      remove();
    }
  };
  return { insert, remove };
}

/** `blocks` into files: the first `directBlocks` into one, then `sliceBlocks` a file (`next` names each). */
function writeBlockFiles(blocks: Iterable<Buffer>, slicing: BlockSlicing, next: () => string): void {
  let fd = openSync(next(), 'w');
  let n = 0;
  let limit = slicing.directBlocks;
  try {
    for (const block of blocks) {
      if (n === limit) {
        closeSync(fd);
        fd = -1;
        fd = openSync(next(), 'w');
        n = 0;
        limit = slicing.sliceBlocks;
      }
      writeSync(fd, block);
      n++;
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Temp dirs of inserts in progress, so an interrupted command can remove them (removeInsertTempFiles). */
const activeTempDirs = new Set<string>();

/** Remove the temporary Native files of inserts in progress (call from a SIGINT handler before exiting). */
export function removeInsertTempFiles(): void {
  for (const d of activeTempDirs) rmSync(d, { recursive: true, force: true });
  activeTempDirs.clear();
}

async function insertViaNativeFile(
  store: Store,
  table: Table,
  opts: { runId: string; tags: RunTags; wallOffsetNs: bigint; nanos: boolean; caps: Store['caps'] },
  onProgress?: (rows: number, total: number) => void,
): Promise<void> {
  function* blocks(): Generator<Buffer> {
    let rows = 0;
    for (const block of encodeEventsNative(table, { ...opts, blockRows: EMBEDDED_BLOCK_ROWS })) {
      yield block;
      rows = Math.min(table.numRows, rows + EMBEDDED_BLOCK_ROWS);
      onProgress?.(rows, table.numRows);
    }
  }
  const cols = columnNames('events').join(', ');
  await withTempFile('events.native', blocks(), (file) =>
    store.command(
      `INSERT INTO ${store.table('events')} (${cols}) SELECT ${cols} FROM file(${quoteString(file)}, 'Native')${fileInsertSettings(file)}`,
    ),
  );
}

export async function insertRows(store: Store, table: TableName, chunks: Iterable<Buffer>): Promise<void> {
  if (Array.isArray(chunks) && chunks.length === 0) return;
  const cols = columnNames(table);
  if (store.config.placement === 'server') {
    await store.insertTsv(table, cols, chunks);
    return;
  }
  // embedded: a temp TSV file the engine reads itself (chdb's connection would copy the body into a JS string)
  const structure = tableStructure(table, { ...store.caps, lowCardinality: false, codecs: false });
  await withTempFile(`${table}.tsv`, chunks, (file) =>
    store.command(
      `INSERT INTO ${store.table(table)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM file(${quoteString(file)}, 'TabSeparated', ${quoteString(structure)})${fileInsertSettings(file)}`,
    ),
  );
}
