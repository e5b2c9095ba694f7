/**
 * Parse worker: receives blocks of whole lines (bytes, transferred), parses them with the same LineHandler as
 * the single-thread path into worker-local columns and dictionaries, and sends back transferable parts plus
 * the dictionary strings it added since its previous answer: each part is one record batch's buffers (validity
 * bitmaps built here). The main thread remaps dictionary indices and line numbers in place and writes the
 * batches in file order (./source.ts parseInWorkers).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DICT_COLUMN_NAMES, EventColumns, type BatchBuffers } from './columns.js';
import { LineHandler } from './lines.js';
import type { BlockRequest, BlockResult, WorkerInit } from './pool.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('parseWorker must run as a worker thread');

const cols = new EventColumns(init.batchRows);
let parts: BatchBuffers[] = [];
const sourceIdx = cols.dicts.source.intern(init.path);
// strict mode is decided by the main thread (it sees the first bad line in file order)
const handler = new LineHandler(cols, init.format, init.path, false, sourceIdx, () => parts.push(cols.takeBuffers()));
const sent = DICT_COLUMN_NAMES.map(() => 0);

port.on('message', (req: BlockRequest) => {
  try {
    handler.beginChunk();
    parts = [];
    handler.feedLines(req.buf, 0, req.buf.length, req.final);
    if (cols.length > 0) parts.push(cols.takeBuffers());
    else cols.reset();
    const newStrings = DICT_COLUMN_NAMES.map((name, d) => {
      const values = cols.dicts[name].values;
      const add = values.slice(sent[d]);
      sent[d] = values.length;
      return add;
    });
    const res: BlockResult = {
      seq: req.seq,
      parts,
      newStrings,
      lines: handler.lines,
      events: handler.events,
      skipped: handler.skipped,
      comments: handler.comments,
      lostEvents: handler.lostEvents,
      kernel: handler.kernel,
      issues: handler.issues,
      countsByEvent: Array.from(handler.countsByEvent, (n) => n ?? 0),
      sawEvent: handler.sawEvent,
      lastTsLo: handler.lastTsLo,
      lastTsHi: handler.lastTsHi,
      lostBeforeEvent: handler.lostBeforeEvent,
      error: null,
    };
    const transfer: ArrayBuffer[] = [];
    for (const p of parts) {
      for (const a of p.values) transfer.push(a.buffer as ArrayBuffer);
      for (const b of p.bitmaps) if (b !== null) transfer.push(b.buffer as ArrayBuffer);
      transfer.push(p.rawOffsets.buffer as ArrayBuffer);
    }
    port.postMessage(res, transfer);
  } catch (err) {
    port.postMessage({ seq: req.seq, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
