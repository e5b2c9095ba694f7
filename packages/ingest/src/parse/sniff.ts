/**
 * Format detection from the first bytes and lines of an input (`--format` overrides it).
 */
import type { TraceFormat } from '../table/schema.js';
import { matchLooseFtrace } from './ftraceLoose.js';
import { PASTE_PREFIXES, stripPastePrefix, type PastePrefix } from './paste.js';
import { isPerfTraceLine } from './perfTrace.js';

// `comm TID [cpu]`, `comm PID/TID [cpu]` (-F pid,tid) or `TID [cpu]` (-F without comm)
const PERF_RE = /^\s*(?:\S.*?\s)?-?\d+(?:\/-?\d+)?\s+\[\d+\]\s+\d+\.\d+:\s+[\w.-]+:[\w.-]+:(\s|$)/;
const FTRACE_RE = /^\s*\S.*?-\d+\s+(\(\s*[\d-]+\)\s+)?\[\d+\]\s+(\S{4,5}\s+)?\d+\.\d+:\s+[\w.-]+:(\s|$)/;
const LATENCY_RE = /^\s*\S.*?-\d+\s+\d+\S{4,6}\s+\d+(\.\d+)?(us)?\s*[!#$@*+ ]?\s*:\s+[\w.-]+:(\s|$)/;
const BPFTRACE_RE = /^\d+ \d+ \d+ .*?[\w]+:[\w]+(\s|$)/;

/** Detect the format of one line; null when the line says nothing (blank, comment) or matches nothing. */
function detectLine(line: string): TraceFormat | null {
  const t = line.trim();
  if (t === '') return null;
  if (t.startsWith('{')) {
    try {
      const rec = JSON.parse(t) as { type?: unknown };
      if (rec && typeof rec === 'object' && typeof rec.type === 'string') return 'bpftrace-json';
    } catch {
      return null;
    }
    return null;
  }
  if (/^cpus=\d+$/.test(t)) return 'trace-cmd';
  if (t.startsWith('# tracer:')) return 'ftrace';
  if (/^Attaching \d+ probes?/.test(t) || /^Lost \d+ events/.test(t)) return 'bpftrace';
  if (t.startsWith('#')) return null;
  if (PERF_RE.test(line)) return 'perf-script';
  if (BPFTRACE_RE.test(t)) return 'bpftrace';
  if (FTRACE_RE.test(line) || LATENCY_RE.test(line)) return 'ftrace';
  if (isPerfTraceLine(line)) return 'perf-trace';
  // task, CPU and/or flags columns cut away (`289.902651: net_dev_xmit: …`, `[002] ..s1. 1838.31: …`)
  if (matchLooseFtrace(line) !== null) return 'ftrace';
  return null;
}

/** What the sniffer decided about an input: its format and the paste prefix its event lines carry. */
export interface SniffedTrace {
  format: TraceFormat;
  prefix: PastePrefix;
}

/**
 * The format and paste prefix (./paste.ts) from the first lines. A prefix is taken only when every line that
 * reads as trace once the prefix is cut carries it, and no line reads as trace without it; else the lines are
 * read as they are (detectFormat). Null when no line looks like any known trace format.
 */
export function detectTrace(firstLines: readonly string[]): SniffedTrace | null {
  for (const prefix of PASTE_PREFIXES) {
    let format: TraceFormat | null = null;
    let consistent = true;
    for (const line of firstLines) {
      const cut = stripPastePrefix(line, prefix);
      if (cut === null) {
        if (detectLine(line) !== null) {
          consistent = false;
          break;
        }
        continue;
      }
      format ??= detectLine(cut);
    }
    if (consistent && format !== null) return { format, prefix };
  }
  const format = detectFormat(firstLines);
  return format === null ? null : { format, prefix: 'none' };
}

/**
 * Detect the format from the first lines: the first line that identifies a format decides.
 * Returns null if none of the lines looks like any known trace format.
 */
export function detectFormat(firstLines: readonly string[]): TraceFormat | null {
  for (const line of firstLines) {
    const f = detectLine(line);
    if (f !== null) return f;
  }
  return null;
}

/** Why a byte prefix is not a text trace at all (binary, HTML, perf.data), or null if it may be one. */
export function notATraceReason(head: Uint8Array): string | null {
  if (head.length === 0) return 'is empty';
  const ascii = Buffer.from(head.subarray(0, 16)).toString('latin1');
  if (ascii.startsWith('PERFILE2') || ascii.startsWith('PERFFILE'))
    return 'is a binary perf.data file: convert it with `perf script -i FILE > FILE.txt` first';
  // a few control bytes in a text trace are line debris (counted as bad lines later); many mean binary
  let ctrl = 0;
  const n = Math.min(head.length, 8192);
  for (let i = 0; i < n; i++) {
    const c = head[i]!;
    if (c < 9 || (c > 13 && c < 32)) ctrl++;
  }
  if (ctrl > n / 50 || (n >= 4 && head.subarray(0, 4).includes(0))) return 'is a binary file, not a text trace';
  const text = Buffer.from(head.subarray(0, 1024)).toString('utf8').trimStart().toLowerCase();
  if (text.startsWith('<!doctype') || text.startsWith('<html') || text.startsWith('<?xml') || text.startsWith('<head'))
    return 'is an HTML/XML document, not a trace';
  return null;
}
