/**
 * Arrow event table (packages/ingest/src/table/catalogue.ts) → TabSeparated bytes for the `events` table.
 * Works on the raw column buffers of each record batch (typed arrays, null bitmaps, dictionaries escaped
 * and UTF-8 encoded once) and writes straight into Buffers: no JS object and no string per event, which
 * kept the garbage collector busy two thirds of the time in a string-building version.
 */
import { Type, type Data, type Table, type RecordBatch } from 'apache-arrow';
import { CATALOGUE, COLUMNS, nullColumnData, type ColumnName } from '@txreplay/ingest';
import { EVENT_COLUMNS, RUN_CONSTANT_COLUMNS } from './ddl.js';
import { tsvEscape, WallClockFormatter } from './tsv.js';

const TAB = 0x09;
const NL = 0x0a;
const NULL_BYTES = Buffer.from('\\N');
const TWO32 = 4294967296;

/** Growable output buffer; the encoders hand out filled chunks at row boundaries. */
export class Sink {
  buf: Buffer;
  pos = 0;
  constructor(readonly chunkBytes: number) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }
  /** Decimal digits of a non-negative integer < 2^53. */
  uint(n: number): void {
    this.ensure(16);
    if (n < 10) {
      this.buf[this.pos++] = 0x30 + n;
      return;
    }
    let digits = 0;
    for (let t = n; t >= 1; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (n >= 1) {
      const q = Math.floor(n / 10);
      this.buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
  }
  int(n: number): void {
    if (n < 0) {
      this.byte(0x2d);
      this.uint(-n);
    } else this.uint(n);
  }
  /** Exactly `width` digits, zero-padded (nanosecond fractions). */
  padded(n: number, width: number): void {
    this.ensure(width);
    let p = this.pos + width;
    this.pos = p;
    for (let i = 0; i < width; i++) {
      const q = Math.floor(n / 10);
      this.buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
  }
  ascii(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
    this.pos = 0;
    return out;
  }
}

/**
 * Decimal text of an unsigned 64-bit value given as two uint32 halves, with Number arithmetic only.
 * v = hi·2^32 + lo is split so every intermediate stays below 2^53:
 * hi = a·10^4 + b, v = a·4294·10^10 + (a·9672960000 + b·2^32 + lo).
 */
export function u64Text(hi: number, lo: number): string {
  if (hi < 0x200000) return String(hi * TWO32 + lo);
  const a = Math.floor(hi / 10000);
  const b = hi - a * 10000;
  const s = a * 9672960000 + b * TWO32 + lo;
  const q = a * 4294 + Math.floor(s / 1e10);
  return String(q) + String(s % 1e10).padStart(10, '0');
}

function writeU64(out: Sink, hi: number, lo: number): void {
  if (hi < 0x200000) {
    out.uint(hi * TWO32 + lo);
    return;
  }
  const a = Math.floor(hi / 10000);
  const b = hi - a * 10000;
  const s = a * 9672960000 + b * TWO32 + lo;
  out.uint(a * 4294 + Math.floor(s / 1e10));
  out.padded(s % 1e10, 10);
}

type CellWriter = (out: Sink, row: number) => void;

export function isValid(d: Data, row: number): boolean {
  const bm = d.nullBitmap;
  if (!bm || bm.length === 0 || d.nullCount === 0) return true;
  const i = d.offset + row;
  return ((bm[i >> 3]! >> (i & 7)) & 1) === 1;
}

/**
 * Every value of a Utf8 vector (dictionary values), encoded once by `encode(bytes, start, end)`; `nullValue` for
 * NULL slots. Ingest shares one growing dictionary across batches (its first chunks never change), so results
 * are cached per Data chunk in `cache`.
 */
export function encodedDictValues<T>(
  cache: WeakMap<Data, T[]>,
  d: Data,
  encode: (buf: Buffer, start: number, end: number) => T,
  nullValue: T,
): T[] {
  const cached = cache.get(d);
  if (cached) return cached;
  const out: T[] = new Array(d.length);
  const offs = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < d.length; i++) {
    out[i] = isValid(d, i) ? encode(buf, offs[d.offset + i]!, offs[d.offset + i + 1]!) : nullValue;
  }
  cache.set(d, out);
  return out;
}

/** ClickHouse VarUInt (LEB128) of a non-negative integer. */
export function varUIntBytes(n: number): Buffer {
  const b: number[] = [];
  while (n >= 0x80) {
    b.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  b.push(n);
  return Buffer.from(b);
}

/** ClickHouse String (RowBinary and Native): VarUInt length + UTF-8 bytes. */
export function chStringBytes(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([varUIntBytes(body.length), body]);
}

/** `wallOffsetNs` split for per-row arithmetic without BigInt: 32-bit halves (two's complement) and sec + ns. */
export function wallOffsetParts(wallOffsetNs: bigint): { lo: number; hi: number; sec: number; fracNs: number } {
  const off64 = BigInt.asUintN(64, wallOffsetNs);
  return {
    lo: Number(off64 & 0xffffffffn),
    hi: Number(off64 >> 32n),
    sec: Number(wallOffsetNs / 1_000_000_000n),
    fracNs: Number(wallOffsetNs % 1_000_000_000n),
  };
}

const bytesCache = new WeakMap<Data, (Buffer | null)[]>();

/** Escaped UTF-8 bytes of every value of a Utf8 vector (dictionary values), NULL slots as null. */
function utf8Bytes(d: Data): (Buffer | null)[] {
  return encodedDictValues(bytesCache, d, (buf, a, b) => Buffer.from(tsvEscape(buf.toString('utf8', a, b))), null);
}

function columnWriter(d: Data): CellWriter {
  const t = d.type.typeId;
  const nullable = d.nullCount > 0;
  if (t === Type.Dictionary) {
    const dictData = (d.dictionary as unknown as { data: Data[] }).data;
    const values: (Buffer | null)[] = [];
    for (const dd of dictData) for (const b of utf8Bytes(dd)) values.push(b);
    const idx = d.values as ArrayLike<number>;
    const off = d.offset;
    return (out, row) => {
      const v = nullable && !isValid(d, row) ? null : values[idx[off + row]!];
      out.bytes(v ?? NULL_BYTES);
    };
  }
  if (t === Type.Utf8) {
    const offs = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return (out, row) => {
      if (nullable && !isValid(d, row)) return out.bytes(NULL_BYTES);
      const s = buf.toString('utf8', offs[d.offset + row]!, offs[d.offset + row + 1]!);
      out.bytes(Buffer.from(tsvEscape(s)));
    };
  }
  if (t === Type.Bool) {
    const bits = d.values as Uint8Array;
    return (out, row) => {
      if (nullable && !isValid(d, row)) return out.bytes(NULL_BYTES);
      const i = d.offset + row;
      out.byte((bits[i >> 3]! >> (i & 7)) & 1 ? 0x31 : 0x30);
    };
  }
  if (t === Type.Int) {
    const { bitWidth, isSigned } = d.type as unknown as { bitWidth: number; isSigned: boolean };
    const off = d.offset;
    if (bitWidth === 64) {
      // via the uint32 halves (little-endian host, as ingest asserts): no BigInt per row
      const v = d.values as BigInt64Array | BigUint64Array;
      const u32 = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
      return (out, row) => {
        if (nullable && !isValid(d, row)) return out.bytes(NULL_BYTES);
        const i = (off + row) * 2;
        const hi = u32[i + 1]!;
        if (isSigned && hi >= 0x80000000) return out.ascii(String(v[off + row])); // negative: rare
        writeU64(out, hi, u32[i]!);
      };
    }
    const vals = d.values as Int32Array | Uint32Array | Int16Array;
    return (out, row) => {
      if (nullable && !isValid(d, row)) return out.bytes(NULL_BYTES);
      out.int(vals[off + row]!);
    };
  }
  throw new Error(`events: unsupported Arrow column type ${String(d.type)}`);
}

export interface EncodeEventsOptions {
  runId: string;
  /** the run's host, kernel and driver, written on every row (fleet layout); '' when not given */
  tags?: RunTags;
  /** wall clock minus trace clock, ns: `time = ts_ns + wallOffsetNs` */
  wallOffsetNs: bigint;
  /** DateTime64(9) text (true) or DateTime seconds (false, servers before 20.1) */
  nanos: boolean;
  /** rows per yielded chunk */
  chunkRows?: number;
}

export interface RunTags {
  host: string;
  kernel: string;
  driver: string;
}

/** The values of RUN_CONSTANT_COLUMNS for one run, in column order. */
export function runConstants(opts: EncodeEventsOptions): string[] {
  const t = opts.tags ?? { host: '', kernel: '', driver: '' };
  return [opts.runId, t.host, t.kernel, t.driver];
}

const RUN_CONSTANT_SET = new Set<string>(RUN_CONSTANT_COLUMNS);

/**
 * Column `name` of a record batch. A nullable column the table lacks (an .arrow file written before ingest added
 * it, e.g. net_cookie) is all null; any other missing column is an error.
 */
export function eventColumnData(batch: RecordBatch, name: string): Data {
  const idx = batch.schema.fields.findIndex((f) => f.name === name);
  if (idx >= 0) return batch.data.children[idx]!;
  if (CATALOGUE.some((c) => c.name === name && c.nullable)) return nullColumnData(name as ColumnName, batch.numRows);
  throw new Error(`events: the Arrow table has no column ${name} (schema ${COLUMNS.join(',')})`);
}

/** The events table's column list, in the order the encoder writes them. */
export const EVENT_INSERT_COLUMNS = EVENT_COLUMNS.map((c) => c.name);

/**
 * The cell writers of one batch in EVENT_COLUMNS order, without the run constants (RUN_CONSTANT_COLUMNS) and time (the encoders write those
 * themselves, time from ts_ns): ts_ns's (the first) and the rest; and the ts_ns column, as BigInt64 and as
 * uint32 halves, from `tsOff`. Shared by the TSV (encodeEventsTsv) and RowBinary (encode-rowbinary.ts) encoders.
 */
export function batchWriters<W>(
  batch: RecordBatch,
  writerOf: (d: Data, col: (typeof EVENT_COLUMNS)[number]) => W,
): { tsWriter: W; rest: W[]; ts: BigInt64Array; tsU32: Uint32Array; tsOff: number } {
  const writers: W[] = [];
  let ts: BigInt64Array | null = null;
  let tsOff = 0;
  for (const col of EVENT_COLUMNS) {
    if (RUN_CONSTANT_SET.has(col.name) || col.name === 'time') continue;
    const d = eventColumnData(batch, col.name);
    if (col.name === 'ts_ns') {
      ts = d.values as BigInt64Array;
      tsOff = d.offset;
    }
    writers.push(writerOf(d, col));
  }
  if (!ts) throw new Error('events: no ts_ns column');
  const tsU32 = new Uint32Array(ts.buffer, ts.byteOffset, ts.length * 2);
  return { tsWriter: writers[0]!, rest: writers.slice(1), ts, tsU32, tsOff };
}

/** Yields TSV bytes, `chunkRows` rows at a time, for all batches of `table`. */
export function* encodeEventsTsv(table: Table, opts: EncodeEventsOptions): Generator<Buffer> {
  const chunkRows = opts.chunkRows ?? 8192;
  const out = new Sink(chunkRows * 160);
  const clock = new WallClockFormatter(opts.nanos);
  // wall = ts + offset, in (seconds, ns) Numbers so the hot loop needs no BigInt
  let offSec = opts.wallOffsetNs / 1_000_000_000n;
  let offFrac = opts.wallOffsetNs % 1_000_000_000n;
  if (offFrac < 0n) {
    offFrac += 1_000_000_000n;
    offSec -= 1n;
  }
  const offSecN = Number(offSec);
  const offFracN = Number(offFrac);
  const runIdBytes = Buffer.from(runConstants(opts).map(tsvEscape).join('\t'));
  let secCached = Number.NaN;
  let prefixBytes = Buffer.alloc(0);
  for (const batch of table.batches as RecordBatch[]) {
    // `time` goes right after ts_ns (see EVENT_COLUMNS)
    const { tsWriter, rest, ts, tsU32, tsOff } = batchWriters(batch, (d) => columnWriter(d));
    const n = batch.numRows;
    let inChunk = 0;
    for (let r = 0; r < n; r++) {
      out.bytes(runIdBytes);
      out.byte(TAB);
      tsWriter(out, r);
      out.byte(TAB);
      const hi = tsU32[(tsOff + r) * 2 + 1]!;
      if (hi < 0x200000) {
        const tsNum = hi * TWO32 + tsU32[(tsOff + r) * 2]!;
        const sec = Math.floor(tsNum / 1e9);
        let frac = tsNum - sec * 1e9 + offFracN;
        let wallSec = sec + offSecN;
        if (frac >= 1e9) {
          frac -= 1e9;
          wallSec += 1;
        }
        if (wallSec !== secCached) {
          secCached = wallSec;
          prefixBytes = Buffer.from(clock.formatParts(wallSec, 0).slice(0, 19), 'latin1');
        }
        out.bytes(prefixBytes);
        if (opts.nanos) {
          out.byte(0x2e);
          out.padded(frac, 9);
        }
      } else {
        out.ascii(clock.format(ts[tsOff + r]! + opts.wallOffsetNs));
      }
      for (let c = 0; c < rest.length; c++) {
        out.byte(TAB);
        rest[c]!(out, r);
      }
      out.byte(NL);
      if (++inChunk >= chunkRows) {
        yield out.take();
        inChunk = 0;
      }
    }
    if (out.pos > 0) {
      yield out.take();
      inChunk = 0;
    }
  }
}

/** Same rows as text chunks (tests, small tables). */
export function* encodeEvents(table: Table, opts: EncodeEventsOptions): Generator<string> {
  for (const b of encodeEventsTsv(table, opts)) yield b.toString('utf8');
}
