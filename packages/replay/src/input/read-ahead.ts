/**
 * The read-ahead thread of an .arrow file's sequential walk (arrow-file.ts readAhead): it reads the next row ranges'
 * column regions into shared slots, and converts ts_ns and pointers there, while the pass works on the current
 * range. The thread is started as soon as the file is opened for a replay and gets its plan by message when the pass
 * begins: its start-up (a Node isolate, tens of ms) overlaps the footer parse and the pass's set-up instead of
 * leaving the first ranges to the calling thread.
 */
import { Worker } from 'node:worker_threads';
import type { ReplayColumn } from './batches.js';

/**
 * Read-ahead pays for its thread only on large files: from this many rows (tests lower it). `thread: false`
 * keeps the range plan (and conversion) but reads every range on the calling thread (tests). `slots`: row ranges
 * in flight, the one being processed plus the ones read ahead.
 */
export const readAheadTuning = { minRows: 1 << 17, thread: true, slots: 8 };

// conversion of a range's column in its slot, in place (kinds: 0 none, 1 ts_ns, 2 pointer)
export const CONV_NONE = 0;
export const CONV_TS = 1;
export const CONV_PTR = 2;
/**
 * In place over a read-ahead slot: int64 ts_ns → float64 ns relative to the base (hi/lo words), or uint64
 * pointer → 53-bit float key with -1 (NULL_PTR) where the validity bitmap (at bmAt) says null — exactly
 * putTsRel / putPtr (columns.ts). Element i's 8 bytes are read before they are overwritten. Plain JS source:
 * the read-ahead thread runs the same text.
 */
const CONVERT_RANGE_SRC = `function convertRange(mem, at, bmAt, hasBm, n, kind, bh, bl) {
  const w = new Uint32Array(mem, at, 2 * n);
  const wi = new Int32Array(mem, at, 2 * n);
  const f = new Float64Array(mem, at, n);
  if (kind === ${CONV_TS}) {
    for (let i = 0; i < n; i++) f[i] = (wi[2 * i + 1] - bh) * 4294967296 + (w[2 * i] - bl);
  } else if (kind === ${CONV_PTR}) {
    for (let i = 0; i < n; i++) f[i] = (w[2 * i + 1] & 0x1fffff) * 4294967296 + w[2 * i];
    if (hasBm) {
      const bm = new Uint8Array(mem, bmAt, (n + 7) >> 3);
      for (let i = 0; i < n; i++) if (((bm[i >> 3] >> (i & 7)) & 1) === 0) f[i] = -1;
    }
  }
}`;
export const convertRange = new Function(`return ${CONVERT_RANGE_SRC}`)() as (
  mem: ArrayBufferLike,
  at: number,
  bmAt: number,
  hasBm: boolean,
  n: number,
  kind: number,
  bh: number,
  bl: number,
) => void;
// range states (Int32 per range in shared memory)
export const RA_FREE = 0;
export const RA_READING = 1;
const RA_READY = 2;
export const RA_MAIN = 3;
export const RA_FAILED = 4;

/**
 * The read-ahead thread: it waits for its plan (one message), then for range r = 0, 1, … (at most SLOTS - 1 ahead
 * of the range the main thread is on, ctrl[0]) it claims r (FREE → READING; the main thread claims ranges it
 * reaches first), reads its planned regions into slot r % SLOTS and marks it READY (or FAILED: the main thread
 * then reads it and reports the error itself). ctrl[1] = 1 stops it. Plain JS: runs as an eval worker from src
 * and dist.
 */
const READ_AHEAD_WORKER = `(function () {
const { workerData, parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { fd } = workerData;
${CONVERT_RANGE_SRC}
function run({ mem, state, ctrl, plan, slots, cols, slotBytes, colOffsets, bmRoom, conv, bh, bl }) {
  const bytes = new Uint8Array(mem);
  const st = new Int32Array(state);
  const ctl = new Int32Array(ctrl);
  const pl = new Float64Array(plan);
  const R = st.length;
  function fill(dst, len, pos) {
    let off = 0;
    while (off < len) {
      const n = readSync(fd, bytes, dst + off, len - off, pos + off);
      if (n <= 0) throw new Error('eof');
      off += n;
    }
  }
  for (let r = 0; r < R; r++) {
    for (;;) {
      if (Atomics.load(ctl, 1) !== 0) return;
      const cur = Atomics.load(ctl, 0);
      if (r < cur + slots) break;
      Atomics.wait(ctl, 0, cur, 1000);
    }
    if (Atomics.compareExchange(st, r, ${RA_FREE}, ${RA_READING}) !== ${RA_FREE}) continue;
    let s = ${RA_READY};
    try {
      const slot = (r % slots) * slotBytes;
      for (let j = 0; j < cols; j++) {
        const e = (r * cols + j) * 4;
        const dst = slot + colOffsets[j];
        if (pl[e + 1] > 0) fill(dst, pl[e + 1], pl[e]);
        if (pl[e + 3] > 0) fill(dst + bmRoom, pl[e + 3], pl[e + 2]);
        if (conv[j] !== 0 && pl[e + 3] > 0) convertRange(mem, dst + bmRoom, dst, pl[e + 1] > 0, pl[e + 3] / 8, conv[j], bh, bl);
      }
    } catch {
      s = ${RA_FAILED};
    }
    Atomics.store(st, r, s);
    Atomics.notify(st, r);
  }
}
parentPort.once('message', run);
})();
`;

/** The read-ahead of one slot's sequential walk (readAhead), once started. */
export interface ReadAheadState {
  slot: number;
  step: number;
  /** ranges in flight (readAheadTuning.slots when the walk began) */
  slots: number;
  /** column → its index in the plan, its offset in a range slot, its conversion (CONV_*) */
  cols: Map<ReplayColumn, { j: number; off: number; conv: number }>;
  /** time base of CONV_TS (hi/lo 32-bit words, as TimeBase) */
  bh: number;
  bl: number;
  rangeBase: number[];
  mem: SharedArrayBuffer;
  state: Int32Array;
  ctrl: Int32Array;
  plan: Float64Array;
  slotBytes: number;
  bmRoom: number;
  current: number;
}

/**
 * A read-ahead thread over `fd`, waiting for its plan (planReadAhead), or null when no thread can be started (the
 * caller then reads every range itself).
 */
export function startReadAheadThread(fd: number): Worker | null {
  try {
    const worker = new Worker(READ_AHEAD_WORKER, { eval: true, workerData: { fd } });
    worker.unref();
    worker.on('error', () => {}); // a failed range is read (and reported) by the main thread
    return worker;
  } catch {
    return null; // no thread: the main thread reads every range itself
  }
}

/** Hand the thread its plan: from here on it reads ranges ahead of `ra.current`. */
export function planReadAhead(worker: Worker, ra: ReadAheadState): void {
  worker.postMessage({
    mem: ra.mem,
    state: ra.state.buffer,
    ctrl: ra.ctrl.buffer,
    plan: ra.plan.buffer,
    slots: ra.slots,
    cols: ra.cols.size,
    slotBytes: ra.slotBytes,
    colOffsets: [...ra.cols.values()].map((c) => c.off),
    bmRoom: ra.bmRoom,
    conv: [...ra.cols.values()].map((c) => c.conv),
    bh: ra.bh,
    bl: ra.bl,
  });
}

/** Stop the thread (it may be waiting for its plan, or mid-range: the main thread owns whatever it has not marked). */
export function stopReadAheadThread(worker: Worker, ctrl: Int32Array | null): void {
  if (ctrl) {
    Atomics.store(ctrl, 1, 1);
    Atomics.notify(ctrl, 0);
  }
  void worker.terminate().catch(() => {});
}
