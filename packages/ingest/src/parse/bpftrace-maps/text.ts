/**
 * bpftrace's text output of maps at exit: `@name: 12`, `@name[key, key]: 12`, `@name: count 3, average 2,
 * total 6` (stats), and `@name[key]: ` followed by bucket lines `[lo, hi)   count |@@@@|` (hist, lhist).
 * Bucket bounds use bpftrace's power-of-1024 suffixes (`[1K, 2K)`); `(..., 0)` and `[1500, ...)` are open.
 */
import type { BpftraceAggregate, HistBucket } from './types.js';

const MAP_LINE = /^(@\w*)(?:\[(.*)\])?:(?:[ \t]+(.*?))?[ \t]*$/;
const STATS = /^count (-?\d+), average (-?\d+), total (-?\d+)$/;
const BUCKET = /^[ \t]*([[(])([^,\])]+)(?:,\s*([^\])]+))?([\])])\s+(\d+)\s*\|/;
// bpftrace's own lines, and what a paste keeps around them: the shell command that ran it, the ^C that ended it
const BANNER = /^(?:Attaching \d+ probes?\.\.\.|Attached \d+ probes?|Lost \d+ events|\^C|[#$] .*bpftrace.*)\s*$/;
// bpftrace before 0.9 printed the suffixes in lower case (`[1k, 2k)`)
const SUFFIX: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/** A bucket bound as bpftrace prints it (`512`, `1K`, `-8`, `...`); null for `...`, NaN when unreadable. */
function boundOf(s: string): number | null {
  const t = s.trim();
  if (t === '...') return null;
  const m = /^(-?\d+)([KMGTPkmgtp]?)$/.exec(t);
  return m ? Number(m[1]) * (m[2] ? SUFFIX[m[2].toUpperCase()]! : 1) : Number.NaN;
}

/** One bucket line as inclusive [lo, hi] (JSON's min/max), or null when the line is not a bucket. */
export function bucketOfLine(s: string): HistBucket | null {
  const m = BUCKET.exec(s);
  if (!m) return null;
  const lo = boundOf(m[2]!);
  const hiText = m[3];
  const count = Number(m[5]);
  if (hiText === undefined) {
    // `[4]`: a single value (hist's 0 and 1 buckets)
    return lo === null || Number.isNaN(lo) ? null : { lo, hi: lo, count };
  }
  const hi = boundOf(hiText);
  if (Number.isNaN(lo as number) || Number.isNaN(hi as number)) return null;
  // `[lo, hi)` holds lo..hi-1; `(..., 0)` holds everything below 0
  return { lo: m[1] === '(' ? null : lo, hi: hi === null ? null : m[4] === ')' ? hi - 1 : hi, count };
}

export interface TextAggregateLine {
  entry: BpftraceAggregate | null;
  /** the entry is a histogram whose buckets follow on the next lines */
  opensHist: boolean;
}

/** A `@map…:` line, or null when the line is not one. */
export function mapLineOf(s: string, line: number): TextAggregateLine | null {
  const m = MAP_LINE.exec(s);
  if (!m) return null;
  const map = m[1]!;
  const key = m[2] === undefined ? [] : m[2].split(', ');
  const rest = m[3] ?? '';
  if (rest === '') return { entry: { kind: 'hist', buckets: [], map, key, line }, opensHist: true };
  const st = STATS.exec(rest);
  if (st) {
    const [count, average, total] = [Number(st[1]), Number(st[2]), Number(st[3])];
    return { entry: { kind: 'stats', count, average, total, map, key, line }, opensHist: false };
  }
  if (/^-?\d+$/.test(rest)) return { entry: { kind: 'value', value: Number(rest), map, key, line }, opensHist: false };
  return null;
}

/** bpftrace's own lines around the maps: the attach banner, a lost-events notice. */
export function isBannerLine(s: string): boolean {
  return BANNER.test(s);
}
