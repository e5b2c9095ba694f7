import type { SpillFile } from './spill.js';

/** Values per chunk of a long list (128 KiB of float64): lists grow by whole chunks, never by copying. */
const CHUNK = 16384;

/**
 * Append-only typed arrays: the replay loop records series without allocating per-event objects. A list grows in
 * `a` up to one chunk; from then on each full chunk is handed to its store and `a` starts the next one: `base` values
 * lie before `a[0]`. The store keeps the chunks in memory (no copy while growing, no large garbage), or — with a
 * spill file (streamed pass) — writes them to the file and reads them back a chunk at a time (spill.ts), so that
 * a list holds at most two chunks in memory however long the trace. Hot loops write `a[length - base]` directly
 * after checking `length - base === a.length` (then `reserve(length + 1)`).
 */
export class F64List {
  a: Float64Array;
  length = 0;
  /** index of a[0]: the values before it are in full chunks of the store */
  base = 0;
  private readonly store: ChunkStore<Float64Array>;
  constructor(capacity = 64, spill: SpillFile | null = null) {
    const chunk = spill ? spill.chunk : CHUNK;
    this.a = new Float64Array(Math.min(capacity, chunk));
    this.store = new ChunkStore(chunk, spill, (n) => new Float64Array(n));
  }
  push(v: number): void {
    if (this.length - this.base === this.a.length) this.reserve(this.length + 1);
    this.a[this.length++ - this.base] = v;
  }
  /** Room for n values: capacity doubles up to a chunk, then a full chunk goes to the store. */
  reserve(n: number): void {
    if (n - this.base <= this.a.length) return;
    if (this.a.length === this.store.chunk) {
      this.a = this.store.put(this.a);
      this.base += this.store.chunk;
      return;
    }
    const b = new Float64Array(Math.min(this.store.chunk, Math.max(16, this.a.length * 2, n - this.base)));
    b.set(this.a.subarray(0, this.length - this.base));
    this.a = b;
  }
  get(i: number): number {
    const j = i - this.base;
    return j >= 0 ? this.a[j]! : this.store.get(i);
  }
  /** Point `c` at the chunk holding value i (i < length). */
  aim(c: F64Cursor, i: number): void {
    aimAt(c, i, this.base, this.length, this.a, this.store);
  }
  last(): number {
    return this.length > 0 ? this.get(this.length - 1) : NaN;
  }
  /** All the values (a copy when some lie in full chunks). */
  view(): Float64Array {
    if (this.base === 0) return this.a.subarray(0, this.length);
    return Float64Array.from({ length: this.length }, (_, i) => this.get(i));
  }
  /** First index i with value >= v (values ascending), reading at most one spilled chunk. */
  lowerBound(v: number): number {
    const inA = this.length - this.base;
    if (this.base === 0 || (inA > 0 && this.a[0]! < v)) return this.base + search(this.a, inA, v);
    return this.store.lowerBound(v);
  }
}

/** F64List's int32 twin, for rows and byte counts (half the memory of float64). */
export class I32List {
  a: Int32Array;
  length = 0;
  base = 0;
  private readonly store: ChunkStore<Int32Array>;
  constructor(capacity = 64, spill: SpillFile | null = null) {
    const chunk = spill ? spill.chunk : CHUNK;
    this.a = new Int32Array(Math.min(capacity, chunk));
    this.store = new ChunkStore(chunk, spill, (n) => new Int32Array(n));
  }
  push(v: number): void {
    if (this.length - this.base === this.a.length) this.reserve(this.length + 1);
    this.a[this.length++ - this.base] = v;
  }
  reserve(n: number): void {
    if (n - this.base <= this.a.length) return;
    if (this.a.length === this.store.chunk) {
      this.a = this.store.put(this.a);
      this.base += this.store.chunk;
      return;
    }
    const b = new Int32Array(Math.min(this.store.chunk, Math.max(16, this.a.length * 2, n - this.base)));
    b.set(this.a.subarray(0, this.length - this.base));
    this.a = b;
  }
  get(i: number): number {
    const j = i - this.base;
    return j >= 0 ? this.a[j]! : this.store.get(i);
  }
  /** Point `c` at the chunk holding value i (i < length). */
  aim(c: I32Cursor, i: number): void {
    aimAt(c, i, this.base, this.length, this.a, this.store);
  }
}

/**
 * A window on a list for in-order walks: values [from, to) of the list are `a[0 .. to - from)`. A walk reads
 * `c.a[i - c.from]` after `if (i >= c.to) list.aim(c, i)` — an element load in the caller instead of a get() call,
 * which V8 does not always inline and then returns each float64 boxed (a heap allocation per value: the
 * expected-DQL drive reads ~3 M values of a 5 M-event trace). The window stays valid until the list grows or
 * another read of a spilled list (its one read-back buffer).
 */
export class F64Cursor {
  a = new Float64Array(0);
  from = 0;
  to = 0;
}
/** F64Cursor's int32 twin. */
export class I32Cursor {
  a = new Int32Array(0);
  from = 0;
  to = 0;
}

function aimAt<T extends Float64Array | Int32Array>(
  c: { a: T; from: number; to: number },
  i: number,
  base: number,
  length: number,
  a: T,
  store: ChunkStore<T>,
): void {
  if (i >= base) {
    c.a = a;
    c.from = base;
    c.to = length;
    return;
  }
  const k = Math.floor(i / store.chunk);
  c.a = store.chunkAt(k);
  c.from = k * store.chunk;
  c.to = c.from + store.chunk;
}

/**
 * The full chunks of one list: kept in memory, or written to the spill file (offsets kept, one chunk read back at
 * a time). Each chunk's first value is kept for lowerBound.
 */
class ChunkStore<T extends Float64Array | Int32Array> {
  private readonly inMemory: T[] = [];
  private readonly at: number[] = [];
  private readonly firsts: number[] = [];
  /** spilled: the chunk last read back, and which */
  private cache: T | null = null;
  private cachedChunk = -1;
  constructor(
    readonly chunk: number,
    private readonly spill: SpillFile | null,
    private readonly alloc: (n: number) => T,
  ) {}
  /** Keep the full chunk `a`; returns the array the list fills next (`a` itself once it is in the file). */
  put(a: T): T {
    this.firsts.push(a[0]!);
    if (this.spill === null) {
      this.inMemory.push(a);
      return this.alloc(this.chunk);
    }
    this.at.push(this.spill.write(a));
    return a;
  }
  get(i: number): number {
    return this.chunkAt(Math.floor(i / this.chunk))[i % this.chunk]!;
  }
  /** lowerBound over the full chunks, for a value at or below the list's current chunk's first. */
  lowerBound(v: number): number {
    // chunks whose first value is below v: the answer lies in the last of them, or starts the next one
    let lo = 0;
    let hi = this.firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.firsts[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return 0;
    return (lo - 1) * this.chunk + search(this.chunkAt(lo - 1), this.chunk, v);
  }
  chunkAt(c: number): T {
    if (this.spill === null) return this.inMemory[c]!;
    if (c !== this.cachedChunk) {
      this.cache ??= this.alloc(this.chunk);
      this.spill.read(this.cache, this.at[c]!);
      this.cachedChunk = c;
    }
    return this.cache!;
  }
}

/** First index i < n with a[i] >= v (a ascending), n when none. */
function search(a: Float64Array | Int32Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i with xs[i] >= v (xs sorted ascending). */
export function lowerBound(xs: F64List, v: number): number {
  return xs.lowerBound(v);
}

/** Number of values in [from, to). */
export function countIn(xs: F64List, from: number, to: number): number {
  return lowerBound(xs, to) - lowerBound(xs, from);
}
