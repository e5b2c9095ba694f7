/**
 * Column plans: which catalogue columns a tracepoint's payload fills, and how, worked out ONCE per embedded
 * format from its print fmt (the same `key=%conv` / `word %conv` text the tools print and ../parse/fields.ts
 * parseFields reads). Applying a plan reads the fields straight from the payload bytes into the row builder — no
 * field objects, no text, no BigInt (64-bit values as two uint32 halves).
 *
 * Exactness: a plan is only made when the value parseFields would read from the rendered text is a pure function
 * of the field bytes that the plan computes the same way (decimal/hex of the field at the conversion's width, the
 * pointer's 64 bits, the string itself); everything else — a format this module does not follow, a value whose
 * text parseFields would reject or split (a string with a blank, a number out of range, a field past the end of a
 * short payload) — returns null or bails at run time, and the caller renders the event and hands the text to
 * parseFields, which is then the reference for it. test/binary-front-door.test.ts checks the two paths give the
 * same table on every shared capture.
 */
import { REQUIRED_COLUMNS, requiredFlag, textKeys, type ColumnName } from '../table/catalogue.js';
import type { RowColumns, StringDictionary } from '../table/rows.js';
import { EV_DQL_STALL_DETECTED } from '../parse/fieldKeys.js';
import { REQUIRED, WANTED, WORD_KEY_LIST, canonicalEvent, eventId } from '../parse/fields.js';
import { u32 } from '../parse/tracing-data/bytes.js';
import { planCode, type PlanCode } from './binaryPlanCode.js';
import { readSmallInt, type EventFormat, type FormatField } from '../parse/tracing-data/eventFormat.js';
import {
  compilePrintFmt,
  type CompiledPrintFmt,
  type PrintArg,
  type SymbolResolver,
} from '../parse/tracing-data/printFmt.js';

/** How a column's text value is read by parseFields (fields.ts): each step kind mirrors one of its cases. */
const Kind = {
  /** %p / %x of a pointer: parsePtr → halves, never hashed (perf and trace-cmd print raw kernel pointers) */
  Ptr: 0,
  /** unsigned decimal (`len`: parseUDec, rejected above 2^32 - 1) */
  UDec: 1,
  /** signed decimal (parseDec) into an int32 column */
  Dec: 2,
  /** 32-bit number, hex after `0x` or decimal (parseNum32) */
  Num32: 3,
  /** %s of a char[] / __data_loc char[] field → dictionary */
  Str: 4,
  /** %s of __print_symbolic(REC->field, …) → dictionary */
  Sym: 5,
  /** %pS of an address → dictionary (kallsyms-resolved when the file has them, else 0x-hex) */
  Loc: 6,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

type IntColumn = 'len' | 'rc' | 'queue' | 'ifindex' | 'packets' | 'work' | 'budget' | 'handle' | 'parent' | 'txq_state';
type StrColumn = 'dev' | 'driver' | 'reason' | 'location';

interface Step {
  kind: Kind;
  col: ColumnName;
  field: FormatField;
  /** width the value is printed at (h: 16, hh: 8, l/ll/z: 64, else 32) */
  bits: number;
  /** printed unsigned (%u %x %X) */
  unsigned: boolean;
  table: Map<number, string> | null;
  /** the row builder's arrays for `col` (PlanApplier.bind): no lookup by column name per event */
  values: Int32Array | Uint32Array | Int16Array | null;
  valid: Uint8Array | null;
  halves: Uint32Array | null;
  /** a string column's dictionary (bound with the arrays: no lookup by column name per event) */
  dict: StringDictionary | null;
  /**
   * the last value this step set — its text, its bytes (a string field), the dictionary index they got: a device
   * name, a drop reason, a %pS call site repeat, and the dictionary's Map lookup is the dearer part of setting one
   */
  lastText: string | null;
  lastBytes: Buffer | null;
  lastIdx: number;
}

export interface ColumnPlan {
  steps: Step[];
  /** the plan reads a pointer: ptr_hashed is set (false) as parseFields does */
  pointers: boolean;
  /** the steps as generated code for little- / big-endian payloads (./binaryPlanCode.ts), made when first applied */
  codeLe: PlanCode | null;
  codeBe: PlanCode | null;
}

const KEY_COLUMN = textKeys();
const COLUMN_KIND: Partial<Record<ColumnName, Kind>> = {
  skbaddr: Kind.Ptr,
  napi: Kind.Ptr,
  len: Kind.UDec,
  rc: Kind.Dec,
  queue: Kind.Dec,
  ifindex: Kind.Dec,
  packets: Kind.Dec,
  work: Kind.Dec,
  budget: Kind.Dec,
  handle: Kind.Num32,
  parent: Kind.Num32,
  txq_state: Kind.Num32,
  dev: Kind.Str,
  driver: Kind.Str,
  reason: Kind.Str,
  location: Kind.Str,
};
/** a placeholder for conversion i in the template text (no blank, no '=') */
const MARK = '\u0001';

/** The tokens parseFields would see, with each conversion as MARK + its index. */
function templateTokens(parts: CompiledPrintFmt): string[] {
  let text = '';
  let conv = 0;
  for (const p of parts.parts) text += typeof p === 'string' ? p : `${MARK}${conv++}${MARK}`;
  return text.split(/[ \t]+/).filter((t) => t !== '');
}

/** `MARKiMARK` (optionally after a `0x` the format prints itself) → i, else -1. */
function markIndex(v: string): { i: number; hex: boolean } | null {
  const m = /^(0x)?\u0001(\d+)\u0001$/.exec(v);
  return m === null ? null : { i: Number(m[2]), hex: m[1] !== undefined };
}

/** The plan of one format, or null: the caller renders its events and parses the text (the reference). */
export function columnPlan(fmt: EventFormat): ColumnPlan | null {
  const ev = eventId(canonicalEvent(fmt.event));
  // events not modelled keep their text in `raw`, as does dql_stall_detected: rendering is what they need
  if (ev < 0 || ev === EV_DQL_STALL_DETECTED) return null;
  const c = compilePrintFmt(fmt);
  if (c === null) return null;
  const tokens = templateTokens(c);
  const steps: Step[] = [];
  const used = new Set<number>();
  let seen = 0;
  const wanted = WANTED[ev] ?? -1;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    const eq = tok.indexOf('=');
    let key: string;
    let value: string;
    if (eq >= 0) {
      key = tok.slice(0, eq);
      value = tok.slice(eq + 1);
    } else if (WORD_KEY_LIST.includes(tok)) {
      key = tok.replace(/:$/, '');
      value = tokens[++t] ?? '';
    } else {
      // a bare token parseFields skips; a string conversion here could print a `key=` of its own
      if (tok.includes(MARK) && !/^[^\u0001]*\u0001\d+\u0001[^\u0001]*$/.test(tok)) return null;
      const m = /\u0001(\d+)\u0001/.exec(tok);
      if (m !== null && partOf(c, Number(m[1])).conv === 's') return null;
      continue;
    }
    if (key.includes(MARK)) return null;
    const col = KEY_COLUMN.get(key);
    const mark = markIndex(value);
    if (col === undefined) {
      // a key no column keeps: only a string could carry blanks that shift the tokens after it
      if (value.includes(MARK) && (mark === null || partOf(c, mark.i).conv === 's')) return null;
      continue;
    }
    if (mark === null || used.has(mark.i)) return null;
    const step = stepOf(fmt, col, c.args[mark.i]!, partOf(c, mark.i), mark.hex);
    if (step === null || steps.some((s) => s.col === step.col)) return null;
    used.add(mark.i);
    steps.push(step);
    if (REQUIRED_COLUMNS.includes(col)) seen |= requiredFlag(col);
    // parseFields stops once it has every field it wants of the event: so does the plan
    if (wanted !== -1 && (seen & wanted) === wanted) break;
  }
  // a missing required field is an error parseFields words: leave those events to it
  if (((REQUIRED[ev] ?? 0) & ~seen) !== 0) return null;
  return { steps, pointers: steps.some((s) => s.kind === Kind.Ptr), codeLe: null, codeBe: null };
}

type Conversion = { conv: string; flags: string; width: number; len: string };

function partOf(c: CompiledPrintFmt, i: number): Conversion {
  let k = 0;
  for (const p of c.parts) if (typeof p !== 'string' && k++ === i) return p;
  throw new Error(`print fmt: no conversion ${i}`);
}

const BITS: Record<string, number> = { hh: 8, h: 16, l: 64, ll: 64, z: 64, '': 32 };

function newStep(
  kind: Kind,
  col: ColumnName,
  field: FormatField,
  bits: number,
  unsigned: boolean,
  table: Map<number, string> | null,
): Step {
  return {
    kind,
    col,
    field,
    bits,
    unsigned,
    table,
    values: null,
    valid: null,
    halves: null,
    dict: null,
    lastText: null,
    lastBytes: null,
    lastIdx: -1,
  };
}

/** The step that reads `col` from argument `arg` printed by conversion `p`, or null when the text rules differ. */
function stepOf(fmt: EventFormat, col: ColumnName, arg: PrintArg, p: Conversion, hexPrefix: boolean): Step | null {
  const kind = COLUMN_KIND[col];
  const field = fmt.fields.find((f) => f.name === arg.name);
  // padding would put blanks into the value; an indexed argument reads one array element (not followed here)
  if (kind === undefined || field === undefined || p.width !== 0 || (arg.k === 'field' && arg.index !== undefined))
    return null;
  const bits = BITS[p.len] ?? 32;
  const hex = p.conv === 'x' || p.conv === 'X';
  const unsigned = p.conv === 'u' || hex;
  // every step has one shape (one hidden class): apply() reads them without a map check per kind
  const step = (k: Kind, b = bits, table: Map<number, string> | null = null): Step =>
    newStep(k, col, field, b, unsigned, table);
  const intField = field.kind === 'int' && (field.size === 1 || field.size === 2 || field.size === 4);
  const int64 = field.kind === 'int' && field.size === 8;
  switch (kind) {
    case Kind.Ptr: {
      const ok = (p.conv === 'p' ? !hexPrefix : hex && !p.flags.includes('#')) && (field.size === 8 || intField);
      // a hex conversion narrower than the field would cut the pointer
      if (!ok || field.kind !== 'int' || (p.conv !== 'p' && bits < field.size * 8)) return null;
      // %p prints the value as 64-bit unsigned (printFmt.ts): a negative int field sign-extends
      return step(kind, p.conv === 'p' ? 64 : bits);
    }
    case Kind.UDec:
    case Kind.Dec: {
      const dec = p.conv === 'd' || p.conv === 'i' || p.conv === 'u';
      return dec && !hexPrefix && (intField || int64) ? step(kind) : null;
    }
    case Kind.Num32: {
      // `0x%X` (hex after the format's own 0x, or %#x) or a decimal conversion: parseNum32 reads both
      const ok = hexPrefix ? hex && !p.flags.includes('#') : p.conv === 'd' || p.conv === 'u' || p.conv === 'i' || hex;
      if (!ok || !(intField || int64) || (!hexPrefix && hex && !p.flags.includes('#'))) return null;
      return step(kind);
    }
    case Kind.Str:
      if (hexPrefix) return null;
      if (arg.k === 'symbolic') {
        if (p.conv !== 's' || !intField) return null;
        const table = new Map<number, string>();
        for (const [k, v] of arg.table) table.set(Number(k), v);
        return step(Kind.Sym, bits, table);
      }
      if (p.conv === 's' && (field.kind === 'string' || field.kind === 'dynString')) return step(kind);
      if (
        ['pS', 'ps', 'pB', 'pF', 'pf'].includes(p.conv) &&
        field.kind === 'int' &&
        (field.size === 8 || field.size === 4)
      )
        return step(Kind.Loc);
      return null;
    default:
      return null;
  }
}

/** Reads a payload's fields into row r by plans; false: a value the text would not carry the same (caller renders). */
export class PlanApplier {
  /** %pS text by address (high half → low half → text): code addresses repeat, the text is made once */
  private readonly locations = new Map<number, Map<number, string | null>>();
  private locationCount = 0;

  constructor(
    private readonly cols: RowColumns,
    private readonly resolve: SymbolResolver | undefined,
  ) {}

  /** Point the plan's steps at this applier's column arrays (once per plan: the arrays stay, batches copy out). */
  bind(plan: ColumnPlan): ColumnPlan {
    const cols = this.cols;
    for (const s of plan.steps) {
      s.valid = cols.valid[s.col];
      if (s.kind === Kind.Ptr) s.halves = s.col === 'skbaddr' ? cols.halves.skbaddr : cols.halves.napi;
      else if (s.kind === Kind.UDec || s.kind === Kind.Dec || s.kind === Kind.Num32)
        s.values = cols.values[s.col as IntColumn];
      else {
        s.values = cols.values[s.col as StrColumn];
        s.dict = cols.dicts[s.col as StrColumn];
      }
    }
    return plan;
  }

  apply(plan: ColumnPlan, r: number, buf: Buffer, start: number, end: number, le: boolean): boolean {
    // the generated code reads bytes unchecked: only for a payload inside its buffer (always, from the readers)
    if (start < 0 || end > buf.length) return this.applySteps(plan, r, buf, start, end, le);
    const code = le ? (plan.codeLe ??= this.code(plan, true)) : (plan.codeBe ??= this.code(plan, false));
    return code(r, buf, this.viewOf(buf), start, end);
  }

  /** the buffer viewOf last made a view of, and that view (events of one chunk come in runs) */
  private viewBuf: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  private viewOf(buf: Uint8Array): DataView {
    if (buf !== this.viewBuf) {
      this.viewBuf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }

  private code(plan: ColumnPlan, le: boolean): PlanCode {
    const ptr = { values: this.cols.values.ptr_hashed, valid: this.cols.valid.ptr_hashed };
    try {
      return planCode(plan.steps, plan.pointers, le, this, ptr);
    } catch {
      // code from strings refused (node --disallow-code-generation-from-strings): the steps loop, same rows
      return (r, buf, _view, start, end) => this.applySteps(plan, r, buf, start, end, le);
    }
  }

  /** apply() step by step (the reference the generated code follows: ./binaryPlanCode.ts). */
  applySteps(plan: ColumnPlan, r: number, buf: Buffer, start: number, end: number, le: boolean): boolean {
    const cols = this.cols;
    const steps = plan.steps;
    // an indexed loop: for-of made an array iterator per event in this (too large to inline) function
    for (let k = 0; k < steps.length; k++) {
      const s = steps[k]!;
      const f = s.field;
      const at = start + f.offset;
      if (at + f.size > end) return false;
      switch (s.kind) {
        case Kind.Ptr: {
          let lo: number;
          let hi: number;
          if (f.size === 8) {
            lo = u32(buf, le ? at : at + 4, le);
            hi = u32(buf, le ? at + 4 : at, le);
          } else {
            const v = readInt(buf, at, f.size, f.signed, le);
            // %p prints the value as a 64-bit unsigned (a negative int sign-extends), %x at its width
            lo = v >>> 0;
            hi = v < 0 && s.bits === 64 ? 0xffffffff : 0;
          }
          const h = s.halves!;
          // int32 bit patterns (the same bits in the Uint32Array): no heap number for a half past 2^31
          h[2 * r] = lo | 0;
          h[2 * r + 1] = hi | 0;
          s.valid![r] = 1;
          break;
        }
        case Kind.UDec:
        case Kind.Dec:
        case Kind.Num32: {
          const v = f.size === 8 ? read64(buf, at, f.signed, s.bits, le) : readInt(buf, at, f.size, f.signed, le);
          const n = printed(v, s.bits, s.unsigned);
          if (n !== n) return false;
          // parseUDec: no sign, at most 2^32 - 1; parseNum32 hex: at most 8 digits
          if (s.kind === Kind.UDec && (n < 0 || n > 0xffffffff)) return false;
          if (s.kind === Kind.Num32 && s.unsigned && n > 0xffffffff) return false;
          if (s.kind !== Kind.Num32 && (n > 0x7fffffff * 2 + 1 || n < -0x80000000)) return false;
          // stored as its int32 bit pattern (the same value in an Int32/Uint32/Int16Array): the store site sees
          // several array types, and a uint32 past 2^31 (a qdisc handle) reached it as a new heap number
          s.values![r] = n | 0;
          s.valid![r] = 1;
          break;
        }
        default:
          if (!this.stringStep(s, r, buf, this.viewOf(buf), start, at, end, le)) return false;
      }
    }
    if (plan.pointers) {
      cols.values.ptr_hashed[r] = 0;
      cols.valid.ptr_hashed[r] = 1;
    }
    return true;
  }

  /** A string-valued step (Str, Sym, Loc) of row r: its dictionary index; false when the text would differ. */
  stringStep(
    s: Step,
    r: number,
    buf: Buffer,
    view: DataView,
    start: number,
    at: number,
    end: number,
    le: boolean,
  ): boolean {
    if (s.kind === Kind.Str && this.sameAsLast(s, r, buf, view, start, at, end, le)) return true;
    const text = this.text(s, buf, view, start, at, end, le);
    if (text === null) return false;
    // an empty value: `dev=` / `for device  work` is a present, unnamed device; other keys take the next token
    if (text === '') return s.col === 'dev';
    // `for device work work 1`: parseFields reads a word key after `device` as an empty name
    if (s.col === 'dev' && WORD_KEY_LIST.includes(text)) return false;
    // the step's own dictionary and arrays (RowColumns.setDict looks the column up by name: a megamorphic load per
    // event)
    if (text !== s.lastText) {
      s.lastIdx = s.dict!.intern(text);
      s.lastText = text;
      if (s.kind === Kind.Str) s.lastBytes = Buffer.from(buf.subarray(this.lastA, this.lastB));
    }
    s.values![r] = s.lastIdx;
    s.valid![r] = 1;
    return true;
  }

  /** the byte range of the string sameAsLast last looked at */
  private lastA = 0;
  private lastB = 0;

  /** The string field holds the bytes it held last time: same dictionary index, no string made. */
  private sameAsLast(
    s: Step,
    r: number,
    buf: Buffer,
    view: DataView,
    start: number,
    at: number,
    end: number,
    le: boolean,
  ): boolean {
    const b = stringEnd(s.field, view, start, at, end, le);
    if (b < 0) return false;
    const a = stringStart;
    this.lastA = a;
    this.lastB = b;
    const prev = s.lastBytes;
    if (prev === null || !sameBytes(prev, buf, a, b)) return false;
    s.values![r] = s.lastIdx;
    s.valid![r] = 1;
    return true;
  }

  /** The text of a string-valued step, or null when the printed token would not be that text. */
  private text(
    s: Step,
    buf: Buffer,
    view: DataView,
    start: number,
    at: number,
    end: number,
    le: boolean,
  ): string | null {
    const f = s.field;
    if (s.kind === Kind.Sym) {
      const n = readInt(buf, at, f.size, f.signed, le);
      return s.table!.get(n) ?? null;
    }
    if (s.kind === Kind.Loc) return this.location(view, at, f.size, le);
    const b = stringEnd(f, view, start, at, end, le);
    if (b < 0) return null;
    const a = stringStart;
    const z = buf.indexOf(0, a);
    const text = buf.toString('utf8', a, z >= 0 && z < b ? z : b);
    return blankFree(text) ? text : null;
  }

  /**
   * %pS texts by address in a direct-mapped cache of int32 bit patterns: a kernel text address's halves are past
   * 2^31, and as Map keys each lookup made two heap numbers (~30 bytes of garbage per kfree_skb; README "Speed").
   */
  private readonly locLo = new Int32Array(LOC_SLOTS);
  private readonly locHi = new Int32Array(LOC_SLOTS);
  private readonly locText: (string | null | undefined)[] = new Array<string | null | undefined>(LOC_SLOTS).fill(
    undefined,
  );

  private location(view: DataView, at: number, size: number, le: boolean): string | null {
    let lo: number;
    let hi = 0;
    if (size === 8) {
      lo = i32v(view, le ? at : at + 4, le);
      hi = i32v(view, le ? at + 4 : at, le);
    } else lo = i32v(view, at, le);
    const k = (lo ^ (lo >>> 11)) & (LOC_SLOTS - 1);
    const cached = this.locText[k];
    if (cached !== undefined && this.locLo[k] === lo && this.locHi[k] === hi) return cached;
    const text = this.locationText(lo >>> 0, hi >>> 0);
    this.locLo[k] = lo;
    this.locHi[k] = hi;
    this.locText[k] = text;
    return text;
  }

  /** The %pS text of an address (halves), made once per address while the cache holds it. */
  private locationText(lo: number, hi: number): string | null {
    let byLo = this.locations.get(hi);
    if (byLo === undefined) this.locations.set(hi, (byLo = new Map()));
    let text = byLo.get(lo);
    if (text === undefined) {
      const hex = hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
      const t = this.resolve?.((BigInt(hi) << 32n) | BigInt(lo)) ?? `0x${hex}`;
      text = t !== '' && blankFree(t) ? t : null;
      // a bound on the cache, not on correctness: past it, texts are made again
      if (++this.locationCount > 1 << 16) {
        this.locations.clear();
        this.locationCount = 0;
      }
      byLo.set(lo, text);
    }
    return text;
  }
}

/** slots of PlanApplier's %pS cache (a power of two) */
const LOC_SLOTS = 256;

/**
 * A 32-bit field as its int32 bit pattern, through a DataView: the byte order as a literal at each read (a DataView
 * read in an order known only at run time is a builtin call, not inlined).
 */
function i32v(view: DataView, at: number, le: boolean): number {
  return le ? view.getInt32(at, true) : view.getInt32(at, false);
}

/** Start of the byte range the last stringEnd() found (a module slot: no tuple allocated per event). */
let stringStart = 0;

/**
 * The bytes of a string field: a fixed char array [at, at+size) (size 0: to the end of the payload), or a
 * __data_loc string (offset in the low 16 bits, length in the high 16, relative to the field for __rel_loc).
 * Returns the end and sets stringStart, or -1 when the string runs past the payload.
 */
function stringEnd(f: FormatField, view: DataView, start: number, at: number, end: number, le: boolean): number {
  stringStart = at;
  if (f.kind !== 'dynString') return f.size === 0 ? end : at + f.size;
  const loc = i32v(view, at, le);
  stringStart = start + (loc & 0xffff) + (f.relative ? f.offset + f.size : 0);
  const b = stringStart + (loc >>> 16);
  return b > end ? -1 : b;
}

/** buf[a, b) holds the bytes of `prev` (a device name: a few bytes, compared in a loop, not by Buffer.compare). */
function sameBytes(prev: Buffer, buf: Buffer, a: number, b: number): boolean {
  if (prev.length !== b - a) return false;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== buf[a + i]) return false;
  return true;
}

/** No character the line tokenizer or the line splitter would cut at (blank, tab, control). */
function blankFree(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) <= 32 || s.charCodeAt(i) === 127) return false;
  return true;
}

const readInt = readSmallInt;

/**
 * An 8-byte field as the number its conversion needs: the low 32 bits when printed at 32 bits or less (asIntN /
 * asUintN of them depend on those alone), else the value when it lies within ±2^31 (NaN otherwise: the caller
 * renders it).
 */
function read64(buf: Buffer, at: number, signed: boolean, bits: number, le: boolean): number {
  const lo = u32(buf, le ? at : at + 4, le);
  if (bits <= 32) return lo;
  const hi = u32(buf, le ? at + 4 : at, le);
  if (hi === 0) return lo;
  if (signed && hi === 0xffffffff && lo >= 0x80000000) return lo | 0;
  return NaN;
}

/**
 * The number printed for field value v (at most 32 bits, exact as a double) by a conversion of `bits` width
 * (printFmt.ts intText: BigInt.asIntN / asUintN). 64-bit unsigned of a negative value: NaN (the caller renders).
 */
function printed(v: number, bits: number, unsigned: boolean): number {
  switch (bits) {
    case 8:
      return unsigned ? v & 0xff : (v << 24) >> 24;
    case 16:
      return unsigned ? v & 0xffff : (v << 16) >> 16;
    case 32:
      return unsigned ? v >>> 0 : v | 0;
    default:
      return unsigned && v < 0 ? NaN : v;
  }
}
