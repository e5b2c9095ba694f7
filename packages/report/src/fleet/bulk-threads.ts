/**
 * The worker threads of `txreplay bulk` (bulk-worker.ts), as promises per job. Started before the store is open
 * (startBulkThreads): each thread's start-up — loading ingest, replay and the encoders, compiling the parser's
 * WebAssembly — then overlaps the main thread's own (chDB's engine library, the schema check, hashing the inputs),
 * instead of following it.
 */
import { Worker } from 'node:worker_threads';
import type { StoreConfig } from '../config.js';
import type { BulkJob, BulkJobResult } from './bulk-worker.js';

/** One worker thread: one job at a time. */
export class JobThread {
  private readonly worker = new Worker(new URL('./bulk-worker.js', import.meta.url));
  private waiting: ((r: BulkJobResult) => void) | null = null;
  constructor() {
    this.worker.on('message', (r: BulkJobResult) => this.waiting?.(r));
    this.worker.on('error', (e) => this.waiting?.({ id: -1, ok: false, error: `worker failed: ${e.message}` }));
  }
  run(job: BulkJob): Promise<BulkJobResult> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.worker.postMessage(job);
    });
  }
  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The threads of one bulk run; `stop` ends them all (safe to call more than once). */
export interface BulkThreads {
  threads: JobThread[];
  stop(): Promise<void>;
}

/**
 * Replay threads for `--jobs N` and `files` files to store. Embedded store: the writer is one of the jobs — chDB
 * runs every insert in this process, with a load like a replay thread's (README "Fleet") — so N-1 replay threads
 * overlap their replays with its writes; a second replay thread on 2 cores only slowed the writer (its time doubled)
 * and paid a second start-up and JIT warm-up (~2.5 s CPU for 22 files). A server does its inserts in its own
 * process: N replay threads. `--jobs 1` is one thread, serial (replay, write, next), on either.
 */
export function replayThreads(jobs: number, placement: StoreConfig['placement'], files: number): number {
  const n = placement === 'embedded' && jobs > 1 ? jobs - 1 : jobs;
  return Math.max(0, Math.min(n, files));
}

/** `count` worker threads, started now (bulkReport stops the ones it has no file for). */
export function startBulkThreads(count: number): BulkThreads {
  const pool: BulkThreads = {
    threads: Array.from({ length: Math.max(0, count) }, () => new JobThread()),
    stop: async () => {
      const all = pool.threads.splice(0);
      await Promise.all(all.map((t) => t.stop()));
    },
  };
  return pool;
}
