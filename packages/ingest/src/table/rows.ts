/**
 * Columnar row builder for the event schema (./schema.ts), without Arrow: parsers write fields straight into
 * typed arrays (no per-event objects in the hot path) and `takeBuffers()` hands the rows so far over as plain
 * buffers. Parse workers use this module alone, so they do not load apache-arrow (about 0.17 CPU-second each);
 * ./columns.ts adds the Arrow side (schema, record batches, dictionary vectors).
 *
 * - One typed array per column of the catalogue (./catalogue.ts), by its Arrow kind: `values.<column>`.
 * - 64-bit columns (int64/uint64: `ts_ns`, `skbaddr`, `napi`, `jiffies`, `net_cookie`) are written as two uint32
 *   halves through `halves.<column>`, a Uint32Array view over the BigInt64Array, so no BigInt is allocated per row
 *   and values above 2^53 stay exact.
 * - Strings are dictionary-encoded with ONE growing dictionary per column for the whole output.
 */
import { endianness } from 'node:os';
import {
  CATALOGUE,
  COLUMNS,
  DICT_COLUMNS,
  NON_NULL_COLUMNS,
  TYPED_COLUMNS,
  U64_COLUMNS,
  type ArrowKind,
  type ArrowKindOf,
  type ColumnName,
  type DictColumn,
  type TypedColumn,
  type U64Column,
} from './catalogue.js';

export { DICT_COLUMNS, type DictColumn };

if (endianness() !== 'LE') throw new Error('txreplay ingest assumes a little-endian host (uint32 halves of int64)');

/** Hands out `bytes` of memory (8-byte aligned) for one column array (RowColumns). */
export type ColumnArena = (bytes: number) => { buffer: ArrayBufferLike; byteOffset: number };

/** Rows per record batch: big enough for cheap IPC framing, small enough to keep memory flat. */
const DEFAULT_BATCH_ROWS = 65536;

/**
 * The buffers of one record batch, before dictionaries are attached: typed arrays only, so a parse worker can
 * post them to the main thread (shared, or copied: never transferred, see BufferPool), which remaps dictionary
 * indices and line numbers in place and builds the RecordBatch without copying (./columns.ts
 * EventColumns.batchOf).
 */
export interface BatchBuffers {
  n: number;
  /** per column (COLUMNS order): values (dictionary columns: Int32 indices; raw: UTF-8 bytes; ptr_hashed: bits) */
  values: (BigInt64Array | BigUint64Array | Int16Array | Int32Array | Uint32Array | Uint8Array)[];
  /** per column: validity bitmap, null when every row is valid */
  bitmaps: (Uint8Array | null)[];
  nullCounts: number[];
  /** offsets of the `raw` column */
  rawOffsets: Int32Array;
}

export const DICT_COLUMN_NAMES: readonly DictColumn[] = DICT_COLUMNS;

/** One growing string dictionary, shared by all batches of one output. */
export class StringDictionary {
  readonly index = new Map<string, number>();
  /** index → string */
  readonly values: string[] = [];
  /** strings added since the last flush */
  private pending: string[] = [];
  intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(s, i);
      this.values.push(s);
      this.pending.push(s);
    }
    return i;
  }

  /** Strings added since the previous call (the Arrow writer sends them as one delta dictionary batch). */
  takePending(): string[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }
}

const encoder = new TextEncoder();

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

const NON_NULL: ReadonlySet<string> = new Set(NON_NULL_COLUMNS);
const ALL_VALID = { bitmap: null, nulls: 0 } as const;

/** rows set by the last packBits call */
let packedSet = 0;

/**
 * Pack 0/1 bytes v[0, n) into an Arrow bitmap, 8 rows per step: the bytes of a little-endian uint32 of 0/1
 * values sit at bits 0, 8, 16, 24 and fold into a nibble with three shifts. The number of set rows is left in
 * packedSet (no result object per call).
 */
function packBits(v: Uint8Array, n: number, pool?: BufferPool): Uint8Array {
  const bytes = (n + 7) >> 3;
  // pooled buffers have one size per column type (the batch capacity), whatever the rows in this batch
  const bits = pool === undefined ? new Uint8Array(bytes) : new Uint8Array(pool.take((v.length + 7) >> 3), 0, bytes);
  // rows [n, 8 * bytes) count as invalid: the capacity is a multiple of 8, so they exist; zeroing them lets one
  // word loop do the last group too (a separate tail loop, rarely run, kept deoptimizing this function)
  const end = bytes * 8;
  v.fill(0, n, Math.min(end, v.length)); // unconditional: a branch taken only now and then deoptimizes
  let set = 0;
  if ((v.byteOffset & 3) === 0 && end <= v.length) {
    const w = new Uint32Array(v.buffer, v.byteOffset, bytes * 2);
    for (let k = 0; k < bytes; k++) {
      const a = w[2 * k]!;
      const b = w[2 * k + 1]!;
      // eight null rows (most columns belong to one event type: most of their rows are null)
      if ((a | b) === 0) {
        bits[k] = 0;
        continue;
      }
      const byte =
        ((a | (a >>> 7) | (a >>> 14) | (a >>> 21)) & 0xf) | (((b | (b >>> 7) | (b >>> 14) | (b >>> 21)) & 0xf) << 4);
      bits[k] = byte;
      set += POPCOUNT[byte]!;
    }
  } else {
    bits.fill(0);
    for (let i = 0; i < n; i++) {
      if (v[i] !== 0) {
        bits[i >> 3]! |= 1 << (i & 7);
        set++;
      }
    }
  }
  packedSet = set;
  return bits;
}

function bitmapFrom(valid: Uint8Array, n: number, pool?: BufferPool): { bitmap: Uint8Array | null; nulls: number } {
  const bits = packBits(valid, n, pool);
  if (packedSet !== n) return { bitmap: bits, nulls: n - packedSet };
  pool?.give(bits.buffer);
  return ALL_VALID;
}

/**
 * Free buffers by byte length. Batch buffers are copied into buffers from here and, once written, given back
 * (by the main thread, for a worker's buffers): a long ingest then allocates no new memory per batch, and the
 * garbage collector is not pushed by hundreds of MB of external allocations (for 500 MB of input it ran ~20
 * full collections, ~0.3 CPU-second, in the main thread alone).
 *
 * A parse worker's pool hands out SharedArrayBuffers: its batches reach the main thread and come back without
 * being transferred. A transfer detaches the buffer, and the first detach in a thread makes V8 throw away all
 * optimized code that relied on "no typed array was ever detached" (the parser, re-optimized with a detach
 * check on every typed-array access).
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBufferLike[]>();

  constructor(private readonly shared = false) {}

  take(bytes: number): ArrayBufferLike {
    return this.free.get(bytes)?.pop() ?? (this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  }

  give(buf: ArrayBufferLike): void {
    let list = this.free.get(buf.byteLength);
    if (list === undefined) this.free.set(buf.byteLength, (list = []));
    list.push(buf);
  }
}

/** Every buffer of a batch (to give back to the pool it came from). */
export function buffersOf(b: BatchBuffers): ArrayBufferLike[] {
  const out: ArrayBufferLike[] = [];
  for (const a of b.values) out.push(a.buffer);
  for (const m of b.bitmaps) if (m !== null) out.push(m.buffer);
  out.push(b.rawOffsets.buffer);
  return out;
}

/**
 * Typed column buffers for one batch plus the output-wide dictionaries. Field setters take the row index
 * `r = this.length` implicitly: call `begin()`, set fields, then `commit()` (or `discard()`).
 */
export class RowColumns {
  readonly capacity: number;
  length = 0;

  /** the typed array of every column but `raw` (dictionary columns: indices into `dicts`) */
  readonly values: ColumnArrays;
  /** uint32 views of the 64-bit columns (index 2r = low half, 2r+1 = high half) */
  readonly halves: Record<U64Column, Uint32Array>;
  /** the `raw` column's text */
  readonly raw: (string | null)[];

  /** validity per nullable column: one byte per row, reset each batch */
  readonly valid: Record<ColumnName, Uint8Array>;
  readonly dicts: Record<DictColumn, StringDictionary>;

  /**
   * `arena`, when given, places every typed column and validity array in memory it hands out (the parse
   * worker's WebAssembly memory, ./wasmLines.ts); by default they all lie in one zeroed block (blockArena).
   */
  constructor(capacity = DEFAULT_BATCH_ROWS, arena: ColumnArena = blockArena(columnArenaBytes(capacity))) {
    this.capacity = capacity;
    const mk = <T>(Ctor: new (buf: ArrayBufferLike, off: number, n: number) => T, width: number): T => {
      const region = arena(capacity * width);
      return new Ctor(region.buffer, region.byteOffset, capacity);
    };
    const values = fastRecord(TYPED_COLUMNS, (name): ColumnArrays[TypedColumn] => {
      const Ctor: TypedArrayCtor = ARRAY_OF_KIND[CATALOGUE[COLUMNS.indexOf(name)]!.arrow as Exclude<ArrowKind, 'utf8'>];
      return mk(Ctor, Ctor.BYTES_PER_ELEMENT);
    }) as unknown as ColumnArrays;
    this.values = values;
    this.halves = fastRecord(
      U64_COLUMNS,
      (name) => new Uint32Array(values[name].buffer, values[name].byteOffset, 2 * capacity),
    );
    this.raw = new Array<string | null>(capacity).fill(null);
    const valid = fastRecord(COLUMNS, () => mk(Uint8Array, 1));
    this.valid = valid;
    this.validList = COLUMNS.map((c) => valid[c]);
    this.dicts = fastRecord(DICT_COLUMNS, () => new StringDictionary());
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** validity arrays as a list (hot-path friendly) */
  readonly validList: Uint8Array[];
  /** row `length` holds fields of a discarded attempt */
  private dirty = false;

  /** Start row `length` (validity is zeroed per batch; a discarded attempt is cleared here). */
  begin(): number {
    const r = this.length;
    if (this.dirty) {
      for (const v of this.validList) v[r] = 0;
      this.raw[r] = null;
      this.dirty = false;
    }
    return r;
  }

  /** Abandon the row being written (parse error): its fields are cleared at the next begin(). */
  discard(): void {
    this.dirty = true;
  }

  commit(): void {
    this.length++;
  }

  /** Forget all rows (parse workers, after a part was taken); dictionaries are kept. */
  reset(): void {
    const n = Math.min(this.length + 1, this.capacity);
    for (const v of this.validList) v.fill(0, 0, n);
    this.raw.fill(null, 0, n);
    this.length = 0;
    this.dirty = false;
  }

  /** Rows [0, n) of a column, copied (from `pool`, else fresh); an all-null column gets zeros, not stale values. */
  private copyOf(name: TypedColumn, allNull: boolean, n: number, pool: BufferPool | undefined): ColumnArray {
    const arr = this.values[name];
    const Ctor = arr.constructor as new (buf: ArrayBufferLike, offset: number, n: number) => typeof arr;
    const Alloc = arr.constructor as new (n: number) => typeof arr;
    const copy = pool === undefined ? new Alloc(n) : new Ctor(pool.take(arr.byteLength), 0, n);
    // (most columns belong to one event type: in many batches all their rows are null)
    if (allNull) {
      if (pool !== undefined) new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength).fill(0);
    } else copy.set(arr.subarray(0, n) as never);
    return copy;
  }

  /** Rows [0, n) of a column as a view of it, or of zeros when all are null (the bytes copyOf would make). */
  private viewOf(name: TypedColumn, allNull: boolean, n: number): ColumnArray {
    const arr = this.values[name];
    if (!allNull) return arr.subarray(0, n);
    const Ctor = arr.constructor as new (buf: ArrayBufferLike, offset: number, n: number) => typeof arr;
    this.zeros ??= new ArrayBuffer(this.capacity * 8);
    return new Ctor(this.zeros, 0, n);
  }

  setDict(col: DictColumn, r: number, s: string): void {
    this.values[col][r] = this.dicts[col].intern(s);
    this.valid[col][r] = 1;
  }

  /** Rows [0, length) as batch buffers (copies); resets for the next batch. */
  takeBuffers(pool?: BufferPool): BatchBuffers {
    return this.take(pool, 'copy');
  }

  /**
   * Rows [0, length) as batch buffers that are this builder's own columns (views, no copy; an all-null column is
   * zeros, as takeBuffers makes it); resets for the next batch. The views hold until the next row is begun: the
   * caller writes them out first (../io/binary.ts). The validity bitmaps and ptr_hashed's bits come from `pool`:
   * pooledOfViews lists them, to give back once written.
   */
  viewBuffers(pool: BufferPool): BatchBuffers {
    return this.take(pool, 'view');
  }

  /**
   * Rows [0, length) as batch buffers copied into `pool`'s buffers, an all-null column as zeros that are not
   * copied (viewBuffers' zeros); resets for the next batch. pooledOf lists what to give back once written.
   */
  stageBuffers(pool: BufferPool): BatchBuffers {
    return this.take(pool, 'stage');
  }

  /** The buffers of a batch made here that came from a pool (not this builder's own columns or zeros). */
  pooledOf(b: BatchBuffers): ArrayBufferLike[] {
    const own = (this.own ??= new Set<ArrayBufferLike>(Object.values(this.values).map((a) => a.buffer)));
    return buffersOf(b).filter((buf) => buf !== this.zeros && !own.has(buf));
  }

  /** the buffers of this builder's columns */
  private own: Set<ArrayBufferLike> | undefined;

  /** zeros for the all-null columns of viewBuffers (never written: 8 bytes per row covers every column type) */
  private zeros: ArrayBuffer | undefined;

  /** per column (COLUMNS order), set by take(): 1 when no row of the batch had a value */
  private readonly unset = new Uint8Array(COLUMNS.length);

  private take(pool: BufferPool | undefined, how: 'copy' | 'view' | 'stage'): BatchBuffers {
    const n = this.length;
    const values: BatchBuffers['values'] = [];
    const bitmaps: (Uint8Array | null)[] = [];
    const nullCounts: number[] = [];
    let rawOffsets: Int32Array = new Int32Array(n + 1);
    // a column with no row set has validity bytes that are all zero already: not written again (below)
    const unset = this.unset;
    COLUMNS.forEach((name, c) => {
      // every committed row has the non-null columns (the parsers reject a line without ts/event; lines.ts sets
      // source and line): their validity bytes are not even written in the hot path
      const { bitmap, nulls } = NON_NULL.has(name) ? ALL_VALID : bitmapFrom(this.validList[c]!, n, pool);
      bitmaps.push(bitmap);
      nullCounts.push(nulls);
      unset[c] = nulls === n && n > 0 ? 1 : 0;
      if (name === 'ptr_hashed') values.push(packBits(this.values.ptr_hashed, n, pool));
      else if (name === 'raw') {
        // most batches have no raw text at all (only events that are not modelled, and dql_stall_detected)
        const enc = nulls === n ? { data: new Uint8Array(0), offsets: new Int32Array(n + 1) } : utf8Parts(this.raw, n);
        values.push(enc.data);
        rawOffsets = enc.offsets;
      } else if (how === 'copy' || (how === 'stage' && nulls !== n))
        values.push(this.copyOf(name, nulls === n, n, pool));
      else values.push(this.viewOf(name, nulls === n, n));
    });
    // a discarded attempt at row n is cleared too: the next rows start at 0 and would never reach it
    const clear = this.dirty ? Math.min(n + 1, this.capacity) : n;
    this.raw.fill(null, 0, clear);
    // the validity of a column no row of this batch set is zero over [0, n) (packBits found no byte set) and past n
    // (packBits zeroed the rest of the last group): writing zeros there again would fault in the pages of every
    // column the trace's events never set (a discarded row may have set one: then all are cleared)
    const dirty = this.dirty;
    this.validList.forEach((v, c) => {
      if (dirty || unset[c] === 0) v.fill(0, 0, clear);
    });
    this.length = 0;
    this.dirty = false;
    return { n, values, bitmaps, nullCounts, rawOffsets };
  }
}

/** The buffers of a viewBuffers batch that came from its pool (validity bitmaps, ptr_hashed's bits). */
export function pooledOfViews(b: BatchBuffers): ArrayBufferLike[] {
  const out: ArrayBufferLike[] = [b.values[PTR_HASHED]!.buffer];
  for (const m of b.bitmaps) if (m !== null) out.push(m.buffer);
  return out;
}

const PTR_HASHED = COLUMNS.indexOf('ptr_hashed');

/** The typed array of each Arrow kind (a bool column holds 0/1 bytes, packed into bits by takeBuffers). */
const ARRAY_OF_KIND = {
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  dict: Int32Array,
} as const;
type TypedArrayCtor = (new (
  buf: ArrayBufferLike,
  off: number,
  n: number,
) => ColumnArrays[TypedColumn]) & { BYTES_PER_ELEMENT: number };
type ArrayOfKind = { [K in keyof typeof ARRAY_OF_KIND]: InstanceType<(typeof ARRAY_OF_KIND)[K]> };
/** RowColumns.values: one typed array per column of the catalogue (but `raw`). */
export type ColumnArrays = { [N in TypedColumn]: ArrayOfKind[ArrowKindOf<N>] };
type ColumnArray = BatchBuffers['values'][number];

/** Bytes a ColumnArena must hand out for RowColumns of `capacity` rows (each array 8-byte aligned). */
export function columnArenaBytes(capacity: number): number {
  const align8 = (n: number): number => (n + 7) & ~7;
  let total = COLUMNS.length * align8(capacity); // validity
  for (const name of TYPED_COLUMNS) {
    total += align8(
      capacity * ARRAY_OF_KIND[CATALOGUE[COLUMNS.indexOf(name)]!.arrow as Exclude<ArrowKind, 'utf8'>].BYTES_PER_ELEMENT,
    );
  }
  return total;
}

/**
 * One zeroed block for every column array of a RowColumns, handed out in order (8-byte aligned). A block this large
 * (~10 MB at 64 Ki rows) is calloc'd as fresh mapped memory, whose pages are faulted in only where a row is written:
 * the columns of events a trace does not have and the rows a short trace never reaches cost nothing. One array per
 * column came from the heap instead, zeroed by memset: ~1,100 page faults (~13 µs each on the bench VM, ingest README
 * "Speed") at the start of every binary read, most of them for nothing.
 */
function blockArena(bytes: number): ColumnArena {
  const buffer = new ArrayBuffer(bytes);
  let at = 0;
  return (n) => {
    const region = { buffer, byteOffset: at };
    at += (n + 7) & ~7;
    if (at > bytes) throw new Error(`column block of ${bytes} bytes is too small`);
    return region;
  };
}

/**
 * A record with one property per name, made by Object.fromEntries: V8 gives it fast properties (checked with
 * %HasFastProperties), so `valid.dev[r] = 1` in the parsers' hot path is a plain field load, not a hash lookup.
 */
function fastRecord<N extends string, T>(names: readonly N[], make: (name: N) => T): Record<N, T> {
  return Object.fromEntries(names.map((n) => [n, make(n)])) as Record<N, T>;
}

/** UTF-8 bytes and offsets of rows [0, n) of a string column (nulls are empty). */
function utf8Parts(values: readonly (string | null)[], n: number): { data: Uint8Array; offsets: Int32Array } {
  const offsets = new Int32Array(n + 1);
  const encoded: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) {
      const e = encoder.encode(v);
      encoded.push(e);
      total += e.length;
    }
    offsets[i + 1] = total;
  }
  const data = joinBytes(encoded, total);
  return { data, offsets };
}

/** Concatenate UTF-8 encoded strings (`total` = sum of their lengths) into one Arrow values buffer. */
export function joinBytes(encoded: Iterable<Uint8Array>, total: number): Uint8Array {
  const data = new Uint8Array(total);
  let p = 0;
  for (const e of encoded) {
    data.set(e, p);
    p += e.length;
  }
  return data;
}
