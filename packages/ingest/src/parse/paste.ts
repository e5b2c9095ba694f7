/**
 * What people wrap a trace in when they paste it (mail, issue trackers, editors, `grep -n`), and the lines that
 * are paste debris rather than events. The sniffer (./sniff.ts) decides ONE prefix kind per input from its first
 * lines — only when every event line there carries it — and the line handler (./lines.ts) skips that prefix at
 * the start of each line before any parser sees it; nothing is ever removed from inside a line.
 *
 *  quote        `> `, `>> `, `> > ` (mail quoting, any depth)
 *  line-label   `Line 12: ` (bug trackers, log viewers)
 *  gutter       `  12 | `, `12│` (editors, code viewers)
 *  grep-n       `12:` (`grep -n`, `cat -n`-like numbering glued with a colon)
 *
 * Leading whitespace alone is no prefix: every line parser skips it already.
 */

export type PastePrefix = 'none' | 'quote' | 'line-label' | 'gutter' | 'grep-n';

/** The kinds the sniffer tries, most specific first (`Line 12:` would also be read as a gutter-less number). */
export const PASTE_PREFIXES: readonly Exclude<PastePrefix, 'none'>[] = ['quote', 'line-label', 'gutter', 'grep-n'];

const PREFIX_RE: Record<Exclude<PastePrefix, 'none'>, RegExp> = {
  quote: /^[ \t]*>[ \t>]*/,
  'line-label': /^[ \t]*[Ll]ine[ \t]+\d+[ \t]*:/,
  gutter: /^[ \t]*\d+[ \t]*[|│]/,
  'grep-n': /^[ \t]*\d+:/,
};

/** `line` without its `kind` prefix, or null when the line does not carry that prefix. */
export function stripPastePrefix(line: string, kind: PastePrefix): string | null {
  if (kind === 'none') return line;
  const m = PREFIX_RE[kind].exec(line);
  return m === null ? null : line.slice(m[0].length);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
function isDigitByte(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * stripPastePrefix over the bytes of one line buf[a, e): the index after the prefix, or `a` when the line does not
 * carry it (the line is then parsed as it is).
 */
export function skipPastePrefix(buf: Uint8Array, a: number, e: number, kind: PastePrefix): number {
  if (kind === 'none') return a;
  let i = a;
  while (i < e && isBlank(buf[i]!)) i++;
  if (kind === 'quote') {
    if (i >= e || buf[i] !== 62) return a;
    while (i < e && (buf[i] === 62 || isBlank(buf[i]!))) i++;
    return i;
  }
  if (kind === 'line-label') {
    // [Ll]ine
    if (i + 4 > e || (buf[i]! | 0x20) !== 108 || buf[i + 1] !== 105 || buf[i + 2] !== 110 || buf[i + 3] !== 101)
      return a;
    i += 4;
    const sp = i;
    while (i < e && isBlank(buf[i]!)) i++;
    if (i === sp) return a;
  }
  const d = i;
  while (i < e && isDigitByte(buf[i]!)) i++;
  if (i === d) return a;
  if (kind === 'grep-n') return i < e && buf[i] === 58 ? i + 1 : a;
  while (i < e && isBlank(buf[i]!)) i++;
  if (kind === 'line-label') return i < e && buf[i] === 58 ? i + 1 : a;
  // gutter: `|` or U+2502 `│` (E2 94 82)
  if (i < e && buf[i] === 124) return i + 1;
  if (i + 2 < e && buf[i] === 0xe2 && buf[i + 1] === 0x94 && buf[i + 2] === 0x82) return i + 3;
  return a;
}

/**
 * A line that failed to parse but is paste debris, not a broken event: an elision (`...`, `…`, `[...]`,
 * `<snip>`) or the command that produced the trace (`$ perf script`, `perf record … ; perf script`,
 * `sudo perf trace …`, `trace-cmd report`, `cat /sys/kernel/tracing/trace`). Counted as comments.
 */
export function isPasteDebris(text: string): boolean {
  const t = text.trim();
  if (/^(?:\.{2,}|…+|\[\s*(?:\.{2,}|…|snip)\s*\]|<\s*snip\s*>|-+\s*snip\s*-+)$/i.test(t)) return true;
  return /^(?:[$#]\s+)?(?:sudo\s+)?(?:perf\s+(?:record|script|trace|report)|trace-cmd\s|bpftrace\s|cat\s+\S*\/tracing\/|echo\s.*\/tracing\/)/.test(
    t,
  );
}
