/**
 * perf's ordered-events rule (tools/perf/util/ordered-events.c, session.c process_finished_round): records
 * within the data section are in per-ring-buffer order; a PERF_RECORD_FINISHED_ROUND promises that no later
 * record is older than the newest record of the round before it. So at each round the queue is flushed up to
 * that limit, in (time, file order) — the order `perf script` prints. Memory stays bounded by about two rounds.
 *
 * The queue is columnar: one slot per queued record in typed arrays (timestamp as two uint32 halves, where its
 * payload lies), no object or BigInt per sample. A slot's other fields are the caller's (SampleQueue columns);
 * the rare task records (COMM, FORK, LOST) ride along as objects in `tasks`. The live slots' order is an Int32Array
 * sorted by a stable merge of its ascending runs (a round is one run per CPU ring buffer), by the timestamp as one
 * double while timestamps stay below 2^53 ns (104 days), else by a comparator on the halves.
 */
import type { ChunkPool } from '../tracing-data/chunkPool.js';

const INITIAL = 1 << 12;
/** timestamps below 2^53 ns (high half below 2^21) are exact as one double */
const EXACT_HI = 1 << 21;

export class SampleQueue<Task> {
  /** live slots in [0, size): the sorted rest of the last flush first, then the slots pushed since, in push order */
  order = new Int32Array(INITIAL);
  /** merge space for sort() */
  private spare = new Int32Array(INITIAL);
  private count = 0;
  hi = new Uint32Array(INITIAL);
  lo = new Uint32Array(INITIAL);
  /** hi * 2^32 + lo: the sort key while exact (maxHi < EXACT_HI) */
  private key = new Float64Array(INITIAL);
  /** push order: the last tie-break when timestamps are not exact as doubles */
  private seq = new Float64Array(INITIAL);
  /** per slot: the event format's index (>= 0), or -1: `tasks[slot]` */
  fmt = new Int32Array(INITIAL);
  start = new Int32Array(INITIAL);
  end = new Int32Array(INITIAL);
  cpu = new Int32Array(INITIAL);
  pid = new Int32Array(INITIAL);
  /** NaN: the sample carries no TID */
  tid = new Float64Array(INITIAL);
  /** the pooled chunk the slot's payload lies in (ChunkPool.hold), -1: none */
  chunk = new Int32Array(INITIAL);
  /** set: file chunks are reused, each released when its last queued sample is dropped */
  pool: ChunkPool | undefined;
  bufs: (Buffer | undefined)[] = [];
  tasks: (Task | undefined)[] = [];
  /** free slots: a stack in [0, nfree) */
  private free = new Int32Array(INITIAL);
  private nfree = 0;
  private next = 0;
  private pushed = 0;
  // uint32 halves go past the small-integer range: stored as doubles from the start (-0), since a field that
  // changes representation invalidates the optimized code of every function that read it
  private maxHi = -0;
  private maxLo = -0;
  private flushHi = -0;
  private flushLo = -0;
  /** Without FINISHED_ROUND records, flush (everything up to the middle timestamp) past this many entries. */
  constructor(private readonly maxPending = 1 << 18) {}

  get size(): number {
    return this.count;
  }

  /** A slot for a record at time hi:lo (fill the other columns at it). */
  push(hi: number, lo: number): number {
    let s: number;
    if (this.nfree > 0) s = this.free[--this.nfree]!;
    else {
      if (this.next === this.hi.length) this.grow();
      s = this.next++;
      // appended in slot order: the two arrays stay packed (a store far past the end would make them hash tables)
      this.bufs.push(undefined);
      this.tasks.push(undefined);
    }
    this.hi[s] = hi;
    this.lo[s] = lo;
    this.key[s] = hi * 4294967296 + lo;
    this.seq[s] = this.pushed++;
    // live slots never outnumber the slots made: order has room
    this.order[this.count++] = s;
    if (hi > this.maxHi || (hi === this.maxHi && lo > this.maxLo)) {
      this.maxHi = hi;
      this.maxLo = lo;
    }
    return s;
  }

  pushTask(ts: bigint, task: Task): void {
    const s = this.push(Number(ts >> 32n), Number(ts & 0xffffffffn));
    this.fmt[s] = -1;
    this.tasks[s] = task;
  }

  private grow(): void {
    const n = this.hi.length * 2;
    const more = <A extends Uint32Array | Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a as never);
      return b;
    };
    this.hi = more(this.hi, (k) => new Uint32Array(k));
    this.lo = more(this.lo, (k) => new Uint32Array(k));
    this.key = more(this.key, (k) => new Float64Array(k));
    this.seq = more(this.seq, (k) => new Float64Array(k));
    this.fmt = more(this.fmt, (k) => new Int32Array(k));
    this.start = more(this.start, (k) => new Int32Array(k));
    this.end = more(this.end, (k) => new Int32Array(k));
    this.cpu = more(this.cpu, (k) => new Int32Array(k));
    this.pid = more(this.pid, (k) => new Int32Array(k));
    this.tid = more(this.tid, (k) => new Float64Array(k));
    this.chunk = more(this.chunk, (k) => new Int32Array(k));
    this.order = more(this.order, (k) => new Int32Array(k));
    this.free = more(this.free, (k) => new Int32Array(k));
    this.spare = new Int32Array(n);
  }

  /**
   * Sort the live slots by (time, file order). A slot's place in `order` follows its push order among slots of one
   * time (the sorted rest comes first and was pushed first), so a stable sort by time alone gives that order.
   */
  private sort(): void {
    if (this.maxHi >= EXACT_HI) {
      const { hi, lo, seq } = this;
      const a = Array.from(this.order.subarray(0, this.count));
      a.sort((x, y) => hi[x]! - hi[y]! || lo[x]! - lo[y]! || seq[x]! - seq[y]!);
      this.order.set(a);
      return;
    }
    let src = this.order;
    let dst = this.spare;
    const n = this.count;
    const key = this.key;
    // merge neighbouring ascending runs until one is left (a round holds about one run per CPU)
    for (;;) {
      let runs = 0;
      let a = 0;
      while (a < n) {
        const b = runEnd(src, key, a, n);
        const c = b < n ? runEnd(src, key, b, n) : n;
        mergeRuns(src, dst, key, a, b, c);
        runs++;
        a = c;
      }
      [src, dst] = [dst, src];
      if (runs <= 1) break;
    }
    this.order = src;
    this.spare = dst;
  }

  /** How many of `order`'s first slots are at or before hi:lo (order sorted). */
  private countUpTo(hi: number, lo: number): number {
    const o = this.order;
    const n = this.count;
    let i = 0;
    while (i < n && (this.hi[o[i]!]! < hi || (this.hi[o[i]!]! === hi && this.lo[o[i]!]! <= lo))) i++;
    return i;
  }

  /** At a FINISHED_ROUND: sorts, and returns how many of `order`'s first slots may be emitted now. */
  finishRound(): number {
    const hi = this.flushHi;
    const lo = this.flushLo;
    this.flushHi = this.maxHi;
    this.flushLo = this.maxLo;
    if (this.count === 0) return 0;
    this.sort();
    return this.countUpTo(hi, lo);
  }

  /** Safety valve for files without rounds: the older half (0 while below maxPending). */
  overflow(): number {
    if (this.count < this.maxPending) return 0;
    this.sort();
    const mid = this.order[this.count >> 1]!;
    return this.countUpTo(this.hi[mid]!, this.lo[mid]!);
  }

  /** Everything left, sorted (the end of the data). */
  drain(): number {
    this.sort();
    return this.count;
  }

  /** Forget `order`'s first n slots (emitted): their slots are reused. */
  drop(n: number): void {
    const o = this.order;
    const pool = this.pool;
    for (let i = 0; i < n; i++) {
      const s = o[i]!;
      if (pool !== undefined && this.bufs[s] !== undefined) pool.release(this.chunk[s]!);
      this.bufs[s] = undefined;
      this.tasks[s] = undefined;
      this.free[this.nfree++] = s;
    }
    o.copyWithin(0, n, this.count);
    this.count -= n;
  }
}

/** The end of the ascending (by key) run of src that starts at a. */
function runEnd(src: Int32Array, key: Float64Array, a: number, n: number): number {
  let i = a + 1;
  while (i < n && key[src[i]!]! >= key[src[i - 1]!]!) i++;
  return i;
}

/** Merge the runs src[a, b) and src[b, c) into dst[a, c); the first run's slot first on equal keys (stable). */
function mergeRuns(src: Int32Array, dst: Int32Array, key: Float64Array, a: number, b: number, c: number): void {
  let i = a;
  let j = b;
  // one loop for the merge and both tails: separate tail loops first ran once the merge was optimized, and each
  // deoptimized it (no feedback for their code yet)
  for (let k = a; k < c; k++) {
    if (i < b && (j >= c || key[src[j]!]! >= key[src[i]!]!)) dst[k] = src[i++]!;
    else dst[k] = src[j++]!;
  }
}
