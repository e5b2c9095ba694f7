/**
 * Columnar view of an event table: every column read ONCE into a flat typed array so the replay
 * loop never touches Arrow row objects (packages/ingest/src/schema.ts is the contract).
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
}

function chunks(v: Vector | null): Data[] {
  return v ? (v.data as Data[]) : [];
}

/** Validity bitmap of a chunk, or null when every value is valid (nullCount is a getter: read it once). */
function validity(d: Data): Uint8Array | null {
  const bm = d.nullBitmap as Uint8Array | undefined;
  if (!bm || bm.length === 0 || d.nullCount === 0) return null;
  return bm;
}

function isValid(d: Data, i: number): boolean {
  const bm = validity(d);
  if (!bm) return true;
  const bit = d.offset + i;
  return ((bm[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
}

const validAt = (bm: Uint8Array, off: number, i: number): boolean => ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;

function col(table: Table, name: string): Vector | null {
  return table.getChild(name) as Vector | null;
}

function readI32(table: Table, name: string, n: number): Int32Array {
  const out = new Int32Array(n);
  let at = 0;
  for (const d of chunks(col(table, name))) {
    const vals = d.values as ArrayLike<number | bigint>;
    const bm = validity(d);
    const off = d.offset;
    const len = d.length;
    if (vals instanceof BigInt64Array || vals instanceof BigUint64Array) {
      for (let i = 0; i < len; i++) out[at + i] = bm && !validAt(bm, off, i) ? NULL_I32 : Number(vals[i]);
    } else {
      // native bulk copy (Int16/Uint32/… → Int32), then mark the nulls byte by byte of the bitmap
      out.set((vals as Int32Array).subarray(0, len), at);
      if (bm) markNulls(out, at, bm, off, len, NULL_I32);
    }
    at += len;
  }
  if (at < n) out.fill(NULL_I32, at);
  return out;
}

/** Write `nullValue` where the validity bitmap is 0, a bitmap byte (8 rows) at a time where aligned. */
function markNulls(out: Int32Array | Float64Array, at: number, bm: Uint8Array, off: number, len: number, nullValue: number): void {
  let i = 0;
  // unaligned head
  while (i < len && ((off + i) & 7) !== 0) {
    if (!validAt(bm, off, i)) out[at + i] = nullValue;
    i++;
  }
  // whole bytes: the clear bits of each byte are the null rows
  for (; i + 8 <= len; i += 8) {
    let inv = ~bm[(off + i) >> 3]! & 0xff;
    while (inv !== 0) {
      const low = inv & -inv;
      out[at + i + (31 - Math.clz32(low))] = nullValue;
      inv ^= low;
    }
  }
  for (; i < len; i++) if (!validAt(bm, off, i)) out[at + i] = nullValue;
}

/** 64-bit column (Int64/Uint64) to float64: exact when < 2^53 (handles, jiffies). */
function readU64AsNumber(table: Table, name: string, n: number, nullValue: number): Float64Array {
  const out = new Float64Array(n).fill(nullValue);
  let at = 0;
  for (const d of chunks(col(table, name))) {
    const vals = d.values as ArrayLike<number | bigint>;
    const bm = validity(d);
    const off = d.offset;
    if (vals instanceof BigUint64Array || vals instanceof BigInt64Array) {
      const w = new Uint32Array(vals.buffer, vals.byteOffset, vals.length * 2);
      for (let i = 0; i < d.length; i++) out[at + i] = w[2 * i + 1]! * 4294967296 + w[2 * i]!;
      if (bm) markNulls(out, at, bm, off, d.length, nullValue);
    } else {
      // 32-bit source (Uint32 handle/parent): native widening copy, then the nulls
      out.set((vals as Uint32Array).subarray(0, d.length), at);
      if (bm) markNulls(out, at, bm, off, d.length, nullValue);
    }
    at += d.length;
  }
  return out;
}

/** Pointer column to a 53-bit float key (low 53 bits). */
function readPtr(table: Table, name: string, n: number): Float64Array {
  const out = new Float64Array(n).fill(NULL_PTR);
  let at = 0;
  for (const d of chunks(col(table, name))) {
    const vals = d.values as ArrayLike<number | bigint>;
    const bm = validity(d);
    const off = d.offset;
    if (vals instanceof BigUint64Array || vals instanceof BigInt64Array) {
      const w = new Uint32Array(vals.buffer, vals.byteOffset, vals.length * 2);
      for (let i = 0; i < d.length; i++) out[at + i] = (w[2 * i + 1]! & 0x1fffff) * 4294967296 + w[2 * i]!;
      if (bm) markNulls(out, at, bm, off, d.length, NULL_PTR);
    } else {
      // 32-bit source (Uint32 handle/parent): native widening copy, then the nulls
      out.set((vals as Uint32Array).subarray(0, d.length), at);
      if (bm) markNulls(out, at, bm, off, d.length, NULL_PTR);
    }
    at += d.length;
  }
  return out;
}

function readBool(table: Table, name: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const d of chunks(col(table, name))) {
    const bits = d.values as Uint8Array;
    const bm = validity(d);
    for (let i = 0; i < d.length; i++) {
      if (bm && !validAt(bm, d.offset, i)) continue;
      const bit = d.offset + i;
      out[at + i] = ((bits[bit >> 3] ?? 0) >> (bit & 7)) & 1;
    }
    at += d.length;
  }
  return out;
}

/** Dictionary or plain Utf8 column to codes into one merged string table. */
function readDict(table: Table, name: string, n: number): { codes: Int32Array; names: string[] } {
  const codes = new Int32Array(n).fill(-1);
  const names: string[] = [];
  const byName = new Map<string, number>();
  const intern = (s: string): number => {
    let c = byName.get(s);
    if (c === undefined) {
      c = names.length;
      names.push(s);
      byName.set(s, c);
    }
    return c;
  };
  let at = 0;
  const cache = new Map<unknown, Int32Array>();
  for (const d of chunks(col(table, name))) {
    const dict = d.dictionary;
    if (dict) {
      let remap = cache.get(dict);
      if (!remap) {
        remap = new Int32Array(dict.length);
        for (let k = 0; k < dict.length; k++) {
          const s = dict.get(k) as string | null;
          remap[k] = s === null ? -1 : intern(s);
        }
        cache.set(dict, remap);
      }
      const idx = d.values as ArrayLike<number>;
      const bm = validity(d);
      const off = d.offset;
      const len = d.length;
      for (let i = 0; i < len; i++) {
        if (bm && !validAt(bm, off, i)) continue;
        codes[at + i] = remap[idx[i]!] ?? -1;
      }
    } else {
      // plain Utf8 (slow path; schema says dictionary, tolerate both)
      const vec = d as Data;
      const offsets = vec.valueOffsets as Int32Array;
      const bytes = vec.values as Uint8Array;
      const dec = new TextDecoder();
      for (let i = 0; i < d.length; i++) {
        if (!isValid(d, i)) continue;
        codes[at + i] = intern(dec.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)));
      }
    }
    at += d.length;
  }
  return { codes, names };
}

function readTs(table: Table, n: number): { tsRel: Float64Array; baseNs: bigint } {
  const tsRel = new Float64Array(n);
  const ds = chunks(col(table, 'ts_ns'));
  let base: bigint | null = null;
  for (const d of ds) {
    const vals = d.values as BigInt64Array;
    for (let i = 0; i < d.length; i++) {
      const v = vals[i]!;
      if (base === null || v < base) base = v;
    }
  }
  const baseNs = base ?? 0n;
  const baseHi = Number(BigInt.asIntN(32, baseNs >> 32n));
  const baseLo = Number(BigInt.asUintN(32, baseNs));
  let at = 0;
  for (const d of ds) {
    const vals = d.values as BigInt64Array;
    const w = new Uint32Array(vals.buffer, vals.byteOffset, vals.length * 2);
    const wi = new Int32Array(vals.buffer, vals.byteOffset, vals.length * 2);
    for (let i = 0; i < d.length; i++) {
      tsRel[at + i] = (wi[2 * i + 1]! - baseHi) * 4294967296 + ((w[2 * i]! >>> 0) - baseLo);
    }
    at += d.length;
  }
  return { tsRel, baseNs };
}

export function readColumns(table: Table): TraceColumns {
  const n = table.numRows;
  const { tsRel, baseNs } = readTs(table, n);
  const ev = readDict(table, 'event', n);
  const dev = readDict(table, 'dev', n);
  const driver = readDict(table, 'driver', n);
  const reason = readDict(table, 'reason', n);
  const source = readDict(table, 'source', n);
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
    // location, comm, pid, stall_len, jiffies, raw: not needed by replay (never read: speed)
    source: source.codes,
    sourceNames: source.names,
    line: readI32(table, 'line', n),
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
