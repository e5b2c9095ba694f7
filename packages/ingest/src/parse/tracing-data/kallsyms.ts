/**
 * /proc/kallsyms (embedded in trace.dat) → `sym+0xoff` for %pS arguments, as libtraceevent's
 * tep_find_function / print_str_arg do: the nearest symbol at or below the address.
 *
 * The text is 5+ MB (100k+ lines): it is read in place, as bytes — addresses as two uint32 halves, names as
 * offsets into the text, made strings only when an address resolves to them — so a trace with one %pS field does
 * not pay for a string and a BigInt per kernel symbol, nor for the text as one string.
 */
export interface Kallsyms {
  resolve(addr: bigint): string | undefined;
  size: number;
}

/** Value of the hex digit with character code c, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Symbols as columns, in the text's order (code symbols only, address not 0). Sized by the text's lines (scan), an
 * upper bound: grown from 16 Ki rows instead, the four columns of a 130 k-symbol text were copied four times, and
 * every copy faulted in fresh pages (~500 page faults of a trace.dat read, ~13 µs each on the bench VM).
 */
class SymbolColumns {
  n = 0;
  hi: Uint32Array;
  lo: Uint32Array;
  nameStart: Int32Array;
  nameEnd: Int32Array;

  constructor(capacity: number) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.nameStart = new Int32Array(capacity);
    this.nameEnd = new Int32Array(capacity);
  }

  /** (one per line of the text at most: within the capacity) */
  add(hi: number, lo: number, a: number, b: number): void {
    const i = this.n++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.nameStart[i] = a;
    this.nameEnd[i] = b;
  }
}

const NL = 10;
const TAB = 9;
const BLANK = 32;
const TYPE_ABS = 65; // 'A'
const TYPE_ABS_LOCAL = 97; // 'a'

/** `ADDR TYPE NAME[\tMODULE]` lines → columns (absolute symbols, type A/a, are not code). */
function scan(text: Uint8Array): SymbolColumns {
  const len = text.length;
  let lines = 1;
  for (let at = text.indexOf(NL); at >= 0; at = text.indexOf(NL, at + 1)) lines++;
  const cols = new SymbolColumns(lines);
  let p = 0;
  // the next tab at or after p (most lines have none: searched once, not once per line)
  let tab = -1;
  while (p < len) {
    let eol = text.indexOf(NL, p);
    if (eol < 0) eol = len;
    let hi = 0;
    let lo = 0;
    let q = p;
    for (; q < eol; q++) {
      const d = hexDigit(text[q]!);
      if (d < 0) break;
      // shift the 64-bit hi:lo left by 4 and add d
      hi = ((hi << 4) | (lo >>> 28)) >>> 0;
      lo = ((lo << 4) | d) >>> 0;
    }
    // a line `ADDR T NAME`: q is the blank after ADDR (q > p), the name starts at q + 3
    if (q > p && q + 1 < eol && text[q] === BLANK && (hi | lo) !== 0) {
      const type = text[q + 1];
      if (type !== TYPE_ABS && type !== TYPE_ABS_LOCAL) {
        if (tab !== -2 && tab < q + 3) tab = text.indexOf(TAB, q + 3);
        if (tab === -1) tab = -2; // no tab left in the text
        cols.add(hi, lo, q + 3, tab >= 0 && tab < eol ? tab : eol);
      }
    }
    p = eol + 1;
  }
  return cols;
}

/** Symbol indices by address, file order on ties. */
function addressOrder(c: SymbolColumns): Int32Array {
  const { hi, lo, n } = c;
  const order = new Int32Array(n);
  let sorted = true;
  let oneHi = true;
  for (let i = 1; i < n; i++) {
    if (sorted) sorted = hi[i - 1]! < hi[i]! || (hi[i - 1] === hi[i] && lo[i - 1]! <= lo[i]!);
    if (hi[i] !== hi[0]) oneHi = false;
  }
  if (sorted) {
    for (let i = 0; i < n; i++) order[i] = i;
  } else if (oneHi && n <= TIE_SPAN) {
    // one high half (kernel text and modules both lie at 0xffffffff........): lo * 2^21 + index is exact as a
    // double and orders by (lo, index), so a native numeric sort does it (no comparator call per step)
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = lo[i]! * TIE_SPAN + i;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! % TIE_SPAN;
  } else {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]! || a - b);
    order.set(idx);
  }
  return order;
}

const TIE_SPAN = 2 ** 21;

/**
 * Look-ups answered by one pass over the symbols before they are sorted by address: a trace resolves a few call
 * sites (the %pS users cache the text per address), and sorting 100k+ symbols cost more than those passes.
 */
const SCANNED_LOOKUPS = 32;

/** The symbol nearest at or below aHi:aLo (the last of equal addresses in file order), -1 if none: one pass. */
function nearestByScan(c: SymbolColumns, aHi: number, aLo: number): number {
  const { hi, lo, n } = c;
  let best = -1;
  let bestHi = 0;
  let bestLo = 0;
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    const l = lo[i]!;
    if (h > aHi || (h === aHi && l > aLo)) continue;
    if (best < 0 || h > bestHi || (h === bestHi && l >= bestLo)) {
      best = i;
      bestHi = h;
      bestLo = l;
    }
  }
  return best;
}

/** The same by binary search over the symbols in address order (file order on ties: the last of equals wins). */
function nearestBySearch(c: SymbolColumns, order: Int32Array, aHi: number, aLo: number): number {
  const { hi, lo } = c;
  const le = (i: number): boolean => hi[i]! < aHi || (hi[i] === aHi && lo[i]! <= aLo);
  let l = 0;
  let h = order.length - 1;
  if (h < 0 || !le(order[0]!)) return -1;
  while (l < h) {
    const mid = (l + h + 1) >> 1;
    if (le(order[mid]!)) l = mid;
    else h = mid - 1;
  }
  return order[l]!;
}

/**
 * The symbols of a /proc/kallsyms text: its UTF-8 bytes, the text, or a getter of the bytes' current view (text kept
 * in WebAssembly memory, whose views are remade once it grows: ../trace-dat/compression.ts Decompressor.kept).
 */
export function parseKallsyms(kallsyms: Buffer | string | (() => Buffer)): Kallsyms {
  const fixed = typeof kallsyms === 'string' ? Buffer.from(kallsyms, 'utf8') : kallsyms;
  const bytes = typeof fixed === 'function' ? fixed : (): Buffer => fixed;
  const c = scan(bytes());
  const { hi, lo } = c;
  // by address, file order on ties: made once the look-ups outnumber SCANNED_LOOKUPS
  let order: Int32Array | undefined;
  let lookups = 0;
  const name = (i: number): string => bytes().toString('utf8', c.nameStart[i]!, c.nameEnd[i]!);
  return {
    size: c.n,
    resolve(addr) {
      const aHi = Number(addr >> 32n);
      const aLo = Number(addr & 0xffffffffn);
      const i =
        ++lookups <= SCANNED_LOOKUPS
          ? nearestByScan(c, aHi, aLo)
          : nearestBySearch(c, (order ??= addressOrder(c)), aHi, aLo);
      if (i < 0) return undefined;
      const off = addr - ((BigInt(hi[i]!) << 32n) | BigInt(lo[i]!));
      return off === 0n ? name(i) : `${name(i)}+0x${off.toString(16)}`;
    },
  };
}
