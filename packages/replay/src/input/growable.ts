/** Append-only typed arrays: the replay loop records series without allocating per-event objects. */
export class F64List {
  a: Float64Array;
  length = 0;
  constructor(capacity = 64) {
    this.a = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.a.length) this.reserve(this.length + 1);
    this.a[this.length++] = v;
  }
  /** Room for n values (capacity doubles); hot loops check `length === a.length` and write `a` directly. */
  reserve(n: number): void {
    if (n <= this.a.length) return;
    const b = new Float64Array(grownCapacity(this.a.length, n));
    b.set(this.a.subarray(0, this.length));
    this.a = b;
  }
  get(i: number): number {
    return this.a[i]!;
  }
  last(): number {
    return this.length > 0 ? this.a[this.length - 1]! : NaN;
  }
  view(): Float64Array {
    return this.a.subarray(0, this.length);
  }
}

/**
 * Room for n values from `cap`: doubling while small, then +25% (a per-event list of a long trace — transmit times,
 * ~5 MB per GB of trace — wastes at most a quarter of itself, not half, and the copy made while growing is smaller).
 */
function grownCapacity(cap: number, n: number): number {
  let c = Math.max(cap, 16);
  while (c < n) c = c < 1 << 20 ? c * 2 : Math.ceil(c * 1.25);
  return c;
}

/** F64List's int32 twin, for rows and byte counts (half the memory of float64). */
export class I32List {
  a: Int32Array;
  length = 0;
  constructor(capacity = 64) {
    this.a = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.a.length) this.reserve(this.length + 1);
    this.a[this.length++] = v;
  }
  reserve(n: number): void {
    if (n <= this.a.length) return;
    const b = new Int32Array(grownCapacity(this.a.length, n));
    b.set(this.a.subarray(0, this.length));
    this.a = b;
  }
  get(i: number): number {
    return this.a[i]!;
  }
}

/** First index i with xs[i] >= v (xs sorted ascending). */
export function lowerBound(xs: F64List, v: number): number {
  let lo = 0;
  let hi = xs.length;
  const a = xs.a;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of values in [from, to). */
export function countIn(xs: F64List, from: number, to: number): number {
  return lowerBound(xs, to) - lowerBound(xs, from);
}
