/**
 * Tracepoint format files (tracefs events/<system>/<name>/format, as embedded in perf.data's
 * HEADER_TRACING_DATA and in trace.dat) and decoding a raw event payload by them.
 * The kernel writes them in kernel/trace/trace_events.c f_show(): one
 * `field:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;` line per field, `__data_loc`/`__rel_loc` for dynamic
 * arrays (a u32: offset in the low 16 bits, length in the high 16; __rel_loc offsets count from the end of
 * the field), `TYPE NAME[N]` for static arrays.
 */
import { i32, u16, u32 } from './bytes.js';
import type { TraceFieldValue } from './types.js';

type FieldKind = 'int' | 'string' | 'array' | 'dynString' | 'dynArray';

export interface FormatField {
  name: string;
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  kind: FieldKind;
  /** Element size for arrays. */
  elemSize: number;
  /** `__rel_loc` (offset relative to the end of the field) rather than `__data_loc`. */
  relative: boolean;
}

export interface EventFormat {
  id: number;
  system: string;
  name: string;
  /** `system:name` */
  event: string;
  common: FormatField[];
  fields: FormatField[];
  printFmt: string;
}

const FIELD_RE = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(-?\d+);)?/;

function elemSizeOf(type: string, longSize: number): number {
  const t = type
    .replace(/\b(const|volatile|signed|unsigned)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.endsWith('*')) return longSize;
  if (/^(char|u8|s8|bool|__u8|__s8)$/.test(t)) return 1;
  if (/^(short|u16|s16|__u16|__s16|__be16|__le16|short int)$/.test(t)) return 2;
  if (/^(long long|u64|s64|__u64|__s64|__be64|__le64|long long int)$/.test(t)) return 8;
  if (/^(long|long int|size_t|ssize_t)$/.test(t)) return longSize;
  return 4;
}

/** Parse one `field:` declaration (also used for header_page). */
export function parseFieldLine(line: string, longSize = 8): FormatField | null {
  const m = FIELD_RE.exec(line);
  if (!m) return null;
  let decl = m[1]!.trim();
  const offset = Number(m[2]);
  const size = Number(m[3]);
  const signed = m[4] === '1';
  let kind: FieldKind = 'int';
  let relative = false;
  let count = 0;
  const dyn = /^__(data|rel)_loc\s+/.exec(decl);
  if (dyn) {
    relative = dyn[1] === 'rel';
    decl = decl.slice(dyn[0].length);
  }
  // Static array: `TYPE NAME[N]` (N may be a macro the kernel did not expand: then size/elem).
  const arr = /^(.*?)\s*([A-Za-z_]\w*)\s*\[([^\]]*)\]\s*$/.exec(decl);
  // Dynamic: `char[] name`
  const dynDecl = /^(.*?)\[\]\s*([A-Za-z_]\w*)$/.exec(decl);
  let type: string;
  let name: string;
  if (dynDecl) {
    type = dynDecl[1]!.trim();
    name = dynDecl[2]!;
  } else if (arr) {
    type = arr[1]!.trim();
    name = arr[2]!;
    count = /^\d+$/.test(arr[3]!.trim()) ? Number(arr[3]!.trim()) : 0;
  } else {
    const nm = /^(.*?)\s*([A-Za-z_]\w*)$/.exec(decl);
    type = nm ? nm[1]!.trim() : decl;
    name = nm ? nm[2]! : decl;
  }
  const isChar = /^(const\s+)?(signed\s+|unsigned\s+)?char$/.test(type) && !/unsigned/.test(type);
  let elemSize = elemSizeOf(type, longSize);
  if (dyn) kind = isChar ? 'dynString' : 'dynArray';
  else if (arr) {
    kind = isChar ? 'string' : 'array';
    if (count > 0 && size % count === 0) elemSize = size / count;
  } else if (size > 8) kind = 'array';
  if (kind === 'array' && size > 0 && elemSize > size) elemSize = 1;
  return { name, type, offset, size, signed, kind, elemSize, relative };
}

export function parseEventFormat(text: string, system: string, longSize = 8): EventFormat {
  const name = /^name:\s*(\S+)/m.exec(text)?.[1];
  const id = /^ID:\s*(\d+)/m.exec(text)?.[1];
  if (name === undefined || id === undefined) throw new Error(`format file for ${system} has no name/ID`);
  const common: FormatField[] = [];
  const fields: FormatField[] = [];
  for (const line of text.split('\n')) {
    const f = parseFieldLine(line, longSize);
    if (f === null) {
      // a field the reader cannot place would shift or drop the values after it: refuse the format instead
      if (/^\s*field:/.test(line)) throw new Error(`malformed field line "${line.trim().slice(0, 80)}"`);
      continue;
    }
    (f.name.startsWith('common_') ? common : fields).push(f);
  }
  const pf = /^print fmt:\s*(.*)$/m.exec(text)?.[1] ?? '';
  return { id: Number(id), system, name, event: `${system}:${name}`, common, fields, printFmt: pf };
}

/** A 1-, 2- or 4-byte integer field (any other size reads as a 4-byte one): the binary readers' one decoder. */
export function readSmallInt(buf: Buffer, at: number, size: number, signed: boolean, le: boolean): number {
  if (size === 1) return signed ? buf.readInt8(at) : buf[at]!;
  if (size === 2) return signed ? (u16(buf, at, le) << 16) >> 16 : u16(buf, at, le);
  return signed ? i32(buf, at, le) : u32(buf, at, le);
}

function readInt(buf: Buffer, at: number, size: number, signed: boolean, le: boolean): number | bigint {
  if (size === 8)
    return signed
      ? le
        ? buf.readBigInt64LE(at)
        : buf.readBigInt64BE(at)
      : le
        ? buf.readBigUInt64LE(at)
        : buf.readBigUInt64BE(at);
  return size === 1 || size === 2 || size === 4 ? readSmallInt(buf, at, size, signed, le) : 0;
}

function cString(buf: Buffer, a: number, b: number): string {
  const z = buf.indexOf(0, a);
  return buf.toString('utf8', a, z >= 0 && z < b ? z : b);
}

function readArray(buf: Buffer, a: number, len: number, elem: number, signed: boolean, le: boolean): number[] {
  const out: number[] = [];
  for (let p = a; p + elem <= a + len; p += elem) out.push(Number(readInt(buf, p, elem, signed, le)));
  return out;
}

/**
 * Decode the fields of one raw event payload `buf[start, end)`. Out-of-range fields (truncated payload) are
 * left out rather than invented.
 */
export function decodeFields(
  fmt: EventFormat,
  buf: Buffer,
  start: number,
  end: number,
  le: boolean,
): Record<string, TraceFieldValue> {
  const out: Record<string, TraceFieldValue> = {};
  for (const f of fmt.fields) {
    const at = start + f.offset;
    if (at + f.size > end) continue;
    // A flexible array (`char buf[]`, size 0: ftrace print/bputs) runs to the end of the payload.
    const stop = f.size === 0 ? end : at + f.size;
    switch (f.kind) {
      case 'int':
        out[f.name] = readInt(buf, at, f.size, f.signed, le);
        break;
      case 'string':
        out[f.name] = cString(buf, at, stop);
        break;
      case 'array':
        out[f.name] = readArray(buf, at, stop - at, f.elemSize, f.signed, le);
        break;
      case 'dynString':
      case 'dynArray': {
        const loc = le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
        let off = loc & 0xffff;
        const len = loc >>> 16;
        if (f.relative) off += f.offset + f.size;
        const a = start + off;
        if (a + len > end) continue;
        out[f.name] =
          f.kind === 'dynString' ? cString(buf, a, a + len) : readArray(buf, a, len, f.elemSize, f.signed, le);
        break;
      }
    }
  }
  return out;
}

const FIXED_SIZE = new WeakMap<EventFormat, number>();
/** Bytes a payload must have for every fixed field of its format (a shorter one was cut or is damaged). */
export function fixedSize(fmt: EventFormat): number {
  let n = FIXED_SIZE.get(fmt);
  if (n === undefined) {
    n = 0;
    for (const f of [...fmt.common, ...fmt.fields]) n = Math.max(n, f.offset + f.size);
    FIXED_SIZE.set(fmt, n);
  }
  return n;
}

/** common_type of a raw payload (u16 at offset 0 on every kernel since 2.6.3x). */
export function commonType(buf: Buffer, start: number, le: boolean): number {
  return u16(buf, start, le);
}

/** common_pid (s32 at offset 4). */
export function commonPid(buf: Buffer, start: number, le: boolean): number {
  return i32(buf, start + 4, le);
}
