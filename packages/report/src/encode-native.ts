/**
 * Arrow event table → ClickHouse Native format for the `events` table (server placement).
 * Native is columnar like Arrow: fixed-width columns are the Arrow value buffers as they are (little-endian),
 * Nullable(T) is a byte-per-row null map followed by T for every row, String is LEB128 length + bytes per row.
 * The server deserializes it without parsing, so the insert costs about what clickhouse-client's own
 * (client-side parsed, Native over TCP) insert costs the server. Block layout over HTTP (no block info):
 * VarUInt columns, VarUInt rows, then per column: name, type name, data.
 * Types are the table's plain types (no LowCardinality: newer servers convert on insert; 18.16 has none).
 */
import { Type, type Data, type Table, type RecordBatch } from 'apache-arrow';
import type { ServerCaps } from './caps.js';
import { EVENT_COLUMNS, RUN_CONSTANT_COLUMNS, tableStructure } from './ddl.js';
import {
  chStringBytes,
  eventColumnData,
  isValid,
  runConstants,
  varUIntBytes,
  wallOffsetParts,
  type EncodeEventsOptions,
} from './encode-events.js';

/** Null map of rows [start, start+rows): 1 = NULL. */
function nullMap(d: Data, start: number, rows: number): Buffer {
  const m = Buffer.alloc(rows);
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return m;
  const bm = d.nullBitmap;
  for (let r = 0; r < rows; r++) {
    const i = d.offset + start + r;
    m[r] = ((bm[i >> 3]! >> (i & 7)) & 1) === 1 ? 0 : 1;
  }
  return m;
}

/** A dictionary chunk's values as Native String cells: one byte string, each value's start and length in it. */
interface DictCells {
  bytes: Buffer;
  start: Int32Array;
  len: Int32Array;
}

const dictCache = new WeakMap<Data, DictCells>();

/** VarUInt length + bytes of each dictionary value, packed once per dictionary chunk (NULL slots: ''). */
function dictCells(d: Data): DictCells {
  const cached = dictCache.get(d);
  if (cached) return cached;
  const offs = d.valueOffsets as Int32Array;
  const vals = d.values as Uint8Array;
  const parts: Buffer[] = [];
  const start = new Int32Array(d.length);
  const len = new Int32Array(d.length);
  let p = 0;
  for (let i = 0; i < d.length; i++) {
    const a = offs[d.offset + i]!;
    const b = isValid(d, i) ? offs[d.offset + i + 1]! : a;
    const cell = Buffer.concat([varUIntBytes(b - a), vals.subarray(a, b)]);
    parts.push(cell);
    start[i] = p;
    len[i] = cell.length;
    p += cell.length;
  }
  const out = { bytes: Buffer.concat(parts), start, len };
  dictCache.set(d, out);
  return out;
}

/** The cells of every chunk of a growing dictionary, indexed by the column's dictionary index. */
function flatDict(chunks: readonly Data[]): DictCells {
  if (chunks.length === 1) return dictCells(chunks[0]!);
  const all = chunks.map(dictCells);
  const n = all.reduce((s, c) => s + c.len.length, 0);
  const start = new Int32Array(n);
  const len = new Int32Array(n);
  let i = 0;
  let base = 0;
  for (const c of all) {
    for (let j = 0; j < c.len.length; j++, i++) {
      start[i] = c.start[j]! + base;
      len[i] = c.len[j]!;
    }
    base += c.bytes.length;
  }
  return { bytes: Buffer.concat(all.map((c) => c.bytes)), start, len };
}

/** Copy `n` bytes; a short cell byte by byte (cheaper than a native copy call for the typical 1–16 bytes). */
function copyCell(out: Buffer, p: number, src: Uint8Array, a: number, n: number): void {
  if (n <= 16) for (let k = 0; k < n; k++) out[p + k] = src[a + k]!;
  else out.set(src.subarray(a, a + n), p);
}

/** Bytes of a VarUInt. */
const varUIntSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function putVarUInt(out: Buffer, p: number, n: number): number {
  while (n >= 0x80) {
    out[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[p++] = n;
  return p;
}

/**
 * A String column's cells (NULL as ''), sized first and written into one buffer: no object per row. Dictionary
 * columns copy their value's packed cell (dictCells), Utf8 ones a VarUInt length and the bytes.
 */
function stringColumn(d: Data, start: number, rows: number): Buffer {
  const hasNulls = d.nullCount > 0;
  if (d.type.typeId === Type.Dictionary) {
    const dict = flatDict((d.dictionary as unknown as { data: Data[] }).data);
    const idx = d.values as Int32Array;
    const base = d.offset + start;
    const keys = new Int32Array(rows);
    let size = 0;
    for (let r = 0; r < rows; r++) {
      const k = hasNulls && !isValid(d, start + r) ? -1 : idx[base + r]!;
      keys[r] = k;
      size += k < 0 || k >= dict.len.length ? 1 : dict.len[k]!;
    }
    const out = Buffer.allocUnsafe(size);
    let p = 0;
    for (let r = 0; r < rows; r++) {
      const k = keys[r]!;
      if (k < 0 || k >= dict.len.length) out[p++] = 0;
      else {
        const n = dict.len[k]!;
        copyCell(out, p, dict.bytes, dict.start[k]!, n);
        p += n;
      }
    }
    return out;
  }
  if (d.type.typeId === Type.Utf8) {
    const offs = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    let size = 0;
    for (let r = 0; r < rows; r++) {
      const n = hasNulls && !isValid(d, start + r) ? 0 : offs[d.offset + start + r + 1]! - offs[d.offset + start + r]!;
      size += varUIntSize(n) + n;
    }
    const out = Buffer.allocUnsafe(size);
    let p = 0;
    for (let r = 0; r < rows; r++) {
      if (hasNulls && !isValid(d, start + r)) {
        out[p++] = 0;
        continue;
      }
      const a = offs[d.offset + start + r]!;
      const n = offs[d.offset + start + r + 1]! - a;
      p = putVarUInt(out, p, n);
      copyCell(out, p, bytes, a, n);
      p += n;
    }
    return out;
  }
  throw new Error(`events: expected a string column, got ${String(d.type)}`);
}

function fixedColumn(d: Data, start: number, rows: number): Buffer {
  if (d.type.typeId === Type.Bool) {
    const bits = d.values as Uint8Array;
    const out = Buffer.alloc(rows);
    for (let r = 0; r < rows; r++) {
      const i = d.offset + start + r;
      out[r] = (bits[i >> 3]! >> (i & 7)) & 1;
    }
    return out;
  }
  if (d.type.typeId === Type.Int) {
    const width = (d.type as unknown as { bitWidth: number }).bitWidth / 8;
    const v = d.values as unknown as { buffer: ArrayBuffer; byteOffset: number };
    // the Arrow buffer holds little-endian values of the column's width already (ingest asserts an LE host)
    return Buffer.from(v.buffer, v.byteOffset + (d.offset + start) * width, rows * width);
  }
  throw new Error(`events: unsupported Arrow column type ${String(d.type)}`);
}

type NativeOptions = EncodeEventsOptions & { caps: ServerCaps; blockRows?: number };

/** Yields one Native block per `blockRows` rows (default: per Arrow record batch, at most 65536 rows). */
export function* encodeEventsNative(table: Pick<Table, 'batches'>, opts: NativeOptions): Generator<Buffer> {
  for (const parts of encodeEventsNativeParts(table, opts)) yield Buffer.concat(parts);
}

/**
 * The same blocks as their parts (header, then each column's bytes; fixed-width columns are views of the Arrow
 * buffers): a streamed insert sends them as they are, without copying every block once more into one buffer.
 */
export function* encodeEventsNativeParts(table: Pick<Table, 'batches'>, opts: NativeOptions): Generator<Buffer[]> {
  const blockRows = opts.blockRows ?? 65536;
  const structure = tableStructure('events', { ...opts.caps, lowCardinality: false })
    .split(/, (?=[a-z_]+ )/)
    .map((s) => {
      const sp = s.indexOf(' ');
      return { name: s.slice(0, sp), type: s.slice(sp + 1) };
    });
  if (structure.length !== EVENT_COLUMNS.length) throw new Error('events: structure/column mismatch');
  const header = structure.map((c) => Buffer.concat([chStringBytes(c.name), chStringBytes(c.type)]));
  const constants = RUN_CONSTANT_COLUMNS.map((c, i) => [c as string, chStringBytes(runConstants(opts)[i]!)] as const);
  const constantCells = new Map<string, Buffer>(constants);
  const { lo: offLo, hi: offHi, sec: offSec, fracNs: offFracNs } = wallOffsetParts(opts.wallOffsetNs);

  for (const batch of table.batches as RecordBatch[]) {
    const byName = new Map<string, Data>();
    batch.schema.fields.forEach((f, i) => byName.set(f.name, batch.data.children[i]!));
    const tsData = byName.get('ts_ns');
    if (!tsData) throw new Error('events: no ts_ns column');
    for (let start = 0; start < batch.numRows; start += blockRows) {
      const rows = Math.min(blockRows, batch.numRows - start);
      const parts: Buffer[] = [varUIntBytes(structure.length), varUIntBytes(rows)];
      structure.forEach((col, ci) => {
        parts.push(header[ci]!);
        const cell = constantCells.get(col.name);
        if (cell) {
          const b = Buffer.allocUnsafe(cell.length * rows);
          b.fill(cell);
          parts.push(b);
          return;
        }
        if (col.name === 'time') {
          const ts = tsData.values as BigInt64Array;
          const tsU32 = new Uint32Array(ts.buffer, ts.byteOffset + (tsData.offset + start) * 8, rows * 2);
          if (opts.caps.dateTime64) {
            const out = new Uint32Array(rows * 2);
            for (let r = 0; r < rows; r++) {
              const lo = tsU32[r * 2]! + offLo;
              const carry = lo >= 4294967296 ? 1 : 0;
              out[r * 2] = lo - carry * 4294967296;
              out[r * 2 + 1] = (tsU32[r * 2 + 1]! + offHi + carry) >>> 0;
            }
            parts.push(Buffer.from(out.buffer));
          } else {
            const out = new Uint32Array(rows);
            for (let r = 0; r < rows; r++) {
              const tsNum = tsU32[r * 2 + 1]! * 4294967296 + tsU32[r * 2]!;
              out[r] = Math.max(0, Math.min(4294967295, Math.floor((tsNum + offFracNs) / 1e9) + offSec));
            }
            parts.push(Buffer.from(out.buffer));
          }
          return;
        }
        const d = byName.get(col.name) ?? eventColumnData(batch, col.name);
        const nullable = col.type.startsWith('Nullable(');
        if (nullable) parts.push(nullMap(d, start, rows));
        else if (d.nullCount > 0) throw new Error(`events: NULL in non-nullable column ${col.name}`);
        const isString = d.type.typeId === Type.Dictionary || d.type.typeId === Type.Utf8;
        parts.push(isString ? stringColumn(d, start, rows) : fixedColumn(d, start, rows));
      });
      yield parts;
    }
  }
}
