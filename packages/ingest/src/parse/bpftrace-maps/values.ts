/**
 * Top-level JSON values of a text, in order, with the line each starts on. bpftrace `-f json` writes one record
 * per line, but users paste them pretty-printed (`| jq .`) or wrapped: a value is cut where its braces balance,
 * whatever the lines. A value still open at the end (a truncated paste) is returned with `complete: false`.
 */
export interface JsonValueText {
  text: string;
  line: number;
  complete: boolean;
}

/** Text outside every JSON value (a stray line of a paste): its line and the line's text. */
export interface StrayText {
  line: number;
  text: string;
}

export function jsonValuesOf(text: string, stray?: StrayText[]): JsonValueText[] {
  const out: JsonValueText[] = [];
  let strayLine = 0;
  let line = 1;
  let depth = 0;
  let start = -1;
  let startLine = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (depth === 0 && c !== 123 && c !== 91 && c > 32 && stray && strayLine !== line) {
      strayLine = line;
      const from = text.lastIndexOf('\n', i) + 1;
      const to = text.indexOf('\n', i);
      stray.push({ line, text: text.slice(from, to < 0 ? text.length : to).trimEnd() });
    }
    if (c === 34 && depth > 0) inString = true;
    else if (c === 123 || c === 91) {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if ((c === 125 || c === 93) && depth > 0 && --depth === 0) {
      out.push({ text: text.slice(start, i + 1), line: startLine, complete: true });
      start = -1;
    }
  }
  if (start >= 0) out.push({ text: text.slice(start), line: startLine, complete: false });
  return out;
}
