/**
 * Field templates for the WebAssembly line kernel (../../wasm/lines.ts): the field tokens of the first line of an
 * event name that the string parser (./fields.ts, the reference) accepted, each as its literal bytes (`key=` with
 * the '=', or the bare word) and what the reference's tokenizer makes of it. A later line whose token at this
 * position has the same literal (a bare word also followed by a space or the end) gets the same key from the
 * reference: the literal holds no '=', space or tab before its end, so the reference's token scan stops exactly
 * where the literal ends. The kernel matches a line against its event's template and hands every other line back.
 */
import { keyIdOf, textKeys } from '../table/catalogue.js';
import { K_NONE } from '../table/catalogueIds.js';
import { TK_EQ, TK_WORD, TK_WORDKEY } from './fieldKeys.js';
import { WORD_KEY_LIST } from './fields.js';

/** A template token as ./wasmLines.ts copies it into the kernel. */
export interface TemplateToken {
  readonly kind: number;
  readonly key: number;
  readonly bytes: Uint8Array;
}

/** The kernel's limits: tokens per template, bytes per literal. */
const MAX_TOKENS = 64;
const MAX_LITERAL = 64;

/** the catalogue's text keys (./fields.ts KEYS) → key id of the column each feeds (synonyms share one) */
const KEY_IDS = new Map<string, number>([...textKeys()].map(([key, col]) => [key, keyIdOf(col)]));
const WORD_KEYS = new Set(WORD_KEY_LIST);

function isSp(c: number): boolean {
  return c === 32 || c === 9;
}
function skipSp(s: string, i: number, b: number): number {
  while (i < b && isSp(s.charCodeAt(i))) i++;
  return i;
}
function tokEnd(s: string, i: number, b: number): number {
  while (i < b && !isSp(s.charCodeAt(i))) i++;
  return i;
}
function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/**
 * The template of the field text s[a, b) (ASCII; tokenized as ./fields.ts parseFields does), or null when the
 * kernel could not use it: more tokens or longer literals than it stores, or a word key whose value token is
 * itself a word key (napi_poll's `for device  work 1` with an empty device name: the reference reads no device
 * there, a template would read `work` as one).
 */
export function learnTemplate(s: string, a: number, b: number): TemplateToken[] | null {
  while (b > a && isSp(s.charCodeAt(b - 1))) b--;
  const out: TemplateToken[] = [];
  let i = skipSp(s, a, b);
  while (i < b) {
    if (out.length >= MAX_TOKENS) return null;
    const ta = i;
    while (i < b && s.charCodeAt(i) !== 61 && !isSp(s.charCodeAt(i))) i++;
    const word = s.slice(ta, i);
    if (i < b && s.charCodeAt(i) === 61) {
      out.push({ kind: TK_EQ, key: KEY_IDS.get(word) ?? K_NONE, bytes: latin1(`${word}=`) });
      i = tokEnd(s, i + 1, b);
    } else if (WORD_KEYS.has(word)) {
      const key = KEY_IDS.get(word.endsWith(':') ? word.slice(0, -1) : word) ?? K_NONE;
      out.push({ kind: TK_WORDKEY, key, bytes: latin1(word) });
      const va = skipSp(s, i, b);
      i = tokEnd(s, va, b);
      if (WORD_KEYS.has(s.slice(va, i))) return null;
    } else out.push({ kind: TK_WORD, key: K_NONE, bytes: latin1(word) });
    if (out[out.length - 1]!.bytes.length > MAX_LITERAL) return null;
    i = skipSp(s, i, b);
  }
  return out;
}
