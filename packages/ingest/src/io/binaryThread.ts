/**
 * A perf.data / trace.dat read in a worker thread (./binaryWorker.ts): the worker reads (zstd, ring pages, the perf
 * round queue) and sends its records as references into shared chunks of the file (./binaryRefs.ts); this thread
 * replays them into its own row builder and encodes Arrow — reading and building rows overlap on two cores, and
 * the rows are built in the output's dictionaries directly (no remap).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { BinaryReaderStats, BinaryTraceMeta, RecordSink } from '../parse/tracing-data/types.js';
import { parseKallsyms, type Kallsyms } from '../parse/tracing-data/kallsyms.js';
import type { BinaryFormat } from './binary.js';
import { RefReplay, refsBuffers, type EventRefs } from './binaryRefs.js';
import { workerThreads } from './pool.js';

export interface BinaryWorkerInit {
  path: string;
  format: BinaryFormat;
}

interface RefsMessage {
  kind: 'refs';
  refs: EventRefs;
  /** the file's /proc/kallsyms text (trace.dat), with the first message; else '' */
  kallsyms: string;
}

interface EndMessage extends Omit<RefsMessage, 'kind'> {
  kind: 'end';
  stats: BinaryReaderStats;
  meta: BinaryTraceMeta | null;
}

interface ErrorMessage {
  kind: 'error';
  /** the reader failed: a damaged file */
  damaged: boolean;
  message: string;
}

export type BinaryWorkerMessage = RefsMessage | EndMessage | ErrorMessage;

/** The answer to a refs message, once replayed: room for one more, and its buffers back. */
export interface BinaryWorkerReply {
  recycle: SharedArrayBuffer[];
}

/** The worker failed other than on a damaged file (a bug): not worded as a damaged input. */
export class BinaryWorkerFailure extends Error {}

/** The compiled worker script next to this module, or null when running from TypeScript sources (tests). */
export function binaryWorkerScript(): URL | null {
  const url = new URL('./binaryWorker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

/** The worker's messages in order, as promises (a worker error or exit rejects the one awaited). */
class Inbox {
  private readonly queue: BinaryWorkerMessage[] = [];
  private waiter: { resolve: (m: BinaryWorkerMessage) => void; reject: (e: unknown) => void } | null = null;
  private failed: unknown = null;

  constructor(w: Worker, signal: AbortSignal | undefined) {
    w.on('message', (m: BinaryWorkerMessage) => {
      if (this.waiter !== null) this.take().resolve(m);
      else this.queue.push(m);
    });
    w.on('error', (e) => this.fail(new BinaryWorkerFailure(`ingest binary worker failed: ${e.message}`)));
    w.on('exit', (code) => this.fail(new BinaryWorkerFailure(`ingest binary worker exited with code ${code}`)));
    signal?.addEventListener('abort', () => this.fail(signal.reason ?? new Error('aborted')), { once: true });
  }

  private take(): { resolve: (m: BinaryWorkerMessage) => void; reject: (e: unknown) => void } {
    const w = this.waiter!;
    this.waiter = null;
    return w;
  }

  private fail(e: unknown): void {
    this.failed ??= e;
    if (this.waiter !== null) this.take().reject(this.failed);
  }

  next(): Promise<BinaryWorkerMessage> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.failed !== null) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }
}

/** What ./binary.ts reads a file through: the reader's pump, counters, metadata and kallsyms. */
export interface PumpedReader {
  pump(sink: RecordSink): AsyncGenerator<void>;
  readonly stats: BinaryReaderStats;
  readonly meta: BinaryTraceMeta | undefined;
  readonly kallsyms: Kallsyms | undefined;
}

/** `path` read by a binary worker, its records replayed into the sink one worker message per step. */
export function workerReader(path: string, format: BinaryFormat, script: URL, signal?: AbortSignal): PumpedReader {
  const out = {
    stats: undefined as unknown as BinaryReaderStats,
    meta: undefined as BinaryTraceMeta | undefined,
    kallsyms: undefined as Kallsyms | undefined,
    pump: (sink: RecordSink) => pumpWorker(path, format, script, signal, sink, out),
  };
  return out;
}

async function* pumpWorker(
  path: string,
  format: BinaryFormat,
  script: URL,
  signal: AbortSignal | undefined,
  sink: RecordSink,
  out: { stats: BinaryReaderStats; meta: BinaryTraceMeta | undefined; kallsyms: Kallsyms | undefined },
): AsyncGenerator<void> {
  const init: BinaryWorkerInit = { path, format };
  // workers inherit the parent's flags, but `--input-type` (node -e) is refused for a file worker
  const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? [] : undefined;
  const w = new (workerThreads().Worker)(script, { workerData: init, execArgv });
  const inbox = new Inbox(w, signal);
  const replay = new RefReplay();
  try {
    for (;;) {
      const m = await inbox.next();
      if (m.kind === 'error') throw m.damaged ? new Error(m.message) : new BinaryWorkerFailure(m.message);
      // the kallsyms text is parsed when a %pS argument first needs it (the reader parses it lazily too)
      if (m.kallsyms !== '') out.kallsyms = lazyKallsyms(m.kallsyms);
      replay.replay(m.refs, sink);
      // replayed (the rows copied what they keep): room for one more message, and its buffers back
      if (m.kind === 'refs') w.postMessage({ recycle: refsBuffers(m.refs) } satisfies BinaryWorkerReply);
      if (m.kind === 'end') {
        out.stats = m.stats;
        out.meta = m.meta ?? undefined;
        yield;
        return;
      }
      yield;
    }
  } finally {
    // not awaited: nothing of the worker's is used after this
    void w.terminate().catch(() => undefined);
  }
}

function lazyKallsyms(text: string): Kallsyms {
  let k: Kallsyms | undefined;
  const get = (): Kallsyms => (k ??= parseKallsyms(text));
  return {
    resolve: (a) => get().resolve(a),
    get size() {
      return get().size;
    },
  };
}
