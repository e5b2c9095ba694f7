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
import { hostname, tmpdir } from 'node:os';
import { tableToIPC, type Table } from 'apache-arrow';
import type { IngestSummary } from '@txreplay/ingest';
import type { ReplayResult } from '@txreplay/replay';
import { columnNames, tableStructure, TABLES, quoteString, type TableName } from './ddl.js';
import { withLock } from './lock.js';
import { encodeEventsTsv, type RunTags } from './encode-events.js';
import { encodeEventsRowBinary } from './encode-rowbinary.js';
import { encodeEventsNative } from './encode-native.js';
import { derivePackets } from './packets.js';
import { failureText, isTransient, retryFits, type RetryPolicy } from './retry.js';
import { StoreError, type Store } from './store.js';
import { tsvRow, WallClockFormatter, type TsvValue } from './tsv.js';
import { verdictOf } from './verdict.js';

const TXREPLAY_VERSION = '0.1.0';

export interface RunInput {
  /** the normalized event table (ingest) */
  table: Table;
  summary: IngestSummary;
  result: ReplayResult;
  /** options that change what replay concludes; part of the run id */
  options?: Record<string, string | number | boolean>;
  timings?: { ingestMs?: number; replayMs?: number };
  /** host the trace was captured on, when known; default this machine's hostname */
  host?: string;
  /** driver profile the replay used (--driver), '' when not given; on every fact row */
  driver?: string;
  /** the sources' content hashes when the caller has them already (bulk hashes every file to skip stored ones) */
  hashes?: SourceHash[];
  /**
   * wall clock (ns since the epoch) of the last event, when the caller knows it. Default: the trace's own wall
   * clock (result.trace.wallClock); without one the wall time is unknown (see wallAnchor).
   */
  wallClockEndNs?: bigint;
}

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

export interface SourceHash {
  path: string;
  sha256: string;
  bytes: number;
}

/** sha256 of each source file's bytes; a source that is not a file (stdin) is hashed from the table. */
export async function hashSources(paths: string[], table: Table): Promise<SourceHash[]> {
  const out: SourceHash[] = [];
  for (const p of paths) {
    let isFile = false;
    try {
      isFile = statSync(p).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) {
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

/** Run id: 32 hex chars of sha256(content hashes in order + canonical options + schema version of rows). */
export function computeRunId(hashes: SourceHash[], options: Record<string, string | number | boolean> = {}): string {
  const h = createHash('sha256');
  h.update('txreplay-run-v1\n');
  for (const s of hashes) h.update(`${s.sha256}\n`);
  const keys = Object.keys(options).sort();
  h.update(JSON.stringify(keys.map((k) => [k, options[k]])));
  return h.digest('hex').slice(0, 32);
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
  assertRunId(runId);
  const order: TableName[] = ['runs', ...TABLES.filter((t) => t !== 'runs')];
  for (const t of order) {
    const rows = await store.queryRows<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${store.table(t)} WHERE run_id = ${quoteString(runId)}`,
    );
    if (Number(rows[0]?.n ?? 0) === 0) continue;
    await store.command(`ALTER TABLE ${store.table(t)} DELETE WHERE run_id = ${quoteString(runId)}`);
    await waitForMutations(store, t);
  }
}

async function waitForMutations(store: Store, table: TableName): Promise<void> {
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

/**
 * `time = ts_ns + offsetNs` for the time columns. Known: the caller's wall clock or the trace's own
 * (`runs.wall_offset_ns` and `runs.wall_clock` say it and where it came from). Unknown — the trace carries no wall
 * clock, and the file's mtime is never taken for one — `runs.wall_offset_ns` is NULL and `wall_clock` '', and the
 * time columns (partition and TTL keys, never NULL) place the last event at the moment the run was written.
 */
function wallAnchor(input: RunInput): { offsetNs: bigint; known: boolean; source: string } {
  const lastNs = input.result.trace.lastNs;
  if (input.wallClockEndNs !== undefined)
    return { offsetNs: input.wallClockEndNs - lastNs, known: true, source: 'given' };
  const own = input.result.trace.wallClock;
  if (own) return { offsetNs: own.offsetNs, known: true, source: own.source };
  return { offsetNs: BigInt(Date.now()) * 1_000_000n - lastNs, known: false, source: '' };
}

export async function writeRun(entry: Store, input: RunInput, opts: WriteOptions = {}): Promise<WriteResult> {
  const t0 = performance.now();
  const paths = input.summary.sources.map((s) => s.path);
  const hashes = input.hashes ?? (await hashSources(paths, input.table));
  const runId = computeRunId(hashes, input.options);
  // on a cluster: the run's shard (its local tables), so lock, cleanup and the runs row are on one server
  const store = await entry.storeForRun(runId);
  const policy = opts.retry ?? store.retry;
  const packets = derivePackets(input.table);
  const wall = wallAnchor(input);
  const wallOffsetNs = wall.offsetNs;

  const tags = runTags(input);
  let delay = policy.initialDelayMs;
  let firstFailureMs: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const status = await withLock(
        store,
        `run_${runId}`,
        async (): Promise<WriteResult['status']> => {
          if (await runExists(store, runId)) return 'exists';
          await dropRun(store, runId); // leftovers of a failed attempt
          await writeRunRows(store, input, {
            runId,
            tags,
            wallOffsetNs,
            wallKnown: wall.known,
            wallSource: wall.source,
            packets,
            hashes,
            t0,
            onEventsProgress: opts.onEventsProgress,
            insertBlockRows: opts.insertBlockRows,
            eventsFormat: opts.eventsFormat ?? 'Native',
          });
          return 'written';
        },
        async () => ((await runExists(store, runId)) ? 'exists' : undefined),
        { onWait: opts.onLockWait },
      );
      return {
        runId,
        status,
        events: input.table.numRows,
        packets: packets.length,
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

/** host, kernel(s) and driver of a run: the RUN_TAGS columns of every fact row. */
function runTags(input: RunInput): RunTags {
  const kernels = [...new Set(input.summary.sources.map((x) => x.kernel).filter((k): k is string => !!k))];
  return { host: input.host ?? hostname(), kernel: kernels.join(','), driver: input.driver ?? '' };
}

interface RowsContext {
  runId: string;
  tags: RunTags;
  wallOffsetNs: bigint;
  /** false: the trace has no wall clock (runs.wall_offset_ns NULL) */
  wallKnown: boolean;
  wallSource: string;
  packets: ReturnType<typeof derivePackets>;
  hashes: SourceHash[];
  t0: number;
  onEventsProgress?: (rows: number, total: number) => void;
  insertBlockRows?: number;
  eventsFormat: EventsWireFormat;
}

const CHUNK_ROWS = 8192;

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

async function writeRunRows(store: Store, input: RunInput, ctx: RowsContext): Promise<void> {
  const nanos = store.caps.dateTime64;
  const clock = new WallClockFormatter(nanos);
  const wall = (ns: bigint): string => clock.format(ns + ctx.wallOffsetNs);
  const { runId } = ctx;
  const k: TsvValue[] = [runId, ctx.tags.host, ctx.tags.kernel, ctx.tags.driver];

  await insertEvents(store, input.table, {
    runId,
    tags: ctx.tags,
    wallOffsetNs: ctx.wallOffsetNs,
    format: ctx.eventsFormat,
    onProgress: ctx.onEventsProgress,
    insertBlockRows: ctx.insertBlockRows,
  });

  await insertRows(
    store,
    'packets',
    ctx.packets.map((p): TsvValue[] => [
      ...k,
      p.skbaddr,
      p.dev,
      p.queue,
      p.len,
      p.queuedNs,
      p.startXmitNs,
      p.xmitNs,
      p.freedNs,
      wall(p.queuedNs),
      p.xmitRc,
      p.txBusy,
      p.fate,
      p.dropReason,
      p.location,
      p.source,
      p.firstLine,
    ]),
  );

  const intervals: TsvValue[][] = [];
  for (const q of input.result.queues) {
    for (const iv of q.stoppedIntervals) {
      intervals.push([
        ...k,
        q.dev,
        q.queue,
        iv.state,
        iv.startNs,
        iv.endNs,
        iv.endNs - iv.startNs,
        wall(iv.startNs),
        wall(iv.endNs),
      ]);
    }
  }
  await insertRows(store, 'queue_intervals', intervals);

  const series: TsvValue[][] = [];
  for (const s of input.result.series) {
    for (let i = 0; i < s.tsNs.length; i++) {
      const t = s.tsNs[i]!;
      series.push([
        ...k,
        s.dev,
        s.queue,
        t,
        wall(t),
        s.backlogPackets[i] ?? 0,
        s.inflightBytes[i] ?? 0,
        s.dqlLimitObserved[i] ?? null,
        s.dqlLimitExpected[i] ?? null,
      ]);
    }
  }
  await insertRows(store, 'series', series);

  await insertRows(
    store,
    'findings',
    input.result.findings.map((f, i): TsvValue[] => [
      ...k,
      i,
      f.kind,
      f.severity,
      f.dev,
      f.queue,
      f.startNs,
      f.endNs,
      wall(f.startNs),
      wall(f.endNs),
      f.title,
      f.explanation,
      JSON.stringify(f.evidence.map((e) => ({ ...e, tsNs: e.tsNs.toString() }))),
      JSON.stringify(f.nextSteps),
    ]),
  );

  // the completion marker, last
  const s = input.summary;
  const tr = input.result.trace;
  const formats = [...new Set(s.sources.map((x) => x.format))];
  const sources = s.sources.map((x, i) => ({
    path: x.path,
    format: x.format,
    kernel: x.kernel,
    sha256: ctx.hashes[i]?.sha256 ?? '',
    bytes: ctx.hashes[i]?.bytes ?? 0,
    lines: x.lines,
    events: x.events,
    skipped: x.skipped,
    comments: x.comments,
    lost: x.lostEvents,
  }));
  const contentHash = createHash('sha256')
    .update(ctx.hashes.map((h) => h.sha256).join('\n'))
    .digest('hex');
  const writtenAt = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const values: Record<string, TsvValue> = {
    run_id: runId,
    complete: 1,
    written_at: writtenAt,
    host: ctx.tags.host,
    kernel: ctx.tags.kernel,
    driver_profile: ctx.tags.driver,
    format: formats.join(','),
    sources: JSON.stringify(sources),
    content_sha256: contentHash,
    options: JSON.stringify(input.options ?? {}),
    events: input.table.numRows,
    lines: s.lines,
    skipped: s.skipped,
    lost_events: s.lostEvents,
    packets: ctx.packets.length,
    findings: input.result.findings.length,
    first_ns: tr.firstNs,
    last_ns: tr.lastNs,
    first_time: wall(tr.firstNs),
    last_time: wall(tr.lastNs),
    wall_offset_ns: ctx.wallKnown ? ctx.wallOffsetNs : null,
    wall_clock: ctx.wallSource,
    ingest_ms: input.timings?.ingestMs ?? 0,
    replay_ms: input.timings?.replayMs ?? 0,
    write_ms: Math.round(performance.now() - ctx.t0),
    verdict: verdictOf(input.result),
    txreplay_version: TXREPLAY_VERSION,
  };
  const cols = columnNames('runs');
  await store.insertTsv('runs', cols, tsvRow(cols.map((c) => values[c] ?? null)));
}

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
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-insert-'));
  activeTempDirs.add(dir);
  const file = path.join(dir, 'events.native');
  try {
    const fd = openSync(file, 'w');
    try {
      let rows = 0;
      for (const block of encodeEventsNative(table, { ...opts, blockRows: 65536 })) {
        writeSync(fd, block);
        rows = Math.min(table.numRows, rows + 65536);
        onProgress?.(rows, table.numRows);
      }
    } finally {
      closeSync(fd);
    }
    const cols = columnNames('events').join(', ');
    await store.command(
      `INSERT INTO ${store.table('events')} (${cols}) SELECT ${cols} FROM file(${quoteString(file)}, 'Native')`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    activeTempDirs.delete(dir);
  }
}

/** TSV text of rows, in Buffers of about 1 MB (no single huge string). */
function* tsvChunks(rows: TsvValue[][]): Generator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for (const r of rows) {
    const line = tsvRow(r);
    parts.push(line);
    size += line.length;
    if (size >= 1 << 20) {
      yield Buffer.from(parts.join(''));
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield Buffer.from(parts.join(''));
}

async function insertRows(store: Store, table: TableName, rows: TsvValue[][]): Promise<void> {
  if (rows.length === 0) return;
  const cols = columnNames(table);
  if (store.config.placement === 'server') {
    await store.insertTsv(table, cols, tsvChunks(rows));
    return;
  }
  // embedded: a temp TSV file the engine reads itself (chdb's connection would copy the body into a JS string)
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-insert-'));
  activeTempDirs.add(dir);
  const file = path.join(dir, `${table}.tsv`);
  try {
    const fd = openSync(file, 'w');
    try {
      for (const chunk of tsvChunks(rows)) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    const structure = tableStructure(table, { ...store.caps, lowCardinality: false, codecs: false });
    await store.command(
      `INSERT INTO ${store.table(table)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM file(${quoteString(file)}, 'TabSeparated', ${quoteString(structure)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    activeTempDirs.delete(dir);
  }
}
