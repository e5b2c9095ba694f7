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
  encodedDictValues,
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

const EMPTY = Buffer.from([0]);

const dictCache = new WeakMap<Data, Buffer[]>();

/** varint+bytes of each dictionary value (NULL slots as the empty string). */
function dictEntries(d: Data): Buffer[] {
  return encodedDictValues(
    dictCache,
    d,
    (buf, a, b) => Buffer.concat([varUIntBytes(b - a), buf.subarray(a, b)]),
    EMPTY,
  );
}

function stringColumn(d: Data, start: number, rows: number): Buffer {
  if (d.type.typeId === Type.Dictionary) {
    const entries: Buffer[] = [];
    for (const dd of (d.dictionary as unknown as { data: Data[] }).data)
      for (const e of dictEntries(dd)) entries.push(e);
    const idx = d.values as Int32Array;
    const hasNulls = d.nullCount > 0;
    let size = 0;
    const picks: Buffer[] = new Array(rows);
    for (let r = 0; r < rows; r++) {
      const e = hasNulls && !isValid(d, start + r) ? EMPTY : (entries[idx[d.offset + start + r]!] ?? EMPTY);
      picks[r] = e;
      size += e.length;
    }
    const out = Buffer.allocUnsafe(size);
    let p = 0;
    for (const e of picks) {
      if (e.length === 1) out[p++] = e[0]!;
      else {
        e.copy(out, p);
        p += e.length;
      }
    }
    return out;
  }
  if (d.type.typeId === Type.Utf8) {
    const offs = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    const parts: Buffer[] = [];
    for (let r = 0; r < rows; r++) {
      if (!isValid(d, start + r)) {
        parts.push(EMPTY);
        continue;
      }
      const a = offs[d.offset + start + r]!;
      const b = offs[d.offset + start + r + 1]!;
      parts.push(varUIntBytes(b - a), Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a));
    }
    return Buffer.concat(parts);
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

/** Yields one Native block per `blockRows` rows (default: per Arrow record batch, at most 65536 rows). */
export function* encodeEventsNative(
  table: Pick<Table, 'batches'>,
  opts: EncodeEventsOptions & { caps: ServerCaps; blockRows?: number },
): Generator<Buffer> {
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
      yield Buffer.concat(parts);
    }
  }
}
