/**
 * Open-addressing hash map from pointer keys (float64, ≤ 53 bits, ≥ 0) to int32 slots.
 * Linear probing with backward-shift deletion: no tombstones, no per-entry objects. JS Map hashes
 * non-Smi doubles slowly; skb addresses are exactly that, and every event does one lookup.
 * Key and value share one Float64Array ([key + 1, value] pairs): a lookup touches one cache line, and 0 marks an
 * empty bucket, so a new table is the zero-filled memory the allocator hands out (no fill: a large table's pages
 * are only touched where entries land).
 *
 * The per-event callers set `key` and call the *Key methods: a float argument to a call V8 does not inline is
 * boxed (an allocation per event), a float field is written in place.
 */
const EMPTY = 0;

export class PtrMap {
  private kv: Float64Array;
  private mask: number;
  size = 0;
  /** the key of the next getKey / getOrAddKey / deleteKey */
  key = Number.NaN;

  constructor(capacity = 1 << 12) {
    let c = 16;
    while (c < capacity * 2) c <<= 1;
    this.kv = new Float64Array(2 * c);
    this.mask = c - 1;
  }

  private hash(k: number): number {
    // keys are integers < 2^53: ToInt32 keeps the low 32 bits, and scaling by 2^-32 is exact (no `%`:
    // fmod on doubles is a slow library call; no division either)
    return this.hashHiLo((k * 2.3283064365386963e-10) | 0, k | 0);
  }

  /**
   * The home bucket of a key from its high and low 32-bit words (int arguments: never boxed). Addresses 256 bytes
   * apart (skbs of one slab page) get neighbouring buckets — the live skbs' entries share a few cache lines however
   * many stale ones the table holds — and each 4 GiB region (high word) its own random offset.
   */
  private hashHiLo(hi: number, lo: number): number {
    return ((lo >>> 8) ^ (Math.imul(hi ^ (lo >>> 24), 0x9e3779b1) >>> 8)) & this.mask;
  }

  get(k: number): number {
    this.key = k;
    return this.getKey();
  }

  /** get(this.key) */
  getKey(): number {
    const k = this.key;
    if (k < 0) return -1; // absent pointer (NULL_PTR) is never a key
    const kv = this.kv;
    const mask = this.mask;
    const stored = k + 1;
    let i = this.hash(k);
    for (;;) {
      const kk = kv[2 * i]!;
      if (kk === stored) return kv[2 * i + 1]!;
      if (kk === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  set(k: number, v: number): void {
    if (k < 0) return;
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash();
    const kv = this.kv;
    const stored = k + 1;
    let i = this.hash(k);
    for (;;) {
      const kk = kv[2 * i]!;
      if (kk === stored) {
        kv[2 * i + 1] = v;
        return;
      }
      if (kk === EMPTY) {
        kv[2 * i] = stored;
        kv[2 * i + 1] = v;
        this.size++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /**
   * The value of `k`, or -1 after adding `k` → `v` (one probe for both). Absent pointers (k < 0) are never
   * added: -1 as well.
   */
  getOrAdd(k: number, v: number): number {
    this.key = k;
    return this.getOrAddKey(v);
  }

  /** getOrAdd(this.key, v) */
  getOrAddKey(v: number): number {
    const k = this.key;
    if (k < 0) return -1;
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash();
    const kv = this.kv;
    const mask = this.mask;
    const stored = k + 1;
    let i = this.hash(k);
    for (;;) {
      const kk = kv[2 * i]!;
      if (kk === stored) return kv[2 * i + 1]!;
      if (kk === EMPTY) {
        kv[2 * i] = stored;
        kv[2 * i + 1] = v;
        this.size++;
        return -1;
      }
      i = (i + 1) & mask;
    }
  }

  delete(k: number): void {
    this.key = k;
    this.deleteKey();
  }

  /** delete(this.key) */
  deleteKey(): void {
    const k = this.key;
    if (k < 0) return;
    const kv = this.kv;
    const mask = this.mask;
    const stored = k + 1;
    let i = this.hash(k);
    for (;;) {
      const kk = kv[2 * i]!;
      if (kk === EMPTY) return;
      if (kk === stored) break;
      i = (i + 1) & mask;
    }
    // backward-shift: move later entries of the probe run into the hole
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const sj = kv[2 * j]!;
      if (sj === EMPTY) break;
      const kj = sj - 1;
      const home = this.hashHiLo((kj * 2.3283064365386963e-10) | 0, kj | 0);
      // can entry j move to the hole? only if its home is not in (hole, j] (cyclically)
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        kv[2 * hole] = sj;
        kv[2 * hole + 1] = kv[2 * j + 1]!;
        hole = j;
      }
    }
    kv[2 * hole] = EMPTY;
    this.size--;
  }

  private rehash(): void {
    const old = this.kv;
    const c = (this.mask + 1) * 2;
    this.kv = new Float64Array(2 * c);
    this.mask = c - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.set(old[i]! - 1, old[i + 1]!);
  }
}
