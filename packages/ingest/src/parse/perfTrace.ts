/**
 * `perf trace` output (tools/perf/builtin-trace.c), format 'perf-trace'. Timestamps are milliseconds since the
 * start of the session (trace__fprintf_tstamp: `%10.3f` of (t - base_time) / NSEC_PER_MSEC), so ts_ns counts from
 * the first event; there is no CPU column. Two field layouts:
 *
 *   old (libtraceevent print fmt, glued to the name):
 *     `     0.000 net:net_dev_queue:dev=docker0 skbaddr=0xffff96d481988700 len=98)`
 *     `     0.000 ( 0.000 ms): ping/1234 net:net_dev_queue:dev=docker0 skbaddr=… len=98`
 *   new (trace__fprintf_tp_fields: the raw tracepoint fields as `name: value`):
 *     `     0.000 ping/8497 net:net_dev_queue(skbaddr: 0xffff90d9726a5600, len: 98, name: "wlp2s0")`
 *
 * The new layout prints the raw field names, so `name`/`dev_name` (the `__string(name, dev->name)` of net/ and
 * napi tracepoints) become the `dev` column. Syscall lines (`connect(fd: 5, …) = 0`) are events not modelled:
 * their text is kept in `raw`.
 */
import type { RowColumns } from '../table/rows.js';
import { canonicalEvent, eventId, parseFields } from './fields.js';
import { PID_MAX } from './fieldKeys.js';
import { LineKind, type LineParser, type LineResult } from './formats.js';

/** 1 ms, 2 comm, 3 tid, 4 event (`sys:name` or a bare syscall name), 5 `:` or `(` */
const LINE_RE =
  /^\s*(\d+\.\d+)\s+(?:\(\s*[\d.]+\s*ms\):\s+)?(?:(\S(?:.*?\S)?)\/(\d+)\s+)?([\w.-]+:[\w.-]+(?=[:(])|[\w.-]+(?=\())([:(])/;

/** A `perf trace` event line (for the sniffer). */
export function isPerfTraceLine(line: string): boolean {
  return LINE_RE.test(line);
}

/** `ms.frac` milliseconds as exact nanoseconds into out32[2r], out32[2r+1]; false when it does not fit. */
function parseMillis(ms: string, out32: Uint32Array, r: number): boolean {
  const dot = ms.indexOf('.');
  const frac = ms.slice(dot + 1);
  if (frac.length > 6) return false;
  const ns = BigInt(ms.slice(0, dot)) * 1_000_000n + BigInt(frac.padEnd(6, '0'));
  if (ns > 0x7fffffffffffffffn) return false; // ts_ns is s64: refused, not wrapped
  out32[2 * r] = Number(ns & 0xffffffffn);
  out32[2 * r + 1] = Number(ns >> 32n);
  return true;
}

/** Raw tracepoint field names of the new layout that name a column by another key. */
const FIELD_KEY: Record<string, string> = { name: 'dev', dev_name: 'dev' };

/**
 * `(a: 1, b: "x y", c: { .f: 2 })` → `a=1 b=x_y`: top-level `name: value` pairs as key=value tokens for
 * parseFields (quotes dropped; a value with spaces or a struct is not a column value and is left out).
 */
function namedFieldsToKeyValues(s: string, a: number, b: number): string {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = a;
  const flush = (end: number): void => {
    const item = s.slice(start, end).trim();
    const colon = item.indexOf(':');
    if (colon > 0) {
      const key = item.slice(0, colon).trim();
      let value = item.slice(colon + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (/^[\w.-]+$/.test(key) && value !== '' && !/[\s{}]/.test(value))
        parts.push(`${FIELD_KEY[key] ?? key}=${value}`);
      else if (/^[\w.-]+$/.test(key) && value === '') parts.push(`${FIELD_KEY[key] ?? key}=`);
    }
    start = end + 1;
  };
  for (let i = a; i < b; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) flush(i);
  }
  flush(b);
  return parts.join(' ');
}

function fail(out: LineResult, message: string): LineKind {
  out.message = message;
  return LineKind.Error;
}

export const parsePerfTraceLine: LineParser = (s: string, cols: RowColumns, r: number, out: LineResult) => {
  const t = s.trim();
  if (t === '' || t.startsWith('#')) return LineKind.Comment;
  const m = LINE_RE.exec(s);
  if (m === null) return fail(out, 'not a perf trace event line (expected "<ms> [comm/tid] sys:event…")');
  if (!parseMillis(m[1]!, cols.halves.ts_ns, r)) return fail(out, 'bad timestamp');
  cols.valid.ts_ns[r] = 1;
  if (m[3] !== undefined) {
    if (Number(m[3]) > PID_MAX) return fail(out, `pid ${m[3]} out of range (s32)`);
    cols.values.pid[r] = Number(m[3]);
    cols.valid.pid[r] = 1;
    cols.setDict('comm', r, m[2]!);
  }
  const printed = m[4]!;
  const name = canonicalEvent(printed);
  const ev = eventId(name);
  cols.setDict('event', r, name);
  const fieldsA = m[0].length;
  let fieldsB = s.length;
  while (fieldsB > fieldsA && /\s/.test(s[fieldsB - 1]!)) fieldsB--;
  let text: string;
  if (m[5] === '(') {
    // new layout: `(…)`, and for syscalls `(…) = ret`
    const close = s.lastIndexOf(')', fieldsB);
    if (ev < 0) {
      cols.raw[r] = s.slice(fieldsA - 1, fieldsB);
      cols.valid.raw[r] = 1;
      return LineKind.Event;
    }
    if (close < fieldsA) return fail(out, `${name}: no ')' after the fields`);
    text = namedFieldsToKeyValues(s, fieldsA, close);
  } else {
    // old layout: the print fmt text; perf closed it with a ')' of an argument list it never opened
    if (s[fieldsB - 1] === ')' && s.lastIndexOf('(', fieldsB) < fieldsA) fieldsB--;
    text = s.slice(fieldsA, fieldsB);
  }
  const err = parseFields(cols, r, ev, text, 0, text.length);
  if (err !== null) return fail(out, `${name}: ${err}`);
  return LineKind.Event;
};
