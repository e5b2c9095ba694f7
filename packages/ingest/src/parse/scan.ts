/**
 * Hand-written scanners over a line string (no regex, no substrings in the hot path).
 * Numbers come back as JS numbers (NaN on error); 64-bit values are written as two uint32 halves.
 */

const CH_SPACE = 32;
const CH_TAB = 9;
export const CH_SLASH = 47;
const CH_0 = 48;
const CH_9 = 57;
export const CH_DOT = 46;
export const CH_COLON = 58;
export const CH_EQ = 61;
export const CH_MINUS = 45;
export const CH_LBRACK = 91;
export const CH_RBRACK = 93;
const CH_LPAREN = 40;
export const CH_HASH = 35;

export function isSpace(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB;
}
export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** Skip spaces/tabs from i; returns the first non-space index (or end). */
export function skipSpaces(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== CH_SPACE && c !== CH_TAB) break;
    i++;
  }
  return i;
}

/** Index of the first space/tab at or after i (or end). */
export function tokenEnd(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === CH_SPACE || c === CH_TAB) break;
    i++;
  }
  return i;
}

/** Unsigned decimal in [a, b): NaN if empty or not all digits. Exact up to 2^53. */
export function parseUDec(s: string, a: number, b: number): number {
  if (a >= b) return NaN;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - CH_0;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Signed decimal in [a, b). */
export function parseDec(s: string, a: number, b: number): number {
  if (a < b && s.charCodeAt(a) === CH_MINUS) return -parseUDec(s, a + 1, b);
  return parseUDec(s, a, b);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** `0x`-prefixed (or bare) hex, up to 32 bits: NaN on error. */
function parseHex32(s: string, a: number, b: number): number {
  if (b - a >= 2 && s.charCodeAt(a) === CH_0 && (s.charCodeAt(a + 1) | 0x20) === 120) a += 2;
  if (a >= b || b - a > 8) {
    // allow leading zeros beyond 8 digits
    while (b - a > 8 && s.charCodeAt(a) === CH_0) a++;
    if (a >= b || b - a > 8) return NaN;
  }
  let v = 0;
  for (let i = a; i < b; i++) {
    const h = hexVal(s.charCodeAt(i));
    if (h < 0) return NaN;
    v = v * 16 + h;
  }
  return v;
}

/** `0x…` hex or decimal, 32-bit. */
export function parseNum32(s: string, a: number, b: number): number {
  if (b - a >= 2 && s.charCodeAt(a) === CH_0 && (s.charCodeAt(a + 1) | 0x20) === 120) return parseHex32(s, a, b);
  return parseDec(s, a, b);
}

/** Result of parsing a printed pointer. */
export const Ptr = {
  Invalid: 0,
  /** raw kernel address (`0xffff…`, or bare 16 hex digits with the top half set) */
  Raw: 1,
  /** ftrace-hashed `%p` (bare hex, upper 32 bits zero, non-zero) — lib/vsprintf.c ptr_to_id() keeps 32 bits */
  Hashed: 2,
  /** NULL: `(nil)`, `0x0`, `0000000000000000` */
  Null: 3,
  /** `(ptrval)` / `(____ptrval____)`: hashing not ready; or shortened in a paste (`...`, `…`): value unknown */
  Unknown: 4,
} as const;
export type Ptr = (typeof Ptr)[keyof typeof Ptr];

/**
 * Parse a pointer in [a, b) into out32[2*r] (low) and out32[2*r+1] (high).
 * Returns the kind; Unknown/Invalid leave the slot untouched.
 */
/**
 * Store a parsed pointer's halves and classify it: NULL, an ftrace-hashed `%p` (16 digits with the upper half zero:
 * hashing keeps 32 bits; also behind a `0x` of a `0x%p` format or a paste, since a raw 64-bit kernel address has the
 * upper half set and perf prints raw values unpadded) or a raw kernel address (the WebAssembly kernel,
 * ../../wasm/lines.ts ptrValue, classifies the same way).
 */
function storePtr(lo: number, hi: number, _prefixed: boolean, digits: number, out32: Uint32Array, r: number): Ptr {
  out32[2 * r] = lo;
  out32[2 * r + 1] = hi;
  if (lo === 0 && hi === 0) return Ptr.Null;
  if (hi === 0 && digits === 16) return Ptr.Hashed;
  return Ptr.Raw;
}

/** A pointer shortened in a paste (`...`, `0xffff…1234`): its value is unknown, not wrong. */
function elided(s: string, a: number, b: number): boolean {
  const t = s.slice(a, b);
  return t.indexOf('...') >= 0 || t.indexOf('…') >= 0;
}

export function parsePtr(s: string, a: number, b: number, out32: Uint32Array, r: number): Ptr {
  const n = b - a;
  if (n <= 0) return Ptr.Invalid;
  const c0 = s.charCodeAt(a);
  if (c0 === CH_LPAREN) {
    // (nil), (null), (ptrval), (____ptrval____)
    const t = s.slice(a, b);
    if (t === '(nil)' || t === '(null)') {
      out32[2 * r] = 0;
      out32[2 * r + 1] = 0;
      return Ptr.Null;
    }
    if (t.indexOf('ptrval') >= 0) return Ptr.Unknown;
    return Ptr.Invalid;
  }
  let prefixed = false;
  if (n >= 2 && c0 === CH_0 && (s.charCodeAt(a + 1) | 0x20) === 120) {
    a += 2;
    prefixed = true;
  }
  const digits = b - a;
  if (digits <= 0 || digits > 16) return elided(s, a, b) ? Ptr.Unknown : Ptr.Invalid;
  let lo = 0;
  let hi = 0;
  const split = b - 8; // last 8 digits are the low half
  for (let i = a; i < b; i++) {
    const h = hexVal(s.charCodeAt(i));
    if (h < 0) return elided(s, a, b) ? Ptr.Unknown : Ptr.Invalid;
    if (i < split) hi = hi * 16 + h;
    else lo = lo * 16 + h;
  }
  return storePtr(lo, hi, prefixed, digits, out32, r);
}

/**
 * Unsigned decimal of up to 20 digits into out32[2r], out32[2r+1] (exact uint64). Returns false on error.
 * Used for bpftrace `nsecs` and dql `now` (jiffies).
 */
export function parseU64Dec(s: string, a: number, b: number, out32: Uint32Array, r: number): boolean {
  const n = b - a;
  if (n <= 0 || n > 20) return false;
  if (n <= 15) {
    const v = parseUDec(s, a, b);
    if (v !== v) return false;
    {
      // exact below 2^53; `%` on doubles is a slow fmod call
      const hi = Math.floor(v / 4294967296);
      out32[2 * r] = v - hi * 4294967296;
      out32[2 * r + 1] = hi;
    }
    return true;
  }
  // high part (first n-9 digits) * 1e9 + low 9 digits, done exactly in BigInt (rare: > 10^15)
  for (let i = a; i < b; i++) if (!isDigit(s.charCodeAt(i))) return false;
  const v = BigInt(s.slice(a, b));
  if (v > 0xffffffffffffffffn) return false;
  out32[2 * r] = Number(v & 0xffffffffn);
  out32[2 * r + 1] = Number(v >> 32n);
  return true;
}

/**
 * Whole seconds and the fraction already scaled to ns (both exact integers) into exact ns, as uint32 halves: no
 * floating point error (BigInt only when the result passes 2^53); false past the s64 range of ts_ns.
 */
function storeSecsFracNs(secs: number, fracNs: number, out32: Uint32Array, r: number): boolean {
  const ns = secs * 1e9 + fracNs;
  if (ns <= Number.MAX_SAFE_INTEGER) {
    // exact below 2^53; `%` on doubles is a slow fmod call
    const hi = Math.floor(ns / 4294967296);
    out32[2 * r] = ns - hi * 4294967296;
    out32[2 * r + 1] = hi;
    return true;
  }
  const v = BigInt(secs) * 1_000_000_000n + BigInt(fracNs);
  // ts_ns is s64 (ktime_t): a later time is refused, not wrapped
  if (v > 0x7fffffffffffffffn) return false;
  out32[2 * r] = Number(v & 0xffffffffn);
  out32[2 * r + 1] = Number(v >> 32n);
  return true;
}

/**
 * `secs.frac` (1..9 fractional digits) into exact ns, as uint32 halves. No floating point: the integer
 * seconds and the scaled fraction are combined exactly (BigInt only when the result passes 2^53).
 */
export function parseSecsDotFrac(s: string, a: number, b: number, out32: Uint32Array, r: number): boolean {
  let dot = -1;
  for (let i = a; i < b; i++) {
    if (s.charCodeAt(i) === CH_DOT) {
      dot = i;
      break;
    }
  }
  if (dot < 0) return false;
  // more than 10 digits of seconds is past 2^63 ns (and past what a double holds exactly)
  if (dot - a > 10) return false;
  const secs = parseUDec(s, a, dot);
  const fd = b - dot - 1;
  if (secs !== secs || fd < 1 || fd > 9) return false;
  let frac = parseUDec(s, dot + 1, b);
  if (frac !== frac) return false;
  for (let k = fd; k < 9; k++) frac *= 10;
  return storeSecsFracNs(secs, frac, out32, r);
}

/** Same as parseSecsDotFrac but for a plain `NNNN.NNNus`/`NNNNus` latency-format stamp (µs since buffer start). */
export function parseMicros(s: string, a: number, b: number, out32: Uint32Array, r: number): boolean {
  let dot = -1;
  for (let i = a; i < b; i++) if (s.charCodeAt(i) === CH_DOT) dot = i;
  const us = parseUDec(s, a, dot < 0 ? b : dot);
  if (us !== us) return false;
  let fracNs = 0;
  if (dot >= 0) {
    const fd = b - dot - 1;
    if (fd < 1 || fd > 3) return false;
    fracNs = parseUDec(s, dot + 1, b);
    if (fracNs !== fracNs) return false;
    for (let k = fd; k < 3; k++) fracNs *= 10;
  }
  const ns = us * 1000 + fracNs;
  if (ns > Number.MAX_SAFE_INTEGER) return false;
  {
    // exact below 2^53; `%` on doubles is a slow fmod call
    const hi = Math.floor(ns / 4294967296);
    out32[2 * r] = ns - hi * 4294967296;
    out32[2 * r + 1] = hi;
  }
  return true;
}
