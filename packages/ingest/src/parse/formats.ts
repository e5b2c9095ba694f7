/**
 * Line parsers, one per text format. Each writes the row header (ts, cpu, pid, comm, event) into the columns
 * and hands the field text to parseFields(). They return a LineKind; details (error text, lost count) go into
 * the shared `LineResult` so the hot path allocates nothing per line.
 *
 * Layouts (spec §H.3):
 *  perf script    `comm PID [CPU] secs.usecs: sys:event: fields`   (comm may contain spaces)
 *  ftrace         `comm-PID [CPU] FLAGS secs.usecs: event: fields` (0, 4 or 5 flag chars; optional `(tgid)`)
 *  trace-cmd      `comm-PID [CPU] secs.usecs: event:   fields`     (padded event column; first line `cpus=N`)
 *  latency        `comm-PID  CPUflags  ts: event: fields`          (ftrace latency-format, trace-cmd report -l)
 *  bpftrace       `ts_ns cpu pid comm sys:event key=value …`       (capture kit and the generic form)
 */
import type { RowColumns } from '../table/rows.js';
import { canonicalEvent, eventId, parseFields } from './fields.js';
import { CPU_MAX, I32_MAX, PID_MAX } from './fieldKeys.js';
import { matchLooseFtrace } from './ftraceLoose.js';
import {
  CH_COLON,
  CH_DOT,
  CH_HASH,
  CH_LBRACK,
  CH_MINUS,
  CH_SLASH,
  CH_RBRACK,
  isDigit,
  isSpace,
  parseMicros,
  parseSecsDotFrac,
  parseU64Dec,
  parseUDec,
  skipSpaces,
  tokenEnd,
} from './scan.js';

export const LineKind = { Event: 0, Comment: 1, Error: 2, Lost: 3 } as const;
export type LineKind = (typeof LineKind)[keyof typeof LineKind];

export interface LineResult {
  message: string;
  lost: number;
  /** the CPU whose buffer lost them (ftrace `CPU:N [LOST…]`, perf's PERF_RECORD_LOST line), -1 unknown */
  lostCpu: number;
  /** the lost record's own timestamp is in the row (perf's PERF_RECORD_LOST line): keep it for the marker */
  lostOwnTs: boolean;
  /** perf `# os release : …` and the like */
  kernel: string | null;
  /**
   * An event line: where its printed event name [evA, evB) and its field text (from fieldsA) are, so that
   * ./lines.ts can give the WebAssembly kernel that event's template (./template.ts)
   */
  evA: number;
  evB: number;
  fieldsA: number;
}

export type LineParser = (s: string, cols: RowColumns, r: number, out: LineResult) => LineKind;

function fail(out: LineResult, message: string): LineKind {
  out.message = message;
  return LineKind.Error;
}

/**
 * pid and cpu checked against their kernel types (pid_t s32; the cpu column int16, ./fieldKeys.ts): the error, or
 * null. The digits are s[ps, pe) and s(lb, rb) when the caller has them (for the message).
 */
function pidCpuRange(
  s: string,
  ps: number,
  pe: number,
  pid: number,
  lb: number,
  rb: number,
  cpu: number,
): string | null {
  if (pid > PID_MAX) return `pid ${pe > ps ? s.slice(ps, pe) : pid} out of range (s32)`;
  if (cpu > CPU_MAX) return `cpu ${rb > lb ? s.slice(lb + 1, rb) : cpu} out of range (at most ${CPU_MAX})`;
  return null;
}

/**
 * A lost-events record: `count` events lost on `cpu` (-1: unknown). Its marker row keeps the count in `packets`
 * (s32) and the CPU in `cpu`: a count or CPU outside them rejects the line.
 */
function lostRecord(out: LineResult, count: number, cpu: number): LineKind {
  if (!Number.isInteger(count) || count < 0 || count > I32_MAX)
    return fail(out, `lost-events count ${count} out of range (s32)`);
  if (cpu > CPU_MAX) return fail(out, `cpu ${cpu} out of range (at most ${CPU_MAX})`);
  out.lost = count;
  out.lostCpu = cpu;
  return LineKind.Lost;
}

/** Why a `secs.frac` timestamp s[a, b) was refused: past the s64 nanoseconds of ts_ns, or not one. */
function tsError(s: string, a: number, b: number): string {
  return /^\d+(\.\d{1,9})?(us)?$/.test(s.slice(a, b))
    ? `timestamp ${s.slice(a, b)} out of range (s64 ns)`
    : 'bad timestamp';
}

/** Recently seen event names as printed, their canonical names and ids: matched without allocating. */
const evPrinted: string[] = [];
const evCanonical: string[] = [];
const evIds: number[] = [];
function lookupEvent(s: string, a: number, b: number): number {
  const n = b - a;
  for (let k = 0; k < evPrinted.length; k++) {
    const p = evPrinted[k]!;
    if (p.length === n && s.startsWith(p, a)) return k;
  }
  const printed = s.slice(a, b);
  const name = canonicalEvent(printed);
  if (evPrinted.length >= 64) {
    evPrinted.length = 0;
    evCanonical.length = 0;
    evIds.length = 0;
  }
  evPrinted.push(printed);
  evCanonical.push(name);
  evIds.push(eventId(name));
  return evPrinted.length - 1;
}

/** Write the event name (canonical) and parse its fields. */
function finishEvent(
  s: string,
  cols: RowColumns,
  r: number,
  out: LineResult,
  evA: number,
  evB: number,
  fieldsA: number,
): LineKind {
  const k = lookupEvent(s, evA, evB);
  const name = evCanonical[k]!;
  out.evA = evA;
  out.evB = evB;
  out.fieldsA = fieldsA;
  cols.setDict('event', r, name);
  const err = parseFields(cols, r, evIds[k]!, s, fieldsA, s.length);
  if (err !== null) return fail(out, `${name}: ${err}`);
  return LineKind.Event;
}

/** A perf `-g` call-chain line: indented `ffffffff81234567 sym+0x12 (/path)`. */
function isCallchainLine(s: string, i: number): boolean {
  if (i === 0) return false;
  const e = tokenEnd(s, i, s.length);
  if (e - i < 6 || e >= s.length) return false;
  for (let k = i; k < e; k++) {
    const c = s.charCodeAt(k) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** An indented frame line `<hex ip> <sym> (<dso>)` whose ip may be as short as `0`. */
function isUserCallchainFrame(s: string, i: number): boolean {
  if (i === 0) return false;
  const e = tokenEnd(s, i, s.length);
  if (e === i || e >= s.length) return false;
  for (let k = i; k < e; k++) {
    const c = s.charCodeAt(k) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return s.trimEnd().endsWith(')');
}

function commentKernel(s: string, out: LineResult): void {
  // perf script --header: "# os release : 6.18.44-…"
  const m = /^#\s*os release\s*:\s*(\S+)/.exec(s);
  if (m) out.kernel = m[1] ?? null;
}

/** Find ` [digits]` from `from`; returns the index of '[' or -1, and the ']' index in `rb`. */
function findCpuBracket(s: string, from: number, res: { rb: number }): number {
  let k = from;
  for (;;) {
    const lb = s.indexOf('[', k);
    if (lb < 0) return -1;
    let j = lb + 1;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    if (j > lb + 1 && j < s.length && s.charCodeAt(j) === CH_RBRACK && lb > 0 && isSpace(s.charCodeAt(lb - 1))) {
      res.rb = j;
      return lb;
    }
    k = lb + 1;
  }
}
const bracket = { rb: 0 };

/** End index of a `secs.frac:` timestamp token starting at i (index of ':'), or -1. */
function timestampColon(s: string, i: number, end: number): number {
  let j = i;
  let sawDigit = false;
  let sawDot = false;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (isDigit(c)) sawDigit = true;
    else if (c === CH_DOT && !sawDot) sawDot = true;
    else break;
    j++;
  }
  if (!sawDigit || !sawDot || j >= end || s.charCodeAt(j) !== CH_COLON) return -1;
  return j;
}

/** Index of the ':' that ends the event name starting at i (followed by space or end of line), or -1. */
function eventColon(s: string, i: number, end: number): number {
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === CH_COLON && (j + 1 === end || isSpace(s.charCodeAt(j + 1)))) return j;
    if (isSpace(c)) return -1;
  }
  return -1;
}

/**
 * `perf script --show-lost-events`: `comm pid [cpu] secs.usecs: PERF_RECORD_LOST lost N` (and
 * PERF_RECORD_LOST_SAMPLES): the kernel wrote a LOST record into that CPU's ring buffer once it had room again
 * (perf_output_begin → perf_event_lost), so the N events were lost on that CPU before this time.
 */
function perfLost(s: string, evA: number, lb: number, rb: number, out: LineResult): LineKind {
  const m = /^PERF_RECORD_LOST(?:_SAMPLES)?\s+lost\s+(\d+)/.exec(s.slice(evA));
  if (!m) return fail(out, 'PERF_RECORD_LOST without a count');
  out.lostOwnTs = true;
  return lostRecord(out, Number(m[1]), parseUDec(s, lb + 1, rb));
}

export const parsePerfLine: LineParser = (s, cols, r, out) => {
  const end = s.length;
  const i = skipSpaces(s, 0, end);
  if (i === end) return LineKind.Comment;
  if (s.charCodeAt(i) === CH_HASH) {
    commentKernel(s, out);
    return LineKind.Comment;
  }
  if (isCallchainLine(s, i)) return LineKind.Comment;
  const lb = findCpuBracket(s, i, bracket);
  if (lb < 0) {
    // plain `perf record -g` also records user stacks, whose unresolved frames are short
    // (`\t               0 [unknown] ([unknown])`): an indented all-hex first token on a line without
    // a `[cpu]` column is a call-chain frame, not a broken event
    if (isUserCallchainFrame(s, i)) return LineKind.Comment;
    return fail(out, 'no [cpu] column');
  }
  const rb = bracket.rb;
  let pe = lb;
  while (pe > i && isSpace(s.charCodeAt(pe - 1))) pe--;
  let ps = pe;
  while (ps > i && isDigit(s.charCodeAt(ps - 1))) ps--;
  if (ps === pe) return fail(out, 'no pid before [cpu]');
  let pid = parseUDec(s, ps, pe);
  const cpu = parseUDec(s, lb + 1, rb);
  const range = pidCpuRange(s, ps, pe, pid, lb, rb, cpu);
  if (range !== null) return fail(out, range);
  if (ps > i && s.charCodeAt(ps - 1) === CH_MINUS) {
    // `:-1 -1` style unknown pid
    ps--;
    pid = -pid;
  }
  let ce = ps;
  // `perf script -F pid,tid`: `comm PID/TID [cpu]`: the TID (the task, as the default `comm TID [cpu]` shows) is
  // the pid column; the thread group's PID before the slash is not part of the comm
  if (ce > i && s.charCodeAt(ce - 1) === CH_SLASH) {
    let gs = ce - 1;
    while (gs > i && isDigit(s.charCodeAt(gs - 1))) gs--;
    if (gs < ce - 1 && (gs === i || isSpace(s.charCodeAt(gs - 1)))) ce = gs;
  }
  while (ce > i && isSpace(s.charCodeAt(ce - 1))) ce--;
  const tsA = skipSpaces(s, rb + 1, end);
  const tsColon = timestampColon(s, tsA, end);
  if (tsColon < 0) return fail(out, 'no secs.usecs: timestamp');
  if (!parseSecsDotFrac(s, tsA, tsColon, cols.halves.ts_ns, r)) return fail(out, tsError(s, tsA, tsColon));
  cols.valid.ts_ns[r] = 1;
  const evA = skipSpaces(s, tsColon + 1, end);
  if (s.startsWith('PERF_RECORD_LOST', evA)) return perfLost(s, evA, lb, rb, out);
  const evColon = eventColon(s, evA, end);
  if (evColon < 0 || evColon === evA) return fail(out, 'no event name');
  cols.values.pid[r] = pid;
  cols.valid.pid[r] = 1;
  cols.values.cpu[r] = cpu;
  cols.valid.cpu[r] = 1;
  if (ce > i) cols.setDict('comm', r, s.slice(i, ce));
  return finishEvent(s, cols, r, out, evA, evColon, evColon + 1);
};

const LATENCY_RE =
  /^\s*(.+?)-(\d+)\s+(\d+)(\S{4,6})\s+(\d+(?:\.\d+)?)(us)?\s*[!#$@*+ ]?\s*:\s+([\w.-]+(?::[\w.-]+)?):(?:\s+|$)/;

/**
 * An ftrace line whose task, CPU and/or flags columns were cut away (./ftraceLoose.ts): the columns it still has,
 * or `message` when it is not one either. Columns a failed full-layout attempt wrote are cleared first.
 */
function looseOr(s: string, cols: RowColumns, r: number, out: LineResult, message: string): LineKind {
  const m = matchLooseFtrace(s);
  if (m === null) return fail(out, message);
  const range = pidCpuRange(s, 0, 0, m.pid ?? 0, 0, 0, m.cpu ?? 0);
  if (range !== null) return fail(out, range);
  cols.valid.pid[r] = 0;
  cols.valid.cpu[r] = 0;
  cols.valid.comm[r] = 0;
  if (m.pid !== null) {
    cols.values.pid[r] = m.pid;
    cols.valid.pid[r] = 1;
  }
  if (m.cpu !== null) {
    cols.values.cpu[r] = m.cpu;
    cols.valid.cpu[r] = 1;
  }
  if (m.comm !== null && m.comm !== '') cols.setDict('comm', r, m.comm);
  const ok = m.micros
    ? parseMicros(m.ts, 0, m.ts.length, cols.halves.ts_ns, r)
    : parseSecsDotFrac(m.ts, 0, m.ts.length, cols.halves.ts_ns, r);
  if (!ok) return fail(out, tsError(m.ts, 0, m.ts.length));
  cols.valid.ts_ns[r] = 1;
  const evColon = eventColon(s, m.evA, s.length);
  if (evColon < 0 || evColon === m.evA) return fail(out, 'no event name');
  return finishEvent(s, cols, r, out, m.evA, evColon, evColon + 1);
}

/**
 * The non-event records of ftrace and trace-cmd output: ftrace's "CPU:1 [LOST 123 EVENTS]" (kernel/trace/trace.c
 * print_trace_line), trace-cmd's "cpus=2", "CPU 0 is empty" and "version = 6": their LineKind, or null.
 */
function ftraceRecord(s: string, i: number, out: LineResult): LineKind | null {
  if (s.startsWith('CPU', i)) {
    const m = /^CPU:?\s*(\d+)\s+\[LOST (\d+) EVENTS\]/.exec(s.slice(i));
    if (m) return lostRecord(out, Number(m[2]), Number(m[1]));
    if (/^CPU\s*\d+ is empty/.test(s.slice(i))) return LineKind.Comment;
  }
  if (s.startsWith('cpus=', i) || s.startsWith('version = ', i)) return LineKind.Comment;
  return null;
}

export const parseFtraceLine: LineParser = (s, cols, r, out) => {
  const end = s.length;
  const i = skipSpaces(s, 0, end);
  if (i === end) return LineKind.Comment;
  const c0 = s.charCodeAt(i);
  if (c0 === CH_HASH) return LineKind.Comment;
  const record = ftraceRecord(s, i, out);
  if (record !== null) return record;
  // `[cpu] …` or `ts: …`: the task column was cut away (./ftraceLoose.ts)
  if (s.charCodeAt(i) === CH_LBRACK || timestampColon(s, i, end) >= 0)
    return looseOr(s, cols, r, out, 'not an ftrace event line');
  const lb = findCpuBracket(s, i, bracket);
  let evA: number;
  if (lb >= 0) {
    const rb = bracket.rb;
    // comm-pid [(tgid)] [cpu]
    let pe = lb;
    while (pe > i && isSpace(s.charCodeAt(pe - 1))) pe--;
    if (pe > i && s.charCodeAt(pe - 1) === 41 /* ) */) {
      const lp = s.lastIndexOf('(', pe - 1);
      if (lp > i) {
        pe = lp;
        while (pe > i && isSpace(s.charCodeAt(pe - 1))) pe--;
      }
    }
    let ps = pe;
    while (ps > i && isDigit(s.charCodeAt(ps - 1))) ps--;
    if (ps === pe || ps <= i || s.charCodeAt(ps - 1) !== CH_MINUS)
      return looseOr(s, cols, r, out, 'no comm-pid before [cpu]');
    const pid = parseUDec(s, ps, pe);
    const cpu = parseUDec(s, lb + 1, rb);
    const range = pidCpuRange(s, ps, pe, pid, lb, rb, cpu);
    if (range !== null) return fail(out, range);
    cols.values.pid[r] = pid;
    cols.valid.pid[r] = 1;
    if (ps - 1 > i) cols.setDict('comm', r, s.slice(i, ps - 1));
    cols.values.cpu[r] = cpu;
    cols.valid.cpu[r] = 1;
    // optional flags column (4 or 5 chars), then the timestamp
    let tsA = skipSpaces(s, rb + 1, end);
    let tsColon = timestampColon(s, tsA, end);
    if (tsColon < 0) {
      const fe = tokenEnd(s, tsA, end);
      if (fe - tsA < 4 || fe - tsA > 5) return looseOr(s, cols, r, out, 'no timestamp after [cpu]');
      tsA = skipSpaces(s, fe, end);
      tsColon = timestampColon(s, tsA, end);
      if (tsColon < 0) return looseOr(s, cols, r, out, 'no secs.usecs: timestamp');
    }
    if (!parseSecsDotFrac(s, tsA, tsColon, cols.halves.ts_ns, r)) return fail(out, tsError(s, tsA, tsColon));
    cols.valid.ts_ns[r] = 1;
    evA = skipSpaces(s, tsColon + 1, end);
  } else {
    // latency format: `comm-pid  CPUflags  ts[us][mark]: event: fields`
    const m = LATENCY_RE.exec(s);
    if (!m) return looseOr(s, cols, r, out, 'not an ftrace event line');
    const [whole, comm, pid, cpu, , ts, us] = m as unknown as string[];
    const range = pidCpuRange(s, 0, 0, Number(pid), 0, 0, Number(cpu));
    if (range !== null) return fail(out, range);
    cols.values.pid[r] = Number(pid);
    cols.valid.pid[r] = 1;
    cols.setDict('comm', r, comm!.trim());
    cols.values.cpu[r] = Number(cpu);
    cols.valid.cpu[r] = 1;
    const ok = us
      ? parseMicros(ts!, 0, ts!.length, cols.halves.ts_ns, r)
      : parseSecsDotFrac(ts!, 0, ts!.length, cols.halves.ts_ns, r);
    if (!ok) return fail(out, tsError(ts!, 0, ts!.length));
    cols.valid.ts_ns[r] = 1;
    const evName = m[7]!;
    evA = whole!.lastIndexOf(evName + ':');
  }
  const evColon = eventColon(s, evA, end);
  if (evColon < 0 || evColon === evA) return fail(out, 'no event name');
  return finishEvent(s, cols, r, out, evA, evColon, evColon + 1);
};

/** `sys:event` token: word chars, exactly one ':' with word chars on both sides. */
function isSysEventToken(s: string, a: number, b: number): boolean {
  let colon = -1;
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if (c === CH_COLON) {
      if (colon >= 0) return false;
      colon = k;
    } else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return false;
  }
  return colon > a && colon < b - 1;
}

export const parseBpftraceLine: LineParser = (s, cols, r, out) => {
  const end = s.length;
  const i = skipSpaces(s, 0, end);
  if (i === end) return LineKind.Comment;
  const c0 = s.charCodeAt(i);
  if (c0 === CH_HASH) return LineKind.Comment;
  if (!isDigit(c0)) {
    if (s.startsWith('Attaching ', i)) return LineKind.Comment;
    if (s.startsWith('Lost ', i)) {
      // bpftrace: "Lost N events" when the perf ring buffer overflowed
      const m = /^Lost (\d+) events/.exec(s.slice(i));
      if (m) return lostRecord(out, Number(m[1]), -1);
    }
    return fail(out, 'not a bpftrace event line (expected "<ts_ns> <cpu> <pid> <comm> <sys:event> …")');
  }
  const tsE = tokenEnd(s, i, end);
  if (!parseU64Dec(s, i, tsE, cols.halves.ts_ns, r)) return fail(out, 'bad ts_ns');
  if (cols.halves.ts_ns[2 * r + 1]! > 0x7fffffff) return fail(out, `ts_ns ${s.slice(i, tsE)} out of range (s64 ns)`);
  cols.valid.ts_ns[r] = 1;
  const cpuA = skipSpaces(s, tsE, end);
  const cpuE = tokenEnd(s, cpuA, end);
  const cpu = parseUDec(s, cpuA, cpuE);
  if (cpu !== cpu) return fail(out, 'bad cpu');
  const pidA = skipSpaces(s, cpuE, end);
  const pidE = tokenEnd(s, pidA, end);
  const pid = parseUDec(s, pidA, pidE);
  if (pid !== pid) return fail(out, 'bad pid');
  const range = pidCpuRange(s, pidA, pidE, pid, cpuA - 1, cpuE, cpu);
  if (range !== null) return fail(out, range);
  cols.values.cpu[r] = cpu;
  cols.valid.cpu[r] = 1;
  cols.values.pid[r] = pid;
  cols.valid.pid[r] = 1;
  // comm (may contain spaces) runs up to the first `sys:event` token followed by a key=value or the end
  const commA = skipSpaces(s, pidE, end);
  let k = commA;
  while (k < end) {
    const te = tokenEnd(s, k, end);
    if (k > commA && isSysEventToken(s, k, te)) {
      const next = skipSpaces(s, te, end);
      if (next === end || s.indexOf('=', next) > 0) {
        let ce = k;
        while (ce > commA && isSpace(s.charCodeAt(ce - 1))) ce--;
        cols.setDict('comm', r, s.slice(commA, ce));
        return finishEvent(s, cols, r, out, k, te, te);
      }
    }
    k = skipSpaces(s, te, end);
  }
  return fail(out, 'no sys:event token');
};

interface BpftraceJsonRecord {
  type?: unknown;
  data?: unknown;
}

/**
 * bpftrace -f json: one record per line. `printf` data is a bpftrace printf line (with its `\n`); `lost_events`
 * carries `{events: N}`; every other record type (attached_probes, map, hist, stats, time) is a comment.
 */
export const parseBpftraceJsonLine: LineParser = (s, cols, r, out) => {
  const i = skipSpaces(s, 0, s.length);
  if (i === s.length) return LineKind.Comment;
  let rec: BpftraceJsonRecord;
  try {
    rec = JSON.parse(i === 0 ? s : s.slice(i)) as BpftraceJsonRecord;
  } catch {
    // copy-paste debris before the record: retry from the first '{'
    const b = s.indexOf('{"');
    if (b <= i) return fail(out, 'not a JSON record');
    try {
      rec = JSON.parse(s.slice(b)) as BpftraceJsonRecord;
    } catch {
      return fail(out, 'not a JSON record');
    }
  }
  if (rec === null || typeof rec !== 'object') return fail(out, 'not a JSON record');
  if (rec.type === 'printf') {
    if (typeof rec.data !== 'string') return fail(out, 'printf record without string data');
    let text = rec.data;
    while (text.endsWith('\n') || text.endsWith('\r')) text = text.slice(0, -1);
    return parseBpftraceLine(text, cols, r, out);
  }
  if (rec.type === 'lost_events') {
    const d = rec.data as { events?: unknown } | null;
    const n = d && typeof d === 'object' ? Number(d.events) : NaN;
    if (!Number.isFinite(n)) return fail(out, 'lost_events record without a count');
    return lostRecord(out, n, -1);
  }
  if (typeof rec.type === 'string') return LineKind.Comment;
  return fail(out, 'JSON record without a type');
};
