/**
 * One line of a /proc/kallsyms text, `ADDR TYPE NAME[\tMODULE]` (kernel/kallsyms.c s_show), read in place from its
 * bytes: the address as two uint32 halves, no string and no BigInt made.
 */

const NL = 10;
const TAB = 9;
const BLANK = 32;
const TYPE_ABS = 65; // 'A'
const TYPE_ABS_LOCAL = 97; // 'a'

/** Value of the hex digit with character code c, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The line last read (one cursor reused for every line: no object per line). */
export class KallsymsLine {
  /** the address's high and low 32 bits */
  hi = 0;
  lo = 0;
  /** the end of ADDR: the blank before TYPE on a symbol line */
  q = 0;
  /** the line's end: its newline, or the text's end */
  eol = 0;

  /**
   * Reads the line starting at p; true when it is a code symbol: `ADDR T NAME` with an address not 0 and a type other
   * than A/a (absolute symbols are not code).
   */
  read(text: Uint8Array, p: number): boolean {
    const len = text.length;
    let hi = 0;
    let lo = 0;
    let q = p;
    for (; q < len; q++) {
      const d = hexDigit(text[q]!);
      if (d < 0) break;
      // shift the 64-bit hi:lo left by 4 and add d
      hi = ((hi << 4) | (lo >>> 28)) >>> 0;
      lo = ((lo << 4) | d) >>> 0;
    }
    let e = q;
    while (e < len && text[e] !== NL) e++;
    this.hi = hi;
    this.lo = lo;
    this.q = q;
    this.eol = e;
    if (q === p || q + 1 >= e || text[q] !== BLANK || (hi | lo) === 0) return false;
    const type = text[q + 1];
    return type !== TYPE_ABS && type !== TYPE_ABS_LOCAL;
  }

  /** Whether the line read is at or below hi:lo. */
  le(hi: number, lo: number): boolean {
    return this.hi < hi || (this.hi === hi && this.lo <= lo);
  }

  /** The symbol line read's name: from after `ADDR T ` to a tab (before the module) or the line's end. */
  name(text: Buffer): string {
    const start = this.q + 3;
    let end = start;
    while (end < this.eol && text[end] !== TAB) end++;
    return text.toString('utf8', start, Math.min(end, this.eol));
  }
}
