/**
 * Rendering an event's fields by its `print fmt`, the way libtraceevent does for `perf script` and
 * `trace-cmd report` (src/event-parse.c pretty_print / print_str_arg): the field text the event table keeps
 * for events it does not model, and what the tests compare against the tools' output.
 *
 * Supported arguments: REC->field, REC->field[i], __get_str(field), casts, __print_symbolic(REC->field, ...).
 * Conversions: %d %i %u %x %X %o %c %s %p %pS %ps %pB (with flags, width, h/l/ll/z), %%.
 * Anything else makes render return null (the caller keeps the fields as they are).
 */
import type { EventFormat } from './eventFormat.js';
import type { TraceFieldValue } from './types.js';

export type PrintArg =
  | { k: 'field'; name: string; index?: number }
  | { k: 'symbolic'; name: string; table: Map<bigint, string> };

export interface CompiledPrintFmt {
  /** Literal text and conversions in order. */
  parts: (string | { conv: string; flags: string; width: number; len: string })[];
  args: PrintArg[];
}

/** A kernel-address → `sym+0xoff` resolver for %pS (kallsyms); undefined: print the address. */
export type SymbolResolver = (addr: bigint) => string | undefined;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let q = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '\\') i++;
      else if (c === '"') q = false;
      continue;
    }
    if (c === '"') q = true;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '') out.push(last);
  return out;
}

function stripCasts(e: string): string {
  let s = e.trim();
  for (;;) {
    const m =
      /^\(\s*(?:const\s+)?(?:unsigned\s+|signed\s+)?(?:long\s+long|long|int|short|char|u8|u16|u32|u64|s8|s16|s32|s64|void\s*\*|struct\s+\w+\s*\*|size_t)\s*\**\s*\)\s*/.exec(
        s,
      );
    if (!m) break;
    s = s.slice(m[0].length);
  }
  while (s.startsWith('(') && s.endsWith(')') && splitTopLevel(s.slice(1, -1)).length === 1 && balanced(s.slice(1, -1)))
    s = s.slice(1, -1).trim();
  return s;
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

function parseArg(e: string): PrintArg | null {
  const s = stripCasts(e);
  let m = /^REC->(\w+)$/.exec(s);
  if (m) return { k: 'field', name: m[1]! };
  m = /^REC->(\w+)\[(\d+)\]$/.exec(s);
  if (m) return { k: 'field', name: m[1]!, index: Number(m[2]) };
  m = /^__get_str\((\w+)\)$/.exec(s);
  if (m) return { k: 'field', name: m[1]! };
  m = /^__print_symbolic\(([\s\S]*)\)$/.exec(s);
  if (m) {
    const parts = splitTopLevel(m[1]!);
    const v = /^REC->(\w+)$/.exec(stripCasts(parts[0] ?? ''));
    if (!v) return null;
    const table = new Map<bigint, string>();
    for (const p of parts.slice(1)) {
      const pm = /^\{\s*(-?(?:0x[0-9a-fA-F]+|\d+))\s*,\s*"((?:[^"\\]|\\.)*)"\s*\}$/.exec(p);
      if (!pm) return null;
      table.set(BigInt(pm[1]!), pm[2]!);
    }
    return { k: 'symbolic', name: v[1]!, table };
  }
  return null;
}

function unescapeC(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

const cache = new WeakMap<EventFormat, CompiledPrintFmt | null>();

/** The print fmt of `fmt` as literal parts, conversions and arguments (once per format); null if not supported. */
export function compilePrintFmt(fmt: EventFormat): CompiledPrintFmt | null {
  if (cache.has(fmt)) return cache.get(fmt)!;
  const r = compile(fmt.printFmt);
  cache.set(fmt, r);
  return r;
}

function compile(pf: string): CompiledPrintFmt | null {
  const m = /^"((?:[^"\\]|\\.)*)"\s*(?:,([\s\S]*))?$/.exec(pf.trim());
  if (!m) return null;
  const text = unescapeC(m[1]!);
  const args: PrintArg[] = [];
  for (const a of splitTopLevel(m[2] ?? '')) {
    const p = parseArg(a);
    if (p === null) return null;
    args.push(p);
  }
  const parts: CompiledPrintFmt['parts'] = [];
  const re = /%([-#0 +]*)(\d*)(?:\.\d+)?(hh|h|ll|l|z)?([diuxXocsp%])([SsBFf])?/g;
  let last = 0;
  let conv = 0;
  for (let mm = re.exec(text); mm !== null; mm = re.exec(text)) {
    if (mm.index > last) parts.push(text.slice(last, mm.index));
    last = mm.index + mm[0].length;
    if (mm[4] === '%') {
      parts.push('%');
      continue;
    }
    let c = mm[4]!;
    if (c === 'p' && mm[5] !== undefined) c = `p${mm[5]}`;
    else if (mm[5] !== undefined) last -= 1; // a plain %p followed by a letter
    parts.push({ conv: c, flags: mm[1]!, width: mm[2] === '' ? 0 : Number(mm[2]), len: mm[3] ?? '' });
    conv++;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (conv !== args.length) return null;
  return { parts, args };
}

function toBig(v: TraceFieldValue | undefined): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return null;
}

function pad(s: string, width: number, flags: string): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s + ' '.repeat(width - s.length);
  if (flags.includes('0')) {
    const neg = s.startsWith('-');
    const pre = neg ? '-' : s.startsWith('0x') || s.startsWith('0X') ? s.slice(0, 2) : '';
    const body = s.slice(pre.length);
    return pre + '0'.repeat(width - s.length) + body;
  }
  return ' '.repeat(width - s.length) + s;
}

function intText(v: bigint, conv: string, flags: string, len: string): string {
  const bits = len === 'll' || len === 'l' || len === 'z' ? 64 : len === 'h' ? 16 : len === 'hh' ? 8 : 32;
  if (conv === 'd' || conv === 'i') return BigInt.asIntN(bits, v).toString();
  const u = BigInt.asUintN(bits, v);
  if (conv === 'u') return u.toString();
  if (conv === 'o') return (flags.includes('#') && u !== 0n ? '0' : '') + u.toString(8);
  const hex = conv === 'X' ? u.toString(16).toUpperCase() : u.toString(16);
  return flags.includes('#') && u !== 0n ? (conv === 'X' ? '0X' : '0x') + hex : hex;
}

/** Render the fields of one event by its print fmt; null if the fmt uses something not supported. */
export function renderPrintFmt(
  fmt: EventFormat,
  fields: Record<string, TraceFieldValue>,
  symbol?: SymbolResolver,
): string | null {
  const c = compilePrintFmt(fmt);
  if (c === null) return null;
  let out = '';
  let ai = 0;
  for (const p of c.parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    const arg = c.args[ai++]!;
    let v: TraceFieldValue | undefined;
    if (arg.k === 'field') {
      v = fields[arg.name];
      if (arg.index !== undefined) v = Array.isArray(v) ? v[arg.index] : undefined;
    } else {
      const n = toBig(fields[arg.name]);
      if (n === null) return null;
      v = arg.table.get(n) ?? `0x${n.toString(16)}`;
    }
    if (v === undefined) return null;
    let s: string;
    switch (p.conv) {
      case 's':
        s = typeof v === 'string' ? v : String(v);
        break;
      case 'c':
        s = typeof v === 'number' ? String.fromCharCode(v) : String(v);
        break;
      case 'p': {
        const n = toBig(v as TraceFieldValue);
        if (n === null) return null;
        // libtraceevent hands %p to printf: glibc prints NULL as "(nil)".
        s = n === 0n ? '(nil)' : `0x${BigInt.asUintN(64, n).toString(16)}`;
        break;
      }
      case 'pS':
      case 'ps':
      case 'pB':
      case 'pF':
      case 'pf': {
        const n = toBig(v as TraceFieldValue);
        if (n === null) return null;
        const u = BigInt.asUintN(64, n);
        s = symbol?.(u) ?? `0x${u.toString(16)}`;
        break;
      }
      default: {
        const n = toBig(v as TraceFieldValue);
        if (n === null) return null;
        s = intText(n, p.conv, p.flags, p.len);
      }
    }
    out += pad(s, p.width, p.flags);
  }
  return out;
}
