/**
 * Undo what mail and web pages do to pasted kernel logs before the envelope parser sees them:
 *  - quoted-printable soft breaks (a line ending in `=`, with `=3D`/`=20` escapes);
 *  - format=flowed / mail-client wrapping (a line ending in one space continued by an unindented line without envelope);
 *  - reflowed paragraphs, where several `[  123.456789] …` messages were run together on one line.
 * Each output row keeps the 1-based number of the input line it starts on.
 */
import { dmesgJsonRows } from './dmesgJson.js';
import { parseEnvelope, stripPastePrefix, type Envelope } from './envelope.js';

export interface SourceRow {
  lineNo: number;
  /** The envelope of `text` when it was parsed here and `text` did not change since (saves the reader a parse). */
  env?: Envelope | null;
  /** Where each joined input line starts in `text` (offset, line number), for cutting reflowed rows apart again. */
  segs?: { at: number; lineNo: number }[];
  /** The input line as read (first of the joined ones). */
  raw: string;
  /** Paste prefix stripped, wraps undone. */
  text: string;
}

const STAMP_G = /\[\s*\d+\.\d{6}\]/g;
// A split point: a printk stamp in mid-line, not right after `kernel:` (syslog keeps the stamp after its tag).
const MID_STAMP_RE = /(?<=[^:\s])\s*(?=\[\s*\d+\.\d{6}\]\s)/;

/** Evidence of a reflowed paste: two stamps on one line, or a stamp inside a line that has no envelope. */
function reflowEvidence(s: string, env: Envelope | null): boolean {
  if (!s.includes('.')) return false;
  const n = (s.match(STAMP_G) ?? []).length;
  return n >= 2 || (n === 1 && !/^\s*\[/.test(s) && env === null);
}

function decodeQp(s: string): string {
  return s.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

// Where a flattened paste (a whole dmesg pasted as one paragraph, no stamps) starts a new message.
const FLAT_MARK_RE =
  /\s(?=-{6,}\[ cut here \]|WARNING: |NETDEV WATCHDOG: |Modules linked in:|---\[ end trace|[\w-]+ [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]:? )/;

// A syslog excerpt flattened after its dates were cut: `vmhost kernel: msg vmhost kernel: msg …`.
const FLAT_TAG_G = /(?:^|\s)([\w.-]+) kernel: /g;

/** Split a row of `HOST kernel: ` messages at each tag, the host dropped: `kernel: msg` keeps the kernel's tag. */
function splitAtHostTags(r: SourceRow): SourceRow[] | null {
  const hosts = new Map<string, number>();
  for (const m of r.text.matchAll(FLAT_TAG_G)) hosts.set(m[1]!, (hosts.get(m[1]!) ?? 0) + 1);
  const [host, n] = [...hosts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  if (n < 3) return null;
  const esc = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return r.text
    .split(new RegExp(String.raw`(?:^|\s)${esc} (?=kernel: )`))
    .filter((p) => p.trim() !== '')
    .map((text) => ({ lineNo: r.lineNo, raw: r.raw, text: text.trim() }));
}

/** A very long row holding several kernel messages back to back: split it before each message start. */
function splitFlattened(r: SourceRow): SourceRow[] {
  if (r.text.length < 300) return [r];
  const tagged = splitAtHostTags(r);
  if (tagged) return tagged;
  const parts = r.text.split(FLAT_MARK_RE).filter((p) => p.trim() !== '');
  return parts.length < 3 ? [r] : parts.map((text) => ({ lineNo: r.lineNo, raw: r.raw, text }));
}

const MID_STAMP_G = new RegExp(MID_STAMP_RE.source, 'g');

/** Cut a reflowed row before each mid-line printk stamp; each piece gets the input line it starts on. */
function cutAtStamps(r: SourceRow, rows: readonly string[]): SourceRow[] {
  const starts = [0];
  const ends: number[] = [];
  for (const m of r.text.matchAll(MID_STAMP_G)) {
    ends.push(m.index);
    starts.push(m.index + m[0].length);
  }
  ends.push(r.text.length);
  const pieces: SourceRow[] = [];
  starts.forEach((at, k) => {
    const text = r.text.slice(at, ends[k]);
    if (text.trim() === '') return;
    let lineNo = r.lineNo;
    for (const sg of r.segs ?? []) if (sg.at <= at) lineNo = sg.lineNo;
    pieces.push({ lineNo, raw: rows[lineNo - 1] ?? r.raw, text }); // env re-parsed by the reader
  });
  return pieces;
}

// Lines of an Intel hang dump never are wrapped pieces, whatever trailing blank a terminal paste left.
const DUMP_PIECE_RE = /^(?:tx_)?buffer_info\[|<[0-9a-fA-Fx]+>\s*$/;

/** format=flowed soft break: the line ends in exactly one space (and is not itself a dump field line). */
function flowedBreak(text: string): boolean {
  return / $/.test(text) && !/ {2}$/.test(text) && !/<[0-9a-fA-Fx]+> $/.test(text);
}

/** Split input lines into source rows with wraps undone. */
/**
 * Take off the indentation every non-blank line shares: a log pasted as a Markdown or mail code block (a tab or four
 * spaces before each line) would otherwise read as one message with continuation lines. Deeper indentation of some
 * lines (printk continuations, call traces) stays.
 */
function dedent(lines: string[]): string[] {
  let common: string | null = null;
  for (const s of lines) {
    if (s.trim() === '') continue;
    const lead = /^[ \t]*/.exec(s)![0];
    if (common === null || !lead.startsWith(common)) {
      let k = 0;
      const c: string = common ?? lead;
      while (k < c.length && k < lead.length && c[k] === lead[k]) k++;
      common = c.slice(0, k);
    }
    if (common === '') return lines;
  }
  if (!common) return lines;
  const n = common.length;
  return lines.map((s) => (s.trim() === '' ? s : s.slice(n)));
}

export function unwrapRows(rows: readonly string[]): SourceRow[] {
  // `dmesg -J`: a JSON document, its messages one per `"msg"` line, nothing to unwrap
  const json = dmesgJsonRows(rows);
  if (json !== null) return json;
  const stripped = dedent(rows.map((r) => stripPastePrefix(r)));
  // A reflowed paste shows printk stamps in mid-line; then every envelope-less line is a wrapped piece.
  const envs = stripped.map((s) => parseEnvelope(s));
  const reflowed = stripped.some((s, k) => reflowEvidence(s, envs[k]!));
  const out: SourceRow[] = [];
  let qpJoin = false;
  let afterBlank = false;
  stripped.forEach((s, idx) => {
    const prev = afterBlank ? undefined : out[out.length - 1];
    // `=20` alone is a quoted-printable blank line.
    const blank = s.trim() === '' || s.trim() === '=20';
    afterBlank = blank;
    if (blank) {
      out.push({ lineNo: idx + 1, raw: rows[idx]!, text: '' });
      qpJoin = false;
      return;
    }
    const env = envs[idx]!;
    if (prev && qpJoin) {
      (prev.segs ??= []).push({ at: prev.text.length, lineNo: idx + 1 });
      prev.text = prev.text + decodeQp(s);
      delete prev.env;
    } else if (
      prev &&
      env === null &&
      !/^\s/.test(s) &&
      (reflowed || (flowedBreak(prev.text) && !DUMP_PIECE_RE.test(s)))
    ) {
      prev.text = prev.text.trimEnd() + ' ';
      (prev.segs ??= []).push({ at: prev.text.length, lineNo: idx + 1 });
      prev.text += s;
      delete prev.env;
    } else {
      out.push({ lineNo: idx + 1, raw: rows[idx]!, text: s, env });
    }
    const last = out[out.length - 1]!;
    qpJoin = s.endsWith('=') && /[^=]=$/.test(last.text);
    if (qpJoin) {
      last.text = decodeQp(last.text.slice(0, -1));
      delete last.env;
    }
  });
  const rowsOut = reflowed ? out.flatMap((r) => cutAtStamps(r, rows)) : out;
  return rowsOut.flatMap((r) => splitFlattened(r));
}
