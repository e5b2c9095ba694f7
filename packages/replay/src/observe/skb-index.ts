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
import { hiWord, nextBucket } from '../input/ptrmap.js';

export const LC_STRIDE = 8;
export const LC_KEY = 0;

/**
 * The lifecycle pool and index table of the last finished pass, for the next pass in this process (a `report` of
 * many runs, a benchmark's repeated replays): fresh pages cost a fault each (~13 µs on the machines measured), and a
 * 5 M-event replay touches ~4 000 of them in these two arrays (16 MiB of pool sized for the trace, 4 MiB of table).
 * A pass takes them (another pass running meanwhile allocates its own) and gives them back when it is finished.
 */
let sparePool: Float64Array | null = null;
let spareTable: Int32Array | null = null;

/** A pool of at least `length` values (up to 4× that when a spare is reused): its records are written before read. */
export function takePool(length: number): Float64Array {
  const p = sparePool;
  if (p !== null && p.length >= length && p.length <= 4 * length) {
    sparePool = null;
    return p;
  }
  return new Float64Array(length);
}

/** Hand a finished pass's pool (and its index's table) to the next pass. */
export function givePool(pool: Float64Array, index: SkbIndex): void {
  sparePool = pool;
  spareTable = index.retire();
}

/** A zeroed table of exactly `length` values (zero: empty bucket). */
function takeTable(length: number): Int32Array {
  const t = spareTable;
  if (t !== null && t.length === length) {
    spareTable = null;
    return t.fill(0);
  }
  return new Int32Array(length);
}

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
    this.t = takeTable(2 * c);
    this.mask = c - 1;
    this.lc = lc;
  }

  /** The table, for the next pass (givePool); this index is not used again. */
  retire(): Int32Array {
    const t = this.t;
    this.size = 0;
    return t;
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
    let i = (this.home(hiWord(k), lo) - 1) & mask;
    for (;;) {
      i = nextBucket(i, mask);
      const v = t[2 * i + 1]!;
      if (v === 0) return -1;
      if (t[2 * i] === lo && lc[(v - 1) * LC_STRIDE + LC_KEY] === k) return v - 1;
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
    let i = (this.home(hiWord(k), lo) - 1) & mask;
    for (;;) {
      i = nextBucket(i, mask);
      const v = t[2 * i + 1]!;
      if (v === 0) {
        t[2 * i] = lo;
        t[2 * i + 1] = slot + 1;
        lc[slot * LC_STRIDE + LC_KEY] = k;
        this.size++;
        return -1;
      }
      if (t[2 * i] === lo && lc[(v - 1) * LC_STRIDE + LC_KEY] === k) return v - 1;
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
    let i = (this.home(hiWord(k), lo) - 1) & mask;
    for (;;) {
      i = nextBucket(i, mask);
      const v = t[2 * i + 1]!;
      if (v === 0) return;
      if (t[2 * i] === lo && lc[(v - 1) * LC_STRIDE + LC_KEY] === k) break;
    }
    // backward shift: move later entries of the probe run into the hole
    let hole = i;
    let j = i;
    for (;;) {
      j = nextBucket(j, mask);
      const v = t[2 * j + 1]!;
      if (v === 0) break;
      const kj = lc[(v - 1) * LC_STRIDE + LC_KEY]!;
      const h = this.home(hiWord(kj), t[2 * j]!);
      // entry j moves to the hole unless its home is in (hole, j] (cyclically); it is written either way (onto itself
      // when it stays): stores made only on a move would have no type feedback when the pass is first optimized
      const stays = hole <= j ? h > hole && h <= j : h > hole || h <= j;
      const to = stays ? j : hole;
      t[2 * to] = t[2 * j]!;
      t[2 * to + 1] = v;
      hole = stays ? hole : j;
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
      let i = this.home(hiWord(k), old[b]!);
      while (t[2 * i + 1] !== 0) i = nextBucket(i, this.mask);
      t[2 * i] = old[b]!;
      t[2 * i + 1] = v;
    }
  }
}
