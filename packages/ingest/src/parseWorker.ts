/**
 * Parse worker: receives blocks of whole lines (bytes, transferred), parses them with the same LineHandler as
 * the single-thread path into worker-local columns and dictionaries, and sends back transferable parts plus
 * the dictionary strings it added since its previous answer: each part is one record batch's buffers (validity
 * bitmaps built here). The main thread remaps dictionary indices and line numbers in place and writes the
 * batches in file order (./source.ts parseInWorkers).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DICT_COLUMN_NAMES, RowColumns, type BatchBuffers } from './rows.js';
import { LineHandler } from './lines.js';
import type { BlockRequest, BlockResult, WorkerInit } from './pool.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('parseWorker must run as a worker thread');

const cols = new RowColumns(init.batchRows);
let parts: BatchBuffers[] = [];
const sourceIdx = cols.dicts.source.intern(init.path);
// strict mode is decided by the main thread (it sees the first bad line in file order)
const handler = new LineHandler(cols, init.format, init.path, false, sourceIdx, () => parts.push(cols.takeBuffers()));
const sent = DICT_COLUMN_NAMES.map(() => 0);

/** The file of range requests, kept open; one read buffer reused for every block (flat memory). */
let fd = -1;
let fdPath = '';
let readBuf = new Uint8Array(0);
const CONTINUE_BYTES = 64 * 1024;

function ensure(n: number): void {
  if (readBuf.length >= n) return;
  const next = new Uint8Array(Math.max(n, readBuf.length * 2));
  next.set(readBuf);
  readBuf = next;
}

/** Read `n` bytes at `pos` into readBuf[at…]; fewer only at the end of the file. */
function readAt(at: number, n: number, pos: number): number {
  let got = 0;
  while (got < n) {
    const k = readSync(fd, readBuf, at + got, n - got, pos + got);
    if (k === 0) break;
    got += k;
  }
  return got;
}

/** Parse the lines that start in [start, end) of a regular file (pool.ts BlockRequest.range). */
function parseRange(path: string, start: number, end: number, atLineStart: boolean): void {
  if (fdPath !== path) {
    if (fd >= 0) closeSync(fd);
    fd = openSync(path, 'r');
    fdPath = path;
  }
  // one byte before `start` tells whether a line starts exactly at `start`
  const s0 = atLineStart ? start : start - 1;
  const want = end - s0;
  ensure(want + CONTINUE_BYTES);
  let len = readAt(0, want, s0);
  let from = 0;
  if (!atLineStart) {
    const nl = readBuf.indexOf(10);
    if (nl < 0 || nl >= len) return; // every byte belongs to a line that started in an earlier block
    from = nl + 1;
  }
  if (s0 + from >= end) return;
  let eof = len < want;
  // complete the last line that starts before `end`
  while (!eof && readBuf[len - 1] !== 10) {
    ensure(len + CONTINUE_BYTES);
    const k = readAt(len, CONTINUE_BYTES, s0 + len);
    if (k < CONTINUE_BYTES) eof = true;
    const nl = readBuf.indexOf(10, len);
    if (nl >= 0 && nl < len + k) {
      len = nl + 1;
      eof = false;
      break;
    }
    len += k;
  }
  handler.feedLines(readBuf, from, len, eof);
}

port.on('message', (req: BlockRequest) => {
  try {
    handler.beginChunk();
    parts = [];
    if (req.range !== null) parseRange(req.range.path, req.range.start, req.range.end, req.range.atLineStart);
    else if (req.buf !== null) handler.feedLines(req.buf, 0, req.buf.length, req.final);
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
      worker: -1, // set by the pool
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
