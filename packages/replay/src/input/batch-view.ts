/**
 * BatchView: what the replay pass reads of one record batch. Times and pointers are converted per batch
 * into reused float64 arrays (every event needs them); every other column stays as Arrow laid it out —
 * values plus validity bitmap (null = all valid), dictionary indices plus a remap to merged codes — and
 * the pass reads a field only for the event kinds that carry it. Most columns are null on most rows, so
 * converting them all up front cost as much as the pass itself.
 *
 * A view over an already sorted whole table in sentinel form (TraceColumns: NULL_I32 / -1 for absent
 * values) has null bitmaps and the sentinels as values: the pass reads both forms alike.
 */
import { putPtr, putTsRel, type Chunk, type TimeBase, type TraceColumns } from '../columns.js';
import type { BatchSource, ReplayColumn, RowRange } from './batches.js';

type Ints = ArrayLike<number>;

export interface BatchView {
  n: number;
  tsRel: Float64Array;
  skb: Float64Array;
  napi: Float64Array;
  cpu: Ints;
  cpuN: Uint8Array | null;
  event: Ints;
  eventR: Int32Array;
  dev: Ints;
  devN: Uint8Array | null;
  devR: Int32Array;
  ifindex: Ints;
  ifindexN: Uint8Array | null;
  queue: Ints;
  queueN: Uint8Array | null;
  len: Ints;
  lenN: Uint8Array | null;
  rc: Ints;
  rcN: Uint8Array | null;
  work: Ints;
  workN: Uint8Array | null;
  budget: Ints;
  budgetN: Uint8Array | null;
  txqState: Ints;
  txqStateN: Uint8Array | null;
  packets: Ints;
  packetsN: Uint8Array | null;
  handle: Ints;
  handleN: Uint8Array | null;
  parent: Ints;
  parentN: Uint8Array | null;
  driver: Ints;
  driverN: Uint8Array | null;
  driverR: Int32Array;
  reason: Ints;
  reasonN: Uint8Array | null;
  reasonR: Int32Array;
  source: Ints;
  sourceR: Int32Array;
  line: Ints;
  /** some row carries an ftrace-hashed pointer */
  anyHashed: boolean;
}

/** Bit i of a validity bitmap is clear (bitmaps here start at row 0). */
export const isNull = (bm: Uint8Array | null, i: number): boolean =>
  bm !== null && ((bm[i >> 3]! >> (i & 7)) & 1) === 0;

/** Thrown when a chunk is sliced (validity offset ≠ 0): the caller takes the whole-table path. */
class UnsupportedLayout extends Error {}

export class ViewBuilder {
  private cap = 0;
  private tsBuf = new Float64Array(0);
  private skbBuf = new Float64Array(0);
  private napiBuf = new Float64Array(0);
  private zeros = new Int32Array(0);
  private allNull = new Uint8Array(0);
  private identity = new Int32Array(0);
  constructor(
    private readonly src: BatchSource,
    private readonly slot: number,
    private readonly base: TimeBase,
    /** read source and line too (the pass itself never needs them: evidence reads them per row) */
    private readonly withEvidence = true,
  ) {}

  private ensure(n: number): void {
    if (n <= this.cap) return;
    this.cap = Math.max(n, 1024);
    this.tsBuf = new Float64Array(this.cap);
    this.skbBuf = new Float64Array(this.cap);
    this.napiBuf = new Float64Array(this.cap);
    this.zeros = new Int32Array(this.cap);
    this.allNull = new Uint8Array((this.cap + 7) >> 3);
  }

  private ident(n: number): Int32Array {
    if (this.identity.length < n) {
      this.identity = new Int32Array(Math.max(n, 64));
      for (let k = 0; k < this.identity.length; k++) this.identity[k] = k;
    }
    return this.identity;
  }

  /** Column `name` of rows [from, to) of batch b, checked: n rows, not sliced. */
  private chunkOf(b: number, name: ReplayColumn, n: number, range: RowRange | undefined): Chunk | null {
    const ch = this.src.chunk(b, name, this.slot, range);
    if (!ch) return null;
    if (ch.length !== n)
      throw new Error(`arrow: column ${name} of record batch ${b} has ${ch.length} rows, expected ${n}`);
    if (ch.offset !== 0 && ch.validity) throw new UnsupportedLayout(`column ${name} is sliced`);
    return ch;
  }

  /** Rows [from, to) of batch b (default: all of it); `from` a multiple of 8. */
  build(b: number, range?: RowRange): BatchView {
    const n = range ? range.to - range.from : this.src.starts[b + 1]! - this.src.starts[b]!;
    this.ensure(n);
    const get = (name: ReplayColumn): Chunk | null => this.chunkOf(b, name, n, range);
    return {
      n,
      ...this.timesAndPointers(get, n),
      ...this.numericColumns(get, n),
      ...this.dictColumns(get),
      anyHashed: anyBitSet(get('ptr_hashed'), n),
    };
  }

  /** ts_ns relative to the time base, skbaddr and napi as pointer keys: the float64 columns every event needs. */
  private timesAndPointers(get: ChunkGetter, n: number): Pick<BatchView, 'tsRel' | 'skb' | 'napi'> {
    const ts = get('ts_ns');
    if (!ts) throw new Error('arrow: the table has no ts_ns column');
    // times and pointers may come converted by the read-ahead thread (same values, see Chunk.converted)
    let tsRel: Float64Array = this.tsBuf.subarray(0, n);
    if (ts.converted) tsRel = ts.values as Float64Array;
    else putTsRel(ts, this.base, tsRel, 0);
    const ptr = (name: ReplayColumn, out: Float64Array): Float64Array => {
      const ch = get(name);
      if (ch && ch.converted) return ch.values as Float64Array;
      if (ch) putPtr(ch, out, 0);
      else out.fill(-1);
      return out;
    };
    return { tsRel, skb: ptr('skbaddr', this.skbBuf.subarray(0, n)), napi: ptr('napi', this.napiBuf.subarray(0, n)) };
  }

  /** A numeric column as Arrow laid it out (values, validity); 64-bit values as float64; absent: all null. */
  private plain(get: ChunkGetter, name: ReplayColumn, n: number): [Ints, Uint8Array | null] {
    const ch = get(name);
    if (!ch) return [this.zeros, this.allNull];
    const v = ch.values;
    if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(v[i]);
      return [out, ch.validity];
    }
    return [v as Ints, ch.validity];
  }

  private numericColumns(get: ChunkGetter, n: number): NumericColumns {
    const plain = (name: ReplayColumn): [Ints, Uint8Array | null] => this.plain(get, name, n);
    const [cpu, cpuN] = plain('cpu');
    const [ifindex, ifindexN] = plain('ifindex');
    const [queue, queueN] = plain('queue');
    const [len, lenN] = plain('len');
    const [rc, rcN] = plain('rc');
    const [work, workN] = plain('work');
    const [budget, budgetN] = plain('budget');
    const [txqState, txqStateN] = plain('txq_state');
    const [packets, packetsN] = plain('packets');
    const [handle, handleN] = plain('handle');
    const [parent, parentN] = plain('parent');
    const [line] = this.withEvidence ? plain('line') : [this.zeros];
    return {
      cpu,
      cpuN,
      ifindex,
      ifindexN,
      queue,
      queueN,
      len,
      lenN,
      rc,
      rcN,
      work,
      workN,
      budget,
      budgetN,
      txqState,
      txqStateN,
      packets,
      packetsN,
      handle,
      handleN,
      parent,
      parentN,
      line,
    };
  }

  /** A dictionary column: indices, validity and the remap to merged codes; absent: all null. */
  private dict(get: ChunkGetter, name: ReplayColumn, namesLen: number): [Ints, Uint8Array | null, Int32Array] {
    const ch = get(name);
    if (!ch) return [this.zeros, this.allNull, this.ident(1)];
    if (ch.codes) return [ch.values as Ints, ch.validity, this.ident(namesLen)];
    if (!ch.remap) return [this.zeros, this.allNull, this.ident(1)];
    return [ch.values as Ints, ch.validity, ch.remap];
  }

  private dictColumns(get: ChunkGetter): DictColumns {
    const names = this.src.names;
    const [event, , eventR] = this.dict(get, 'event', names.event.names.length);
    const [dev, devN, devR] = this.dict(get, 'dev', names.dev.names.length);
    const [driver, driverN, driverR] = this.dict(get, 'driver', names.driver.names.length);
    const [reason, reasonN, reasonR] = this.dict(get, 'reason', names.reason.names.length);
    const [source, , sourceR] = this.withEvidence
      ? this.dict(get, 'source', names.source.names.length)
      : [this.zeros, null, this.ident(1)];
    return { event, eventR, dev, devN, devR, driver, driverN, driverR, reason, reasonN, reasonR, source, sourceR };
  }
}

type ChunkGetter = (name: ReplayColumn) => Chunk | null;
type NumericColumns = Pick<
  BatchView,
  | 'cpu'
  | 'cpuN'
  | 'ifindex'
  | 'ifindexN'
  | 'queue'
  | 'queueN'
  | 'len'
  | 'lenN'
  | 'rc'
  | 'rcN'
  | 'work'
  | 'workN'
  | 'budget'
  | 'budgetN'
  | 'txqState'
  | 'txqStateN'
  | 'packets'
  | 'packetsN'
  | 'handle'
  | 'handleN'
  | 'parent'
  | 'parentN'
  | 'line'
>;
type DictColumns = Pick<
  BatchView,
  | 'event'
  | 'eventR'
  | 'dev'
  | 'devN'
  | 'devR'
  | 'driver'
  | 'driverN'
  | 'driverR'
  | 'reason'
  | 'reasonN'
  | 'reasonR'
  | 'source'
  | 'sourceR'
>;

/** A bool column has a set, valid bit among its first n rows (ptr_hashed: ftrace hashed pointers). */
function anyBitSet(ch: Chunk | null, n: number): boolean {
  if (!ch) return false;
  const bits = ch.values as Uint8Array;
  const bm = ch.validity;
  for (let k = 0; k < (n + 7) >> 3; k++) if ((bits[k]! & (bm ? bm[k]! : 0xff)) !== 0) return true;
  return false;
}

/**
 * A whole table in sentinel form, gathered into time order: the sorted columns (for evidence) and a
 * view of them (dictionary codes shifted by one so that code -1 = null maps through remap[0] = -1).
 */
export function gatherSorted(cols: TraceColumns, order: Uint32Array): { sorted: TraceColumns; view: BatchView } {
  const sorted = sortedColumns(cols, order);
  let anyHashed = false;
  for (let k = 0; k < cols.n; k++) if (cols.ptrHashed[k]) anyHashed = true;
  return { sorted, view: sentinelView(sorted, anyHashed) };
}

/** Every column of `cols` in `order`. */
function sortedColumns(cols: TraceColumns, order: Uint32Array): TraceColumns {
  const n = cols.n;
  const gI = (a: Int32Array): Int32Array => {
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[k] = a[order[k]!]!;
    return out;
  };
  const gF = (a: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = a[order[k]!]!;
    return out;
  };
  const gU8 = (a: Uint8Array): Uint8Array => {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) out[k] = a[order[k]!]!;
    return out;
  };
  return {
    ...cols,
    tsRel: gF(cols.tsRel),
    cpu: gI(cols.cpu),
    event: gI(cols.event),
    dev: gI(cols.dev),
    ifindex: gI(cols.ifindex),
    queue: gI(cols.queue),
    skb: gF(cols.skb),
    ptrHashed: gU8(cols.ptrHashed),
    len: gI(cols.len),
    rc: gI(cols.rc),
    napi: gF(cols.napi),
    work: gI(cols.work),
    budget: gI(cols.budget),
    txqState: gI(cols.txqState),
    packets: gI(cols.packets),
    handle: gF(cols.handle),
    parent: gF(cols.parent),
    driver: gI(cols.driver),
    reason: gI(cols.reason),
    source: gI(cols.source),
    line: gI(cols.line),
    ...(cols.location ? { location: gI(cols.location) } : {}),
  };
}

/** A view of sentinel-form columns: dictionary codes shifted by one so that code -1 = null maps through remap[0] = -1. */
function sentinelView(s: TraceColumns, anyHashed: boolean): BatchView {
  const n = s.n;
  const plus1 = (a: Int32Array): Int32Array => {
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[k] = a[k]! + 1;
    return out;
  };
  const shiftedRemap = (names: string[]): Int32Array => {
    const r = new Int32Array(names.length + 1);
    for (let k = 0; k < r.length; k++) r[k] = k - 1;
    return r;
  };
  return {
    n,
    tsRel: s.tsRel,
    skb: s.skb,
    napi: s.napi,
    cpu: s.cpu,
    cpuN: null,
    event: plus1(s.event),
    eventR: shiftedRemap(s.eventNames),
    dev: plus1(s.dev),
    devN: null,
    devR: shiftedRemap(s.devNames),
    ifindex: s.ifindex,
    ifindexN: null,
    queue: s.queue,
    queueN: null,
    len: s.len,
    lenN: null,
    rc: s.rc,
    rcN: null,
    work: s.work,
    workN: null,
    budget: s.budget,
    budgetN: null,
    txqState: s.txqState,
    txqStateN: null,
    packets: s.packets,
    packetsN: null,
    handle: s.handle,
    handleN: null,
    parent: s.parent,
    parentN: null,
    driver: plus1(s.driver),
    driverN: null,
    driverR: shiftedRemap(s.driverNames),
    reason: plus1(s.reason),
    reasonN: null,
    reasonR: shiftedRemap(s.reasonNames),
    source: plus1(s.source),
    sourceR: shiftedRemap(s.sourceNames),
    line: s.line,
    anyHashed,
  };
}
