/**
 * A column plan (./binaryPlan.ts) as straight-line code: one function per plan and byte order, made once with
 * `new Function`, each field's offset, size, signedness and print width written in as constants and each column's
 * typed array a constant of its own. PlanApplier.apply walks the steps of any plan in one loop, and there a field
 * load, the step's kind and the target array's type (Int16/Int32/Uint32Array) differ from step to step: ~900
 * instructions per event of the bench's perf.data went to that loop (callgrind, 2026-12-07). Generated, each
 * function sees one type per site and reads its fields through a DataView of the payload's buffer (one load each).
 *
 * The code computes what apply() computes, in the same order (a row it gives up on is discarded and rendered:
 * the values written before that step stay in the arrays, as they do after apply()), so the table is the same
 * byte for byte; string-valued steps (dictionaries, %pS, symbolic) call the applier's own step.
 */
import type { FormatField } from '../parse/tracing-data/eventFormat.js';

/** Generated plan code: rows of the payload buf[start, end) into row r; false: render this event instead. */
export type PlanCode = (r: number, buf: Buffer, view: DataView, start: number, end: number) => boolean;

/** What the generator needs of a plan step (./binaryPlan.ts Step). */
export interface CodeStep {
  kind: number;
  field: FormatField;
  bits: number;
  unsigned: boolean;
  values: Int32Array | Uint32Array | Int16Array | null;
  valid: Uint8Array | null;
  halves: Uint32Array | null;
}

/** The step kinds (./binaryPlan.ts Kind), as the generator reads them. */
const CodeKind = { Ptr: 0, UDec: 1, Dec: 2, Num32: 3 } as const;

/** A 32-bit read at `a` (an expression) in the given byte order, as an int32 bit pattern (| 0). */
function i32At(a: string, le: boolean): string {
  return `view.getInt32(${a}, ${le})`;
}

/** readSmallInt(buf, a, size, signed, le) (../parse/tracing-data/eventFormat.ts) as an expression. */
function smallInt(a: string, size: number, signed: boolean, le: boolean): string {
  if (size === 1) return signed ? `view.getInt8(${a})` : `view.getUint8(${a})`;
  if (size === 2) return signed ? `view.getInt16(${a}, ${le})` : `view.getUint16(${a}, ${le})`;
  return signed ? `view.getInt32(${a}, ${le})` : `view.getUint32(${a}, ${le})`;
}

/** binaryPlan.ts printed(v, bits, unsigned) as an expression of `v`. */
function printedOf(bits: number, unsigned: boolean): string {
  switch (bits) {
    case 8:
      return unsigned ? 'v & 0xff' : '(v << 24) >> 24';
    case 16:
      return unsigned ? 'v & 0xffff' : '(v << 16) >> 16';
    case 32:
      return unsigned ? 'v >>> 0' : 'v | 0';
    default:
      return unsigned ? '(v < 0 ? NaN : v)' : 'v';
  }
}

/** The value an integer step reads (binaryPlan.ts read64 for an 8-byte field, else readSmallInt), as `const v`. */
function intValue(f: FormatField, bits: number, le: boolean): string {
  if (f.size !== 8) return `const v = ${smallInt('a', f.size, f.signed, le)};`;
  const lo = `view.getUint32(${le ? 'a' : 'a + 4'}, ${le})`;
  if (bits <= 32) return `const v = ${lo};`;
  const hi = `view.getUint32(${le ? 'a + 4' : 'a'}, ${le})`;
  const neg = f.signed ? 'hi === 0xffffffff && lo >= 0x80000000 ? lo | 0 : NaN' : 'NaN';
  return `const lo = ${lo}; const hi = ${hi}; const v = hi === 0 ? lo : ${neg};`;
}

/** One step's code (its own block): `i` names its constants (s<i>, v<i>, ok<i>, h<i>). */
function stepCode(s: CodeStep, i: number, le: boolean): string {
  const f = s.field;
  const head = `{ const a = start + ${f.offset}; if (a + ${f.size} > end) return false; `;
  if (s.kind === CodeKind.Ptr) {
    let halves: string;
    if (f.size === 8) {
      halves = `h${i}[2 * r] = ${i32At(le ? 'a' : 'a + 4', le)}; h${i}[2 * r + 1] = ${i32At(le ? 'a + 4' : 'a', le)};`;
    } else {
      const hi = s.bits === 64 ? '(v < 0 ? 0xffffffff : 0)' : '0';
      halves = `const v = ${smallInt('a', f.size, f.signed, le)}; h${i}[2 * r] = (v >>> 0) | 0; h${i}[2 * r + 1] = ${hi} | 0;`;
    }
    return `${head}${halves} ok${i}[r] = 1; }`;
  }
  if (s.kind === CodeKind.UDec || s.kind === CodeKind.Dec || s.kind === CodeKind.Num32) {
    const checks = [
      'if (n !== n) return false;',
      s.kind === CodeKind.UDec ? 'if (n < 0 || n > 0xffffffff) return false;' : '',
      s.kind === CodeKind.Num32 && s.unsigned ? 'if (n > 0xffffffff) return false;' : '',
      s.kind !== CodeKind.Num32 ? 'if (n > 0xffffffff || n < -0x80000000) return false;' : '',
    ].join(' ');
    const v = intValue(f, s.bits, le);
    return `${head}${v} const n = ${printedOf(s.bits, s.unsigned)}; ${checks} v${i}[r] = n | 0; ok${i}[r] = 1; }`;
  }
  // a string-valued step: the applier's own code (dictionaries, the %pS cache, the last value's bytes)
  return `${head}if (!ap.stringStep(s${i}, r, buf, view, start, a, end, ${le})) return false; }`;
}

/**
 * The plan's steps as one function for payloads in `le` byte order. `ap` is the applier (its stringStep), `ptr`
 * the ptr_hashed column (values, validity) a plan that reads a pointer sets.
 */
export function planCode(
  steps: readonly CodeStep[],
  pointers: boolean,
  le: boolean,
  ap: unknown,
  ptr: { values: Uint8Array; valid: Uint8Array },
): PlanCode {
  const consts = steps.map(
    (_, i) => `const s${i} = steps[${i}], v${i} = s${i}.values, ok${i} = s${i}.valid, h${i} = s${i}.halves;`,
  );
  const body = steps.map((s, i) => stepCode(s, i, le));
  if (pointers) body.push('ptrValues[r] = 0; ptrValid[r] = 1;');
  const src = `'use strict'; ${consts.join(' ')} const ptrValues = ptr.values, ptrValid = ptr.valid;
return function planApply(r, buf, view, start, end) { ${body.join('\n')} return true; };`;
  // the source is made here from numbers of the format (offsets, sizes, widths) and literals: no text of the file
  return new Function('steps', 'ap', 'ptr', src)(steps, ap, ptr) as PlanCode;
}
