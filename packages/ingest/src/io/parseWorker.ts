/**
 * Parse worker: reads the byte range of a regular file it is given (or receives a block of whole lines of a
 * stream), parses it with the same LineHandler as the single-thread path — the WebAssembly line kernel first for
 * the formats it knows (../parse/wasmLines.ts) — into worker-local columns and dictionaries, and sends back parts plus
 * the dictionary strings it added since its previous answer: each part is one record batch's buffers (validity
 * bitmaps built here; SharedArrayBuffers that come back once written, or copies). The main thread remaps
 * dictionary indices and line numbers in place and writes the batches in file order (./source.ts
 * parseInWorkers).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool, DICT_COLUMN_NAMES, RowColumns, type BatchBuffers } from '../table/rows.js';
import { LineHandler } from '../parse/lines.js';
import { WasmLineKernel, wasmKernelEnabled } from '../parse/wasmLines.js';
import type { BlockRequest, BlockResult, RecycleMessage, WorkerInit } from './pool.js';
import { newStringsSince } from './remap.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('parseWorker must run as a worker thread');

/** the kernel's input region: pieces plus the line carried over (a longer line moves reading to a JS buffer) */
const WASM_INPUT_BYTES = 6 << 20;
/** text lines go through the WebAssembly kernel (./wasmLines.ts): columns and the read buffer live in its memory */
const wasm =
  wasmKernelEnabled(init.format) && init.prefix === 'none'
    ? new WasmLineKernel(init.format, init.batchRows, WASM_INPUT_BYTES)
    : null;
const cols = new RowColumns(init.batchRows, wasm?.arena);
/** batch buffers, given back by the main thread once written (when the output keeps no batches) */
const pool = new BufferPool(init.sharedBuffers);
let parts: BatchBuffers[] = [];
const sourceIdx = cols.dicts.source.intern(init.path);
// strict mode is decided by the main thread (it sees the first bad line in file order)
const handler = new LineHandler(
  cols,
  init.format,
  init.path,
  false,
  sourceIdx,
  () => parts.push(cols.takeBuffers(pool)),
  init.prefix,
);
const sent = DICT_COLUMN_NAMES.map(() => 0);
if (wasm !== null) handler.attachWasm(wasm);

/** The file of range requests, kept open; one read buffer reused for every block (flat memory). */
let fd = -1;
let fdPath = '';
let readBuf: Uint8Array = wasm?.input ?? new Uint8Array(0);
/** bytes per read of a range request (about an L2 cache) */
const PIECE_BYTES = 512 * 1024;

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

/**
 * Parse the lines that start in [start, end) of a regular file (pool.ts BlockRequest.range), reading it in
 * pieces of PIECE_BYTES into one reused buffer: each piece is parsed while it is still in the CPU cache the read
 * just filled (a whole 4 MiB block read first and parsed after comes back from memory).
 */
function parseRange(path: string, start: number, end: number, atLineStart: boolean): void {
  if (fdPath !== path) {
    if (fd >= 0) closeSync(fd);
    fd = openSync(path, 'r');
    fdPath = path;
  }
  // one byte before `start` tells whether a line starts exactly at `start`
  let pos = atLineStart ? start : start - 1; // file offset of readBuf[0]
  let have = 0;
  let seekLineStart = !atLineStart;
  // small blocks (tests) read in pieces of a quarter block, so lines often straddle two pieces
  const piece = Math.min(PIECE_BYTES, Math.max(64, (end - start) >> 2));
  for (;;) {
    ensure(have + piece);
    const k = readAt(have, piece, pos + have);
    const eof = k < piece;
    have += k;
    let from = 0;
    if (seekLineStart) {
      const nl = readBuf.indexOf(10);
      if (nl < 0 || nl >= have) {
        // every byte so far belongs to a line that started in an earlier block
        if (eof || pos + have >= end) return;
        pos += have;
        have = 0;
        continue;
      }
      from = nl + 1;
      seekLineStart = false;
    }
    const limit = end - pos; // index of `end` in readBuf
    if (from >= limit) return;
    if (limit <= have) {
      // the line holding byte limit-1 is the range's last: parse up to its end
      const nl = readBuf.indexOf(10, limit - 1);
      if (nl >= 0 && nl < have) {
        handler.feedLines(readBuf, from, nl + 1, false);
        return;
      }
    }
    if (eof) {
      handler.feedLines(readBuf, from, have, true);
      return;
    }
    // the complete lines so far; the incomplete last one moves to the front for the next piece
    const done = handler.feedLines(readBuf, from, have, false);
    readBuf.copyWithin(0, done, have);
    pos += done;
    have -= done;
  }
}

port.on('message', (msg: BlockRequest | RecycleMessage) => {
  if ('recycle' in msg) {
    for (const b of msg.recycle) pool.give(b);
    return;
  }
  const req = msg;
  try {
    handler.beginChunk();
    parts = [];
    if (req.range !== null) parseRange(req.range.path, req.range.start, req.range.end, req.range.atLineStart);
    else if (req.buf !== null) {
      // a block of a stream (gzip, stdin): into the kernel's input region when it fits
      if (wasm !== null && req.buf.length <= wasm.input.length) {
        wasm.input.set(req.buf);
        handler.feedLines(wasm.input, 0, req.buf.length, req.final);
      } else handler.feedLines(req.buf, 0, req.buf.length, req.final);
    }
    if (cols.length > 0) parts.push(cols.takeBuffers(pool));
    else cols.reset();
    const newStrings = newStringsSince(cols.dicts, sent);
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
    // nothing is transferred: shared buffers are shared, others copied (./rows.ts BufferPool: a detach here
    // would deoptimize the parser)
    port.postMessage(res);
  } catch (err) {
    port.postMessage({ seq: req.seq, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
