/**
 * skb pointer → lifecycle slot, for the observer's lifecycle pool (observer.ts): open addressing with linear probing
 * and backward-shift deletion, like PtrMap (input/ptrmap.ts), but the full key is kept in the slot's own record
 * (`lc[slot * LC_STRIDE + LC_KEY]`, the line the caller reads next anyway) and the table holds only the key's low 32
 * bits and the slot: 8 bytes a bucket instead of 16. A bench trace's 200 000 never-freed skbs keep a 2^19-bucket
 * table: 4 MB of fresh pages instead of 8 (a first touch costs ~15 µs on the machines measured, ~1 000 pages
 * fewer). The low word filters the probe (skbs are 256-byte aligned: two live keys rarely share it), so a probe reads
 * another record only on a low-word match.
 *
 * The per-event callers set `key` and call the *Key methods (a float argument to a call V8 does not inline is boxed).
 */
export const LC_STRIDE = 8;
export const LC_KEY = 0;

export class SkbIndex {
  /** [low 32 bits of the key, slot + 1] per bucket; slot + 1 = 0 marks an empty bucket */
  private t: Int32Array;
  private mask: number;
  size = 0;
  /** the key of the next getKey / getOrAddKey / deleteKey (≥ 0: absent pointers are never keys) */
  key = Number.NaN;
  /** the pool whose records hold the keys (the observer hands over the new array when the pool grows) */
  lc: Float64Array;

  constructor(capacity: number, lc: Float64Array) {
    let c = 16;
    while (c < capacity * 2) c <<= 1;
    this.t = new Int32Array(2 * c);
    this.mask = c - 1;
    this.lc = lc;
  }

  /** PtrMap's hash (256-byte neighbours get neighbouring buckets; each 4 GiB region its own random offset) */
  private home(hi: number, lo: number): number {
    return ((lo >>> 8) ^ (Math.imul(hi ^ (lo >>> 24), 0x9e3779b1) >>> 8)) & this.mask;
  }

  /** the slot of this.key, -1 when absent */
  getKey(): number {
    const k = this.key;
    if (k < 0) return -1;
    const t = this.t;
    const lc = this.lc;
    const mask = this.mask;
    const lo = k | 0;
    let i = this.home((k * 2.3283064365386963e-10) | 0, lo);
    for (;;) {
      const v = t[2 * i + 1]!;
      if (v === 0) return -1;
      if (t[2 * i] === lo && lc[(v - 1) * LC_STRIDE + LC_KEY] === k) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /**
   * The slot of this.key, or -1 after binding this.key to `slot` (its record's key written: the slot must exist in
   * `lc`). Absent pointers (key < 0) are never added: -1 as well.
   */
  getOrAddKey(slot: number): number {
    const k = this.key;
    if (k < 0) return -1;
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash();
    const t = this.t;
    const lc = this.lc;
    const mask = this.mask;
    const lo = k | 0;
    let i = this.home((k * 2.3283064365386963e-10) | 0, lo);
    for (;;) {
      const v = t[2 * i + 1]!;
      if (v === 0) {
        t[2 * i] = lo;
        t[2 * i + 1] = slot + 1;
        lc[slot * LC_STRIDE + LC_KEY] = k;
        this.size++;
        return -1;
      }
      if (t[2 * i] === lo && lc[(v - 1) * LC_STRIDE + LC_KEY] === k) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** unbind this.key (nothing when absent) */
  deleteKey(): void {
    const k = this.key;
    if (k < 0) return;
    const t = this.t;
    const lc = this.lc;
    const mask = this.mask;
    const lo = k | 0;
    let i = this.home((k * 2.3283064365386963e-10) | 0, lo);
    for (;;) {
      const v = t[2 * i + 1]!;
      if (v === 0) return;
      if (t[2 * i] === lo && lc[(v - 1) * LC_STRIDE + LC_KEY] === k) break;
      i = (i + 1) & mask;
    }
    // backward shift: move later entries of the probe run into the hole
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = t[2 * j + 1]!;
      if (v === 0) break;
      const kj = lc[(v - 1) * LC_STRIDE + LC_KEY]!;
      const h = this.home((kj * 2.3283064365386963e-10) | 0, t[2 * j]!);
      // can entry j move to the hole? only if its home is not in (hole, j] (cyclically)
      const inRange = hole <= j ? h > hole && h <= j : h > hole || h <= j;
      if (!inRange) {
        t[2 * hole] = t[2 * j]!;
        t[2 * hole + 1] = v;
        hole = j;
      }
    }
    t[2 * hole + 1] = 0;
    this.size--;
  }

  /** The slots of every bound key, into `into` (at least `size` long); returns how many. */
  liveSlots(into: Int32Array): number {
    const t = this.t;
    let n = 0;
    for (let b = 1; b < t.length; b += 2) if (t[b] !== 0) into[n++] = t[b]! - 1;
    return n;
  }

  private rehash(): void {
    const old = this.t;
    const c = (this.mask + 1) * 2;
    const t = new Int32Array(2 * c);
    this.t = t;
    this.mask = c - 1;
    const lc = this.lc;
    for (let b = 0; b < old.length; b += 2) {
      const v = old[b + 1]!;
      if (v === 0) continue;
      const k = lc[(v - 1) * LC_STRIDE + LC_KEY]!;
      let i = this.home((k * 2.3283064365386963e-10) | 0, old[b]!);
      while (t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
      t[2 * i] = old[b]!;
      t[2 * i + 1] = v;
    }
  }
}
