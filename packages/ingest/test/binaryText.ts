/**
 * Helpers for the binary-reader tests: the text the tools printed for the same capture (perf script,
 * trace-cmd report), split into header columns and field text, and the comparison of a decoded record with
 * one such line ("same events, same values").
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { renderPrintFmt, type EventFormat, type TracepointRecord } from '../src/parse/tracing-data/index.js';

export function readText(path: string): string {
  const b = readFileSync(path);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
}

export interface TextEvent {
  line: number;
  comm: string;
  tid: number;
  cpu: number;
  /** secs.usecs as printed, in µs. */
  us: bigint;
  event: string;
  fields: string;
}

/**
 * The event of a matched text line whose groups 1..7 are comm, tid, cpu, secs, frac, event, fields (the LINE
 * regexes of perf-data.test.ts and trace-dat.test.ts); `line` is 1-based.
 */
export function textEventOf(m: RegExpExecArray, line: number, fields: string = m[7]!): TextEvent {
  return {
    line,
    comm: m[1]!,
    tid: Number(m[2]),
    cpu: Number(m[3]),
    us: usOf(m[4]!, m[5]!),
    event: m[6]!,
    fields,
  };
}

/** Seconds "123.456789" → µs (exact, text digits). */
export function usOf(secs: string, frac: string): bigint {
  return BigInt(secs) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
}

/** Sentinels around an unresolved %pS address: perf.data embeds no kallsyms (perf resolves at script time). */
const S1 = '\u0001';
const S2 = '\u0002';
const sentinelSymbol = (addr: bigint): string => `${S1}${addr.toString(16)}${S2}`;

/** Symbol consistency: every `sym+0xoff` printed for an address must imply the same base address for `sym`. */
export class SymbolBases {
  private readonly base = new Map<string, bigint>();
  conflicts: string[] = [];
  check(printed: string, addr: bigint): boolean {
    const m = /^(.+?)(?:\+0x([0-9a-f]+))?$/.exec(printed);
    if (!m) return false;
    const b = addr - BigInt(`0x${m[2] ?? '0'}`);
    const prev = this.base.get(m[1]!);
    if (prev === undefined) this.base.set(m[1]!, b);
    else if (prev !== b) {
      this.conflicts.push(`${printed} @0x${addr.toString(16)}`);
      return false;
    }
    return true;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rendered field text vs the tool's field text; '' when equal, else a description. */
export function compareFieldText(
  fmt: EventFormat,
  rec: TracepointRecord,
  text: string,
  bases: SymbolBases,
  resolve?: (a: bigint) => string | undefined,
): string {
  const rendered = renderPrintFmt(fmt, rec.fields, resolve ?? sentinelSymbol);
  if (rendered === null) return `print fmt not renderable: ${fmt.printFmt.slice(0, 80)}`;
  if (!rendered.includes(S1)) return rendered === text ? '' : `fields: got "${rendered}" want "${text}"`;
  const addrs: bigint[] = [];
  const re = rendered
    .split(new RegExp(`${S1}([0-9a-f]+)${S2}`))
    .map((part, i) => {
      if (i % 2 === 1) {
        addrs.push(BigInt(`0x${part}`));
        return '(\\S+)';
      }
      return escapeRe(part);
    })
    .join('');
  const m = new RegExp(`^${re}$`).exec(text);
  if (!m) return `fields: got "${rendered}" want "${text}"`;
  for (let i = 0; i < addrs.length; i++)
    if (!bases.check(m[i + 1]!, addrs[i]!)) return `symbol ${m[i + 1]} inconsistent with 0x${addrs[i]!.toString(16)}`;
  return '';
}
