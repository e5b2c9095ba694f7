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

/**
 * The bucket after `i`, and a key's high 32-bit word. One function each for every probe of PtrMap and of the lifecycle pool's SkbIndex (observe/skb-index.ts):
 * V8 records type feedback per function, and a step taken only on a collision would otherwise have none when the
 * pass is first optimized (collisions come as never-freed skbs fill the table), each first collision then
 * deoptimizing every caller it is inlined into (9 deopts of the pass's skb paths per first replay, `--trace-deopt`).
 * The probes take the step before each bucket they read, so the first lookup records it.
 */
export const nextBucket = (i: number, mask: number): number => (i + 1) & mask;
export const hiWord = (k: number): number => (k * 2.3283064365386963e-10) | 0;

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
    return this.hashHiLo(hiWord(k), k | 0);
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
    let i = (this.hash(k) - 1) & mask;
    for (;;) {
      i = nextBucket(i, mask);
      const kk = kv[2 * i]!;
      if (kk === stored) return kv[2 * i + 1]!;
      if (kk === EMPTY) return -1;
    }
  }

  set(k: number, v: number): void {
    if (k < 0) return;
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash();
    const kv = this.kv;
    const stored = k + 1;
    let i = (this.hash(k) - 1) & this.mask;
    for (;;) {
      i = nextBucket(i, this.mask);
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
    let i = (this.hash(k) - 1) & mask;
    for (;;) {
      i = nextBucket(i, mask);
      const kk = kv[2 * i]!;
      if (kk === stored) return kv[2 * i + 1]!;
      if (kk === EMPTY) {
        kv[2 * i] = stored;
        kv[2 * i + 1] = v;
        this.size++;
        return -1;
      }
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
    let i = (this.hash(k) - 1) & mask;
    for (;;) {
      i = nextBucket(i, mask);
      const kk = kv[2 * i]!;
      if (kk === EMPTY) return;
      if (kk === stored) break;
    }
    // backward-shift: move later entries of the probe run into the hole
    let hole = i;
    let j = i;
    for (;;) {
      j = nextBucket(j, mask);
      const sj = kv[2 * j]!;
      if (sj === EMPTY) break;
      const kj = sj - 1;
      const home = this.hashHiLo(hiWord(kj), kj | 0);
      // entry j moves to the hole unless its home is in (hole, j] (cyclically); it is written either way (onto itself
      // when it stays): stores made only on a move would have no type feedback when the pass is first optimized
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      const to = stays ? j : hole;
      kv[2 * to] = sj;
      kv[2 * to + 1] = kv[2 * j + 1]!;
      hole = stays ? hole : j;
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
