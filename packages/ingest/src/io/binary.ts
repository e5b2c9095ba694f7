/**
 * perf.data and trace.dat into the event table, straight from the payload bytes (./binaryRows.ts). The file is read
 * in a worker thread when the compiled worker is there and workers are allowed (./binaryThread.ts: it hands its
 * records over as references into shared chunks), else in this thread; the rows are built here either way. In this
 * thread the rows copy what they keep, so a perf.data's file chunks are reused (../parse/tracing-data/chunkPool.ts).
 */
import { availableParallelism } from 'node:os';
import type { RecordBatch } from 'apache-arrow';
import { NotATraceError, StrictParseError, type SourceSummary } from '../parse/errors.js';
import { readPerfData } from '../parse/perf-data/index.js';
import { readTraceDat } from '../parse/trace-dat/index.js';
import { BufferPool, type EventColumns } from '../table/columns.js';
import { pooledOfViews } from '../table/rows.js';
import { BinaryRows, type BinaryRowOptions } from './binaryRows.js';
import { BinaryWorkerFailure, binaryWorkerScript, workerReader, type PumpedReader } from './binaryThread.js';
import { binaryWarnings } from './binaryWarnings.js';
import { workerCountFromEnv } from './pool.js';

export type BinaryFormat = 'perf-data' | 'trace-dat';

export interface BinaryIngestOptions extends BinaryRowOptions {
  signal?: AbortSignal;
  /** onBatch is done with a batch once it returns (writes, keeps nothing): its buffers are reused (rows.ts BufferPool) */
  reuseBatchBuffers?: boolean;
  /**
   * With reuseBatchBuffers, onBatch's twin that has written the batch when it returns (a regular file's output): a
   * full batch is then the row builder's own columns, written before the next row (no copy into other memory).
   */
  writeNow?: (b: RecordBatch) => void;
  /**
   * 0: read in this thread; otherwise one worker thread reads the file. Default (binaryWorkers): the worker on
   * machines with more than two cores, else this thread.
   */
  workers?: number;
}

/**
 * The binary worker by default only with more than two cores (TXREPLAY_INGEST_WORKERS=N forces it on or off): it
 * costs a second isolate's start-up, JIT and GC (~0.3–0.5 CPU-s more per 465 k events), and with two cores the
 * optimizing compiler and GC helper threads compete with the two JavaScript threads — on this 2-core machine one
 * thread was faster in CPU and wall at 465 k and 1.4 M events (scripts/bench-binary.mjs, 2026-12-06).
 */
function binaryWorkers(): number {
  return workerCountFromEnv() ?? (availableParallelism() > 2 ? 1 : 0);
}

function damaged(path: string, format: BinaryFormat, e: unknown): NotATraceError {
  // a damaged or truncated file: name it and say what the reader found, as for any input that is no trace
  const why = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '').replace(/\.\s+/g, '; ');
  return new NotATraceError(path, `${path} is a damaged ${format} file (${why})`);
}

/**
 * Read one perf.data / trace.dat into `cols`, handing full batches to `onBatch`; the summary names the file, the
 * format of the text it stands for and the kernel it was recorded on, and warns about what the reader skipped.
 */
export async function ingestBinarySource(
  path: string,
  format: BinaryFormat,
  cols: EventColumns,
  onBatch: (b: RecordBatch) => Promise<void>,
  opts: BinaryIngestOptions = {},
): Promise<SourceSummary> {
  const script = binaryWorkerScript();
  const reader: PumpedReader =
    script !== null && (opts.workers ?? binaryWorkers()) > 0
      ? workerReader(path, format, script, opts.signal)
      : format === 'perf-data'
        ? readPerfData(path, { decode: false, reuseChunks: true })
        : readTraceDat(path, { decode: false, reuseChunks: true });
  return ingestBinaryRows(path, format, reader, cols, onBatch, opts);
}

/**
 * The row builder's full batches: with writeNow, handed over as the builder's own columns and written before the
 * reader hands over the next record — no copy, no batch-sized buffers (the copies' pages, faulted in fresh, were
 * ~60 ms of kernel time for the bench's 508 k events; the write itself, 65 MB into the page cache, then runs in this
 * thread: fewer CPU-seconds, and on the loaded 2-core machine less wall too — bench-binary.mjs, 2026-12-07).
 * Else copied into pooled buffers (all-null columns are shared zeros, not copied) and queued for onBatch
 * (`pending`, in order), the buffers given back once written; without a pool, fresh copies.
 */
class FullBatches {
  readonly pending: { batch: RecordBatch; buffers: ArrayBufferLike[] }[] = [];
  /** what writeNow threw (out of the reader, which only passes it on) */
  error: unknown = null;

  constructor(
    private readonly cols: EventColumns,
    readonly pool: BufferPool | undefined,
    private readonly now: ((b: RecordBatch) => void) | undefined,
  ) {}

  /** The columns are full: their rows become a batch. */
  readonly take = (): void => {
    const { cols, pool, now } = this;
    if (now !== undefined && pool !== undefined) {
      const b = cols.viewBuffers(pool);
      try {
        now(cols.batchOf(b));
      } catch (e) {
        this.error = e;
        throw e;
      }
      for (const buf of pooledOfViews(b)) pool.give(buf);
      return;
    }
    if (pool !== undefined) {
      const b = cols.stageBuffers(pool);
      this.pending.push({ batch: cols.batchOf(b), buffers: cols.pooledOf(b) });
      return;
    }
    this.pending.push({ batch: cols.batchOf(cols.takeBuffers()), buffers: [] });
  };
}

/** One turn of the event loop (its I/O phase: a write's completion is seen there). */
const turn = (): Promise<void> => new Promise((ok) => setImmediate(ok));

async function ingestBinaryRows(
  path: string,
  format: BinaryFormat,
  reader: PumpedReader,
  cols: EventColumns,
  onBatch: (b: RecordBatch) => Promise<void>,
  opts: BinaryIngestOptions,
): Promise<SourceSummary> {
  const sourceIdx = cols.dicts.source.intern(path);
  const batches = new FullBatches(cols, opts.reuseBatchBuffers === true ? new BufferPool() : undefined, opts.writeNow);
  const { pending, pool } = batches;
  // the kallsyms (trace.dat) are read with the headers, before the first record: resolved when first needed
  const rows = new BinaryRows(cols, sourceIdx, path, opts, (a) => reader.kallsyms?.resolve(a), batches.take);
  const it = reader.pump(rows);
  let inflight: Promise<void> = Promise.resolve();
  let writing = false;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    // while a batch is being written, the event loop gets a turn at each reader step: a reader whose reads are all
    // ahead never waits, so the write's completion (and its buffers' return to the pool) would not be seen before
    // the next batch took a second set of buffers
    if (writing) await turn();
    let next: IteratorResult<void>;
    try {
      next = await it.next();
    } catch (e) {
      // a strict-mode parse error comes through the reader (the rows are its sink): not a damaged file; nor is a
      // worker's own failure, an abort or a failed write
      if (batches.error !== null) throw batches.error;
      if (e instanceof StrictParseError || e instanceof BinaryWorkerFailure || opts.signal?.aborted) throw e;
      throw damaged(path, format, e);
    }
    // the full batches so far, in order, one in flight: onBatch encodes a batch and starts its write before its
    // first await, and the rows of the next batch are built while the write runs (the main thread no longer waits
    // for every write; ingest README "Speed"). Its pooled buffers go back once it returned.
    for (let p = pending.shift(); p !== undefined; p = pending.shift()) {
      await inflight;
      const { batch, buffers } = p;
      writing = true;
      inflight = onBatch(batch).then(() => {
        writing = false;
        for (const buf of buffers) pool?.give(buf);
      });
      // a failed write is thrown where it is awaited (next batch or the end), not as an unhandled rejection
      inflight.catch(() => undefined);
    }
    if (next.done === true) break;
  }
  await inflight;
  const eventCounts: Record<string, number> = {};
  rows.countsByEvent.forEach((n, idx) => {
    if (n) eventCounts[cols.dicts.event.values[idx] as string] = n;
  });
  const issues = [...binaryWarnings(path, format, reader.stats, rows.events), ...rows.issues];
  return {
    path,
    format: format === 'perf-data' ? 'perf-script' : 'trace-cmd',
    kernel: reader.meta?.osRelease ?? null,
    wallClock: reader.meta?.wallClock ?? null,
    lines: rows.lines,
    events: rows.events,
    skipped: rows.skipped,
    comments: 0,
    lostEvents: rows.lostEvents,
    issues,
    eventCounts,
  };
}
