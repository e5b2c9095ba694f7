/**
 * Read a whole kernel log into KernelLines: paste prefixes off, envelope off, multi-line printk continuations
 * (lines without an envelope of their own) attached to the message before them.
 */
import { parseEnvelope, type Envelope } from './envelope.js';
import { parseJournalJson } from './journalJson.js';
import type { KernelLine } from './types.js';
import { unwrapRows } from './unwrap.js';

function toLine(lineNo: number, raw: string, e: Envelope, continuation: boolean): KernelLine {
  return { lineNo, raw, continuation, ...e };
}

/** A line with no envelope continues the previous message: it inherits its time, host and shape. */
function continuationOf(prev: KernelLine, lineNo: number, raw: string, message: string): KernelLine {
  const { tsBootNs, wallTimeUs, wall, host, level, ident, caller, shape } = prev;
  const l: KernelLine = { lineNo, raw, shape, continuation: true, message };
  if (tsBootNs !== undefined) l.tsBootNs = tsBootNs;
  if (wallTimeUs !== undefined) l.wallTimeUs = wallTimeUs;
  if (wall !== undefined) l.wall = wall;
  if (host !== undefined) l.host = host;
  if (level !== undefined) l.level = level;
  if (ident !== undefined) l.ident = ident;
  if (caller !== undefined) l.caller = caller;
  return l;
}

/** Split text into lines (LF or CRLF). */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Read kernel-log text (or its lines). Blank lines are dropped; they break no block by themselves,
 * the record layer looks at line numbers and times instead.
 */
export function readKernelLines(input: string | readonly string[]): KernelLine[] {
  const rows = typeof input === 'string' ? splitLines(input) : input;
  const out: KernelLine[] = [];
  for (const row of unwrapRows(rows)) {
    const { lineNo, raw, text: s } = row;
    if (s.trim() === '') continue;
    if (s.trimStart().startsWith('{')) {
      const entries = parseJournalJson(s);
      if (entries) {
        entries.forEach((e, k) => out.push(toLine(lineNo, raw, e, k > 0)));
        continue;
      }
    }
    const env = row.env !== undefined ? row.env : parseEnvelope(s);
    if (env) {
      out.push(toLine(lineNo, raw, env, false));
      continue;
    }
    const prev = out[out.length - 1];
    const msg = s.replace(/\s+$/, '');
    if (prev) out.push(continuationOf(prev, lineNo, raw, msg));
    else out.push({ lineNo, raw, shape: 'bare', continuation: false, message: msg });
  }
  return out;
}
