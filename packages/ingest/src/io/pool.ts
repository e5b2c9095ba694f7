/**
 * Parse-worker pool: each block goes to the worker with the fewest blocks outstanding (a slow block does not
 * leave the other worker idle). Blocks are submitted in file order, so each worker still sees its blocks in file
 * order; the main thread consumes answers strictly by `seq`, hence each worker's answers (and the dictionary
 * strings each adds) in the order that worker produced them. `BlockResult.worker` says whose answer it is.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { BatchBuffers } from '../table/rows.js';
import type { ParseIssue } from '../parse/errors.js';
import type { TraceFormat } from '../table/schema.js';
import type { PastePrefix } from '../parse/paste.js';

export interface WorkerInit {
  format: TraceFormat;
  /** the paste prefix cut from every line (../parse/paste.ts); the WebAssembly kernel reads only unprefixed lines */
  prefix: PastePrefix;
  path: string;
  batchRows: number;
  /** batch buffers are SharedArrayBuffers given back after writing (rows.ts BufferPool) */
  sharedBuffers: boolean;
}

export interface BlockRequest {
  seq: number;
  /** whole lines (the last block may end without `\n`), or null with `range` */
  buf: Uint8Array | null;
  final: boolean;
  /**
   * A byte range of a regular file that the worker reads itself: the block is the lines that START in
   * [start, end) (a line running past `end` is read to its end; one starting before `start` is skipped).
   */
  range: { path: string; start: number; end: number; atLineStart: boolean } | null;
}

/** Buffers of written batches, given back to the worker that filled them (rows.ts BufferPool). */
export interface RecycleMessage {
  recycle: SharedArrayBuffer[];
}

export interface BlockResult {
  seq: number;
  /** index of the worker that parsed the block (set by the pool) */
  worker: number;
  /** record batch buffers, worker-local dictionary indices and block-relative line numbers */
  parts: BatchBuffers[];
  /** per DICT_COLUMN_NAMES entry: strings the worker added to its dictionary since its previous answer */
  newStrings: string[][];
  lines: number;
  events: number;
  skipped: number;
  comments: number;
  lostEvents: number;
  kernel: string | null;
  /** line numbers relative to the block */
  issues: ParseIssue[];
  /** per worker-local event index */
  countsByEvent: number[];
  sawEvent: boolean;
  lastTsLo: number;
  lastTsHi: number;
  /** row ordinals (within the block) of lost-events markers that precede the block's first event */
  lostBeforeEvent: number[];
  error: string | null;
}

/** The compiled worker script next to this module, or null when running from TypeScript sources (tests). */
export function parseWorkerScript(): URL | null {
  const url = new URL('./parseWorker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

/** TXREPLAY_INGEST_WORKERS (or INGEST_WORKERS) when set to a count, else null. */
export function workerCountFromEnv(): number | null {
  const env = process.env.TXREPLAY_INGEST_WORKERS ?? process.env.INGEST_WORKERS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 0) return n;
  }
  return null;
}

/** Worker threads to use by default: one per core, at most 4 (the main thread encodes and writes). */
export function defaultWorkerCount(): number {
  return workerCountFromEnv() ?? Math.min(4, availableParallelism());
}

/**
 * node:worker_threads, loaded by the first pool or binary worker (./binaryThread.ts): a small input is parsed on the
 * calling thread and never needs it, and loading it was part of every `txreplay diagnose`'s start-up (and of every
 * one-thread binary read: ~7 ms of CPU and ~170 page faults).
 */
export function workerThreads(): typeof import('node:worker_threads') {
  return createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
}

export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: Error) => void }>();
  /** blocks submitted to each worker and not yet answered */
  private readonly outstanding: number[] = [];
  private failed: Error | null = null;

  constructor(script: URL, n: number, init: WorkerInit) {
    const { Worker } = workerThreads();
    for (let i = 0; i < n; i++) {
      // workers inherit the parent's flags, but `--input-type` (node -e) is refused for a file worker
      const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? [] : undefined;
      const w = new Worker(script, { workerData: init, execArgv });
      this.outstanding.push(0);
      w.on('message', (res: BlockResult) => {
        this.outstanding[i]!--;
        res.worker = i;
        const p = this.waiting.get(res.seq);
        if (p === undefined) return;
        this.waiting.delete(res.seq);
        if (res.error !== null) p.reject(new Error(`ingest parse worker failed: ${res.error}`));
        else p.resolve(res);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`ingest parse worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
  }

  submit(req: BlockRequest): Promise<BlockResult> {
    if (this.failed) return Promise.reject(this.failed);
    let wi = 0;
    for (let k = 1; k < this.workers.length; k++) if (this.outstanding[k]! < this.outstanding[wi]!) wi = k;
    this.outstanding[wi]!++;
    const w = this.workers[wi]!;
    const done = new Promise<BlockResult>((resolve, reject) => this.waiting.set(req.seq, { resolve, reject }));
    // block buffers are allocated per block (./source.ts blocksOf()), so the whole ArrayBuffer can move
    const buf = req.buf;
    const whole = buf !== null && buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;
    w.postMessage(req, whole ? [buf.buffer as ArrayBuffer] : []);
    return done;
  }

  recycle(worker: number, buffers: SharedArrayBuffer[]): void {
    if (this.failed) return;
    const msg: RecycleMessage = { recycle: buffers };
    this.workers[worker]!.postMessage(msg);
  }

  /**
   * Stop the workers. Their termination is not awaited (~30 ms at the end of every ingest): nothing of theirs is
   * used after this, and the process does not exit before they are gone.
   */
  close(): void {
    this.failed ??= new Error('ingest parse pool closed');
    this.waiting.clear(); // abandoned on an error path: nobody awaits them any more
    for (const w of this.workers) void w.terminate().catch(() => undefined);
  }
}
