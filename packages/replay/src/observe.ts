/**
 * Observed reconstruction: one pass over the time-ordered events that rebuilds, per device and TX
 * queue, what really happened (docs/kernel-tx-path.md §C, §D, §F). No model here: only what the
 * events prove, plus where the evidence is missing (lost events = unknown, not quiet).
 *
 * Per-packet lifecycle is keyed by skbaddr: net_dev_queue → qdisc_enqueue → qdisc_dequeue →
 * net_dev_start_xmit → net_dev_xmit(rc) → consume_skb/kfree_skb. A new net_dev_queue on an address
 * that is still live means the old skb was freed without an event we saw (e.g. GRO's stolen heads
 * are freed without a tracepoint), so the old lifecycle ends there ("implicit free").
 * ftrace hashes pointers, but consistently within one file, so matching works inside a file.
 */
import { NULL_I32, NULL_PTR, TimeBase, type TraceColumns } from './columns.js';
import { BatchReader, firstTsNs, REPLAY_COLUMNS, ROW_ACCESS_COLUMNS, RowAccess, type BatchSource } from './batches.js';
import { gatherSorted, isNull, ViewBuilder, type BatchView } from './view.js';
import { F64List } from './growable.js';
import { PtrMap } from './ptrmap.js';

/** What the pass's ViewBuilder (no evidence columns) reads of every row range. */
const PASS_COLUMNS = REPLAY_COLUMNS.filter((c) => c !== 'source' && c !== 'line' && c !== 'location');

export const K = {
  other: 0,
  netDevQueue: 1,
  startXmit: 2,
  xmit: 3,
  xmitTimeout: 4,
  enqueue: 5,
  dequeue: 6,
  napiPoll: 7,
  dqlStall: 8,
  consume: 9,
  kfree: 10,
  lost: 11,
} as const;

const EVENT_KIND: Record<string, number> = {
  'net:net_dev_queue': K.netDevQueue,
  'net:net_dev_start_xmit': K.startXmit,
  'net:net_dev_xmit': K.xmit,
  'net:net_dev_xmit_timeout': K.xmitTimeout,
  'qdisc:qdisc_enqueue': K.enqueue,
  'qdisc:qdisc_dequeue': K.dequeue,
  'napi:napi_poll': K.napiPoll,
  'napi:dql_stall_detected': K.dqlStall,
  'skb:consume_skb': K.consume,
  'skb:kfree_skb': K.kfree,
  'txreplay:lost_events': K.lost,
};

/** txq->state bits (§C). */
export const DRV_XOFF = 0x1;
export const STACK_XOFF = 0x2;
export const FROZEN = 0x4;
const NETDEV_TX_BUSY = 16;
const TC_H_ROOT = 0xffffffff;

export type StateName = 'DRV_XOFF' | 'STACK_XOFF' | 'FROZEN';
const BIT_NAMES: [number, StateName][] = [
  [DRV_XOFF, 'DRV_XOFF'],
  [STACK_XOFF, 'STACK_XOFF'],
  [FROZEN, 'FROZEN'],
];

export interface ObservedInterval {
  state: StateName;
  /** first event that proved the bit set (rc=16 or a qdisc_dequeue with the bit) */
  startRel: number;
  startRow: number;
  /** last event that proved the bit clear before startRel (the stop happened after it); NaN if none */
  lowerBoundRel: number;
  /** first event that proved the bit clear again; NaN while still set at the end of the trace */
  endRel: number;
  endRow: number;
  /** last event that still saw the bit set */
  lastSeenRel: number;
  lastSeenRow: number;
  /** the interval was opened by a NETDEV_TX_BUSY return (driver stopped the queue and refused the skb) */
  openedByBusy: boolean;
}

export class DevObs {
  ifindex: number | null = null;
  driver: string | null = null;
  napiPollTs = new F64List();
  /** polls that returned work < budget: the instance drained what it had (§F) */
  napiIdleTs = new F64List();
  napiIdleRows = new F64List();
  /** polls with work == budget: more work pending, stays scheduled (§F, §I.12) */
  napiFullTs = new F64List();
  napiStructs = new Set<number>();
  xmitEvents = 0;
  /** net_dev_xmit rc other than 0/16, by rc */
  rcOther = new Map<number, number>();
  rcDropTs = new F64List();
  rcDropFirstRow = -1;
  rcDropLastRow = -1;
  /** net_dev_xmit_timeout rows */
  timeoutRows: number[] = [];
  stallRows: number[] = [];
  queues = new Map<number, QueueObs>();
  /** queues 0..63 by index (the per-event lookup; `queues` keeps every queue in creation order) */
  queueArr: (QueueObs | undefined)[] = [];
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

export class QueueObs {
  qdiscHandle: number | null = null;
  qdiscParent: number | null = null;
  netDevQueue = 0;
  enqueued = 0;
  dequeued = 0;
  xmitOk = 0;
  txBusy = 0;
  requeues = 0;
  xmitOtherRc = 0;
  qdiscDrops = 0;
  completions = 0;
  implicitFrees = 0;
  bytesSent = 0;
  backlog = 0;
  inflightBytes = 0;
  inflightPackets = 0;
  /** qdisc drops while DRV_XOFF/STACK_XOFF/FROZEN was set (§I.6) */
  dropsWhileStopped = 0;
  dropTs = new F64List();
  dropFirstRow = -1;
  dropLastRow = -1;
  /** NULL dequeues while the txq was awake and the qdisc held packets: the qdisc itself withheld them (shaping) */
  withheldDequeues = 0;
  withheldFirstRow = -1;
  withheldLastRow = -1;
  completionTs = new F64List();
  /** rows of those completions (evidence) */
  completionRows = new F64List();
  xmitTs = new F64List();
  busyTs = new F64List();
  busyRows: number[] = [];
  /** rc=16 followed by an awake sample with no completion activity in between (§I.3) */
  busyWhileAwakeRows: number[] = [];
  /** longest run of consecutive rc=16 on the same skb without a successful xmit */
  longestBusyRun = 0;
  busyRunRows: number[] = [];
  lastStateRel = NaN;
  lastStateRow = -1;
  lastState = -1;
  lastAwakeRel = NaN;
  intervals: ObservedInterval[] = [];
  open: (ObservedInterval | null)[] = [null, null, null];
  pendingBusyCheck = false;
  pendingBusyRow = -1;
  pendingBusyCompletions = 0;
  busyRunSkb = NULL_PTR;
  busyRun = 0;
  /** qdisc sojourn (enqueue → dequeue) and driver time (xmit → free), ns */
  qdiscTimeSumNs = 0;
  qdiscTimeCount = 0;
  qdiscTimeMaxNs = 0;
  driverTimeSumNs = 0;
  driverTimeCount = 0;
  driverTimeMaxNs = 0;
  // series (changes only)
  sTs = new F64List();
  sBacklog = new F64List();
  sInflight = new F64List();
  /** completion batches (one dql_completed each): ts, bytes; queued: ts, bytes */
  /** dql_queued calls: one per net_dev_xmit rc=0, i.e. the transmit times themselves */
  get dqlQueuedTs(): F64List {
    return this.xmitTs;
  }
  dqlQueuedBytes = new F64List();
  dqlCompletedTs = new F64List();
  dqlCompletedBytes = new F64List();
  constructor(
    readonly dev: DevObs,
    readonly queue: number,
    /** index in the replay's queue list */
    readonly index: number,
  ) {}
}

export interface NapiObs {
  dev: DevObs;
  napi: number;
  polls: number;
  fullPolls: number;
  firstRel: number;
  lastRel: number;
  maxGap: number;
  maxGapStartRel: number;
}

export interface LostGap {
  startRel: number;
  endRel: number;
  lost: number;
  rows: number[];
}

export interface Observed {
  /** random access to the rows the findings cite (evidence: time, event, source, line) */
  rows: RowAccess;
  /** trace-clock origin of every `…Rel` time */
  baseNs: bigint;
  devices: DevObs[];
  firstRel: number;
  lastRel: number;
  events: number;
  lostEvents: number;
  gaps: LostGap[];
  /** per event kind counts (index = K value) */
  kindCounts: Int32Array;
  /** qdisc drops whose skb could not be tied to a device */
  unattributedDrops: number;
  hashedPointers: boolean;
  napis: NapiObs[];
  /** kfree_skb reasons printed as numbers (bpftrace): frees per number and how many counted as qdisc drops */
  numericReasons: Map<string, { frees: number; asQdiscDrop: number }>;
}

/** Drop reasons that mean "the qdisc refused or discarded the packet" (§D.3). */
const REASON_OTHER = 0;
const REASON_QDISC = 1;
/** a number (bpftrace prints enum skb_drop_reason as a number; the numbering changes between kernels, §H.1) */
const REASON_NUMERIC = 2;
function reasonClass(r: string): number {
  if (/^\d+$/.test(r)) return REASON_NUMERIC;
  return isQdiscDropReason(r) ? REASON_QDISC : REASON_OTHER;
}
function isQdiscDropReason(r: string): boolean {
  return r.startsWith('QDISC_') || r.startsWith('FQ_') || r.startsWith('CAKE_') || r === 'TC_EGRESS';
}

const ST_NONE = 0;
const ST_QUEUED = 1;
const ST_ENQ = 2;
const ST_DEQ = 3;
const ST_XMIT = 4;

/**
 * Whole-table form (rows in any order, `order` = time order): the legacy entry point and the fallback for
 * unsorted inputs. Same reconstruction as observeSource.
 */
export function observe(cols: TraceColumns, order: Uint32Array): Observed {
  const { sorted, view } = gatherSorted(cols, order);
  // rows are positions in time order from here on: evidence reads the sorted columns
  const rows = new RowAccess(cols.n, cols.baseNs, null, null, sorted, null, null);
  const ob = createObserver(rows, cols);
  if (!ob.run(view, 0)) throw new Error('observe: rows not in time order after sorting');
  return ob.finish();
}

/**
 * Batch by batch over a source whose rows are already in (ts_ns, line) order (the common case: perf
 * script and ftrace print in time order, ingest keeps file order). Returns null as soon as a row is out of
 * order: the caller then sorts the whole table and uses observe().
 */
export function observeSource(src: BatchSource): Observed | null {
  const base = new TimeBase();
  base.set(firstTsNs(src));
  const main = new ViewBuilder(src, 0, base, false);
  const readers = [1, 2, 3, 4].map((slot) => new BatchReader(src, slot, base, ROW_ACCESS_COLUMNS));
  const rows = new RowAccess(src.numRows, base.ns, readers, src.starts, null, null, src.names, src);
  const nm = src.names;
  const ob = createObserver(rows, {
    n: src.numRows,
    eventNames: nm.event.names,
    devNames: nm.dev.names,
    reasonNames: nm.reason.names,
    driverNames: nm.driver.names,
    sourceNames: nm.source.names,
  });
  // row ranges of ~8k rows: the pass reads each column range right after it was copied in, while
  // it is still in the CPU cache (a whole 64k-row batch of ~20 columns is several MB)
  const step = 8192;
  src.readAhead?.(0, step, PASS_COLUMNS);
  for (let b = 0; b + 1 < src.starts.length; b++) {
    const len = src.starts[b + 1]! - src.starts[b]!;
    for (let from = 0; from < len; from += step) {
      const to = Math.min(len, from + step);
      if (!ob.run(main.build(b, { from, to }), src.starts[b]! + from)) return null;
    }
  }
  return ob.finish();
}

interface NameTables {
  n: number;
  eventNames: string[];
  devNames: string[];
  reasonNames: string[];
  driverNames: string[];
  sourceNames: string[];
}

function createObserver(rows: RowAccess, names: NameTables): { run(v: BatchView, rowBase: number): boolean; finish(): Observed } {
  const n = names.n;
  let kindOf = new Int32Array(0);
  let reasonKind: number[] = [];
  /** numeric drop reasons seen: frees, and how many were read as qdisc drops */
  const numericReasons = new Map<string, { frees: number; asQdiscDrop: number }>();
  const kindOfCode = (code: number): number => EVENT_KIND[names.eventNames[code] ?? ''] ?? K.other;

  const devices: DevObs[] = [];
  const devByName: (DevObs | undefined)[] = []; // dev dict code -> dev
  const devByIfindex = new Map<number, DevObs>();
  const devFor = (code: number): DevObs => {
    const key = code >= 0 ? code + 1 : 0; // slot 0: rows without a device name
    let d = devByName[key];
    if (!d) {
      d = new DevObs(devices.length, names.devNames[code] ?? `dev#${code}`);
      devices.push(d);
      devByName[key] = d;
    }
    return d;
  };
  const queueList: QueueObs[] = [];
  const queueFor = (d: DevObs, q: number): QueueObs => {
    let s = q >= 0 && q < 64 ? d.queueArr[q] : d.queues.get(q);
    if (!s) {
      s = new QueueObs(d, q, queueList.length);
      queueList.push(s);
      d.queues.set(q, s);
      if (q >= 0 && q < 64) d.queueArr[q] = s;
    }
    return s;
  };
  const qAt = (slot: number): QueueObs | null => {
    const x = lc[slot * 8 + LC_Q]!;
    return x >= 0 ? queueList[x]! : null;
  };

  /**
   * qdisc events carry only an ifindex: bind it to a device name through skbaddr, looking ahead from
   * `fromK` for the first qdisc event of this ifindex with an skb and back from there for that skb's
   * net_dev_queue/net_dev_start_xmit (which carry the name). Done once per ifindex.
   */
  const bindIfindex = (ifi: number, fromPos: number): DevObs | null => {
    let tries = 0;
    for (let m = fromPos; m < n && tries < 64; m++) {
      const x = rows.at(rows.rowAt(m));
      const rc = rows.c;
      const kj = kindOfCode(rc.event[x]!);
      if ((kj !== K.enqueue && kj !== K.dequeue) || rc.ifindex[x] !== ifi || !(rc.skb[x]! > 0)) continue;
      tries++;
      const s = rc.skb[x]!;
      for (let b = m - 1; b >= 0 && b >= m - 200000; b--) {
        const y = rows.at(rows.rowAt(b));
        const c2 = rows.c;
        const kb = kindOfCode(c2.event[y]!);
        if ((kb === K.netDevQueue || kb === K.startXmit) && c2.skb[y] === s && c2.dev[y]! >= 0) return devFor(c2.dev[y]!);
      }
    }
    return null;
  };
  const devForIfindex = (ifi: number, k: number): DevObs => {
    let d = devByIfindex.get(ifi);
    if (!d) {
      const bound = bindIfindex(ifi, k);
      if (bound && bound.ifindex === null) {
        bound.ifindex = ifi;
        devByIfindex.set(ifi, bound);
        return bound;
      }
      d = new DevObs(devices.length, `ifindex:${ifi}`);
      d.ifindex = ifi;
      devices.push(d);
      devByIfindex.set(ifi, d);
    }
    return d;
  };

  // ---- lifecycle pool (parallel typed arrays + free list), keyed by skb key
  // one 64-byte record per slot (8 float64 fields): a packet's whole lifecycle is one cache line, not eight
  const LC_STATE = 0;
  const LC_Q = 1; // index into queueList, -1 = none
  const LC_DEV = 2;
  const LC_CPU = 3;
  const LC_LEN = 4;
  const LC_QUEUED = 5;
  const LC_ENQ = 6;
  const LC_XMIT = 7;
  let cap = 1024;
  let lc = new Float64Array(cap * 8);
  const free: number[] = [];
  let nextSlot = 0;
  const slotOf = new PtrMap(1 << 14);
  // per-CPU one-entry cache of the last skb key → slot: an skb usually runs net_dev_queue → qdisc →
  // start_xmit → xmit on one CPU back to back. A freed key is dropped from every CPU's entry.
  const NO_KEY = -2; // never a key, never an input (absent pointers are NULL_PTR = -1)
  const cacheKey = new Float64Array(4096).fill(NO_KEY);
  const cacheSlot = new Int32Array(4096);
  const cacheSeen = new Uint8Array(4096);
  const cacheCpus: number[] = [];
  const remember = (s: number, slot: number, c: number): void => {
    if (cacheSeen[c] === 0) {
      cacheSeen[c] = 1;
      cacheCpus.push(c);
    }
    cacheKey[c] = s;
    cacheSlot[c] = slot;
  };
  const slotGet = (s: number, c: number): number => {
    if (cacheKey[c] === s) return cacheSlot[c]!;
    const slot = slotOf.get(s);
    if (slot >= 0) remember(s, slot, c);
    return slot;
  };
  const slotSet = (s: number, slot: number, c: number): void => {
    slotOf.set(s, slot);
    if (s >= 0) remember(s, slot, c);
  };
  const slotDelete = (s: number): void => {
    slotOf.delete(s);
    for (let k = 0; k < cacheCpus.length; k++) if (cacheKey[cacheCpus[k]!] === s) cacheKey[cacheCpus[k]!] = NO_KEY;
  };
  const grow = (): void => {
    const next = new Float64Array(cap * 2 * 8);
    next.set(lc);
    lc = next;
    cap *= 2;
  };
  const alloc = (): number => {
    const s = free.pop();
    if (s !== undefined) return s;
    if (nextSlot === cap) grow();
    return nextSlot++;
  };

  // ---- per-CPU context: the last start_xmit (xmit_one fires start_xmit then xmit on the same CPU, §D.4)
  // and the last qdisc touched (a drop's kfree_skb follows its qdisc run on the same CPU, §D.2)
  const maxCpu = 4096;
  const cpuStartQ: (QueueObs | null)[] = new Array<QueueObs | null>(maxCpu).fill(null);
  const cpuStartSkb = new Float64Array(maxCpu).fill(NULL_PTR);
  const cpuQdiscQ: (QueueObs | null)[] = new Array<QueueObs | null>(maxCpu).fill(null);
  const cpuQdiscRel = new Float64Array(maxCpu).fill(-Infinity);
  // pending completion batch per CPU: frees of transmitted skbs between two other events = one
  // free_old_xmit pass = one netdev_tx_completed_queue / dql_completed call (§B, G.3)
  const cpuBatchQ: (QueueObs | null)[] = new Array<QueueObs | null>(maxCpu).fill(null);
  const cpuBatchBytes = new Float64Array(maxCpu);
  const cpuBatchRel = new Float64Array(maxCpu);
  /** CPUs with a pending completion batch, in the order the batches began (tiny: ≤ one per CPU) */
  const batchCpus: number[] = [];
  const flushBatch = (cpu: number): void => {
    const q = cpuBatchQ[cpu];
    if (!q) return;
    q.dqlCompletedTs.push(cpuBatchRel[cpu]!);
    q.dqlCompletedBytes.push(cpuBatchBytes[cpu]!);
    cpuBatchQ[cpu] = null;
    cpuBatchBytes[cpu] = 0;
    batchCpus.splice(batchCpus.indexOf(cpu), 1);
  };

  const kindCounts = new Int32Array(12);
  const napis: NapiObs[] = [];
  let napiNullIndex = -1;
  const napiIndex = new PtrMap(64); // napi struct pointer -> index in napis
  const gaps: LostGap[] = [];
  let lostEvents = 0;
  let unattributedDrops = 0;
  let hashedPointers = false;
  let prevRelAll = NaN;

  const sample = (q: QueueObs, rel: number): void => {
    const m = q.sTs.length;
    if (m > 0 && q.sBacklog.a[m - 1] === q.backlog && q.sInflight.a[m - 1] === q.inflightBytes) return;
    if (m > 0 && q.sTs.a[m - 1] === rel) {
      q.sBacklog.a[m - 1] = q.backlog;
      q.sInflight.a[m - 1] = q.inflightBytes;
      return;
    }
    q.sTs.push(rel);
    q.sBacklog.push(q.backlog);
    q.sInflight.push(q.inflightBytes);
  };

  /** a state observation on txq `q`: `bits` are the txq->state bits known at `rel` */
  const observeState = (q: QueueObs, bits: number, rel: number, row: number, byBusy: boolean, isDequeue: boolean): void => {
    if (bits === 0 && q.open[0] === null && q.open[1] === null && q.open[2] === null) {
      // the common case (awake, nothing open): no interval changes
      q.lastAwakeRel = rel;
      q.lastState = 0;
      q.lastStateRel = rel;
      q.lastStateRow = row;
      if (q.pendingBusyCheck && !byBusy && isDequeue) {
        if (q.completions === q.pendingBusyCompletions) q.busyWhileAwakeRows.push(q.pendingBusyRow);
        q.pendingBusyCheck = false;
      }
      return;
    }
    for (let b = 0; b < 3; b++) {
      const mask = 1 << b;
      const cur = q.open[b]!;
      if (!cur && (bits & mask) === 0) continue;
      const name = BIT_NAMES[b]![1];
      if (bits & mask) {
        if (cur) {
          cur.lastSeenRel = rel;
          cur.lastSeenRow = row;
        } else {
          const iv: ObservedInterval = {
            state: name,
            startRel: rel,
            startRow: row,
            lowerBoundRel: q.lastAwakeRel,
            endRel: NaN,
            endRow: -1,
            lastSeenRel: rel,
            lastSeenRow: row,
            openedByBusy: byBusy,
          };
          q.open[b] = iv;
          q.intervals.push(iv);
        }
      } else if (cur) {
        cur.endRel = rel;
        cur.endRow = row;
        q.open[b] = null;
      }
    }
    if ((bits & (DRV_XOFF | STACK_XOFF | FROZEN)) === 0) q.lastAwakeRel = rel;
    q.lastState = bits;
    q.lastStateRel = rel;
    q.lastStateRow = row;
    if (q.pendingBusyCheck && !byBusy && isDequeue) {
      // §I.3: the first state sample after a NETDEV_TX_BUSY. DRV_XOFF clear with no completion activity in
      // between means the driver refused the skb without stopping the queue.
      if ((bits & DRV_XOFF) === 0 && q.completions === q.pendingBusyCompletions) q.busyWhileAwakeRows.push(q.pendingBusyRow);
      q.pendingBusyCheck = false;
    }
  };

  let firstRel = NaN;
  let lastRel = NaN;

  /** false (and the observer is spoiled) when a row is earlier than the one before it */
  const run = (v: BatchView, rowBase: number): boolean => {
  if (kindOf.length !== names.eventNames.length) {
    kindOf = new Int32Array(names.eventNames.length);
    names.eventNames.forEach((name, i) => (kindOf[i] = EVENT_KIND[name] ?? K.other));
  }
  if (reasonKind.length !== names.reasonNames.length) reasonKind = names.reasonNames.map(reasonClass);
  // Arrow values + validity bitmaps (null bitmap = all valid; sentinel-form views carry NULL_I32 / -1)
  const { tsRel, skb, napi, cpu, cpuN, event, eventR, dev, devN, devR, ifindex, ifindexN, queue, queueN, len, lenN, rc, rcN } = v;
  const { work, workN, budget, budgetN, txqState, txqStateN, packets, packetsN, handle, handleN, parent, parentN } = v;
  const { driver, driverN, driverR, reason, reasonN, reasonR } = v;
  const kindOfIdx = new Int32Array(eventR.length);
  for (let x = 0; x < eventR.length; x++) kindOfIdx[x] = eventR[x]! >= 0 ? kindOf[eventR[x]!]! : K.other;
  if (v.anyHashed) hashedPointers = true;
  const devAt = (i: number): number => (isNull(devN, i) ? -1 : devR[dev[i]!]!);
  // every column is read inline at its use: one typed-array type per read site keeps V8's loads
  // monomorphic (a shared `read(vals, bm, i)` helper over Int16/Int32/Uint32 arrays was the hot spot)
  const lenAt = (i: number): number => {
    const l = isNull(lenN, i) ? NULL_I32 : len[i]!;
    return l === NULL_I32 ? 0 : l;
  };
  const m = v.n;
  // the pass's clock as locals (written back below): captured variables would be stores on every event
  if (m > 0 && firstRel !== firstRel) firstRel = v.tsRel[0]!;
  let prevRel = prevRelAll;
  for (let k = 0; k < m; k++) {
    const i = k;
    const row = rowBase + i;
    const kind = kindOfIdx[event[i]!]!;
    const rel = tsRel[i]!;
    // time order: within one source rows are in file (= line) order by the schema, so ties are ordered
    if (rel < prevRel) return false;
    kindCounts[kind]!++;
    const cv = isNull(cpuN, i) ? 0 : cpu[i]!;
    const c = cv >= 0 && cv < maxCpu ? cv : 0;
    if (batchCpus.length > 0 && kind !== K.consume && kind !== K.kfree && cpuBatchQ[c]) flushBatch(c);

    switch (kind) {
      case K.netDevQueue: {
        const d = devFor(devAt(i));
        const s = skb[i]!;
        let slot = slotGet(s, c);
        if (slot >= 0) {
          // address reuse: the previous skb at this address was freed without a traced free
          const oq = qAt(slot);
          if (lc[slot * 8 + LC_STATE] === ST_XMIT && oq) {
            oq.inflightBytes -= lc[slot * 8 + LC_LEN]!;
            oq.inflightPackets--;
            oq.implicitFrees++;
            sample(oq, rel);
          }
        } else {
          slot = alloc();
          slotSet(s, slot, c);
        }
        lc[slot * 8 + LC_STATE] = ST_QUEUED;
        lc[slot * 8 + LC_Q] = -1;
        lc[slot * 8 + LC_DEV] = d.id;
        lc[slot * 8 + LC_CPU] = c;
        lc[slot * 8 + LC_LEN] = lenAt(i);
        lc[slot * 8 + LC_QUEUED] = rel;
        lc[slot * 8 + LC_ENQ] = NaN;
        lc[slot * 8 + LC_XMIT] = NaN;
        break;
      }
      case K.enqueue:
      case K.dequeue: {
        const ifi = isNull(ifindexN, i) ? NULL_I32 : ifindex[i]!;
        if (ifi === NULL_I32 || ifi === 0) break; // ifindex=0: a qdisc with no device (noop/teardown)
        const d = devForIfindex(ifi, rowBase + k);
        const par = isNull(parentN, i) ? -1 : parent[i]!;
        // mq children feed txq (minor-1); a root qdisc feeds txq 0 of a single-queue device (§D.6)
        const qi = par >= 0 && par !== TC_H_ROOT && (par & 0xffff) > 0 ? (par & 0xffff) - 1 : 0;
        const q = queueFor(d, qi);
        if (q.qdiscHandle === null) {
          const h = isNull(handleN, i) ? -1 : handle[i]!;
          q.qdiscHandle = h >= 0 ? h : null;
          q.qdiscParent = par >= 0 ? par : null;
        }
        cpuQdiscQ[c] = q;
        cpuQdiscRel[c] = rel;
        const s = skb[i]!;
        const slot = s > 0 ? slotGet(s, c) : -1;
        if (kind === K.enqueue) {
          q.enqueued++;
          q.backlog++;
          if (slot >= 0) {
            lc[slot * 8 + LC_STATE] = ST_ENQ;
            lc[slot * 8 + LC_Q] = q.index;
            lc[slot * 8 + LC_ENQ] = rel;
          }
        } else {
          const st = isNull(txqStateN, i) ? NULL_I32 : txqState[i]!;
          const bits = st === NULL_I32 ? -1 : st;
          if (s > 0) {
            const pk = isNull(packetsN, i) ? NULL_I32 : packets[i]!;
            const p = pk > 0 ? pk : 1;
            q.dequeued += p;
            q.backlog = Math.max(0, q.backlog - p);
            if (slot >= 0) {
              lc[slot * 8 + LC_STATE] = ST_DEQ;
              lc[slot * 8 + LC_Q] = q.index;
              const e = lc[slot * 8 + LC_ENQ]!;
              if (e === e) {
                const t = rel - e;
                q.qdiscTimeSumNs += t;
                q.qdiscTimeCount++;
                if (t > q.qdiscTimeMaxNs) q.qdiscTimeMaxNs = t;
              }
            }
          } else if (bits === 0 && q.backlog > 0) {
            // §I.6 vs shaping: the txq is awake, the qdisc holds packets, yet it returned nothing
            q.withheldDequeues++;
            if (q.withheldFirstRow < 0) q.withheldFirstRow = row;
            q.withheldLastRow = row;
          }
          if (bits >= 0) observeState(q, bits, rel, row, false, true);
        }
        sample(q, rel);
        break;
      }
      case K.startXmit: {
        const d = devFor(devAt(i));
        const qm = isNull(queueN, i) ? NULL_I32 : queue[i]!;
        const q = queueFor(d, qm === NULL_I32 ? 0 : qm);
        q.netDevQueue++;
        cpuStartQ[c] = q;
        cpuStartSkb[c] = skb[i]!;
        // xmit_one runs only when !netif_xmit_frozen_or_stopped (§D.4): the txq was awake here
        observeState(q, 0, rel, row, false, false);
        const slot = slotGet(skb[i]!, c);
        if (slot >= 0) lc[slot * 8 + LC_Q] = q.index;
        break;
      }
      case K.xmit: {
        const d = devFor(devAt(i));
        d.xmitEvents++;
        const s = skb[i]!;
        let q = cpuStartQ[c];
        if (!q || q.dev !== d || cpuStartSkb[c] !== s) {
          const slot = slotGet(s, c);
          const lq = slot >= 0 ? qAt(slot) : null;
          q = lq && lq.dev === d ? lq : queueFor(d, 0);
        }
        cpuStartQ[c] = null;
        const r = isNull(rcN, i) ? NULL_I32 : rc[i]!;
        const l = lenAt(i);
        if (r === 0) {
          q.xmitOk++;
          q.bytesSent += l;
          q.inflightBytes += l;
          q.inflightPackets++;
          q.xmitTs.push(rel);
          q.dqlQueuedBytes.push(l);
          // the driver took the skb: at entry the txq was neither stopped nor frozen (§D.4)
          if (q.open[0] !== null || q.open[1] !== null || q.open[2] !== null) observeState(q, 0, rel, row, false, false);
          q.busyRun = 0;
          q.busyRunSkb = NULL_PTR;
          let slot = slotGet(s, c);
          if (slot < 0) {
            slot = alloc();
            slotSet(s, slot, c);
            lc[slot * 8 + LC_DEV] = d.id;
            lc[slot * 8 + LC_QUEUED] = NaN;
            lc[slot * 8 + LC_ENQ] = NaN;
          }
          lc[slot * 8 + LC_STATE] = ST_XMIT;
          lc[slot * 8 + LC_Q] = q.index;
          lc[slot * 8 + LC_LEN] = l;
          lc[slot * 8 + LC_CPU] = c;
          lc[slot * 8 + LC_XMIT] = rel;
          sample(q, rel);
        } else if (r === NETDEV_TX_BUSY) {
          // §D.4: not dev_xmit_complete → dev_requeue_skb: requeues++, the skb goes back to the qdisc
          q.txBusy++;
          q.requeues++;
          q.backlog++;
          q.busyTs.push(rel);
          q.busyRows.push(row);
          if (q.busyRunSkb === s) q.busyRun++;
          else {
            q.busyRun = 1;
            q.busyRunSkb = s;
            q.busyRunRows = [];
          }
          if (q.busyRunRows.length < 8) q.busyRunRows.push(row);
          if (q.busyRun > q.longestBusyRun) q.longestBusyRun = q.busyRun;
          // a driver that returns BUSY has (if it is correct) stopped the queue first (§I.3)
          observeState(q, DRV_XOFF | (q.open[1] ? STACK_XOFF : 0), rel, row, true, false);
          q.pendingBusyCheck = true;
          q.pendingBusyRow = row;
          q.pendingBusyCompletions = q.completions;
          const slot = slotGet(s, c);
          if (slot >= 0) {
            lc[slot * 8 + LC_STATE] = ST_ENQ;
            lc[slot * 8 + LC_Q] = q.index;
            lc[slot * 8 + LC_ENQ] = rel;
          }
          sample(q, rel);
        } else {
          // NET_XMIT_DROP (1) / NET_XMIT_CN (2) / errno: the driver consumed or dropped the skb (§D.4)
          q.xmitOtherRc++;
          d.rcOther.set(r, (d.rcOther.get(r) ?? 0) + 1);
          d.rcDropTs.push(rel);
          if (d.rcDropFirstRow < 0) d.rcDropFirstRow = row;
          d.rcDropLastRow = row;
          const slot = slotGet(s, c);
          if (slot >= 0) lc[slot * 8 + LC_STATE] = ST_NONE;
        }
        break;
      }
      case K.consume:
      case K.kfree: {
        const s = skb[i]!;
        const slot = slotGet(s, c);
        const rsn = kind === K.kfree && !isNull(reasonN, i) ? reasonR[reason[i]!]! : -1;
        // a numeric reason is read as a qdisc drop only where nothing but the qdisc can drop: an skb freed
        // after net_dev_queue and before any qdisc_enqueue (§D.2: the qdisc refused it at enqueue)
        const rk = rsn >= 0 ? reasonKind[rsn]! : REASON_OTHER;
        const qdiscDrop = rk === REASON_QDISC || (rk === REASON_NUMERIC && slot >= 0 && lc[slot * 8 + LC_STATE] === ST_QUEUED);
        if (rk === REASON_NUMERIC) {
          const name = names.reasonNames[rsn]!;
          let nr = numericReasons.get(name);
          if (!nr) numericReasons.set(name, (nr = { frees: 0, asQdiscDrop: 0 }));
          nr.frees++;
          if (qdiscDrop) nr.asQdiscDrop++;
        }
        if (qdiscDrop) {
          // §D.2/§D.3: the qdisc refused the skb (no qdisc_enqueue fired for it); attribute it to the qdisc
          // this CPU ran since the skb's net_dev_queue, else to the device's only queue.
          let q: QueueObs | null = null;
          if (slot >= 0 && lc[slot * 8 + LC_STATE] === ST_QUEUED) {
            const cpuQ = cpuQdiscQ[lc[slot * 8 + LC_CPU]!];
            const d = devices[lc[slot * 8 + LC_DEV]!]!;
            if (cpuQ && cpuQ.dev === d && cpuQdiscRel[lc[slot * 8 + LC_CPU]!]! >= lc[slot * 8 + LC_QUEUED]!) q = cpuQ;
            else if (d.queues.size === 1) q = d.queues.values().next().value ?? null;
            else q = queueFor(d, 0);
          } else if (slot >= 0 && lc[slot * 8 + LC_Q]! >= 0) {
            q = qAt(slot);
          }
          if (q) {
            q.qdiscDrops++;
            q.dropTs.push(rel);
            if (q.dropFirstRow < 0) q.dropFirstRow = row;
            q.dropLastRow = row;
            if (q.open[0] || q.open[1] || q.open[2]) q.dropsWhileStopped++;
            if (slot >= 0 && lc[slot * 8 + LC_STATE]! !== ST_QUEUED && lc[slot * 8 + LC_STATE]! !== ST_NONE) {
              q.backlog = Math.max(0, q.backlog - 1); // dropped from inside the qdisc (e.g. head drop)
              sample(q, rel);
            }
          } else unattributedDrops++;
        } else if (slot >= 0 && lc[slot * 8 + LC_STATE] === ST_XMIT) {
          const q = qAt(slot)!;
          const l = lc[slot * 8 + LC_LEN]!;
          q.completions++;
          q.inflightBytes -= l;
          q.inflightPackets--;
          q.completionTs.push(rel);
          q.completionRows.push(row);
          const t = rel - lc[slot * 8 + LC_XMIT]!;
          q.driverTimeSumNs += t;
          q.driverTimeCount++;
          if (t > q.driverTimeMaxNs) q.driverTimeMaxNs = t;
          if (cpuBatchQ[c] && cpuBatchQ[c] !== q) flushBatch(c);
          if (!cpuBatchQ[c]) {
            cpuBatchQ[c] = q;
            cpuBatchBytes[c] = 0;
            batchCpus.push(c);
          }
          cpuBatchBytes[c] = cpuBatchBytes[c]! + l;
          cpuBatchRel[c] = rel;
          sample(q, rel);
        }
        if (slot >= 0) {
          slotDelete(s);
          lc[slot * 8 + LC_STATE] = ST_NONE;
          lc[slot * 8 + LC_Q] = -1;
          free.push(slot);
        }
        break;
      }
      case K.napiPoll: {
        const code = devAt(i);
        const name = code >= 0 ? names.devNames[code] : undefined;
        if (name === undefined || name === '(no_device)') break; // per-CPU backlog NAPI
        const d = devFor(code);
        d.napiPollTs.push(rel);
        const nk = napi[i]!;
        const ni = nk >= 0 ? napiIndex.get(nk) : napiNullIndex;
        let ns = ni >= 0 ? napis[ni] : undefined;
        if (!ns || ns.dev !== d) d.napiStructs.add(nk);
        if (!ns) {
          ns = { dev: d, napi: napi[i]!, polls: 0, fullPolls: 0, firstRel: rel, lastRel: rel, maxGap: 0, maxGapStartRel: NaN };
          if (nk >= 0) napiIndex.set(nk, napis.length);
          else napiNullIndex = napis.length;
          napis.push(ns);
        } else if (rel - ns.lastRel > ns.maxGap) {
          ns.maxGap = rel - ns.lastRel;
          ns.maxGapStartRel = ns.lastRel;
        }
        ns.polls++;
        ns.lastRel = rel;
        const w = isNull(workN, i) ? NULL_I32 : work[i]!;
        const b = isNull(budgetN, i) ? NULL_I32 : budget[i]!;
        if (w !== NULL_I32 && b !== NULL_I32 && w >= b) {
          d.napiFullTs.push(rel);
          ns.fullPolls++;
        }
        else {
          d.napiIdleTs.push(rel);
          d.napiIdleRows.push(row);
        }
        break;
      }
      case K.xmitTimeout: {
        const d = devFor(devAt(i));
        d.timeoutRows.push(row);
        const drv = isNull(driverN, i) ? -1 : driverR[driver[i]!]!;
        if (drv >= 0) d.driver = names.driverNames[drv] ?? null;
        break;
      }
      case K.dqlStall: {
        if (devAt(i) >= 0) devFor(devAt(i)).stallRows.push(row);
        break;
      }
      case K.lost: {
        const lostN = isNull(packetsN, i) ? NULL_I32 : packets[i]!;
        const lost = lostN > 0 ? lostN : 0;
        lostEvents += lost;
        const start = prevRel === prevRel ? prevRel : rel;
        const last = gaps[gaps.length - 1];
        if (last && start - last.endRel < 1e6) {
          last.endRel = rel;
          last.lost += lost;
          if (last.rows.length < 20) last.rows.push(row);
        } else gaps.push({ startRel: start, endRel: rel, lost, rows: [row] });
        break;
      }
      default:
        break;
    }
    prevRel = rel;
  }
  prevRelAll = prevRel;
  if (m > 0) lastRel = prevRel;
  return true;
  };

  const finish = (): Observed => {
  for (const c of [...batchCpus]) flushBatch(c);

  return {
    rows,
    baseNs: rows.baseNs,
    devices,
    firstRel: firstRel === firstRel ? firstRel : 0,
    lastRel: lastRel === lastRel ? lastRel : 0,
    events: n,
    lostEvents,
    gaps,
    kindCounts,
    unattributedDrops,
    hashedPointers,
    napis,
    numericReasons,
  };
  };
  return { run, finish };
}
