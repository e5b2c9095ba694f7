/**
 * Open-addressing hash map from pointer keys (float64, ≤ 53 bits, ≥ 0) to int32 slots.
 * Linear probing with backward-shift deletion: no tombstones, no per-entry objects. JS Map hashes
 * non-Smi doubles slowly; skb addresses are exactly that, and every event does one lookup.
 */
const EMPTY = -1;

export class PtrMap {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 12) {
    let c = 16;
    while (c < capacity * 2) c <<= 1;
    this.keys = new Float64Array(c).fill(EMPTY);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
  }

  private hash(k: number): number {
    const lo = k % 4294967296 | 0;
    const hi = (k / 4294967296) | 0;
    // skb/napi pointers are cache-line aligned: mix the bits above 6 in
    return (Math.imul((lo >>> 6) ^ (lo << 13) ^ hi, 0x9e3779b1) >>> 7) & this.mask;
  }

  get(k: number): number {
    if (k < 0) return -1; // absent pointer (NULL_PTR) is never a key
    const keys = this.keys;
    let i = this.hash(k);
    for (;;) {
      const kk = keys[i]!;
      if (kk === k) return this.vals[i]!;
      if (kk === EMPTY) return -1;
      i = (i + 1) & this.mask;
    }
  }

  set(k: number, v: number): void {
    if (k < 0) return;
    if ((this.size + 1) * 2 > this.keys.length) this.rehash();
    const keys = this.keys;
    let i = this.hash(k);
    for (;;) {
      const kk = keys[i]!;
      if (kk === k) {
        this.vals[i] = v;
        return;
      }
      if (kk === EMPTY) {
        keys[i] = k;
        this.vals[i] = v;
        this.size++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  delete(k: number): void {
    if (k < 0) return;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.hash(k);
    for (;;) {
      const kk = keys[i]!;
      if (kk === EMPTY) return;
      if (kk === k) break;
      i = (i + 1) & mask;
    }
    // backward-shift: move later entries of the probe run into the hole
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const kj = keys[j]!;
      if (kj === EMPTY) break;
      const home = this.hash(kj);
      // can entry j move to the hole? only if its home is not in (hole, j] (cyclically)
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        keys[hole] = kj;
        vals[hole] = vals[j]!;
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    this.size--;
  }

  private rehash(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    this.keys = new Float64Array(oldK.length * 2).fill(EMPTY);
    this.vals = new Int32Array(oldK.length * 2);
    this.mask = this.keys.length - 1;
    this.size = 0;
    for (let i = 0; i < oldK.length; i++) if (oldK[i] !== EMPTY) this.set(oldK[i]!, oldV[i]!);
  }
}
