/**
 * Byte-level scanners: the same grammar as ./scan.ts, but over the raw UTF-8 bytes of a chunk, so the hot path
 * decodes no line to a JS string. Every field the parsers look at is delimited by ASCII bytes (space, '=',
 * ':', '[', ']'), and UTF-8 never uses bytes < 0x80 inside a multi-byte character, so a byte slice between
 * two ASCII delimiters decodes to exactly the substring the string parser would have taken.
 */
import { Ptr, storePtr, storeSecsFracNs } from './scan.js';
import type { StringDictionary } from '../table/rows.js';

const NAN = NaN;

/** Unsigned decimal in buf[a, b): NaN if empty or not all digits. Exact up to 2^53. */
export function bUDec(buf: Uint8Array, a: number, b: number): number {
  if (a >= b) return NAN;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return NAN;
    v = v * 10 + c;
  }
  return v;
}

/** byte → hex digit value, -1 for non-hex bytes */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[97 + c] = 10 + c;
  HEX[65 + c] = 10 + c;
}
function hexVal(c: number): number {
  return HEX[c]!;
}

function bytesEqualAscii(buf: Uint8Array, a: number, b: number, s: string): boolean {
  if (b - a !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[a + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Pointer (scan.ts parsePtr) from bytes into out32[2r], out32[2r+1]. */
export function bPtr(buf: Uint8Array, a: number, b: number, out32: Uint32Array, r: number): Ptr {
  const n = b - a;
  if (n <= 0) return Ptr.Invalid;
  const c0 = buf[a]!;
  if (c0 === 40 /* ( */) {
    if (bytesEqualAscii(buf, a, b, '(nil)') || bytesEqualAscii(buf, a, b, '(null)')) {
      out32[2 * r] = 0;
      out32[2 * r + 1] = 0;
      return Ptr.Null;
    }
    // `ptrval` anywhere inside the parentheses
    for (let i = a; i + 6 <= b; i++) if (bytesEqualAscii(buf, i, i + 6, 'ptrval')) return Ptr.Unknown;
    return Ptr.Invalid;
  }
  const prefixed = n >= 2 && c0 === 48 && (buf[a + 1]! | 0x20) === 120;
  const d0 = prefixed ? a + 2 : a;
  const digits = b - d0;
  if (digits <= 0 || digits > 16) return Ptr.Invalid;
  let lo = 0;
  let hi = 0;
  for (let i = d0; i < b; i++) {
    const h = hexVal(buf[i]!);
    if (h < 0) return Ptr.Invalid;
    // shift the 64-bit value left by one digit, as fast.ts ptrValue does: the top digit of `lo` moves into `hi`
    hi = hi * 16 + (lo >>> 28);
    lo = (((lo & 0x0fffffff) << 4) | h) >>> 0;
  }
  return storePtr(lo, hi, prefixed, digits, out32, r);
}

/** Unsigned decimal of up to 20 digits as exact uint64 halves (scan.ts parseU64Dec). */
export function bU64Dec(buf: Uint8Array, a: number, b: number, out32: Uint32Array, r: number): boolean {
  const n = b - a;
  if (n <= 0 || n > 20) return false;
  if (n <= 15) {
    const v = bUDec(buf, a, b);
    if (v !== v) return false;
    {
      // exact below 2^53; `%` on doubles is a slow fmod call
      const hi = Math.floor(v / 4294967296);
      out32[2 * r] = v - hi * 4294967296;
      out32[2 * r + 1] = hi;
    }
    return true;
  }
  let v = 0n;
  for (let i = a; i < b; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return false;
    v = v * 10n + BigInt(c);
  }
  if (v > 0xffffffffffffffffn) return false;
  out32[2 * r] = Number(v & 0xffffffffn);
  out32[2 * r + 1] = Number(v >> 32n);
  return true;
}

/** `secs.frac` (1..9 fractional digits) into exact ns halves, no floating point (scan.ts parseSecsDotFrac). */
export function bSecsDotFrac(buf: Uint8Array, a: number, b: number, out32: Uint32Array, r: number): boolean {
  let dot = -1;
  for (let i = a; i < b; i++) {
    if (buf[i] === 46) {
      dot = i;
      break;
    }
  }
  if (dot < 0) return false;
  const secs = bUDec(buf, a, dot);
  const fd = b - dot - 1;
  if (secs !== secs || fd < 1 || fd > 9) return false;
  let frac = bUDec(buf, dot + 1, b);
  if (frac !== frac) return false;
  for (let k = fd; k < 9; k++) frac *= 10;
  return storeSecsFracNs(secs, frac, out32, r);
}

const utf8 = new TextDecoder('utf-8');
/** Decode buf[a, b) (replacement characters for invalid UTF-8, like the streaming decoder). */
export function decodeSlice(buf: Uint8Array, a: number, b: number): string {
  return utf8.decode(buf.subarray(a, b));
}

/**
 * Byte-slice → dictionary index cache in front of one StringDictionary: a repeated comm/dev/location costs a
 * hash and a byte compare, no string. Open addressing over (hash, offset, length, index); the key bytes live
 * in one growing store. A string is decoded only the first time its bytes are seen.
 */
export class ByteDict {
  private slots: Int32Array; // per slot: index+1 into entries, 0 = empty
  private mask: number;
  private hashes: Int32Array = new Int32Array(64);
  private offs: Int32Array = new Int32Array(64);
  private lens: Int32Array = new Int32Array(64);
  private ids: Int32Array = new Int32Array(64);
  private count = 0;
  private store: Uint8Array = new Uint8Array(4096);
  private storeLen = 0;

  constructor(readonly dict: StringDictionary) {
    this.slots = new Int32Array(256);
    this.mask = 255;
  }

  /** the entry returned last: consecutive lines often repeat it (same task, same device) */
  private last = -1;

  /** Dictionary index of the string in buf[a, b). */
  get(buf: Uint8Array, a: number, b: number): number {
    // small, so that the parsers inline it: the entry returned last, else the hash table (lookup)
    const len = b - a;
    const last = this.last;
    if (last >= 0 && this.lens[last] === len) {
      const o = this.offs[last]!;
      const st = this.store;
      let i = 0;
      while (i < len && st[o + i] === buf[a + i]) i++;
      if (i === len) return this.ids[last]!;
    }
    return this.lookup(buf, a, b);
  }

  private lookup(buf: Uint8Array, a: number, b: number): number {
    const len = b - a;
    let h = 0x811c9dc5 ^ len;
    for (let i = a; i < b; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    let s = h & this.mask;
    for (;;) {
      const e = this.slots[s]!;
      if (e === 0) break;
      const k = e - 1;
      if (this.hashes[k] === h && this.lens[k] === len) {
        const o = this.offs[k]!;
        const st = this.store;
        let same = true;
        for (let i = 0; i < len; i++) {
          if (st[o + i] !== buf[a + i]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.last = k;
          return this.ids[k]!;
        }
      }
      s = (s + 1) & this.mask;
    }
    return this.insert(buf, a, b, h, s);
  }

  private insert(buf: Uint8Array, a: number, b: number, h: number, slot: number): number {
    const id = this.dict.intern(decodeSlice(buf, a, b));
    const len = b - a;
    if (this.storeLen + len > this.store.length) {
      const ns = new Uint8Array(Math.max(this.store.length * 2, this.storeLen + len));
      ns.set(this.store.subarray(0, this.storeLen));
      this.store = ns;
    }
    this.store.set(buf.subarray(a, b), this.storeLen);
    const k = this.count++;
    if (k >= this.ids.length) {
      const grow = (x: Int32Array): Int32Array => {
        const y = new Int32Array(x.length * 2);
        y.set(x);
        return y;
      };
      this.hashes = grow(this.hashes);
      this.offs = grow(this.offs);
      this.lens = grow(this.lens);
      this.ids = grow(this.ids);
    }
    this.hashes[k] = h;
    this.offs[k] = this.storeLen;
    this.lens[k] = len;
    this.ids[k] = id;
    this.storeLen += len;
    this.slots[slot] = k + 1;
    this.last = k;
    if (this.count * 2 > this.mask) this.rehash();
    return id;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let k = 0; k < this.count; k++) {
      let s = this.hashes[k]! & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = k + 1;
    }
  }
}
