/**
 * perf's ordered-events rule (tools/perf/util/ordered-events.c, session.c process_finished_round): records
 * within the data section are in per-ring-buffer order; a PERF_RECORD_FINISHED_ROUND promises that no later
 * record is older than the newest record of the round before it. So at each round the queue is flushed up to
 * that limit, in (time, file order) — the order `perf script` prints. Memory stays bounded by about two rounds.
 *
 * The queue is columnar: one slot per queued record in typed arrays (timestamp as two uint32 halves, where its
 * payload lies), no object or BigInt per sample. A slot's other fields are the caller's (SampleQueue columns);
 * the rare task records (COMM, FORK, LOST) ride along as objects in `tasks`.
 */
const INITIAL = 1 << 12;

export class SampleQueue<Task> {
  /** live slots, in push order until sorted; after a flush the rest stays sorted */
  order: number[] = [];
  hi = new Uint32Array(INITIAL);
  lo = new Uint32Array(INITIAL);
  /** hi * 2^32 + lo: orders whenever it differs (exact halves decide ties) */
  private key = new Float64Array(INITIAL);
  private seq = new Float64Array(INITIAL);
  /** per slot: the event format's index (>= 0), or -1: `tasks[slot]` */
  fmt = new Int32Array(INITIAL);
  start = new Int32Array(INITIAL);
  end = new Int32Array(INITIAL);
  cpu = new Int32Array(INITIAL);
  pid = new Int32Array(INITIAL);
  /** NaN: the sample carries no TID */
  tid = new Float64Array(INITIAL);
  bufs: (Buffer | undefined)[] = [];
  tasks: (Task | undefined)[] = [];
  private free: number[] = [];
  private next = 0;
  private pushed = 0;
  private maxHi = 0;
  private maxLo = 0;
  private flushHi = 0;
  private flushLo = 0;
  /** Without FINISHED_ROUND records, flush (everything up to the middle timestamp) past this many entries. */
  constructor(private readonly maxPending = 1 << 18) {}

  get size(): number {
    return this.order.length;
  }

  /** A slot for a record at time hi:lo (fill the other columns at it). */
  push(hi: number, lo: number): number {
    let s = this.free.pop();
    if (s === undefined) {
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
    this.order.push(s);
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
  }

  /** Sort the live slots by (time, file order): TimSort takes the per-CPU runs a round is made of. */
  private sort(): void {
    const { key, hi, lo, seq } = this;
    this.order.sort((a, b) => key[a]! - key[b]! || hi[a]! - hi[b]! || lo[a]! - lo[b]! || seq[a]! - seq[b]!);
  }

  /** How many of `order`'s first slots are at or before hi:lo (order sorted). */
  private countUpTo(hi: number, lo: number): number {
    const o = this.order;
    let n = 0;
    while (n < o.length && (this.hi[o[n]!]! < hi || (this.hi[o[n]!]! === hi && this.lo[o[n]!]! <= lo))) n++;
    return n;
  }

  /** At a FINISHED_ROUND: sorts, and returns how many of `order`'s first slots may be emitted now. */
  finishRound(): number {
    const hi = this.flushHi;
    const lo = this.flushLo;
    this.flushHi = this.maxHi;
    this.flushLo = this.maxLo;
    if (this.order.length === 0) return 0;
    this.sort();
    return this.countUpTo(hi, lo);
  }

  /** Safety valve for files without rounds: the older half (0 while below maxPending). */
  overflow(): number {
    if (this.order.length < this.maxPending) return 0;
    this.sort();
    const mid = this.order[this.order.length >> 1]!;
    return this.countUpTo(this.hi[mid]!, this.lo[mid]!);
  }

  /** Everything left, sorted (the end of the data). */
  drain(): number {
    this.sort();
    return this.order.length;
  }

  /** Forget `order`'s first n slots (emitted): their slots are reused. */
  drop(n: number): void {
    const o = this.order;
    for (let i = 0; i < n; i++) {
      const s = o[i]!;
      this.bufs[s] = undefined;
      this.tasks[s] = undefined;
      this.free.push(s);
    }
    this.order = n === o.length ? [] : o.slice(n);
  }
}
