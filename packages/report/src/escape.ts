/**
 * Escaping for the post-mortem: trace strings (comm, dev, location, source names, log text) are untrusted.
 * HTML gets entities; Markdown gets CommonMark backslash escapes only, so the raw file reads as plain text
 * (no `&#39;`) and a renderer still shows the string literally, never as markup, a link or raw HTML.
 */

const HTML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

type Text = string | number | bigint | null | undefined;

/** Text or attribute value for HTML/SVG. */
export function escapeHtml(value: Text): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESC[c]!);
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * Inline Markdown text (inside a line, a list item or a table cell). Escaped: `\` and `` ` `` `*` `[` `]`
 * `|` `~` `>` always; `_` unless inside a word (DRV_XOFF stays readable: intraword `_` never emphasises);
 * `<` before a tag or autolink start; `&` before an entity. Line breaks become spaces (one record, one line).
 */
export function escapeMarkdown(value: Text): string {
  if (value === null || value === undefined) return '';
  const s = String(value).replace(/[\r\n]+/g, ' ');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    let esc = false;
    if ('\\`*[]|~>'.includes(c)) esc = true;
    else if (c === '_') esc = !(isWordChar(s[i - 1]) && isWordChar(next));
    else if (c === '<') esc = next !== undefined && /[A-Za-z/!?]/.test(next);
    else if (c === '&') esc = /^&#?[A-Za-z0-9]+;/.test(s.slice(i, i + 34));
    out += esc ? `\\${c}` : c;
  }
  return out;
}

/** A paragraph of Markdown text: inline escapes, and a first character that would open a block is escaped. */
export function escapeMarkdownBlock(value: Text): string {
  const s = escapeMarkdown(value);
  // ATX heading, list item, thematic break/setext underline, ordered list (1. or 1))
  if (/^[#+=-]/.test(s)) return `\\${s}`;
  const ol = /^(\d{1,9})([.)])/.exec(s);
  return ol ? `${ol[1]}\\${s.slice(ol[1]!.length)}` : s;
}

/**
 * A Markdown code span holding `value` verbatim: the fence is one backtick longer than the longest run inside
 * (CommonMark §6.1), padded when the text starts or ends with a backtick. In a table cell, `|` must still be
 * escaped (GFM tables split cells before inline parsing and drop the backslash).
 */
export function markdownCode(value: Text, inTable = false): string {
  let s = value === null || value === undefined ? '' : String(value).replace(/[\r\n]+/g, ' ');
  if (inTable) s = s.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || /^ .* $/.test(s) ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}
