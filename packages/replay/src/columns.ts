/**
 * Columnar view of an event table: every column read ONCE into a flat typed array so the replay
 * loop never touches Arrow row objects (packages/ingest/src/table/catalogue.ts is the contract).
 *
 * - Times become float64 nanoseconds relative to `baseNs` (the smallest ts_ns): exact while the trace
 *   spans < 2^53 ns (104 days), whatever the absolute uptime.
 * - Pointers (skbaddr, napi) become float64 keys made of the low 53 bits: kernel pointers and ftrace
 *   hashes differ below bit 53, and numbers make fast Map keys.
 * - Dictionary columns become Int32 codes into one string table per column (chunks may carry their own
 *   dictionaries; they are merged here).
 * - Nullable integers use NULL_I32 as "absent" (schema: null = the source did not carry the field).
 */
import type { Data, Table, Vector } from 'apache-arrow';

export const NULL_I32 = -2147483648;
/** skbaddr/napi absent (distinct from the NULL pointer, which is key 0). */
export const NULL_PTR = -1;

export interface TraceColumns {
  n: number;
  baseNs: bigint;
  tsRel: Float64Array;
  cpu: Int32Array;
  event: Int32Array;
  eventNames: string[];
  dev: Int32Array;
  devNames: string[];
  ifindex: Int32Array;
  queue: Int32Array;
  skb: Float64Array;
  ptrHashed: Uint8Array;
  len: Int32Array;
  rc: Int32Array;
  napi: Float64Array;
  work: Int32Array;
  budget: Int32Array;
  txqState: Int32Array;
  packets: Int32Array;
  handle: Float64Array;
  parent: Float64Array;
  driver: Int32Array;
  driverNames: string[];
  reason: Int32Array;
  reasonNames: string[];
  source: Int32Array;
  sourceNames: string[];
  line: Int32Array;
  /** (added) kfree_skb/consume_skb location codes (-1 = none) and their names; evidence only */
  location?: Int32Array;
  locationNames?: string[];
}

function chunks(v: Vector | null): Data[] {
  return v ? (v.data as Data[]) : [];
}

/** Typed arrays Arrow uses for the value buffers of our columns. */
export type ValueArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/**
 * One column of one record batch as Arrow lays it out: values start at row 0, validity bit of row i is
 * bit `offset + i` (null bitmap = every row valid). Dictionary columns carry `remap` (batch dictionary
 * index → code in the merged string table of the column).
 */
export interface Chunk {
  values: ValueArray;
  validity: Uint8Array | null;
  offset: number;
  length: number;
  remap?: Int32Array;
  /** values are already merged codes (a plain Utf8 column interned row by row) */
  codes?: boolean;
  /**
   * values are already the pass's float64 form (a read-ahead range, see BatchSource.readAhead): ts_ns
   * relative to the time base, pointers as 53-bit keys with NULL_PTR for nulls (validity is then null)
   */
  converted?: boolean;
}

/** Merged string table of a dictionary column: every chunk's dictionary maps into it. */
export class Names {
  readonly names: string[] = [];
  private readonly byName = new Map<string, number>();
  intern(s: string): number {
    let c = this.byName.get(s);
    if (c === undefined) {
      c = this.names.length;
      this.names.push(s);
      this.byName.set(s, c);
    }
    return c;
  }
}

/** Validity bitmap of a chunk, or null when every value is valid (nullCount is a getter: read it once). */
function validity(d: Data): Uint8Array | null {
  const bm = d.nullBitmap as Uint8Array | undefined;
  if (!bm || bm.length === 0 || d.nullCount === 0) return null;
  return bm;
}

/** A Data chunk of an in-memory table as a Chunk (zero copy); dictionaries interned through `cache`. */
export function chunkOfData(d: Data, names: Names | null, cache: Map<unknown, Int32Array> | null): Chunk {
  const c: Chunk = { values: d.values as ValueArray, validity: validity(d), offset: d.offset, length: d.length };
  const dict = d.dictionary;
  if (dict && names && cache) {
    let remap = cache.get(dict);
    if (!remap) {
      remap = new Int32Array(dict.length);
      for (let k = 0; k < dict.length; k++) {
        const s = dict.get(k) as string | null;
        remap[k] = s === null ? -1 : names.intern(s);
      }
      cache.set(dict, remap);
    }
    c.remap = remap;
  } else if (names && !dict && d.valueOffsets) {
    // plain Utf8 (schema says dictionary, tolerate both): intern every row, codes as the "indices"
    const offsets = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    const dec = new TextDecoder();
    const codes = new Int32Array(d.length);
    for (let i = 0; i < d.length; i++)
      codes[i] = names.intern(dec.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)));
    c.values = codes;
    c.codes = true;
  }
  return c;
}

const validAt = (bm: Uint8Array, off: number, i: number): boolean =>
  ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;

/** Write `nullValue` where the validity bitmap is 0, a bitmap byte (8 rows) at a time where aligned. */
function markNulls(
  out: Int32Array | Float64Array,
  at: number,
  bm: Uint8Array,
  off: number,
  len: number,
  nullValue: number,
): void {
  let i = 0;
  // unaligned head
  while (i < len && ((off + i) & 7) !== 0) {
    if (!validAt(bm, off, i)) out[at + i] = nullValue;
    i++;
  }
  // whole bytes: the clear bits of each byte are the null rows
  for (; i + 8 <= len; i += 8) {
    const byte = bm[(off + i) >> 3]!;
    if (byte === 0xff) continue;
    if (byte === 0) {
      out.fill(nullValue, at + i, at + i + 8);
      continue;
    }
    let inv = ~byte & 0xff;
    while (inv !== 0) {
      const low = inv & -inv;
      out[at + i + (31 - Math.clz32(low))] = nullValue;
      inv ^= low;
    }
  }
  for (; i < len; i++) if (!validAt(bm, off, i)) out[at + i] = nullValue;
}

/** Integer chunk → Int32 at `out[at…]`, nulls = NULL_I32. */
export function putI32(c: Chunk, out: Int32Array, at: number): void {
  const vals = c.values;
  const len = c.length;
  if (vals instanceof BigInt64Array || vals instanceof BigUint64Array) {
    for (let i = 0; i < len; i++) out[at + i] = Number(vals[i]);
  } else {
    // native bulk copy (Int16/Uint32/… → Int32), then mark the nulls byte by byte of the bitmap
    out.set((vals as Int32Array).subarray(0, len), at);
  }
  if (c.validity) markNulls(out, at, c.validity, c.offset, len, NULL_I32);
}

/** 64- or 32-bit unsigned chunk → float64 (exact below 2^53: handles, parents), nulls = `nullValue`. */
export function putU64AsNumber(c: Chunk, out: Float64Array, at: number, nullValue: number): void {
  const vals = c.values;
  const len = c.length;
  if (vals instanceof BigUint64Array || vals instanceof BigInt64Array) {
    const w = new Uint32Array(vals.buffer, vals.byteOffset, len * 2);
    for (let i = 0; i < len; i++) out[at + i] = w[2 * i + 1]! * 4294967296 + w[2 * i]!;
  } else {
    // 32-bit source (Uint32 handle/parent): native widening copy
    out.set((vals as Uint32Array).subarray(0, len), at);
  }
  if (c.validity) markNulls(out, at, c.validity, c.offset, len, nullValue);
}

/** Pointer chunk → 53-bit float key (low 53 bits), nulls = NULL_PTR. */
export function putPtr(c: Chunk, out: Float64Array, at: number): void {
  const vals = c.values;
  const len = c.length;
  if (vals instanceof BigUint64Array || vals instanceof BigInt64Array) {
    const w = new Uint32Array(vals.buffer, vals.byteOffset, len * 2);
    for (let i = 0; i < len; i++) out[at + i] = (w[2 * i + 1]! & 0x1fffff) * 4294967296 + w[2 * i]!;
  } else {
    out.set((vals as Uint32Array).subarray(0, len), at);
  }
  if (c.validity) markNulls(out, at, c.validity, c.offset, len, NULL_PTR);
}

/** Bool chunk → 0/1 bytes (null = 0). */
export function putBool(c: Chunk, out: Uint8Array, at: number): void {
  const bits = c.values as Uint8Array;
  const bm = c.validity;
  const len = c.length;
  // common case: no row set at all (raw pointers) — one scan of the bitmap bytes
  let any = false;
  const b0 = c.offset >> 3;
  const b1 = (c.offset + len + 7) >> 3;
  for (let b = b0; b < b1; b++)
    if (bits[b] !== 0) {
      any = true;
      break;
    }
  if (!any) {
    out.fill(0, at, at + len);
    return;
  }
  for (let i = 0; i < len; i++) {
    const bit = c.offset + i;
    out[at + i] = bm && !validAt(bm, c.offset, i) ? 0 : ((bits[bit >> 3] ?? 0) >> (bit & 7)) & 1;
  }
}

/** Dictionary chunk → merged codes, null = -1. */
export function putDict(c: Chunk, out: Int32Array, at: number): void {
  const len = c.length;
  const remap = c.remap;
  const idx = c.values as Int32Array;
  if (c.codes)
    out.set(idx.subarray(0, len), at); // plain Utf8 interned by chunkOfData
  else if (!remap) {
    out.fill(-1, at, at + len);
    return;
  } else for (let i = 0; i < len; i++) out[at + i] = remap[idx[i]!] ?? -1;
  if (c.validity) markNulls(out, at, c.validity, c.offset, len, -1);
}

/** Trace-clock origin: relative float times are exact while the trace spans < 2^53 ns. */
export class TimeBase {
  ns = 0n;
  hi = 0;
  lo = 0;
  set(ns: bigint): void {
    this.ns = ns;
    this.hi = Number(BigInt.asIntN(32, ns >> 32n));
    this.lo = Number(BigInt.asUintN(32, ns));
  }
}

/** Int64 ts_ns chunk → float64 ns relative to `base`. */
export function putTsRel(c: Chunk, base: TimeBase, out: Float64Array, at: number): void {
  const vals = c.values as BigInt64Array;
  const len = c.length;
  const w = new Uint32Array(vals.buffer, vals.byteOffset, len * 2);
  const wi = new Int32Array(vals.buffer, vals.byteOffset, len * 2);
  const bh = base.hi;
  const bl = base.lo;
  for (let i = 0; i < len; i++) out[at + i] = (wi[2 * i + 1]! - bh) * 4294967296 + (w[2 * i]! - bl);
}

function colChunks(table: Table, name: string, names: Names | null): Chunk[] {
  const cache = new Map<unknown, Int32Array>();
  return chunks(table.getChild(name) as Vector | null).map((d) => chunkOfData(d, names, cache));
}

function readI32(table: Table, name: string, n: number): Int32Array {
  const out = new Int32Array(n);
  let at = 0;
  for (const c of colChunks(table, name, null)) {
    putI32(c, out, at);
    at += c.length;
  }
  if (at < n) out.fill(NULL_I32, at);
  return out;
}

function readU64AsNumber(table: Table, name: string, n: number, nullValue: number): Float64Array {
  const out = new Float64Array(n).fill(nullValue);
  let at = 0;
  for (const c of colChunks(table, name, null)) {
    putU64AsNumber(c, out, at, nullValue);
    at += c.length;
  }
  return out;
}

function readPtr(table: Table, name: string, n: number): Float64Array {
  const out = new Float64Array(n).fill(NULL_PTR);
  let at = 0;
  for (const c of colChunks(table, name, null)) {
    putPtr(c, out, at);
    at += c.length;
  }
  return out;
}

function readBool(table: Table, name: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of colChunks(table, name, null)) {
    putBool(c, out, at);
    at += c.length;
  }
  return out;
}

function readDict(table: Table, name: string, n: number): { codes: Int32Array; names: string[] } {
  const codes = new Int32Array(n).fill(-1);
  const names = new Names();
  let at = 0;
  for (const c of colChunks(table, name, names)) {
    putDict(c, codes, at);
    at += c.length;
  }
  return { codes, names: names.names };
}

function readTs(table: Table, n: number): { tsRel: Float64Array; baseNs: bigint } {
  const tsRel = new Float64Array(n);
  const cs = colChunks(table, 'ts_ns', null);
  let base: bigint | null = null;
  for (const c of cs) {
    const vals = c.values as BigInt64Array;
    for (let i = 0; i < c.length; i++) {
      const v = vals[i]!;
      if (base === null || v < base) base = v;
    }
  }
  const tb = new TimeBase();
  tb.set(base ?? 0n);
  let at = 0;
  for (const c of cs) {
    putTsRel(c, tb, tsRel, at);
    at += c.length;
  }
  return { tsRel, baseNs: tb.ns };
}

export function readColumns(table: Table): TraceColumns {
  const n = table.numRows;
  const { tsRel, baseNs } = readTs(table, n);
  const ev = readDict(table, 'event', n);
  const dev = readDict(table, 'dev', n);
  const driver = readDict(table, 'driver', n);
  const reason = readDict(table, 'reason', n);
  const source = readDict(table, 'source', n);
  const location = readDict(table, 'location', n);
  return {
    n,
    baseNs,
    tsRel,
    cpu: readI32(table, 'cpu', n),
    event: ev.codes,
    eventNames: ev.names,
    dev: dev.codes,
    devNames: dev.names,
    ifindex: readI32(table, 'ifindex', n),
    queue: readI32(table, 'queue', n),
    skb: readPtr(table, 'skbaddr', n),
    ptrHashed: readBool(table, 'ptr_hashed', n),
    len: readI32(table, 'len', n),
    rc: readI32(table, 'rc', n),
    napi: readPtr(table, 'napi', n),
    work: readI32(table, 'work', n),
    budget: readI32(table, 'budget', n),
    txqState: readI32(table, 'txq_state', n),
    packets: readI32(table, 'packets', n),
    handle: readU64AsNumber(table, 'handle', n, -1),
    parent: readU64AsNumber(table, 'parent', n, -1),
    driver: driver.codes,
    driverNames: driver.names,
    reason: reason.codes,
    reasonNames: reason.names,
    // comm, pid, stall_len, jiffies, raw: not needed by replay (never read: speed); location: evidence notes
    source: source.codes,
    sourceNames: source.names,
    line: readI32(table, 'line', n),
    location: location.codes,
    locationNames: location.names,
  };
}

/** Row order by (ts_ns, line): identity when the table is already sorted (the common case). */
export function timeOrder(c: TraceColumns): Uint32Array {
  const n = c.n;
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0) {
      const a = c.tsRel[i - 1]!;
      const b = c.tsRel[i]!;
      if (b < a || (b === a && c.line[i]! < c.line[i - 1]! && c.source[i] === c.source[i - 1])) sorted = false;
    }
  }
  if (sorted) return order;
  const ts = c.tsRel;
  const line = c.line;
  order.sort((x, y) => ts[x]! - ts[y]! || line[x]! - line[y]! || x - y);
  return order;
}
