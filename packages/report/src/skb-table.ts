/**
 * The lifecycles still open, keyed by skb address: an open-addressing hash table (linear probing, backward-shift
 * delete) over typed arrays. A Map keyed by the address's 53 low bits as a double took most of the lifecycle
 * derivation's time on a 1.5 M-event trace (the keys are heap numbers: a boxed key per lookup). Iteration follows
 * first insertion of a key, as a Map's does (an overwrite keeps the key's place). Values are slots of the open
 * lifecycles' columns (open-packets.ts), -1 for none.
 */
/** Addresses are equal when their 53 low bits are (kernel pointers and ftrace hashes differ below bit 53). */
const HI_MASK = 0x1fffff;

export class SkbTable {
  size = 0;
  private mask = 1023;
  /** 32 − log2(slots): the home slot is the hash's top bits */
  private shift = 22;
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private vals = new Int32Array(1024).fill(-1);
  /** first-insertion order of each slot's key (for values()) */
  private order = new Float64Array(1024);
  private inserted = 0;

  /**
   * The home slot of a key: the top bits of a multiplicative (Fibonacci) hash. Its low bits depend only on the key's
   * low bits, and an skb address's are few (8-byte aligned slab objects): the low bits made runs 8× longer.
   */
  private home(hi: number, lo: number): number {
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private slot(hi: number, lo: number): number {
    let i = this.home(hi, lo);
    for (;;) {
      const v = this.vals[i]!;
      if (v < 0 || (this.hi[i] === hi && this.lo[i] === lo)) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of the lifecycle open for this address, -1 when none. */
  get(skbHi: number, skbLo: number): number {
    return this.vals[this.slot(skbHi & HI_MASK, skbLo)]!;
  }

  set(skbHi: number, skbLo: number, p: number): void {
    const hi = skbHi & HI_MASK;
    const i = this.slot(hi, skbLo);
    if (this.vals[i]! < 0) {
      this.hi[i] = hi;
      this.lo[i] = skbLo;
      this.order[i] = this.inserted++;
      this.size++;
    }
    this.vals[i] = p;
    if (this.size * 2 > this.mask) this.grow();
  }

  delete(skbHi: number, skbLo: number): void {
    let i = this.slot(skbHi & HI_MASK, skbLo);
    if (this.vals[i]! < 0) return;
    this.size--;
    // backward shift: move later entries of the probe run into the hole so lookups never stop early
    for (let j = (i + 1) & this.mask; this.vals[j]! >= 0; j = (j + 1) & this.mask) {
      const home = this.home(this.hi[j]!, this.lo[j]!);
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (between) continue;
      this.hi[i] = this.hi[j]!;
      this.lo[i] = this.lo[j]!;
      this.order[i] = this.order[j]!;
      this.vals[i] = this.vals[j]!;
      i = j;
    }
    this.vals[i] = -1;
  }

  /** Every value, in table order (no insert or delete meanwhile). */
  forEachValue(fn: (v: number) => void): void {
    for (let i = 0; i <= this.mask; i++) if (this.vals[i]! >= 0) fn(this.vals[i]!);
  }

  /** The open lifecycles in the order their keys were first inserted. */
  values(): number[] {
    const at: number[] = [];
    for (let i = 0; i <= this.mask; i++) if (this.vals[i]! >= 0) at.push(i);
    at.sort((a, b) => this.order[a]! - this.order[b]!);
    return at.map((i) => this.vals[i]!);
  }

  clear(): void {
    // back to the first size: a streamed report's writer runs after, and the table held every skb open at once
    this.mask = 1023;
    this.shift = 22;
    this.hi = new Uint32Array(1024);
    this.lo = new Uint32Array(1024);
    this.vals = new Int32Array(1024).fill(-1);
    this.order = new Float64Array(1024);
    this.size = 0;
  }

  private grow(): void {
    const old = { hi: this.hi, lo: this.lo, vals: this.vals, order: this.order, n: this.mask + 1 };
    const n = old.n * 2;
    this.mask = n - 1;
    this.shift--;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.vals = new Int32Array(n).fill(-1);
    this.order = new Float64Array(n);
    for (let k = 0; k < old.n; k++) {
      const v = old.vals[k]!;
      if (v < 0) continue;
      const i = this.slot(old.hi[k]!, old.lo[k]!);
      this.hi[i] = old.hi[k]!;
      this.lo[i] = old.lo[k]!;
      this.order[i] = old.order[k]!;
      this.vals[i] = v;
    }
  }
}
