/**
 * Record-batch access for replay: the single pass reads one record batch at a time into REUSED typed
 * arrays (the TraceColumns layout, n = batch length), instead of materialising every column of the whole
 * table first. Two sources: an in-memory Arrow Table (zero-copy views of its chunks) and an .arrow file
 * read column buffer by column buffer (arrow-file.ts), so only the columns replay needs are ever read.
 * A second reader (its own buffers) gives random access to rows for evidence and look-ahead.
 */
import type { Data, Table, Vector } from 'apache-arrow';
import type { ColumnName } from '@txreplay/ingest';
import {
  chunkOfData,
  Names,
  putBool,
  putDict,
  putI32,
  putPtr,
  putTsRel,
  putU64AsNumber,
  NULL_I32,
  TimeBase,
  type Chunk,
  type TraceColumns,
} from '../columns.js';

/**
 * Columns the replay reads (comm, pid, stall_len, jiffies, raw: never read — speed). net_cookie is read only for
 * evidence rows (RowAccess.netCookie: net_dev_xmit_timeout), never in the pass.
 */
export const REPLAY_COLUMNS = [
  'ts_ns',
  'cpu',
  'event',
  'dev',
  'ifindex',
  'queue',
  'skbaddr',
  'ptr_hashed',
  'len',
  'rc',
  'napi',
  'work',
  'budget',
  'txq_state',
  'packets',
  'handle',
  'parent',
  'driver',
  'reason',
  'source',
  'line',
  'location',
  'net_cookie',
] as const satisfies readonly ColumnName[]; // columns of the ingest catalogue: a renamed column fails to compile
export type ReplayColumn = (typeof REPLAY_COLUMNS)[number];

export interface DictNames {
  location: Names;
  event: Names;
  dev: Names;
  driver: Names;
  reason: Names;
  source: Names;
}

/** Record batches of an event table, column chunk by column chunk. */
export interface BatchSource {
  numRows: number;
  /** row index of the first row of each batch; length numBatches + 1 (last = numRows) */
  starts: number[];
  metadata: Map<string, string>;
  names: DictNames;
  /**
   * Column `name` of batch `b`. `slot` names a buffer set: a chunk stays valid until the next call with
   * the same slot and column (sources that read files reuse their buffers per slot).
   */
  chunk(b: number, name: ReplayColumn, slot: number, range?: RowRange): Chunk | null;
  /**
   * Optional hint: calls to chunk(b, name, slot, range) for `columns` will walk every batch in order, in
   * ranges of `step` rows. A file source then reads the next ranges on another thread while the caller
   * processes the current one (chunks stay valid until the next range of that slot is asked for).
   * With `tsBaseNs` the reader also converts, off the caller's thread, ts_ns to float64 ns relative to
   * it and skbaddr/napi to pointer keys (putTsRel/putPtr's results): those chunks come `converted`.
   */
  readAhead?(slot: number, step: number, columns: readonly ReplayColumn[], tsBaseNs?: bigint): void;
  /** One value: row i of batch b (dictionary columns: the merged code); null when absent. */
  cell(b: number, name: ReplayColumn, i: number): number | bigint | null;
  close(): void;
}

/** Rows [from, to) of a batch; `from` is a multiple of 8 so validity bitmaps stay byte-aligned. */
export interface RowRange {
  from: number;
  to: number;
}

/** Rows [from, to) of an in-memory chunk as a chunk of its own (views, no copy). */
export function sliceChunk(c: Chunk, r: RowRange | undefined, bitPacked: boolean): Chunk {
  if (!r || (r.from === 0 && r.to === c.length)) return c;
  const out: Chunk = {
    values: c.values.subarray(r.from, r.to) as typeof c.values,
    validity: c.validity ? c.validity.subarray((c.offset + r.from) >> 3) : null,
    offset: c.offset,
    length: r.to - r.from,
  };
  if (c.remap) out.remap = c.remap;
  if (c.codes) out.codes = c.codes;
  // bit-packed bool values: sliced by bytes like the bitmap
  if (bitPacked) out.values = c.values.subarray((c.offset + r.from) >> 3);
  return out;
}

/** Value of row i of a chunk (dictionary: merged code), null when absent. */
export function cellOfChunk(c: Chunk, i: number): number | bigint | null {
  const bm = c.validity;
  if (bm && ((bm[(c.offset + i) >> 3]! >> ((c.offset + i) & 7)) & 1) === 0) return null;
  const v = c.values[i]!;
  if (c.remap && !c.codes) return c.remap[v as number] ?? null;
  return v;
}

export function newDictNames(): DictNames {
  return {
    event: new Names(),
    dev: new Names(),
    driver: new Names(),
    reason: new Names(),
    source: new Names(),
    location: new Names(),
  };
}

/** The merged string table of each dictionary column. */
export const DICT_COLUMNS: Partial<Record<ReplayColumn, keyof DictNames>> = {
  event: 'event',
  dev: 'dev',
  driver: 'driver',
  reason: 'reason',
  source: 'source',
  location: 'location',
};

/** An in-memory table: chunks are views of its Data (zero copy), dictionaries merged once each. */
export function tableSource(table: Table): BatchSource {
  const names = newDictNames();
  const cols = new Map<string, Data[]>();
  const caches = new Map<string, Map<unknown, Int32Array>>();
  for (const name of REPLAY_COLUMNS) {
    const v = table.getChild(name) as Vector | null;
    cols.set(name, v ? (v.data as Data[]) : []);
    caches.set(name, new Map());
  }
  // every column is chunked alike in a Table built from record batches; the ts column gives the layout
  const starts = [0];
  for (const d of cols.get('ts_ns')!) starts.push(starts[starts.length - 1]! + d.length);
  return {
    numRows: table.numRows,
    starts,
    metadata: table.schema.metadata,
    names,
    chunk(b, name, _slot, range) {
      const d = cols.get(name)?.[b];
      if (!d) return null;
      const dn = DICT_COLUMNS[name];
      return sliceChunk(chunkOfData(d, dn ? names[dn] : null, caches.get(name)!), range, name === 'ptr_hashed');
    },
    cell(b, name, i) {
      const c = this.chunk(b, name, 0);
      return c ? cellOfChunk(c, i) : null;
    },
    close() {},
  };
}

/** Does every column of the table share the ts_ns chunk layout? (Otherwise use the whole-table path.) */
export function tableChunksAligned(table: Table): boolean {
  const ts = table.getChild('ts_ns') as Vector | null;
  if (!ts) return false;
  const lens = (ts.data as Data[]).map((d) => d.length);
  for (const name of REPLAY_COLUMNS) {
    const v = table.getChild(name) as Vector | null;
    if (!v) continue;
    const ds = v.data as Data[];
    // sliced chunks (offset ≠ 0) keep their parent's bitmaps: the whole-table path handles them
    if (ds.length !== lens.length || ds.some((d, k) => d.length !== lens[k] || d.offset !== 0)) return false;
  }
  return true;
}

/**
 * Normalises batches into reused TraceColumns arrays (NULL_I32 / NULL_PTR / -1 for absent values, times
 * relative to the shared `base`). The returned columns are valid until the next load.
 */
export class BatchReader {
  private cap = 0;
  private c!: TraceColumns;
  private readonly want: Set<ReplayColumn>;
  constructor(
    private readonly src: BatchSource,
    private readonly slot: number,
    private readonly base: TimeBase,
    /** columns to read (others are left absent); default all */
    columns: readonly ReplayColumn[] = REPLAY_COLUMNS,
  ) {
    this.want = new Set(columns);
  }

  private ensure(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, 1024);
    const names = this.src.names;
    this.c = {
      n: 0,
      baseNs: this.base.ns,
      tsRel: new Float64Array(cap),
      cpu: new Int32Array(cap),
      event: new Int32Array(cap),
      eventNames: names.event.names,
      dev: new Int32Array(cap),
      devNames: names.dev.names,
      ifindex: new Int32Array(cap),
      queue: new Int32Array(cap),
      skb: new Float64Array(cap),
      ptrHashed: new Uint8Array(cap),
      len: new Int32Array(cap),
      rc: new Int32Array(cap),
      napi: new Float64Array(cap),
      work: new Int32Array(cap),
      budget: new Int32Array(cap),
      txqState: new Int32Array(cap),
      packets: new Int32Array(cap),
      handle: new Float64Array(cap),
      parent: new Float64Array(cap),
      driver: new Int32Array(cap),
      driverNames: names.driver.names,
      reason: new Int32Array(cap),
      reasonNames: names.reason.names,
      source: new Int32Array(cap),
      sourceNames: names.source.names,
      line: new Int32Array(cap),
    };
    this.cap = cap;
  }

  /** Batch `b` as columns of length n (views of the reused buffers). */
  load(b: number): TraceColumns {
    const n = this.src.starts[b + 1]! - this.src.starts[b]!;
    this.ensure(n);
    const c = this.c;
    const get = (name: ReplayColumn): Chunk | null => {
      if (!this.want.has(name)) return null;
      const ch = this.src.chunk(b, name, this.slot);
      if (ch && ch.length !== n)
        throw new Error(`arrow: column ${name} of record batch ${b} has ${ch.length} rows, expected ${n}`);
      return ch;
    };
    const i32 = (name: ReplayColumn, out: Int32Array): void => {
      const ch = get(name);
      if (ch) putI32(ch, out, 0);
      else out.fill(NULL_I32, 0, n);
    };
    const dict = (name: ReplayColumn, out: Int32Array): void => {
      const ch = get(name);
      if (ch) putDict(ch, out, 0);
      else out.fill(-1, 0, n);
    };
    const ptr = (name: ReplayColumn, out: Float64Array): void => {
      const ch = get(name);
      if (ch) putPtr(ch, out, 0);
      else out.fill(-1, 0, n);
    };
    const u32 = (name: ReplayColumn, out: Float64Array): void => {
      const ch = get(name);
      if (ch) putU64AsNumber(ch, out, 0, -1);
      else out.fill(-1, 0, n);
    };
    const ts = get('ts_ns');
    if (!ts) throw new Error('arrow: the table has no ts_ns column');
    putTsRel(ts, this.base, c.tsRel, 0);
    i32('cpu', c.cpu);
    dict('event', c.event);
    dict('dev', c.dev);
    i32('ifindex', c.ifindex);
    i32('queue', c.queue);
    ptr('skbaddr', c.skb);
    const ph = get('ptr_hashed');
    if (ph) putBool(ph, c.ptrHashed, 0);
    else c.ptrHashed.fill(0, 0, n);
    i32('len', c.len);
    i32('rc', c.rc);
    ptr('napi', c.napi);
    i32('work', c.work);
    i32('budget', c.budget);
    i32('txq_state', c.txqState);
    i32('packets', c.packets);
    u32('handle', c.handle);
    u32('parent', c.parent);
    dict('driver', c.driver);
    dict('reason', c.reason);
    dict('source', c.source);
    i32('line', c.line);
    c.n = n;
    c.baseNs = this.base.ns;
    return c;
  }
}

/** ts_ns of the first row of the source (the origin of relative times when the rows are time-ordered). */
export function firstTsNs(src: BatchSource): bigint {
  for (let b = 0; b + 1 < src.starts.length; b++) {
    if (src.starts[b + 1] === src.starts[b]) continue;
    const ch = src.chunk(b, 'ts_ns', 99);
    if (ch) return (ch.values as BigInt64Array)[0]!;
  }
  return 0n;
}

/**
 * Random access to rows after (or beside) the pass: evidence, look-ahead, time search. Rows are table
 * row indexes; positions are indexes in time order (`order`, or identity when the rows are sorted).
 */
/** What evidence, look-ahead and time search read of a row. */
export const ROW_ACCESS_COLUMNS: readonly ReplayColumn[] = [
  'ts_ns',
  'event',
  'dev',
  'queue',
  'source',
  'line',
  'ifindex',
  'skbaddr',
];

export class RowAccess {
  /** columns holding the row passed to the last at(); index with the value at() returned */
  c!: TraceColumns;
  private batch = -1;
  /** a few batches stay loaded (evidence rows cluster; look-ahead walks back and forth) */
  private readonly cache: { batch: number; c: TraceColumns; reader: BatchReader; used: number }[] = [];
  private tick = 0;
  constructor(
    readonly n: number,
    readonly baseNs: bigint,
    private readonly readers: BatchReader[] | null,
    private readonly starts: number[] | null,
    whole: TraceColumns | null,
    private readonly order: Uint32Array | null,
    readonly names: DictNames | null,
    private readonly src: BatchSource | null = null,
  ) {
    if (whole) this.c = whole;
  }

  private loadBatch(b: number): TraceColumns {
    this.tick++;
    const hit = this.cache.find((e) => e.batch === b);
    if (hit) {
      hit.used = this.tick;
      return hit.c;
    }
    const readers = this.readers!;
    let e = this.cache.length < readers.length ? null : this.cache.reduce((a, x) => (x.used < a.used ? x : a));
    if (!e) {
      const reader = readers[this.cache.length]!;
      e = { batch: -1, c: undefined as unknown as TraceColumns, reader, used: 0 };
      this.cache.push(e);
    }
    e.c = e.reader.load(b);
    e.batch = b;
    e.used = this.tick;
    return e.c;
  }

  rowAt(pos: number): number {
    return this.order ? this.order[pos]! : pos;
  }

  /** Make row `row` addressable in `c`; returns its index there. */
  at(row: number): number {
    if (!this.readers || !this.starts) return row;
    const s = this.starts;
    if (this.batch < 0 || row < s[this.batch]! || row >= s[this.batch + 1]!) {
      const b = this.batchOf(row);
      this.c = this.loadBatch(b);
      this.batch = b;
    }
    return row - s[this.batch]!;
  }

  /** The batch holding row `row` (binary search over the batch starts). */
  private batchOf(row: number): number {
    const s = this.starts!;
    let lo = 0;
    let hi = s.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** One cell of a batch source without loading its batch (evidence rows are few and scattered). */
  private cell(row: number, name: ReplayColumn): number | bigint | null {
    const b = this.batchOf(row);
    return this.src!.cell(b, name, row - this.starts![b]!);
  }
  private code(row: number, name: ReplayColumn): number {
    const v = this.cell(row, name);
    return v === null ? -1 : Number(v);
  }

  /**
   * The network namespace cookie of a row (net_dev_xmit_timeout on kernels that print net_cookie), or null: read
   * from the source one cell at a time (timeout rows are few); the whole-table fallback does not carry it.
   */
  netCookie(row: number): bigint | null {
    if (!this.src) return null;
    const v = this.cell(row, 'net_cookie');
    return v === null ? null : BigInt(v);
  }

  tsRel(row: number): number {
    if (this.src) {
      const v = this.cell(row, 'ts_ns');
      return v === null ? NaN : Number(BigInt(v) - this.baseNs);
    }
    return this.c.tsRel[row]!;
  }
  tsNs(row: number): bigint {
    if (this.src) {
      const v = this.cell(row, 'ts_ns');
      return v === null ? this.baseNs : BigInt(v);
    }
    return this.baseNs + BigInt(Math.round(this.tsRel(row)));
  }
  eventName(row: number): string {
    if (this.src) return this.names!.event.names[this.code(row, 'event')] ?? '?';
    return this.c.eventNames[this.c.event[row]!] ?? '?';
  }
  devName(row: number): string | null {
    if (this.src) return this.names!.dev.names[this.code(row, 'dev')] ?? null;
    return this.c.devNames[this.c.dev[row]!] ?? null;
  }
  sourceName(row: number): string {
    if (this.src) return this.names!.source.names[this.code(row, 'source')] ?? '?';
    return this.c.sourceNames[this.c.source[row]!] ?? '?';
  }
  line(row: number): number {
    if (this.src) return Number(this.cell(row, 'line') ?? 0);
    return this.c.line[row]!;
  }
  /** queue column (NULL_I32 when absent) */
  queue(row: number): number {
    if (this.src) {
      const v = this.cell(row, 'queue');
      return v === null ? NULL_I32 : Number(v);
    }
    return this.c.queue[row]!;
  }
  /** kfree_skb/consume_skb location (`sym+off`), null when absent or not readable in this form */
  location(row: number): string | null {
    if (this.src) return this.names!.location.names[this.code(row, 'location')] ?? null;
    const loc = this.c.location?.[row];
    return loc !== undefined && loc >= 0 ? (this.c.locationNames?.[loc] ?? null) : null;
  }
  sourceNames(): string[] {
    return this.names ? this.names.source.names : this.c.sourceNames;
  }
}
