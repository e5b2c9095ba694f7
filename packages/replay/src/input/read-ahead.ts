/**
 * The read-ahead thread of an .arrow file's sequential walk (arrow-file.ts readAhead): it reads the next units'
 * column regions (read-plan.ts: whole record batches, ~3 positioned reads each) into shared slots, and converts
 * ts_ns and pointers there, while the pass works on the current unit. The thread is started as soon as the file is opened for a replay and gets its plan by message when the pass
 * begins: its start-up (a Node isolate, tens of ms) overlaps the footer parse and the pass's set-up instead of
 * leaving the first ranges to the calling thread.
 */
import { Worker } from 'node:worker_threads';
import type { ReplayColumn } from './batches.js';
import type { ReadPlan } from './read-plan.js';

/**
 * Read-ahead pays for its thread only on large files: from this many rows (tests lower it). `thread: false`
 * keeps the plan (and conversion) but reads every unit on the calling thread (tests). `slots`: units in flight at
 * most, the one being processed plus the ones read ahead (fewer when units are large: IN_FLIGHT_BYTES).
 * `maxUnitRows`: a record batch up to this many rows is one unit, read in ~3 positioned reads (read-plan.ts); a
 * longer one is read in runs of this many rows (tests lower it): a unit of the pass's ~20 columns is ≤ 2.8 MB.
 */
export const readAheadTuning = { minRows: 1 << 17, thread: true, slots: 8, maxUnitRows: 1 << 15 };

/**
 * Slot memory of the units in flight (at least 3 units: the one being processed and two ahead). Fresh pages are
 * dear (a first touch ~15-30 µs on the machines measured, as much as 3-6 reads): the slots are few and reused.
 */
const IN_FLIGHT_BYTES = 6 << 20;

/**
 * The slot memory of the last walk, once nothing can write it any more, for the next walk of the same layout in this
 * process (a benchmark's repeated replays, a `report` of many runs): 6 MiB of fresh pages is ~1 500 faults (~13 µs
 * each on the machines measured) on the reader thread per replay. A walk's reader thread may be mid-read when the
 * file is closed, so the memory is given back only when that thread has exited.
 */
let spareSlots: SharedArrayBuffer | null = null;

/** Slot memory of `bytes` bytes: the spare when it has that size, else fresh. */
export function takeSlotMemory(bytes: number): SharedArrayBuffer {
  const m = spareSlots;
  if (m !== null && m.byteLength === bytes) {
    spareSlots = null;
    return m;
  }
  return new SharedArrayBuffer(bytes);
}

/** Give a finished walk's slot memory back: now (`worker` null: only this thread wrote it) or when `worker` exits. */
export function giveSlotMemory(mem: SharedArrayBuffer, worker: Worker | null): void {
  if (worker === null) spareSlots = mem;
  else worker.once('exit', () => void (spareSlots = mem));
}

/** Units in flight for units of `slotBytes` bytes. */
export const slotsFor = (slotBytes: number): number =>
  Math.max(2, Math.min(readAheadTuning.slots, Math.max(3, Math.floor(IN_FLIGHT_BYTES / Math.max(1, slotBytes)))));

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
const convertRange = new Function(`return ${CONVERT_RANGE_SRC}`)() as (
  mem: ArrayBufferLike,
  at: number,
  bmAt: number,
  hasBm: boolean,
  n: number,
  kind: number,
  bh: number,
  bl: number,
) => void;
let convertWarm = false;
/**
 * Every path of convertRange run once on this thread, before its first unit: the units this thread reads itself (the
 * first ones of a walk, before the read-ahead thread is up) otherwise meet each path in long loops — compiled mid-loop,
 * deopted at the next path it had not seen (11 compiles and 5 deopts over one 5 M-event replay, `node --trace-opt
 * --trace-deopt`), the read-ahead thread's warm-up (READ_AHEAD_WORKER) likewise.
 */
export function warmConvertRange(): void {
  if (convertWarm) return;
  convertWarm = true;
  const warm = new SharedArrayBuffer(1024);
  for (let k = 0; k < 4; k++)
    for (const kind of [CONV_TS, CONV_PTR])
      for (const hasBm of [true, false]) convertRange(warm, 64, 0, hasBm, 64, kind, 0, 0);
}
/** What readUnit needs of the plan (read-plan.ts ReadPlan, as the thread rebuilds it from shared memory). */
export interface UnitPlan {
  rows: Int32Array;
  readIdx: Int32Array;
  reads: Float64Array;
  at: Float64Array;
  cols: number;
}
/**
 * Unit u into its slot at `slotAt`: the plan's reads (fill(dst, len, pos): one positioned read), then ts_ns and
 * pointer columns converted in place (conv per column: CONV_*). Plain JS source: the read-ahead thread runs the
 * same text.
 */
const READ_UNIT_SRC = `function readUnit(plan, u, slotAt, mem, conv, bh, bl, fill) {
  const { rows, readIdx, reads, at, cols } = plan;
  for (let k = readIdx[u]; k < readIdx[u + 1]; k++) fill(slotAt + reads[3 * k + 2], reads[3 * k + 1], reads[3 * k]);
  for (let j = 0; j < cols; j++) {
    const e = 2 * (u * cols + j);
    if (conv[j] !== 0 && at[e + 1] >= 0)
      convertRange(mem, slotAt + at[e + 1], slotAt + at[e], at[e] >= 0, rows[u], conv[j], bh, bl);
  }
}`;
export const readUnit = new Function('convertRange', `${READ_UNIT_SRC}; return readUnit;`)(convertRange) as (
  plan: UnitPlan,
  u: number,
  slotAt: number,
  mem: ArrayBufferLike,
  conv: readonly number[],
  bh: number,
  bl: number,
  fill: (dst: number, len: number, pos: number) => void,
) => void;
// unit states (Int32 per unit in shared memory)
export const RA_FREE = 0;
export const RA_READING = 1;
const RA_READY = 2;
export const RA_MAIN = 3;
export const RA_FAILED = 4;

/**
 * The read-ahead thread: it waits for its plan (one message), then for unit u = 0, 1, … (at most SLOTS - 1 ahead
 * of the unit the main thread is on, ctrl[0]) it claims u (FREE → READING; the main thread claims units it
 * reaches first), makes the plan's reads into slot u % SLOTS, converts times and pointers there and marks it
 * READY (or FAILED: the main thread then reads it and reports the error itself). ctrl[1] = 1 stops it. Plain JS:
 * runs as an eval worker from src and dist.
 */
const READ_AHEAD_WORKER = `(function () {
const { workerData, parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { fd } = workerData;
${CONVERT_RANGE_SRC}
${READ_UNIT_SRC}
function run({ mem, state, ctrl, rows, readIdx, reads, at, slots, cols, slotBytes, conv, bh, bl }) {
  const bytes = new Uint8Array(mem);
  const st = new Int32Array(state);
  const ctl = new Int32Array(ctrl);
  const plan = { rows: new Int32Array(rows), readIdx: new Int32Array(readIdx), reads: new Float64Array(reads), at: new Float64Array(at), cols };
  const U = st.length;
  const fill = (dst, len, pos) => {
    let off = 0;
    while (off < len) {
      const n = readSync(fd, bytes, dst + off, len - off, pos + off);
      if (n <= 0) throw new Error('eof');
      off += n;
    }
  };
  for (let u = 0; u < U; u++) {
    for (;;) {
      if (Atomics.load(ctl, 1) !== 0) return;
      const cur = Atomics.load(ctl, 0);
      if (u < cur + slots) break;
      Atomics.wait(ctl, 0, cur, 1000);
    }
    if (Atomics.compareExchange(st, u, ${RA_FREE}, ${RA_READING}) !== ${RA_FREE}) continue;
    let s = ${RA_READY};
    try {
      readUnit(plan, u, (u % slots) * slotBytes, mem, conv, bh, bl, fill);
    } catch {
      s = ${RA_FAILED};
    }
    Atomics.store(st, u, s);
    Atomics.notify(st, u);
  }
}
// every path of convertRange run once before the walk: compiled mid-loop on the first unit without them, its code
// deopted at each one it had not seen, ~2 deopts per unit (~400 per replay of 5 M events, \`node --trace-deopt\`)
const warm = new SharedArrayBuffer(1024);
for (let k = 0; k < 4; k++)
  for (const kind of [${CONV_TS}, ${CONV_PTR}]) for (const hasBm of [true, false]) convertRange(warm, 64, 0, hasBm, 64, kind, 0, 0);
parentPort.once('message', run);
})();
`;

/** The read-ahead of one slot's sequential walk (readAhead), once started. */
export interface ReadAheadState {
  slot: number;
  /** units in flight (slotsFor when the walk began) */
  slots: number;
  /** column → its index in the plan and its conversion (CONV_*) */
  cols: Map<ReplayColumn, { j: number; conv: number }>;
  /** conversion per plan column */
  conv: number[];
  /** time base of CONV_TS (hi/lo 32-bit words, as TimeBase) */
  bh: number;
  bl: number;
  plan: ReadPlan;
  mem: SharedArrayBuffer;
  state: Int32Array;
  ctrl: Int32Array;
  current: number;
}

/**
 * A read-ahead thread over `fd`, waiting for its plan (planReadAhead), or null when no thread can be started (the
 * caller then reads every unit itself).
 */
export function startReadAheadThread(fd: number): Worker | null {
  try {
    const worker = new Worker(READ_AHEAD_WORKER, { eval: true, workerData: { fd } });
    worker.unref();
    worker.on('error', () => {}); // a failed unit is read (and reported) by the main thread
    return worker;
  } catch {
    return null; // no thread: the main thread reads every unit itself
  }
}

/** Hand the thread its plan: from here on it reads units ahead of `ra.current`. */
export function planReadAhead(worker: Worker, ra: ReadAheadState): void {
  const p = ra.plan;
  worker.postMessage({
    mem: ra.mem,
    state: ra.state.buffer,
    ctrl: ra.ctrl.buffer,
    rows: p.rows.buffer,
    readIdx: p.readIdx.buffer,
    reads: p.reads.buffer,
    at: p.at.buffer,
    slots: ra.slots,
    cols: p.cols,
    slotBytes: p.slotBytes,
    conv: ra.conv,
    bh: ra.bh,
    bl: ra.bl,
  });
}

/** Stop the thread (it may be waiting for its plan, or mid-unit: the main thread owns whatever it has not marked). */
export function stopReadAheadThread(worker: Worker, ctrl: Int32Array | null): void {
  if (ctrl) {
    Atomics.store(ctrl, 1, 1);
    Atomics.notify(ctrl, 0);
  }
  void worker.terminate().catch(() => {});
}
