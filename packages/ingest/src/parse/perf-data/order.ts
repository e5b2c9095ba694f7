/**
 * perf's ordered-events rule (tools/perf/util/ordered-events.c, session.c process_finished_round): records
 * within the data section are in per-ring-buffer order; a PERF_RECORD_FINISHED_ROUND promises that no later
 * record is older than the newest record of the round before it. So at each round the queue is flushed up to
 * that limit, in (time, file order) — the order `perf script` prints. Memory stays bounded by about two rounds.
 *
 * The queue is columnar: a ring of slots in push order (typed arrays: timestamp as two uint32 halves, where the
 * payload lies), no object or BigInt per sample; a slot's other fields are the caller's (SampleQueue columns), the
 * rare task records (COMM, FORK, LOST) ride along as objects, by an id in their slot's `start`. perf writes a round as one stretch per CPU
 * ring buffer, each in time order, so the pushes fall into a few ascending runs (a new run starts where a timestamp
 * goes back). A flush is a k-way merge of the runs' heads (a binary heap of runs, k ≈ the CPUs with records
 * pending): each record is written once and read once, in place — no sort of the live slots, no copy of an order.
 * Ties go to the earlier push (runs are disjoint stretches of pushes, so the earlier run): (time, file order).
 */
import { ChunkPool } from '../tracing-data/chunkPool.js';

const INITIAL = 1 << 12;
/**
 * the ring grows 8-fold below this many slots, then 2-fold: each slot is ~48 bytes, and its pages are all faulted
 * in as the ring cycles (~13 µs each here), so a round of 41 k samples (the bench's perf.data) gets 64 Ki slots, not
 * 128 Ki (-3 MB)
 */
const BIG = 1 << 15;

export class SampleQueue<Task> {
  // the ring's columns are made by the constructor at their initial size (resize): made here at INITIAL first, the
  // twelve small rings of warmQueue allocated and dropped ~2.4 MB at every start-up (~300 page faults)
  /** ring of slots: push number p lives at p & mask */
  private mask = 0;
  hi!: Uint32Array;
  lo!: Uint32Array;
  /** per slot: the event format's index (>= 0), or -1: a task record (takeTask) */
  fmt!: Int32Array;
  start!: Int32Array;
  end!: Int32Array;
  cpu!: Int32Array;
  pid!: Int32Array;
  /** NaN: the sample carries no TID */
  tid!: Float64Array;
  /** the pooled chunk the slot's payload lies in (ChunkPool.hold), -1: none */
  chunk!: Int32Array;
  /** set: file chunks are reused, each released when its last queued sample is emitted */
  pool: ChunkPool | undefined;
  bufs!: (Buffer | undefined)[];
  /** task records by the id in their slot's `start` (a few thousand in a file: no column of their own) */
  private readonly tasks = new Map<number, Task>();
  private taskIds = 0;
  private count = 0;
  // push numbers and uint32 halves go past the small-integer range: doubles from the start (-0), since a field
  // that changes representation invalidates the optimized code of every function that read it
  private pushed = -0;
  /** no queued record was pushed before this push number (ring space before it is free; oldest() moves it on) */
  private base = -0;
  /** push numbers below this one are emitted (file order: `ordered` false) */
  private fifo = -0;
  private lastHi = -0;
  private lastLo = -0;
  private maxHi = -0;
  private maxLo = -0;
  private flushHi = -0;
  private flushLo = -0;
  /** what next() may hand out: records at or before limitHi:limitLo (Infinity: all) */
  private limitHi = -0;
  private limitLo = -0;
  /** runs: the next push number to emit and one past the last, by run id; free ids in freeRuns */
  private runHead = new Float64Array(16);
  private runEnd = new Float64Array(16);
  private readonly freeRuns: number[] = [];
  private runIds = 0;
  /** run ids by head, a binary min-heap on (head's time, head's push number) */
  private heap = new Int32Array(16);
  private heapSize = 0;
  /** the run pushes are appended to, -1: the next push starts one */
  private open = -1;

  /**
   * @param ordered false: records come out in file order (next() after every record)
   * @param maxPending without FINISHED_ROUND records, flush (everything up to the middle timestamp) past this many
   */
  constructor(
    private readonly ordered = true,
    private readonly maxPending = 1 << 18,
    initial = INITIAL,
  ) {
    this.resize(initial);
  }

  /** A ring of n slots (a power of two), empty. */
  private resize(n: number): void {
    this.mask = n - 1;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.fmt = new Int32Array(n);
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.cpu = new Int32Array(n);
    this.pid = new Int32Array(n);
    this.tid = new Float64Array(n);
    this.chunk = new Int32Array(n);
    this.bufs = new Array<Buffer | undefined>(n).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** A slot for a record at time hi:lo (fill the other columns at it; valid until it is handed out by next()). */
  push(hi: number, lo: number): number {
    const p = this.pushed;
    if (p - this.base >= this.hi.length) {
      this.base = this.oldest();
      if (p - this.base >= this.hi.length) this.grow();
    }
    const s = p & this.mask;
    this.hi[s] = hi;
    this.lo[s] = lo;
    this.pushed = p + 1;
    this.count++;
    if (hi > this.maxHi || (hi === this.maxHi && lo > this.maxLo)) {
      this.maxHi = hi;
      this.maxLo = lo;
    }
    if (!this.ordered) return s;
    // a timestamp going back starts a run (equal times stay in the run: ties go by push order)
    if (this.open < 0 || hi < this.lastHi || (hi === this.lastHi && lo < this.lastLo)) this.open = this.newRun(p);
    this.runEnd[this.open] = p + 1;
    this.lastHi = hi;
    this.lastLo = lo;
    return s;
  }

  pushTask(ts: bigint, task: Task): void {
    const s = this.push(Number(ts >> 32n), Number(ts & 0xffffffffn));
    this.fmt[s] = -1;
    const id = this.taskIds;
    this.taskIds = (id + 1) & 0x7fffffff;
    this.start[s] = id;
    this.tasks.set(id, task);
  }

  /** The task record at a slot next() handed out (fmt -1). */
  takeTask(s: number): Task {
    const id = this.start[s]!;
    const t = this.tasks.get(id)!;
    this.tasks.delete(id);
    return t;
  }

  /** The oldest push number still queued (ring space before it is free). */
  private oldest(): number {
    if (!this.ordered || this.heapSize === 0) return this.ordered ? this.pushed : this.fifo;
    // the live run made first has the smallest head (runs are disjoint stretches of pushes)
    let o = this.pushed;
    for (let i = 0; i < this.heapSize; i++) o = Math.min(o, this.runHead[this.heap[i]!]!);
    return o;
  }

  /** A run starting at push number p, put in the heap. */
  private newRun(p: number): number {
    let r = this.freeRuns.pop();
    if (r === undefined) {
      r = this.runIds++;
      if (r === this.runHead.length) {
        this.runHead = grown(this.runHead, (n) => new Float64Array(n));
        this.runEnd = grown(this.runEnd, (n) => new Float64Array(n));
        this.heap = grown(this.heap, (n) => new Int32Array(n));
      }
    }
    this.runHead[r] = p;
    this.runEnd[r] = p + 1;
    // sift up
    let i = this.heapSize++;
    const heap = this.heap;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(r, heap[up]!)) break;
      heap[i] = heap[up]!;
      i = up;
    }
    heap[i] = r;
    return r;
  }

  /** Run a's head comes before run b's: (time, push number). */
  private before(a: number, b: number): boolean {
    const pa = this.runHead[a]!;
    const pb = this.runHead[b]!;
    const sa = pa & this.mask;
    const sb = pb & this.mask;
    const ha = this.hi[sa]!;
    const hb = this.hi[sb]!;
    if (ha !== hb) return ha < hb;
    const la = this.lo[sa]!;
    const lb = this.lo[sb]!;
    return la !== lb ? la < lb : pa < pb;
  }

  /** Restore the heap below position i (its run's head moved on). */
  private siftDown(i: number): void {
    const heap = this.heap;
    const n = this.heapSize;
    const r = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.before(heap[c + 1]!, heap[c]!)) c++;
      if (!this.before(heap[c]!, r)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = r;
  }

  /**
   * A ring 8 times as long while it is small (a file with rounds of tens of thousands of records gets there in two
   * steps: each step faults in and copies every column), then twice. Push number p sits at p & mask, and under the
   * new mask at that place in one of the copies: with the old ring copied into every part of the new one, every
   * queued slot is where the new mask looks for it.
   */
  private grow(): void {
    const n = this.hi.length;
    const k = Math.min(8 * n, Math.max(BIG, 2 * n));
    const copies = <A extends Uint32Array | Int32Array | Float64Array>(a: A, make: (len: number) => A): A => {
      const b = make(k);
      for (let at = 0; at < k; at += n) b.set(a as never, at);
      return b;
    };
    this.hi = copies(this.hi, (len) => new Uint32Array(len));
    this.lo = copies(this.lo, (len) => new Uint32Array(len));
    this.fmt = copies(this.fmt, (len) => new Int32Array(len));
    this.start = copies(this.start, (len) => new Int32Array(len));
    this.end = copies(this.end, (len) => new Int32Array(len));
    this.cpu = copies(this.cpu, (len) => new Int32Array(len));
    this.pid = copies(this.pid, (len) => new Int32Array(len));
    this.tid = copies(this.tid, (len) => new Float64Array(len));
    this.chunk = copies(this.chunk, (len) => new Int32Array(len));
    // filled first: packed elements (concat made a dictionary of a large array)
    const bufs = new Array<Buffer | undefined>(k).fill(undefined);
    for (let i = 0; i < k; i++) bufs[i] = this.bufs[i & (n - 1)];
    this.bufs = bufs;
    this.mask = k - 1;
  }

  /** At a FINISHED_ROUND: next() hands out what is at or before the previous round's newest record. */
  finishRound(): boolean {
    this.limitHi = this.flushHi;
    this.limitLo = this.flushLo;
    this.flushHi = this.maxHi;
    this.flushLo = this.maxLo;
    return this.count > 0;
  }

  /** Safety valve for files without rounds: the older half, up to its newest time (false while below maxPending). */
  overflow(): boolean {
    if (this.count < this.maxPending) return false;
    const s = this.nth(this.count >> 1);
    this.limitHi = this.hi[s]!;
    this.limitLo = this.lo[s]!;
    return true;
  }

  /** Everything left (the end of the data; after every record when not ordered). */
  drain(): boolean {
    this.limitHi = Infinity;
    this.limitLo = Infinity;
    return this.count > 0;
  }

  /**
   * The slot of the next record to emit — in (time, file order), at or before the limit the last finishRound /
   * overflow / drain set — taken off the queue; -1: none. Its columns stay as they are until the next push.
   */
  next(): number {
    if (!this.ordered) return this.fifo < this.pushed ? this.takeFifo() : -1;
    if (this.heapSize === 0) return -1;
    const r = this.heap[0]!;
    const p = this.runHead[r]!;
    const s = p & this.mask;
    const hi = this.hi[s]!;
    if (hi > this.limitHi || (hi === this.limitHi && this.lo[s]! > this.limitLo)) return -1;
    this.count--;
    if (p + 1 < this.runEnd[r]!) {
      this.runHead[r] = p + 1;
      this.siftDown(0);
    } else {
      // the run is emitted: its id is free, and the next push starts a run if it was the open one
      this.heap[0] = this.heap[--this.heapSize]!;
      if (this.heapSize > 0) this.siftDown(0);
      this.freeRuns.push(r);
      if (this.open === r) this.open = -1;
    }
    return s;
  }

  private takeFifo(): number {
    this.count--;
    return this.fifo++ & this.mask;
  }

  /** The slot of the record k-th (from 0) in (time, file order), found on a copy of the heap. */
  private nth(k: number): number {
    const heap = this.heap;
    const heads = this.runHead;
    const saved = { heap: heap.slice(), heads: heads.slice(), size: this.heapSize };
    let s = -1;
    for (let i = 0; i <= k; i++) {
      const r = heap[0]!;
      const p = heads[r]!;
      s = p & this.mask;
      if (p + 1 < this.runEnd[r]!) heads[r] = p + 1;
      else heap[0] = heap[--this.heapSize]!;
      if (this.heapSize > 0) this.siftDown(0);
    }
    this.heap = saved.heap;
    this.runHead = saved.heads;
    this.heapSize = saved.size;
    return s;
  }
}

/** A typed array twice as long, its elements copied. */
function grown<A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A {
  const b = make(a.length * 2);
  b.set(a as never);
  return b;
}

/**
 * Runs every branch of the queue once on a few records (a new run, equal times, three runs in the heap, a run
 * emitted to its end, ring growth, a task, the no-rounds valve): V8 optimizes push/next/siftDown after a few
 * thousand records and inlines them into the reader's emit loop, and a branch first taken after that (the first
 * growth of the ring, the first run emitted to its end, the first third CPU) had no type feedback — each such
 * first deoptimized the whole emit loop (8 times in a 1.4 M-event file), which then ran unoptimized until compiled
 * again; the same for the chunk pool's release. Called once, when the reader module loads (well under a millisecond).
 */
export function warmQueue(): void {
  const take = (q: SampleQueue<number>): void => {
    for (let s = q.next(); s >= 0; s = q.next()) if (q.fmt[s]! < 0) q.takeTask(s);
  };
  // V8 keeps type feedback for a function only after its first few calls: each path a few times over
  for (let k = 0; k < 12; k++) {
    const ordered = k % 3 !== 2;
    const q = new SampleQueue<number>(ordered, 24, 4);
    for (let round = 0; round < 4; round++) {
      for (const cpu of [0, 1, 2]) {
        for (let i = 0; i < 5; i++) {
          // a low half past 2^31, as in real timestamps (a double, not a small integer: feedback of that kind)
          const s = q.push(round, 2 ** 31 + cpu * 3 + i - (i === 4 ? 2 : 0));
          q.fmt[s] = 0;
        }
      }
      q.pushTask(BigInt(round) << 32n, round);
      if (!ordered) {
        if (q.drain()) take(q);
      } else {
        if (q.finishRound()) take(q);
        if (q.overflow()) take(q);
      }
    }
    if (q.drain()) take(q);
  }
  // the file chunks' pool: a chunk freed by the release of its last queued sample, after the cursor moved on
  for (let k = 0; k < 12; k++) {
    const pool = new ChunkPool(64);
    pool.adopt(pool.spare());
    const held = pool.hold();
    pool.retire(pool.adopt(pool.spare()));
    pool.release(held);
  }
}
