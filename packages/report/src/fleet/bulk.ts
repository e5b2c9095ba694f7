/**
 * `txreplay bulk`: every trace file of a fleet ingested, replayed and stored, in parallel across cores.
 * Worker threads ingest, replay and encode every row of a run (bulk-worker.ts); this thread is the one writer and only
 * hands the encoded bytes to ClickHouse (chDB allows one writer process; on a server it keeps inserts ordered and the
 * locks few). How many threads for `jobs` (bulk-threads.ts replayThreads): on the embedded store the writer is one of
 * the jobs (chDB's inserts run in this process), on a server every job replays. The store is scanned once for
 * leftovers of failed writes (orphanRuns), so a run is written without a scan of every table for its rows. With 2+
 * jobs each loop overlaps the replay of its next file with the write of its last, and holds at most one table
 * waiting for the writer, so memory stays bounded; `jobs: 1` is serial (one core: replay, write, next).
 *
 * Resumable: a file whose content is already a complete run (runs.content_sha256) is skipped and says so. A run
 * is visible only once its `runs` row is written (last), so a crash or Ctrl-C leaves no partial run; running
 * the same command again stores the rest. A file that fails to ingest is reported and the others go on.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { TraceFormat } from '@txreplay/ingest';
import type { DeviceProfile, DeviceProfiles, ReplayOptions } from '@txreplay/replay';
import { quoteString } from '../ddl.js';
import type { Store } from '../store.js';
import type { EncodedRun } from '../encode-run.js';
import { orphanRuns, writeEncodedRun } from '../write.js';
import { writeEncodedBatch } from '../write-batch.js';
import type { BulkJobResult } from './bulk-worker.js';
import { replayThreads, startBulkThreads, type BulkThreads, type JobThread } from './bulk-threads.js';
import type { BulkInput } from './inputs.js';
import { fromTransfer } from './transfer.js';

export interface BulkFileResult {
  path: string;
  bytes: number;
  status: 'stored' | 'skipped' | 'failed';
  runId?: string;
  host?: string;
  events?: number;
  findings?: number;
  verdict?: string;
  ms: number;
  /** time the one writer spent on this file (the part that does not run in parallel; a batch's shared by bytes) */
  writerMs?: number;
  /** CPU time (user + system) its worker thread spent to ingest, replay and encode it (Linux) */
  replayCpuMs?: number;
  error?: string;
}

export interface BulkProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
}

export interface BulkOptions {
  jobs: number;
  replay: ReplayOptions & { profile: DeviceProfile; deviceProfiles: DeviceProfiles };
  format?: TraceFormat;
  /** host of a file: a fixed name, or 'parent-dir' (the directory the file is in); default this machine */
  host?: string | 'parent-dir';
  onProgress?: (p: BulkProgress) => void;
  onFile?: (r: BulkFileResult) => void;
  signal?: AbortSignal;
  /**
   * threads started before the store was opened (startBulkThreads(replayThreads(…))), so their start-up overlaps
   * the store's; default: started here. Stopped when bulkReport returns, either way.
   */
  threads?: BulkThreads;
}

async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** runs.content_sha256 of a one-file run (write.ts: sha256 of the sources' hashes joined by newlines). */
function runContentHash(fileSha: string): string {
  return createHash('sha256').update(fileSha).digest('hex');
}

/** content hash → run id of the complete runs already in the store, for these hashes. */
async function storedRuns(store: Store, contentHashes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < contentHashes.length; i += 500) {
    const list = contentHashes
      .slice(i, i + 500)
      .map(quoteString)
      .join(', ');
    const rows = await store.queryRows<{ h: string; r: string }>(
      `SELECT content_sha256 AS h, any(run_id) AS r FROM ${store.table('runs')} WHERE complete = 1 AND content_sha256 IN (${list}) GROUP BY h`,
    );
    for (const row of rows) out.set(row.h, row.r);
  }
  return out;
}

function hostOf(file: string, host: BulkOptions['host']): string | undefined {
  if (host === 'parent-dir') return path.basename(path.dirname(path.resolve(file)));
  return host;
}

interface BulkState {
  store: Store;
  inputs: BulkInput[];
  shas: string[];
  opts: BulkOptions;
  results: BulkFileResult[];
  progress: BulkProgress;
  t0: number;
  todo: number[];
  /** runs with rows but no complete `runs` row when the bulk run began (only those need a leftover scan) */
  orphans: Set<string>;
  /** complete runs of the store that this bulk run met (skipped or written): the embedded store asks no more */
  completeRuns: Set<string>;
  /** the single writer: writes run one after another in this chain */
  writeChain: Promise<unknown>;
  /** replayed runs not handed to the writer yet (flush), and their encoded bytes */
  pending: PendingRun[];
  pendingBytes: number;
}

function finish(s: BulkState, i: number, r: BulkFileResult): void {
  s.results[i] = r;
  s.progress.filesDone++;
  s.progress.bytesDone += r.bytes;
  s.progress.elapsedMs = performance.now() - s.t0;
  s.opts.onFile?.(r);
  s.opts.onProgress?.({ ...s.progress });
}

/** A replayed run waiting for the writer. */
interface PendingRun {
  i: number;
  r: Extract<BulkJobResult, { ok: true }>;
  startedMs: number;
  bytes: number;
}

/**
 * Runs per write (write-batch.ts: one insert per table for the batch), up to this many encoded bytes — under
 * file-insert.ts's 64 MiB, above which chDB's inserts go in small bounded blocks — and this many runs (each holds
 * its lock on a server while the batch is written).
 */
const BATCH_BYTES = 32 << 20;
const BATCH_RUNS = 64;

function batchFull(s: BulkState): boolean {
  return s.pendingBytes >= BATCH_BYTES || s.pending.length >= BATCH_RUNS;
}

function wireBytes(r: Extract<BulkJobResult, { ok: true }>): number {
  const blocks = r.run.native.reduce((a, u) => a + u.byteLength, 0);
  return Object.values(r.run.tsv).reduce((a, u) => a + u.byteLength, blocks);
}

/** Hand every pending run to the one writer (after the writes before it); resolves when they are stored. */
function flush(s: BulkState): Promise<void> {
  const batch = s.pending.splice(0);
  s.pendingBytes = 0;
  const write = s.writeChain.then(() => storeBatch(s, batch));
  s.writeChain = write.catch(() => undefined);
  return write;
}

function stored(
  s: BulkState,
  p: PendingRun,
  w: { runId: string; events: number },
  status: 'stored' | 'skipped',
  writerMs: number,
): void {
  const input = s.inputs[p.i]!;
  const host = hostOf(input.path, s.opts.host);
  finish(s, p.i, {
    path: input.path,
    bytes: input.bytes,
    status,
    runId: w.runId,
    ...(host ? { host } : {}),
    events: w.events,
    findings: p.r.findings,
    verdict: p.r.verdict,
    ms: performance.now() - p.startedMs,
    writerMs,
    ...(p.r.cpuMs !== undefined ? { replayCpuMs: p.r.cpuMs } : {}),
  });
}

/**
 * Store a batch: the runs new to it in one write per shard (writeEncodedBatch), a run met already in this bulk run
 * (an identical file) skipped. Embedded: a run with leftovers of a failed write goes through writeEncodedRun (it
 * removes them); the server's batch writer looks for them itself. A failed batch is written again run by run.
 */
async function storeBatch(s: BulkState, batch: PendingRun[]): Promise<void> {
  const embedded = s.store.config.placement === 'embedded';
  const fresh = new Map<string, { p: PendingRun; run: EncodedRun }>();
  const again: { p: PendingRun; run: EncodedRun }[] = [];
  for (const p of batch) {
    const run = fromTransfer(p.r.run);
    if (fresh.has(run.runId) || (embedded && s.completeRuns.has(run.runId) && !s.orphans.has(run.runId)))
      stored(s, p, run, 'skipped', 0);
    else if (embedded && s.orphans.has(run.runId)) again.push({ p, run });
    else fresh.set(run.runId, { p, run });
  }
  for (const group of await byShard(s.store, [...fresh.values()])) {
    const tw = performance.now();
    const existed = await writeEncodedBatch(
      group.store,
      group.runs.map((f) => f.run),
    ).catch(() => null);
    if (existed === null) {
      // its rows removed (or its locks kept): every run of it is checked for leftovers on the way in
      for (const f of group.runs) s.orphans.add(f.run.runId);
      again.push(...group.runs);
      continue;
    }
    const ms = performance.now() - tw;
    const bytes = group.runs.reduce((a, f) => a + f.p.bytes, 0);
    for (const f of group.runs) {
      s.completeRuns.add(f.run.runId);
      // the batch's writer time shared by its runs in proportion to their bytes
      stored(s, f.p, f.run, existed.has(f.run.runId) ? 'skipped' : 'stored', (ms * f.p.bytes) / bytes);
    }
  }
  for (const { p, run } of again) {
    const tw = performance.now();
    const w = await writeEncodedRun(s.store, run, { orphans: s.orphans, completeRuns: s.completeRuns });
    stored(s, p, w, w.status === 'written' ? 'stored' : 'skipped', performance.now() - tw);
  }
}

/** The runs grouped by the store each goes to (a cluster's shard: the sharding key's pick; else the one store). */
async function byShard<T extends { run: EncodedRun }>(store: Store, runs: T[]): Promise<{ store: Store; runs: T[] }[]> {
  const groups = new Map<Store, T[]>();
  for (const r of runs) {
    const shard = await store.storeForRun(r.run.runId);
    groups.set(shard, [...(groups.get(shard) ?? []), r]);
  }
  return [...groups].map(([shard, rs]) => ({ store: shard, runs: rs }));
}

/**
 * One worker's loop: replay the next file while the writer stores the last batch. A replayed run waits in
 * `pending` until a batch is full; then this loop waits for the batch it handed over before (at most one batch per
 * thread waiting for the writer: bounded memory). A failed file is recorded, not thrown.
 */
async function threadLoop(s: BulkState, thread: JobThread): Promise<void> {
  let lastFlush: Promise<void> = Promise.resolve();
  for (let i = s.todo.shift(); i !== undefined; i = s.todo.shift()) {
    if (s.opts.signal?.aborted) break;
    const input = s.inputs[i]!;
    const startedMs = performance.now();
    const r = await thread.run({
      id: i,
      path: input.path,
      format: s.opts.format,
      replay: s.opts.replay,
      hash: { path: input.path, sha256: s.shas[i]!, bytes: input.bytes },
      host: hostOf(input.path, s.opts.host),
      caps: s.store.caps,
      placement: s.store.config.placement,
    });
    if (!r.ok) {
      finish(s, i, {
        path: input.path,
        bytes: input.bytes,
        status: 'failed',
        ms: performance.now() - startedMs,
        error: r.error,
      });
      continue;
    }
    const bytes = wireBytes(r);
    s.pending.push({ i, r, startedMs, bytes });
    s.pendingBytes += bytes;
    if (!batchFull(s)) continue;
    await lastFlush;
    lastFlush = flush(s);
    // --jobs 1 is the serial baseline (one core): no replay of the next file while a batch is written
    if (s.opts.jobs <= 1) await lastFlush;
  }
  await lastFlush;
}

/**
 * Ingest, replay and store every input; returns one result per input, in input order. Throws (StoreError) when
 * the store fails: that is not one file's fault and every later write would fail the same way.
 */
export async function bulkReport(store: Store, inputs: BulkInput[], opts: BulkOptions): Promise<BulkFileResult[]> {
  const s: BulkState = {
    store,
    inputs,
    shas: [],
    opts,
    results: new Array<BulkFileResult>(inputs.length),
    progress: {
      filesDone: 0,
      filesTotal: inputs.length,
      bytesDone: 0,
      bytesTotal: inputs.reduce((a, f) => a + f.bytes, 0),
      elapsedMs: 0,
    },
    t0: performance.now(),
    todo: [],
    orphans: new Set(),
    completeRuns: new Set(),
    writeChain: Promise.resolve(),
    pending: [],
    pendingBytes: 0,
  };
  const placement = store.config.placement;
  const pool = opts.threads ?? startBulkThreads(replayThreads(opts.jobs, placement, inputs.length));
  try {
    await prepareTodo(s);
    // no more threads than files left to store (all of them skipped: none)
    const keep = replayThreads(opts.jobs, placement, s.todo.length);
    await Promise.all(pool.threads.splice(keep).map((t) => t.stop()));
    await runThreads(s, pool.threads);
    // the last, partly filled batch (not after Ctrl-C: those runs are stored by the next bulk run)
    if (!opts.signal?.aborted) await flush(s);
  } finally {
    await pool.stop();
  }
  return s.results;
}

/** Hash every input, and queue the ones that are not a complete run already (the others are skipped). */
async function prepareTodo(s: BulkState): Promise<void> {
  const { store, inputs } = s;
  for (const f of inputs) s.shas.push(await sha256File(f.path));
  const stored = await storedRuns(store, s.shas.map(runContentHash));
  s.orphans = await orphanRuns(store);
  inputs.forEach((f, i) => {
    const runId = stored.get(runContentHash(s.shas[i]!));
    if (runId) {
      s.completeRuns.add(runId);
      finish(s, i, { path: f.path, bytes: f.bytes, status: 'skipped', runId, ms: 0 });
    } else s.todo.push(i);
  });
}

async function runThreads(s: BulkState, threads: JobThread[]): Promise<void> {
  const stopAll = (): void => void Promise.all(threads.map((t) => t.stop()));
  s.opts.signal?.addEventListener('abort', stopAll);
  try {
    await Promise.all(threads.map((t) => threadLoop(s, t)));
  } finally {
    s.opts.signal?.removeEventListener('abort', stopAll);
  }
}
