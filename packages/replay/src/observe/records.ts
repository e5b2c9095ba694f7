/**
 * What the per-event pass (observer.ts) reconstructs, per device, TX queue and NAPI instance: only what
 * the events prove (docs/kernel-tx-path.md §C, §D, §F).
 */
import type { RowAccess } from '../input/batches.js';
import { F64List, I32List } from '../input/growable.js';
import type { SpillFile } from '../input/spill.js';
import type { StateName } from './kinds.js';
import { SeriesStore } from './series-store.js';
import { StampCounts } from './stamp-counts.js';
import { F64_MINUS_ONE, F64_ZERO } from './f64.js';

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
  napiPollTs: F64List;
  /** polls that returned work < budget: the instance drained what it had (§F) */
  napiIdleTs: F64List;
  napiIdleRows: I32List;
  /** polls with work == budget: more work pending, stays scheduled (§F, §I.12) */
  napiFullTs: F64List;
  napiStructs = new Set<number>();
  xmitEvents = 0;
  /** net_dev_xmit rc other than 0/16, by rc */
  rcOther = new Map<number, number>();
  rcDropFirstRow = F64_MINUS_ONE;
  rcDropLastRow = F64_MINUS_ONE;
  /** net_dev_xmit_timeout rows */
  timeoutRows: number[] = [];
  stallRows: number[] = [];
  queues = new Map<number, QueueObs>();
  /**
   * queues 0..63 by index (the per-event lookup; `queues` keeps every queue in creation order): all 64 present from
   * the start, so that storing a queue never changes the array's elements kind (hence map) under the optimized pass
   */
  queueArr: (QueueObs | undefined)[] = new Array<QueueObs | undefined>(64).fill(undefined);
  constructor(
    readonly id: number,
    readonly name: string,
    /** where the per-event lists of a streamed pass keep their older values (null: in memory) */
    readonly spill: SpillFile | null = null,
    /** its queues keep their series' points (SeriesStore keepPoints: false when the replay draws no series) */
    readonly keepSeries = true,
  ) {
    this.napiPollTs = new F64List(64, spill);
    this.napiIdleTs = new F64List(64, spill);
    this.napiIdleRows = new I32List(64, spill);
    this.napiFullTs = new F64List(64, spill);
  }
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
  bytesSent = F64_ZERO;
  backlog = 0;
  inflightBytes = F64_ZERO;
  inflightPackets = 0;
  /**
   * qdisc drops of skbs the qdisc had already taken (qdisc_enqueue seen): a head drop, fq_codel's batch drop from its
   * fattest flow, CoDel at dequeue. Their senders got NET_XMIT_SUCCESS or NET_XMIT_CN: never ENOBUFS (§D.3, §D.6)
   */
  dropsInside = 0;
  /** qdisc drops while DRV_XOFF/STACK_XOFF/FROZEN was set (§I.6) */
  dropsWhileStopped = 0;
  /** qdisc drop times, bounded (stamp-counts.ts) */
  drops = new StampCounts();
  dropFirstRow = F64_MINUS_ONE;
  dropLastRow = F64_MINUS_ONE;
  /** NULL dequeues while the txq was awake and the qdisc held packets: the qdisc itself withheld them (shaping) */
  withheldDequeues = 0;
  withheldFirstRow = F64_MINUS_ONE;
  withheldLastRow = F64_MINUS_ONE;
  completionTs: F64List;
  /** rows of those completions (evidence) */
  completionRows: I32List;
  xmitTs: F64List;
  /** rc=16 followed by an awake sample with no completion activity in between (§I.3) */
  busyWhileAwakeRows: number[] = [];
  /** longest run of consecutive rc=16 on the same skb without a successful xmit */
  longestBusyRun = 0;
  busyRunRows: number[] = [];
  lastStateRel = NaN;
  lastStateRow = F64_MINUS_ONE;
  lastState = -1;
  lastAwakeRel = NaN;
  intervals: ObservedInterval[] = [];
  open: (ObservedInterval | null)[] = [null, null, null];
  pendingBusyCheck = false;
  pendingBusyRow = F64_MINUS_ONE;
  pendingBusyCompletions = 0;
  busyRunSkb = F64_MINUS_ONE; // NULL_PTR
  busyRun = 0;
  /**
   * The longest wait of one skb from net_dev_queue to its net_dev_start_xmit on this txq (qdisc sojourn measured
   * without qdisc events, §D.1, §D.4): ns, when it was queued, the start_xmit row and the skb key
   */
  waitMaxNs = F64_ZERO;
  waitQueuedRel = NaN;
  waitStartRow = F64_MINUS_ONE;
  waitSkb = F64_MINUS_ONE; // NULL_PTR
  /** skbs whose net_dev_queue → net_dev_start_xmit wait was measured */
  waits = 0;
  /** largest `packets` of one qdisc_dequeue (bulk list length, §D.4) and its row */
  bulkMax = 0;
  bulkMaxRow = F64_MINUS_ONE;
  /** the CPU that dequeued this queue's last bulk list (its untransmitted rest is requeued: observer requeueBulkRest) */
  bulkCpu = -1;
  /** qdisc_dequeue events that returned a bulk list longer than a quota-bounded one (1 + dev_tx_weight) */
  bulkOver = 0;
  bulkOverFirstRow = F64_MINUS_ONE;
  bulkOverLastRow = F64_MINUS_ONE;
  bulkOverPackets = 0;
  /** qdisc sojourn (enqueue → dequeue) and driver time (xmit → free), ns */
  qdiscTimeSumNs = F64_ZERO;
  qdiscTimeCount = 0;
  qdiscTimeMaxNs = F64_ZERO;
  driverTimeSumNs = F64_ZERO;
  driverTimeCount = 0;
  driverTimeMaxNs = F64_ZERO;
  /** backlog and in-flight bytes at each change, bounded (series-store.ts) */
  series: SeriesStore;
  /** completion batches (one dql_completed each): ts, bytes; queued: ts, bytes */
  /** dql_queued calls: one per net_dev_xmit rc=0, i.e. the transmit times themselves */
  get dqlQueuedTs(): F64List {
    return this.xmitTs;
  }
  /** per dql_queued call: the skb's bytes (net_dev_xmit len) */
  dqlQueuedBytes: I32List;
  dqlCompletedTs: F64List;
  dqlCompletedBytes: F64List;
  constructor(
    readonly dev: DevObs,
    readonly queue: number,
    /** index in the replay's queue list */
    readonly index: number,
  ) {
    const spill = dev.spill;
    this.series = new SeriesStore(undefined, dev.keepSeries);
    this.completionTs = new F64List(64, spill);
    this.completionRows = new I32List(64, spill);
    this.xmitTs = new F64List(64, spill);
    this.dqlQueuedBytes = new I32List(64, spill);
    this.dqlCompletedTs = new F64List(64, spill);
    this.dqlCompletedBytes = new F64List(64, spill);
  }
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

export interface NeighDrops {
  count: number;
  firstRow: number;
  lastRow: number;
}

/**
 * A NAPI instance the trace names only by its struct pointer: napi_poll `for device (no_device)` (the per-CPU backlog
 * NAPI, napi->dev NULL, §F) or without a device field. Its polls cannot be tied to a device's TX queue.
 */
export interface AnonNapiObs {
  napi: number;
  /** the device field as printed ('(no_device)'), null when absent */
  label: string | null;
  polls: number;
  lastRel: number;
  lastRow: number;
  /** the last poll returned work == budget: the instance stayed scheduled and must be polled again (§F) */
  lastFull: boolean;
  /** longest wait after a full poll for the next poll, ns, and its two rows */
  maxFullGap: number;
  maxFullGapFromRow: number;
  maxFullGapToRow: number;
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
  /** NAPI instances known only by their pointer ((no_device) or no device field) */
  anonNapis: AnonNapiObs[];
  /** kfree_skb reasons printed as numbers (bpftrace): frees per number and how many counted as qdisc drops */
  numericReasons: Map<string, { frees: number; asQdiscDrop: number }>;
  /** kfree_skb drops in the neighbour layer, per reason (NEIGH_QUEUEFULL…) */
  neighDrops: Map<string, NeighDrops>;
  /** kfree_skb drops by a device driver handing packets on, per reason (FULL_RING) */
  deviceDrops: Map<string, NeighDrops>;
  /** kfree_skb events that carried a drop reason (named or numbered) */
  kfreeWithReason: number;
}
