/**
 * Shared state of the record matchers: the kernel lines, their device prefixes, and which lines a record took.
 */
import { splitDevicePrefix, type DeviceMessage } from '../device.js';
import { withoutColour } from '../envelope.js';
import type { KernelLine, KernelRecord, RecordSpan } from '../types.js';

export interface Cursor {
  lines: readonly KernelLine[];
  /** Device prefix split of each line's message. */
  msgs: readonly DeviceMessage[];
  /** Lines already part of a record. */
  used: boolean[];
}

/** A matcher looks at line i; on a match it marks the lines it took as used and returns the record. */
export type Matcher = (c: Cursor, i: number) => KernelRecord | null;

/** Lines of other sources (syslog files hold every daemon) are not kernel messages. */
function isKernelLine(l: KernelLine): boolean {
  return l.ident === undefined || l.ident === 'kernel' || l.ident === 'kern';
}

export function makeCursor(lines: readonly KernelLine[]): Cursor {
  return {
    lines,
    msgs: lines.map((l) => splitDevicePrefix(l.message)),
    used: lines.map((l) => !isKernelLine(l)),
  };
}

/** The span of a record made of the given line indexes (marks them used). Time and host come from the first. */
export function takeSpan(c: Cursor, idx: readonly number[]): RecordSpan {
  const sorted = [...new Set(idx)].sort((a, b) => a - b);
  for (const i of sorted) c.used[i] = true;
  const first = c.lines[sorted[0]!]!;
  const last = c.lines[sorted[sorted.length - 1]!]!;
  const span: RecordSpan = {
    firstLine: first.lineNo,
    lastLine: last.lineNo,
    evidence: [],
  };
  // A journal JSON entry with a multi-line MESSAGE is several KernelLines of one source line: quote it once.
  let lastNo = -1;
  for (const i of sorted) {
    const l = c.lines[i]!;
    if (l.lineNo !== lastNo) span.evidence.push(withoutColour(l.raw));
    lastNo = l.lineNo;
  }
  if (first.tsBootNs !== undefined) span.tsBootNs = first.tsBootNs;
  if (first.wall !== undefined) span.wall = first.wall;
  if (first.wallTimeUs !== undefined) span.wallTimeUs = first.wallTimeUs;
  if (first.host !== undefined) span.host = first.host;
  if (first.shape === 'vmkernel') span.esxi = true;
  return span;
}

/**
 * Whether line j can continue a block that started at line i: it is a continuation of it (no envelope),
 * or carries the same printk time (syslog/dmesg repeat the stamp on every line of one printk), or has no time at all.
 */
export function sameMessage(c: Cursor, i: number, j: number): boolean {
  const a = c.lines[i]!;
  const b = c.lines[j]!;
  if (b.continuation) return true;
  if (a.tsBootNs !== undefined && b.tsBootNs !== undefined) return a.tsBootNs === b.tsBootNs;
  if (a.wall !== undefined && b.wall !== undefined) return a.wall === b.wall;
  return b.tsBootNs === undefined && b.wall === undefined;
}
