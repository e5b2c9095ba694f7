/**
 * Binary worker: reads one perf.data / trace.dat (../parse/perf-data, ../parse/trace-dat — zstd chunks, ring
 * pages, the perf round queue) and sends its records, in order, as references into shared chunks of the file
 * (./binaryRefs.ts); the main thread builds the rows and encodes Arrow (./binaryThread.ts). At most MAX_INFLIGHT
 * messages are unanswered, so memory stays flat whatever the file's size. No apache-arrow here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readPerfData } from '../parse/perf-data/index.js';
import { readTraceDat } from '../parse/trace-dat/index.js';
import { RefSink } from './binaryRefs.js';
import type { BinaryWorkerInit, BinaryWorkerMessage, BinaryWorkerReply } from './binaryThread.js';

const MAX_INFLIGHT = 3;
const init = workerData as BinaryWorkerInit;
const port = parentPort;
if (port === null) throw new Error('binaryWorker must run as a worker thread');

let credit = MAX_INFLIGHT;
let wake: (() => void) | null = null;

const sink = new RefSink();

port.on('message', (m: BinaryWorkerReply) => {
  // a message replayed: its buffers are free again, and there is room for one more
  sink.recycle(m.recycle);
  credit++;
  wake?.();
  wake = null;
});

function post(m: BinaryWorkerMessage): void {
  port!.postMessage(m);
}

async function run(): Promise<void> {
  const { path, format } = init;
  const reader = format === 'perf-data' ? readPerfData(path, { decode: false }) : readTraceDat(path, { decode: false });
  const it = reader.pump(sink);
  let kallsymsSent = false;
  for (;;) {
    let next: IteratorResult<void>;
    try {
      next = await it.next();
    } catch (e) {
      // the reader's own error: the file is damaged (the main thread words it)
      post({ kind: 'error', damaged: true, message: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (next.done === true) break;
    if (sink.size === 0) continue;
    while (credit <= 0) await new Promise<void>((r) => (wake = r));
    credit--;
    // the headers are read before the first record: the kallsyms text (trace.dat) goes with the first message
    const kallsyms = kallsymsSent ? '' : (reader.kallsymsText?.() ?? '');
    kallsymsSent = true;
    post({ kind: 'refs', refs: sink.take(), kallsyms });
  }
  post({
    kind: 'end',
    refs: sink.take(),
    kallsyms: kallsymsSent ? '' : (reader.kallsymsText?.() ?? ''),
    stats: reader.stats,
    meta: reader.meta ?? null,
  });
}

run().catch((e: unknown) => {
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  post({ kind: 'error', damaged: false, message });
});
