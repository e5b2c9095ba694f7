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
import { NULL_I32, NULL_PTR, type TraceColumns } from './columns.js';
import { F64List } from './growable.js';
import { PtrMap } from './ptrmap.js';

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
  dqlQueuedTs = new F64List();
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
  cols: TraceColumns;
  order: Uint32Array;
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
}

/** Drop reasons that mean "the qdisc refused or discarded the packet" (§D.3). */
function isQdiscDropReason(r: string): boolean {
  return r.startsWith('QDISC_') || r.startsWith('FQ_') || r.startsWith('CAKE_') || r === 'TC_EGRESS';
}

const ST_NONE = 0;
const ST_QUEUED = 1;
const ST_ENQ = 2;
const ST_DEQ = 3;
const ST_XMIT = 4;

export function observe(cols: TraceColumns, order: Uint32Array): Observed {
  const n = cols.n;
  const kindOf = new Int32Array(cols.eventNames.length);
  cols.eventNames.forEach((name, i) => (kindOf[i] = EVENT_KIND[name] ?? K.other));
  const reasonIsQdisc = cols.reasonNames.map(isQdiscDropReason);

  const devices: DevObs[] = [];
  const devByName = new Map<number, DevObs>(); // dev dict code -> dev
  const devByIfindex = new Map<number, DevObs>();
  const devFor = (code: number): DevObs => {
    let d = devByName.get(code);
    if (!d) {
      d = new DevObs(devices.length, cols.devNames[code] ?? `dev#${code}`);
      devices.push(d);
      devByName.set(code, d);
    }
    return d;
  };
  const queueList: QueueObs[] = [];
  const queueFor = (d: DevObs, q: number): QueueObs => {
    let s = d.queues.get(q);
    if (!s) {
      s = new QueueObs(d, q, queueList.length);
      queueList.push(s);
      d.queues.set(q, s);
    }
    return s;
  };
  const qAt = (slot: number): QueueObs | null => {
    const x = lcQ[slot]!;
    return x >= 0 ? queueList[x]! : null;
  };

  /**
   * qdisc events carry only an ifindex: bind it to a device name through skbaddr, looking ahead from
   * `fromK` for the first qdisc event of this ifindex with an skb and back from there for that skb's
   * net_dev_queue/net_dev_start_xmit (which carry the name). Done once per ifindex.
   */
  const bindIfindex = (ifi: number, fromK: number): DevObs | null => {
    const { event, skb, dev, ifindex } = cols;
    let tries = 0;
    for (let m = fromK; m < n && tries < 64; m++) {
      const j = order[m]!;
      const kj = kindOf[event[j]!];
      if ((kj !== K.enqueue && kj !== K.dequeue) || ifindex[j] !== ifi || !(skb[j]! > 0)) continue;
      tries++;
      const s = skb[j]!;
      for (let b = m - 1; b >= 0 && b >= m - 200000; b--) {
        const i = order[b]!;
        const kb = kindOf[event[i]!];
        if ((kb === K.netDevQueue || kb === K.startXmit) && skb[i] === s && dev[i]! >= 0) return devFor(dev[i]!);
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
  let cap = 1024;
  let lcState: Uint8Array = new Uint8Array(cap);
  let lcQ: Int32Array = new Int32Array(cap).fill(-1); // index into queueList, -1 = none
  let lcDev: Int32Array = new Int32Array(cap);
  let lcCpu: Int32Array = new Int32Array(cap);
  let lcLen: Int32Array = new Int32Array(cap);
  let lcQueuedRel: Float64Array = new Float64Array(cap);
  let lcEnqRel: Float64Array = new Float64Array(cap);
  let lcXmitRel: Float64Array = new Float64Array(cap);
  const free: number[] = [];
  let nextSlot = 0;
  const slotOf = new PtrMap(1 << 14);
  const grow = (): void => {
    const c2 = cap * 2;
    const g8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(c2);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(c2);
      b.set(a);
      return b;
    };
    const g64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(c2);
      b.set(a);
      return b;
    };
    lcState = g8(lcState);
    lcDev = g32(lcDev);
    lcCpu = g32(lcCpu);
    lcLen = g32(lcLen);
    lcQueuedRel = g64(lcQueuedRel);
    lcEnqRel = g64(lcEnqRel);
    lcXmitRel = g64(lcXmitRel);
    lcQ = g32(lcQ);
    lcQ.fill(-1, cap);
    cap = c2;
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
  const batchCpus = new Set<number>();
  const flushBatch = (cpu: number): void => {
    const q = cpuBatchQ[cpu];
    if (!q) return;
    q.dqlCompletedTs.push(cpuBatchRel[cpu]!);
    q.dqlCompletedBytes.push(cpuBatchBytes[cpu]!);
    cpuBatchQ[cpu] = null;
    cpuBatchBytes[cpu] = 0;
    batchCpus.delete(cpu);
  };

  const kindCounts = new Int32Array(12);
  const napis: NapiObs[] = [];
  const napiByKey = new Map<number, NapiObs>();
  const gaps: LostGap[] = [];
  let lostEvents = 0;
  let unattributedDrops = 0;
  let hashedPointers = false;
  let prevRel = NaN;

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
  const observeState = (q: QueueObs, bits: number, rel: number, row: number, byBusy: boolean): void => {
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
    if (q.pendingBusyCheck && !byBusy && kindOf[cols.event[row]!] === K.dequeue) {
      // §I.3: the first state sample after a NETDEV_TX_BUSY. DRV_XOFF clear with no completion activity in
      // between means the driver refused the skb without stopping the queue.
      if ((bits & DRV_XOFF) === 0 && q.completions === q.pendingBusyCompletions) q.busyWhileAwakeRows.push(q.pendingBusyRow);
      q.pendingBusyCheck = false;
    }
  };

  const { tsRel, event, cpu, dev, ifindex, queue, skb, len, rc, napi, work, budget, txqState, packets, parent, handle, reason, ptrHashed } =
    cols;
  let firstRel = NaN;
  let lastRel = NaN;

  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const kind = kindOf[event[i]!]!;
    const rel = tsRel[i]!;
    if (k === 0) firstRel = rel;
    lastRel = rel;
    kindCounts[kind]!++;
    const c = cpu[i]! >= 0 && cpu[i]! < maxCpu ? cpu[i]! : 0;
    if (batchCpus.size > 0 && kind !== K.consume && kind !== K.kfree && cpuBatchQ[c]) flushBatch(c);

    switch (kind) {
      case K.netDevQueue: {
        const d = devFor(dev[i]!);
        const s = skb[i]!;
        if (ptrHashed[i]) hashedPointers = true;
        let slot = slotOf.get(s);
        if (slot >= 0) {
          // address reuse: the previous skb at this address was freed without a traced free
          const oq = qAt(slot);
          if (lcState[slot] === ST_XMIT && oq) {
            oq.inflightBytes -= lcLen[slot]!;
            oq.inflightPackets--;
            oq.implicitFrees++;
            sample(oq, rel);
          }
        } else {
          slot = alloc();
          slotOf.set(s, slot);
        }
        lcState[slot] = ST_QUEUED;
        lcQ[slot] = -1;
        lcDev[slot] = d.id;
        lcCpu[slot] = c;
        lcLen[slot] = len[i]! === NULL_I32 ? 0 : len[i]!;
        lcQueuedRel[slot] = rel;
        lcEnqRel[slot] = NaN;
        lcXmitRel[slot] = NaN;
        break;
      }
      case K.enqueue:
      case K.dequeue: {
        const ifi = ifindex[i]!;
        if (ifi === NULL_I32 || ifi === 0) break; // ifindex=0: a qdisc with no device (noop/teardown)
        const d = devForIfindex(ifi, k);
        const par = parent[i]!;
        // mq children feed txq (minor-1); a root qdisc feeds txq 0 of a single-queue device (§D.6)
        const qi = par >= 0 && par !== TC_H_ROOT && (par & 0xffff) > 0 ? (par & 0xffff) - 1 : 0;
        const q = queueFor(d, qi);
        if (q.qdiscHandle === null) {
          q.qdiscHandle = handle[i]! >= 0 ? handle[i]! : null;
          q.qdiscParent = par >= 0 ? par : null;
        }
        cpuQdiscQ[c] = q;
        cpuQdiscRel[c] = rel;
        const s = skb[i]!;
        const slot = s > 0 ? slotOf.get(s) : -1;
        if (kind === K.enqueue) {
          q.enqueued++;
          q.backlog++;
          if (slot >= 0) {
            lcState[slot] = ST_ENQ;
            lcQ[slot] = q.index;
            lcEnqRel[slot] = rel;
          }
        } else {
          const st = txqState[i]!;
          const bits = st === NULL_I32 ? -1 : st;
          if (s > 0) {
            const p = packets[i]! > 0 ? packets[i]! : 1;
            q.dequeued += p;
            q.backlog = Math.max(0, q.backlog - p);
            if (slot >= 0) {
              lcState[slot] = ST_DEQ;
              lcQ[slot] = q.index;
              const e = lcEnqRel[slot]!;
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
            if (q.withheldFirstRow < 0) q.withheldFirstRow = i;
            q.withheldLastRow = i;
          }
          if (bits >= 0) observeState(q, bits, rel, i, false);
        }
        sample(q, rel);
        break;
      }
      case K.startXmit: {
        const d = devFor(dev[i]!);
        const qm = queue[i]!;
        const q = queueFor(d, qm === NULL_I32 ? 0 : qm);
        q.netDevQueue++;
        cpuStartQ[c] = q;
        cpuStartSkb[c] = skb[i]!;
        // xmit_one runs only when !netif_xmit_frozen_or_stopped (§D.4): the txq was awake here
        observeState(q, 0, rel, i, false);
        const slot = slotOf.get(skb[i]!);
        if (slot >= 0) lcQ[slot] = q.index;
        break;
      }
      case K.xmit: {
        const d = devFor(dev[i]!);
        d.xmitEvents++;
        const s = skb[i]!;
        let q = cpuStartQ[c];
        if (!q || q.dev !== d || cpuStartSkb[c] !== s) {
          const slot = slotOf.get(s);
          const lq = slot >= 0 ? qAt(slot) : null;
          q = lq && lq.dev === d ? lq : queueFor(d, 0);
        }
        cpuStartQ[c] = null;
        const r = rc[i]!;
        const l = len[i]! === NULL_I32 ? 0 : len[i]!;
        if (r === 0) {
          q.xmitOk++;
          q.bytesSent += l;
          q.inflightBytes += l;
          q.inflightPackets++;
          q.xmitTs.push(rel);
          q.dqlQueuedTs.push(rel);
          q.dqlQueuedBytes.push(l);
          // the driver took the skb: at entry the txq was neither stopped nor frozen (§D.4)
          if (q.open[0] !== null || q.open[1] !== null || q.open[2] !== null) observeState(q, 0, rel, i, false);
          q.busyRun = 0;
          q.busyRunSkb = NULL_PTR;
          let slot = slotOf.get(s);
          if (slot < 0) {
            slot = alloc();
            slotOf.set(s, slot);
            lcDev[slot] = d.id;
            lcQueuedRel[slot] = NaN;
            lcEnqRel[slot] = NaN;
          }
          lcState[slot] = ST_XMIT;
          lcQ[slot] = q.index;
          lcLen[slot] = l;
          lcCpu[slot] = c;
          lcXmitRel[slot] = rel;
          sample(q, rel);
        } else if (r === NETDEV_TX_BUSY) {
          // §D.4: not dev_xmit_complete → dev_requeue_skb: requeues++, the skb goes back to the qdisc
          q.txBusy++;
          q.requeues++;
          q.backlog++;
          q.busyTs.push(rel);
          q.busyRows.push(i);
          if (q.busyRunSkb === s) q.busyRun++;
          else {
            q.busyRun = 1;
            q.busyRunSkb = s;
            q.busyRunRows = [];
          }
          if (q.busyRunRows.length < 8) q.busyRunRows.push(i);
          if (q.busyRun > q.longestBusyRun) q.longestBusyRun = q.busyRun;
          // a driver that returns BUSY has (if it is correct) stopped the queue first (§I.3)
          observeState(q, DRV_XOFF | (q.open[1] ? STACK_XOFF : 0), rel, i, true);
          q.pendingBusyCheck = true;
          q.pendingBusyRow = i;
          q.pendingBusyCompletions = q.completions;
          const slot = slotOf.get(s);
          if (slot >= 0) {
            lcState[slot] = ST_ENQ;
            lcQ[slot] = q.index;
            lcEnqRel[slot] = rel;
          }
          sample(q, rel);
        } else {
          // NET_XMIT_DROP (1) / NET_XMIT_CN (2) / errno: the driver consumed or dropped the skb (§D.4)
          q.xmitOtherRc++;
          d.rcOther.set(r, (d.rcOther.get(r) ?? 0) + 1);
          d.rcDropTs.push(rel);
          if (d.rcDropFirstRow < 0) d.rcDropFirstRow = i;
          d.rcDropLastRow = i;
          const slot = slotOf.get(s);
          if (slot >= 0) lcState[slot] = ST_NONE;
        }
        break;
      }
      case K.consume:
      case K.kfree: {
        const s = skb[i]!;
        const slot = slotOf.get(s);
        if (kind === K.kfree && reason[i]! >= 0 && reasonIsQdisc[reason[i]!]) {
          // §D.2/§D.3: the qdisc refused the skb (no qdisc_enqueue fired for it); attribute it to the qdisc
          // this CPU ran since the skb's net_dev_queue, else to the device's only queue.
          let q: QueueObs | null = null;
          if (slot >= 0 && lcState[slot] === ST_QUEUED) {
            const cpuQ = cpuQdiscQ[lcCpu[slot]!];
            const d = devices[lcDev[slot]!]!;
            if (cpuQ && cpuQ.dev === d && cpuQdiscRel[lcCpu[slot]!]! >= lcQueuedRel[slot]!) q = cpuQ;
            else if (d.queues.size === 1) q = d.queues.values().next().value ?? null;
            else q = queueFor(d, 0);
          } else if (slot >= 0 && lcQ[slot]! >= 0) {
            q = qAt(slot);
          }
          if (q) {
            q.qdiscDrops++;
            q.dropTs.push(rel);
            if (q.dropFirstRow < 0) q.dropFirstRow = i;
            q.dropLastRow = i;
            if (q.open[0] || q.open[1] || q.open[2]) q.dropsWhileStopped++;
            if (slot >= 0 && lcState[slot] !== ST_QUEUED && lcState[slot] !== ST_NONE) {
              q.backlog = Math.max(0, q.backlog - 1); // dropped from inside the qdisc (e.g. head drop)
              sample(q, rel);
            }
          } else unattributedDrops++;
        } else if (slot >= 0 && lcState[slot] === ST_XMIT) {
          const q = qAt(slot)!;
          const l = lcLen[slot]!;
          q.completions++;
          q.inflightBytes -= l;
          q.inflightPackets--;
          q.completionTs.push(rel);
          const t = rel - lcXmitRel[slot]!;
          q.driverTimeSumNs += t;
          q.driverTimeCount++;
          if (t > q.driverTimeMaxNs) q.driverTimeMaxNs = t;
          if (cpuBatchQ[c] && cpuBatchQ[c] !== q) flushBatch(c);
          if (!cpuBatchQ[c]) {
            cpuBatchQ[c] = q;
            cpuBatchBytes[c] = 0;
            batchCpus.add(c);
          }
          cpuBatchBytes[c] = cpuBatchBytes[c]! + l;
          cpuBatchRel[c] = rel;
          sample(q, rel);
        }
        if (slot >= 0) {
          slotOf.delete(s);
          lcState[slot] = ST_NONE;
          lcQ[slot] = -1;
          free.push(slot);
        }
        break;
      }
      case K.napiPoll: {
        const code = dev[i]!;
        const name = code >= 0 ? cols.devNames[code] : undefined;
        if (name === undefined || name === '(no_device)') break; // per-CPU backlog NAPI
        const d = devFor(code);
        d.napiPollTs.push(rel);
        d.napiStructs.add(napi[i]!);
        let ns = napiByKey.get(napi[i]!);
        if (!ns) {
          ns = { dev: d, napi: napi[i]!, polls: 0, fullPolls: 0, firstRel: rel, lastRel: rel, maxGap: 0, maxGapStartRel: NaN };
          napiByKey.set(napi[i]!, ns);
          napis.push(ns);
        } else if (rel - ns.lastRel > ns.maxGap) {
          ns.maxGap = rel - ns.lastRel;
          ns.maxGapStartRel = ns.lastRel;
        }
        ns.polls++;
        ns.lastRel = rel;
        const w = work[i]!;
        const b = budget[i]!;
        if (w !== NULL_I32 && b !== NULL_I32 && w >= b) {
          d.napiFullTs.push(rel);
          ns.fullPolls++;
        }
        else {
          d.napiIdleTs.push(rel);
          d.napiIdleRows.push(i);
        }
        break;
      }
      case K.xmitTimeout: {
        const d = devFor(dev[i]!);
        d.timeoutRows.push(i);
        const drv = cols.driver[i]!;
        if (drv >= 0) d.driver = cols.driverNames[drv] ?? null;
        break;
      }
      case K.dqlStall: {
        if (dev[i]! >= 0) devFor(dev[i]!).stallRows.push(i);
        break;
      }
      case K.lost: {
        const lost = packets[i]! > 0 ? packets[i]! : 0;
        lostEvents += lost;
        const start = prevRel === prevRel ? prevRel : rel;
        const last = gaps[gaps.length - 1];
        if (last && start - last.endRel < 1e6) {
          last.endRel = rel;
          last.lost += lost;
          if (last.rows.length < 20) last.rows.push(i);
        } else gaps.push({ startRel: start, endRel: rel, lost, rows: [i] });
        break;
      }
      default:
        break;
    }
    prevRel = rel;
  }
  for (const c of [...batchCpus]) flushBatch(c);
  void lcDev;

  return {
    cols,
    order,
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
  };
}
