/**
 * Binary worker: reads one perf.data / trace.dat (../parse/perf-data, ../parse/trace-dat — zstd chunks included)
 * into worker-local columns and dictionaries (./binaryRows.ts) and sends each full record batch's buffers to the
 * main thread with the dictionary strings added since the previous message (./binaryThread.ts remaps and writes
 * them). No apache-arrow here: the main thread loads it and encodes while this thread decodes. At most
 * MAX_INFLIGHT messages are unanswered, so memory stays flat whatever the file's size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StrictParseError } from '../parse/errors.js';
import { readPerfData } from '../parse/perf-data/index.js';
import { readTraceDat } from '../parse/trace-dat/index.js';
import { BufferPool, DICT_COLUMN_NAMES, RowColumns, type BatchBuffers } from '../table/rows.js';
import { BinaryRows } from './binaryRows.js';
import type { BinaryWorkerInit, BinaryWorkerMessage, BinaryWorkerReply } from './binaryThread.js';
import { newStringsSince } from './remap.js';

const MAX_INFLIGHT = 2;
const init = workerData as BinaryWorkerInit;
const port = parentPort;
if (port === null) throw new Error('binaryWorker must run as a worker thread');

const cols = new RowColumns(init.batchRows);
/** batch buffers, given back by the main thread once written (when the output keeps no batches) */
const pool = new BufferPool(init.sharedBuffers);
const sent = DICT_COLUMN_NAMES.map(() => 0);
let parts: BatchBuffers[] = [];
let credit = MAX_INFLIGHT;
let wake: (() => void) | null = null;

port.on('message', (m: BinaryWorkerReply) => {
  for (const b of m.recycle) pool.give(b);
  credit++;
  wake?.();
  wake = null;
});

function post(m: BinaryWorkerMessage): void {
  // nothing is transferred: shared buffers are shared, others copied (rows.ts BufferPool)
  port!.postMessage(m);
}

/** The full batches so far, once the main thread has room for them. */
async function send(): Promise<void> {
  while (credit <= 0) await new Promise<void>((r) => (wake = r));
  credit--;
  post({ kind: 'parts', parts, newStrings: newStringsSince(cols.dicts, sent) });
  parts = [];
}

async function run(): Promise<void> {
  const { path, format } = init;
  const reader = format === 'perf-data' ? readPerfData(path, { decode: false }) : readTraceDat(path, { decode: false });
  const sourceIdx = cols.dicts.source.intern(path);
  const resolve = (a: bigint): string | undefined => reader.kallsyms?.resolve(a);
  const rows = new BinaryRows(cols, sourceIdx, path, init, resolve, () => parts.push(cols.takeBuffers(pool)));
  const it = reader.pump(rows);
  for (;;) {
    let next: IteratorResult<void>;
    try {
      next = await it.next();
    } catch (e) {
      if (e instanceof StrictParseError) throw e;
      // the reader's own error: the file is damaged (the main thread words it)
      post({ kind: 'error', damaged: true, message: e instanceof Error ? e.message : String(e), issue: null });
      return;
    }
    if (parts.length > 0) await send();
    if (next.done === true) break;
  }
  if (cols.length > 0) parts.push(cols.takeBuffers(pool));
  post({
    kind: 'end',
    parts,
    newStrings: newStringsSince(cols.dicts, sent),
    lines: rows.lines,
    events: rows.events,
    skipped: rows.skipped,
    lostEvents: rows.lostEvents,
    issues: rows.issues,
    countsByEvent: Array.from(rows.countsByEvent, (n) => n ?? 0),
    stats: reader.stats,
    kernel: reader.meta?.osRelease ?? null,
    wallClock: reader.meta?.wallClock ?? null,
  });
}

run().catch((e: unknown) => {
  const issue = e instanceof StrictParseError ? e.issue : null;
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  post({ kind: 'error', damaged: false, message, issue });
});
