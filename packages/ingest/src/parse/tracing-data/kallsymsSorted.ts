/**
 * /proc/kallsyms symbols sorted by address once, for a text of many ascending runs (every module's symbols in its
 * own order: ./kallsyms.ts looks up by run otherwise). Columns of the code symbols' address halves and line starts,
 * a second pass over the text (the first counted them), then a binary search per look-up.
 */
import { KallsymsLine } from './kallsymsLine.js';

/** The line start of the symbol nearest at or below aHi:aLo, -1 if none; `line` is left on it. */
export type SymbolLookup = (text: Uint8Array, aHi: number, aLo: number, line: KallsymsLine) => number;

/** Code symbols as columns, in the text's order. */
interface SymbolColumns {
  n: number;
  hi: Uint32Array;
  lo: Uint32Array;
  lineStart: Int32Array;
}

function columns(text: Uint8Array, n: number): SymbolColumns {
  const c: SymbolColumns = { n: 0, hi: new Uint32Array(n), lo: new Uint32Array(n), lineStart: new Int32Array(n) };
  const line = new KallsymsLine();
  for (let p = 0; p < text.length && c.n < n; p = line.eol + 1) {
    if (!line.read(text, p)) continue;
    c.hi[c.n] = line.hi;
    c.lo[c.n] = line.lo;
    c.lineStart[c.n++] = p;
  }
  return c;
}

const TIE_SPAN = 2 ** 21;

/** Symbol indices by address, file order on ties. */
function addressOrder(c: SymbolColumns): Int32Array {
  const { hi, lo, n } = c;
  const order = new Int32Array(n);
  let oneHi = true;
  for (let i = 1; i < n; i++) if (hi[i] !== hi[0]) oneHi = false;
  if (oneHi && n <= TIE_SPAN) {
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

/** Look-ups by binary search over the n code symbols of text in address order (the last of equals wins). */
export function sortedKallsyms(text: Uint8Array, n: number): SymbolLookup {
  const c = columns(text, n);
  const order = addressOrder(c);
  const { hi, lo } = c;
  return (view, aHi, aLo, line) => {
    const le = (i: number): boolean => hi[i]! < aHi || (hi[i] === aHi && lo[i]! <= aLo);
    let l = 0;
    let h = order.length - 1;
    if (h < 0 || !le(order[0]!)) return -1;
    while (l < h) {
      const mid = (l + h + 1) >> 1;
      if (le(order[mid]!)) l = mid;
      else h = mid - 1;
    }
    const p = c.lineStart[order[l]!]!;
    line.read(view, p);
    return p;
  };
}
