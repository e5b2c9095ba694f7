/**
 * TabSeparated encoding (ClickHouse's TSV dialect): the bulk path for every table. Values from traces
 * (comm, dev, location, raw…) are untrusted: they travel as escaped TSV data of a format-based INSERT,
 * never inside SQL text.
 */

const NEEDS_ESCAPE = /[\\\t\n\r\0\b\f]/;

/** Escape one string for a TSV field (backslash, tab, newline, CR, NUL, BS, FF). */
export function tsvEscape(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\0':
        out += '\\0';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** TSV for NULL. */
const TSV_NULL = '\\N';

export type TsvValue = string | number | bigint | boolean | null | undefined;

/** One field: null/undefined → \N, booleans → 0/1, strings escaped. */
function tsvField(v: TsvValue): string {
  if (v === null || v === undefined) return TSV_NULL;
  if (typeof v === 'string') return tsvEscape(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

export function tsvRow(values: TsvValue[]): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += '\t';
    s += tsvField(values[i]);
  }
  return s + '\n';
}

/**
 * Wall-clock text for the dashboard `time` columns, in UTC: `YYYY-MM-DD hh:mm:ss[.nnnnnnnnn]`.
 * Columns are declared with an explicit 'UTC' zone, so the server's own timezone never shifts them.
 * The date part is cached per second because consecutive events share it.
 */
export class WallClockFormatter {
  private lastSec = Number.NaN;
  private lastPrefix = '';
  constructor(
    /** DateTime64(9) (nanoseconds) vs DateTime (seconds, servers before 20.1) */
    private readonly nanos: boolean,
  ) {}

  format(epochNs: bigint): string {
    let sec = epochNs / 1_000_000_000n;
    let frac = epochNs % 1_000_000_000n;
    if (frac < 0n) {
      frac += 1_000_000_000n;
      sec -= 1n;
    }
    if (sec < 0n) {
      sec = 0n;
      frac = 0n;
    }
    return this.formatParts(Number(sec), Number(frac));
  }

  /** Same, from whole seconds since the epoch and nanoseconds 0..999999999 (no BigInt in the hot path). */
  formatParts(sec: number, fracNs: number): string {
    if (sec < 0) {
      sec = 0;
      fracNs = 0;
    }
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastPrefix = new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ');
    }
    if (!this.nanos) return this.lastPrefix;
    return this.lastPrefix + '.' + String(fracNs).padStart(9, '0');
  }
}
