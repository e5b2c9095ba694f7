/**
 * The per-event pass: one Observer walks the time-ordered rows range by range (observe.ts) and fills the
 * records of records.ts. Per-packet lifecycles are keyed by skbaddr (see observe.ts).
 */
import { NULL_I32, NULL_PTR } from '../columns.js';
import type { RowAccess } from '../input/batches.js';
import { isNull, type BatchView } from '../input/batch-view.js';
import { PtrMap } from '../input/ptrmap.js';
import type { SpillFile } from '../input/spill.js';
import {
  BIT_NAMES,
  DRV_XOFF,
  EVENT_KIND,
  FROZEN,
  K,
  MAX_BULK_PACKETS,
  NETDEV_TX_BUSY,
  reasonClass,
  REASON_DEVICE,
  REASON_NEIGH,
  REASON_NUMERIC,
  REASON_OTHER,
  REASON_QDISC,
  STACK_XOFF,
  TC_H_ROOT,
} from './kinds.js';
import {
  DevObs,
  QueueObs,
  type AnonNapiObs,
  type LostGap,
  type NapiObs,
  type NeighDrops,
  type Observed,
  type ObservedInterval,
} from './records.js';
import { givePool, LC_KEY, LC_STRIDE, SkbIndex, takePool } from './skb-index.js';
import { EvictedSkbs } from './skb-spill.js';

const ST_NONE = 0;
const ST_QUEUED = 1;
const ST_ENQ = 2;
const ST_DEQ = 3;
const ST_XMIT = 4;

export interface NameTables {
  n: number;
  eventNames: string[];
  devNames: string[];
  reasonNames: string[];
  driverNames: string[];
  sourceNames: string[];
}

// ---- lifecycle pool: one 64-byte record per slot (8 float64 fields, LC_STRIDE), a packet's whole lifecycle is one
// cache line, not eight; slots are reused through a free list and keyed by skb pointer (SkbIndex: the key is the
// record's field LC_KEY = 0)
const LC_STATE = 1;
const LC_Q = 2; // index into queueList, -1 = none
/** device id × MAX_CPU + CPU (devOf / cpuOf): one field, so that the key fits in the 64-byte record */
const LC_DEVCPU = 3;
const LC_LEN = 4;
const LC_QUEUED = 5;
const LC_ENQ = 6;
const LC_XMIT = 7;
/** per-CPU tables are indexed by cpu number below this (others count as CPU 0) */
const MAX_CPU = 4096;
/** the device id of an LC_DEVCPU value (exact in float64 for any id below 2^41) */
const devOf = (x: number): number => Math.floor(x / MAX_CPU);
/** the CPU of an LC_DEVCPU value */
const cpuOf = (x: number): number => x - devOf(x) * MAX_CPU;
/** never a key, never an input (absent pointers are NULL_PTR = -1) */
const NO_KEY = -2;

/**
 * The pass's state and per-event code. A class (not closures made per replay): its methods are one set of
 * functions, so V8's optimized code for them is kept from one replay to the next in the same process, and
 * every field load is a monomorphic in-object load. The per-event loop (run) keeps the common paths inline
 * and calls methods for the rare ones.
 */
/** no unknown window is open / the open one ends at the next event of any CPU */
const GAP_NONE = -1;
const GAP_ANY_CPU = -2;

export class Observer {
  private kindOf = new Int32Array(0);
  private reasonKind: number[] = [];
  /** numeric drop reasons seen: frees, and how many were read as qdisc drops */
  private readonly numericReasons = new Map<string, { frees: number; asQdiscDrop: number }>();
  private readonly neighDrops = new Map<string, NeighDrops>();
  private readonly deviceDrops = new Map<string, NeighDrops>();
  /** kfree_skb events that carried a drop reason (kernels before 5.17 print none: no drop can be told by reason) */
  private kfreeWithReason = 0;
  private readonly devices: DevObs[] = [];
  /**
   * dev dict code + 1 -> index in devices + 1 (0: none yet; slot 0: rows without a device name). A typed
   * array: a JS array's elements kind would change as it fills, and with it the map the pass's code expects
   * at the start of every replay.
   */
  private devByName = new Int32Array(64);
  private readonly devByIfindex = new Map<number, DevObs>();
  private readonly queueList: QueueObs[] = [];

  private lc: Float64Array;
  private cap: number;
  /** free slots (a stack; typed, so its map never changes from one replay to the next) */
  private free = new Int32Array(1024);
  private freeTop = 0;
  private nextSlot = 0;
  private readonly slotOf: SkbIndex;
  /** a streamed pass's idle live skbs on disk (skb-spill.ts), null: all in memory */
  private readonly evicted: EvictedSkbs | null = null;
  /** the row from which the next look for idle skbs may run, and the time of the last one */
  private sweepRow = 0;
  private sweepRel = Number.NEGATIVE_INFINITY;
  // per-CPU one-entry cache of the last skb key → slot: an skb usually runs net_dev_queue → qdisc →
  // start_xmit → xmit on one CPU back to back. A freed key is dropped from every CPU's entry.
  private readonly cacheKey = new Float64Array(MAX_CPU).fill(NO_KEY);
  private readonly cacheSlot = new Int32Array(MAX_CPU);
  private readonly cacheSeen = new Uint8Array(MAX_CPU);
  private readonly cacheCpus: number[] = [];

  // ---- per-CPU context: the last start_xmit (xmit_one fires start_xmit then xmit on the same CPU, §D.4)
  // and the last qdisc touched (a drop's kfree_skb follows its qdisc run on the same CPU, §D.2)
  private readonly cpuStartQ: (QueueObs | null)[] = new Array<QueueObs | null>(MAX_CPU).fill(null);
  private readonly cpuStartSkb = new Float64Array(MAX_CPU).fill(NULL_PTR);
  private readonly cpuQdiscQ: (QueueObs | null)[] = new Array<QueueObs | null>(MAX_CPU).fill(null);
  private readonly cpuQdiscRel = new Float64Array(MAX_CPU).fill(-Infinity);
  // the bulk list the last qdisc_dequeue on this CPU handed to sch_direct_xmit: its txq and how many of its skbs
  // the driver has not taken yet. NETDEV_TX_BUSY puts the refused skb and the rest of the list back
  // (dev_requeue_skb counts each of them: requeues += the rest, §D.4)
  private readonly cpuBulkQ: (QueueObs | null)[] = new Array<QueueObs | null>(MAX_CPU).fill(null);
  private readonly cpuBulkLeft = new Int32Array(MAX_CPU);
  // pending completion batch per CPU: frees of transmitted skbs between two other events = one
  // free_old_xmit pass = one netdev_tx_completed_queue / dql_completed call (§B, G.3)
  private readonly cpuBatchQ: (QueueObs | null)[] = new Array<QueueObs | null>(MAX_CPU).fill(null);
  private readonly cpuBatchBytes = new Float64Array(MAX_CPU);
  private readonly cpuBatchRel = new Float64Array(MAX_CPU);
  /** CPUs with a pending completion batch, in the order the batches began (tiny: ≤ one per CPU) */
  private readonly batchCpus: number[] = [];

  private readonly kindCounts = new Int32Array(12);
  private readonly napis: NapiObs[] = [];
  private readonly anonNapis: AnonNapiObs[] = [];
  private napiNullIndex = -1;
  /** napi struct pointer -> index in napis */
  private readonly napiIndex = new PtrMap(64);
  private readonly gaps: LostGap[] = [];
  private lostEvents = 0;
  private unattributedDrops = 0;
  private hashedPointers = false;
  private prevRelAll = NaN;
  // unknown windows of lost events: the last event time per CPU, and a window left open until the CPU that lost
  // events (GAP_ANY_CPU: not known) shows its next event
  private readonly lastRelOnCpu = new Float64Array(MAX_CPU).fill(NaN);
  private gapOpenCpu = GAP_NONE;
  // the current event's time and skb key: fields, not arguments (a float passed to a call V8 did not inline is
  // boxed, an allocation per call; a float field is written in place)
  private evRel = Number.NaN;
  private evSkb = Number.NaN;
  private firstRel = NaN;
  private lastRel = NaN;

  constructor(
    private readonly rows: RowAccess,
    private readonly names: NameTables,
    /** the streamed pass's spill file: per-event lists keep their older values there (input/spill.ts) */
    private readonly spill: SpillFile | null = null,
    /** the queues keep their series' points (false: the replay draws no series, ReplayOptions.maxSeriesPoints 0) */
    private readonly keepSeries = true,
    /** the trace's rows (about: a streamed pass's names.n bounds its look-ahead, not the trace), to size the tables */
    sizeRows = names.n,
  ) {
    // a table sized for the trace: live skbs are a small share of the rows, and rehashing a large table
    // while the pass runs costs more than the room (16 bytes per entry) it reserves
    // the lifecycle pool likewise (zero-filled memory: pages the pass never reaches cost nothing)
    const live = Math.floor(Math.min(sizeRows, 1 << 30) / 32);
    let cap = 1024;
    while (cap < live && cap < 1 << 18) cap <<= 1;
    // a spare pool may be larger (up to 4×): all of it is usable
    this.lc = takePool(cap * LC_STRIDE);
    this.cap = this.lc.length / LC_STRIDE;
    this.slotOf = new SkbIndex(Math.min(1 << 18, Math.max(1 << 12, live)), this.lc);
    if (spill !== null && spill.liveSkbs > 0) {
      this.evicted = new EvictedSkbs(`${spill.path}.skbs`, spill.liveSkbs);
      spill.closeWith(this.evicted);
    }
  }

  private kindOfCode(code: number): number {
    return EVENT_KIND[this.names.eventNames[code] ?? ''] ?? K.other;
  }

  private devFor(code: number): DevObs {
    const key = code >= 0 ? code + 1 : 0; // slot 0: rows without a device name
    const x = key < this.devByName.length ? this.devByName[key]! : 0;
    return x > 0 ? this.devices[x - 1]! : this.newDev(key, code);
  }

  private newDev(key: number, code: number): DevObs {
    const d = new DevObs(this.devices.length, this.names.devNames[code] ?? `dev#${code}`, this.spill, this.keepSeries);
    this.devices.push(d);
    if (key >= this.devByName.length) {
      const next = new Int32Array(Math.max(key + 1, this.devByName.length * 2));
      next.set(this.devByName);
      this.devByName = next;
    }
    this.devByName[key] = d.id + 1;
    return d;
  }

  private queueFor(d: DevObs, q: number): QueueObs {
    let s = q >= 0 && q < 64 ? d.queueArr[q] : d.queues.get(q);
    if (!s) {
      s = new QueueObs(d, q, this.queueList.length);
      this.queueList.push(s);
      d.queues.set(q, s);
      if (q >= 0 && q < 64) d.queueArr[q] = s;
    }
    return s;
  }

  private qAt(slot: number): QueueObs | null {
    const x = this.lc[slot * LC_STRIDE + LC_Q]!;
    return x >= 0 ? this.queueList[x]! : null;
  }

  /**
   * qdisc events carry only an ifindex: bind it to a device name through skbaddr, looking ahead from
   * `fromPos` for the first qdisc event of this ifindex with an skb and back from there for that skb's
   * net_dev_queue/net_dev_start_xmit (which carry the name). Done once per ifindex.
   */
  private bindIfindex(ifi: number, fromPos: number): DevObs | null {
    const rows = this.rows;
    const n = this.names.n;
    let tries = 0;
    for (let m = fromPos; m < n && tries < 64; m++) {
      const x = rows.at(rows.rowAt(m));
      const rc = rows.c;
      const kj = this.kindOfCode(rc.event[x]!);
      if ((kj !== K.enqueue && kj !== K.dequeue) || rc.ifindex[x] !== ifi || !(rc.skb[x]! > 0)) continue;
      tries++;
      const s = rc.skb[x]!;
      for (let b = m - 1; b >= 0 && b >= m - 200000; b--) {
        const y = rows.at(rows.rowAt(b));
        const c2 = rows.c;
        const kb = this.kindOfCode(c2.event[y]!);
        if ((kb === K.netDevQueue || kb === K.startXmit) && c2.skb[y] === s && c2.dev[y]! >= 0)
          return this.devFor(c2.dev[y]!);
      }
    }
    return null;
  }

  private devForIfindex(ifi: number, k: number): DevObs {
    // qdisc events come in runs on one device: a one-entry cache in front of the Map (a Map lookup per event
    // showed in the profile)
    if (ifi === this.lastIfindex) return this.lastIfindexDev!;
    const d = this.devByIfindexSlow(ifi, k);
    this.lastIfindex = ifi;
    this.lastIfindexDev = d;
    return d;
  }
  private lastIfindex = NULL_I32;
  private lastIfindexDev: DevObs | null = null;

  private devByIfindexSlow(ifi: number, k: number): DevObs {
    let d = this.devByIfindex.get(ifi);
    if (!d) {
      const bound = this.bindIfindex(ifi, k);
      if (bound && bound.ifindex === null) {
        bound.ifindex = ifi;
        this.devByIfindex.set(ifi, bound);
        return bound;
      }
      // a name already bound to another ifindex is the same name in another network namespace: its qdisc events
      // stay apart under that name (view/shared-names.ts says the name is shared); unbound: known by ifindex only
      d = new DevObs(this.devices.length, bound ? bound.name : `ifindex:${ifi}`, this.spill, this.keepSeries);
      d.ifindex = ifi;
      this.devices.push(d);
      this.devByIfindex.set(ifi, d);
    }
    return d;
  }

  /** CPU c's cache entry: the current event's skb is at `slot` */
  private remember(slot: number, c: number): void {
    if (this.cacheSeen[c] === 0) {
      this.cacheSeen[c] = 1;
      this.cacheCpus.push(c);
    }
    this.cacheKey[c] = this.evSkb;
    this.cacheSlot[c] = slot;
  }

  /** slot of skb key `s` (-1: none), through CPU c's cache entry */
  private slotGet(c: number): number {
    const s = this.evSkb;
    if (this.cacheKey[c] === s) return this.cacheSlot[c]!;
    const map = this.slotOf;
    map.key = s;
    let slot = map.getKey();
    if (slot < 0 && this.evicted !== null) slot = this.takeBack();
    if (slot >= 0) this.remember(slot, c);
    return slot;
  }

  /** The record of this.evSkb back from disk into a slot bound to it (its slot), or -1 when it is not there. */
  private takeBack(): number {
    if (!this.evicted!.mayHave(this.evSkb)) return -1;
    if (this.freeTop === 0 && this.nextSlot === this.cap) this.growPool();
    const cand = this.freeTop > 0 ? this.free[this.freeTop - 1]! : this.nextSlot;
    if (!this.evicted!.take(this.evSkb, this.lc, cand)) return -1;
    const slot = this.alloc();
    this.slotOf.getOrAddKey(slot);
    return slot;
  }

  /** slot of skb key `s`, or a new slot bound to it (`isNew` tells which) */
  private slotGetOrNew(c: number): number {
    const s = this.evSkb;
    if (this.cacheKey[c] === s) {
      this.isNew = false;
      return this.cacheSlot[c]!;
    }
    // the slot alloc() would hand out, offered to the map in the same probe as the lookup (which writes the key
    // into its record: the pool grows first when it is full)
    if (this.freeTop === 0 && this.nextSlot === this.cap) this.growPool();
    const cand = this.freeTop > 0 ? this.free[this.freeTop - 1]! : this.nextSlot;
    const map = this.slotOf;
    map.key = s;
    const got = map.getOrAddKey(cand);
    if (got >= 0) {
      this.isNew = false;
      this.remember(got, c);
      return got;
    }
    const slot = this.alloc();
    // bound to a new slot: the skb's own record if it went to disk idle (skb-spill.ts), else a new lifecycle
    this.isNew = this.evicted === null || !this.evicted.take(s, this.lc, slot);
    if (s >= 0) this.remember(slot, c);
    return slot;
  }
  private isNew = false;

  private slotDelete(): void {
    const s = this.evSkb;
    const map = this.slotOf;
    map.key = s;
    map.deleteKey();
    const cacheCpus = this.cacheCpus;
    const cacheKey = this.cacheKey;
    for (let k = 0; k < cacheCpus.length; k++) if (cacheKey[cacheCpus[k]!] === s) cacheKey[cacheCpus[k]!] = NO_KEY;
  }

  private alloc(): number {
    if (this.freeTop > 0) return this.free[--this.freeTop]!;
    if (this.nextSlot === this.cap) this.growPool();
    return this.nextSlot++;
  }

  private growPool(): void {
    const next = new Float64Array(this.cap * 2 * LC_STRIDE);
    next.set(this.lc);
    this.lc = next;
    this.slotOf.lc = next;
    this.cap *= 2;
  }

  private release(slot: number): void {
    if (this.freeTop === this.free.length) {
      const next = new Int32Array(this.free.length * 2);
      next.set(this.free);
      this.free = next;
    }
    this.free[this.freeTop++] = slot;
  }

  /**
   * More skbs live than the spill's bound: those no event touched since the last look (none of their times since)
   * go to disk, their slots back to the free list. Which go is a matter of memory only: a later event at the address
   * reads the record back (slotGet, slotGetOrNew), so the lifecycle goes on as it would have in memory.
   */
  private evictIdle(rowBase: number): void {
    const map = this.slotOf;
    const slots = new Int32Array(map.size);
    const live = map.liveSlots(slots);
    const lc = this.lc;
    const mark = this.sweepRel;
    let n = 0;
    for (let i = 0; i < live; i++) {
      const at = slots[i]! * LC_STRIDE;
      if (!(lc[at + LC_QUEUED]! >= mark) && !(lc[at + LC_ENQ]! >= mark) && !(lc[at + LC_XMIT]! >= mark))
        slots[n++] = slots[i]!;
    }
    this.evicted!.putMany(lc, slots, n);
    for (let i = 0; i < n; i++) {
      map.key = lc[slots[i]! * LC_STRIDE + LC_KEY]!;
      map.deleteKey();
      this.release(slots[i]!);
    }
    for (const cpu of this.cacheCpus) this.cacheKey[cpu] = NO_KEY;
    this.sweepRel = this.prevRelAll;
    // the next look after 4× the bound in rows (each row makes at most one new live skb): a look reads every live
    // record, and on a trace whose idle skbs are few it would find little to write
    this.sweepRow = rowBase + 4 * this.evicted!.liveBound;
  }

  private flushBatch(cpu: number): void {
    const q = this.cpuBatchQ[cpu];
    if (!q) return;
    q.dqlCompletedTs.push(this.cpuBatchRel[cpu]!);
    q.dqlCompletedBytes.push(this.cpuBatchBytes[cpu]!);
    this.cpuBatchQ[cpu] = null;
    this.cpuBatchBytes[cpu] = 0;
    const batchCpus = this.batchCpus;
    batchCpus.splice(batchCpus.indexOf(cpu), 1);
  }

  /** a series point for q at rel when its backlog or in-flight bytes changed (one point per time) */
  private sample(q: QueueObs): void {
    q.series.push(this.evRel, q.backlog, q.inflightBytes, q.lastStateRel);
  }

  /** a state observation on txq `q`: `bits` are the txq->state bits known at `rel` */
  private observeState(q: QueueObs, bits: number, row: number, byBusy: boolean, isDequeue: boolean): void {
    const rel = this.evRel;
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
      if ((bits & DRV_XOFF) === 0 && q.completions === q.pendingBusyCompletions)
        q.busyWhileAwakeRows.push(q.pendingBusyRow);
      q.pendingBusyCheck = false;
    }
  }

  /**
   * Per range, out of the per-event code: event kind and drop-reason class per merged code (dictionaries
   * grow as batches bring new values), the first time. Code that runs once per replay stays out of run():
   * V8 records no type feedback for it, and meeting it in optimized code would deoptimize the whole pass.
   */
  private prepare(v: BatchView): void {
    if (v.anyHashed) this.hashedPointers = true;
    if (v.n > 0 && this.firstRel !== this.firstRel) this.firstRel = v.tsRel[0]!;
    const names = this.names;
    if (this.kindOf.length !== names.eventNames.length) {
      const kindOf = new Int32Array(names.eventNames.length);
      names.eventNames.forEach((name, i) => (kindOf[i] = EVENT_KIND[name] ?? K.other));
      this.kindOf = kindOf;
    }
    if (this.reasonKind.length !== names.reasonNames.length) this.reasonKind = names.reasonNames.map(reasonClass);
  }

  /**
   * One row range, in time order. False (and the observer is spoiled) when a row is earlier than the one
   * before it. Each event kind has its own method; the loop keeps only what every row needs (time order,
   * counts, the CPU and its pending completion batch).
   *
   * Arrow values + validity bitmaps (null bitmap = all valid; sentinel-form views carry NULL_I32 / -1).
   * Every column is read inline at its use (bitmap test written out): one typed-array type per read site
   * keeps V8's loads monomorphic, and no per-row helper calls are left to the inliner's budget.
   */
  run(v: BatchView, rowBase: number): boolean {
    this.prepare(v);
    if (this.evicted !== null && this.slotOf.size > this.evicted.liveBound && rowBase >= this.sweepRow)
      this.evictIdle(rowBase);
    const kindOf = this.kindOf;
    const { tsRel, cpu, cpuN, event, eventR, skb } = v;
    const kindOfIdx = new Int32Array(eventR.length);
    for (let x = 0; x < eventR.length; x++) kindOfIdx[x] = eventR[x]! >= 0 ? kindOf[eventR[x]!]! : K.other;
    const m = v.n;
    const kindCounts = this.kindCounts;
    const cpuBatchQ = this.cpuBatchQ;
    const batchCpus = this.batchCpus;
    // the pass's clock as a local (written back below)
    let prevRel = this.prevRelAll;
    for (let i = 0; i < m; i++) {
      const row = rowBase + i;
      const kind = kindOfIdx[event[i]!]!;
      const rel = tsRel[i]!;
      // time order: within one source rows are in file (= line) order by the schema, so ties are ordered
      if (rel < prevRel) return false;
      kindCounts[kind]!++;
      const cv = cpuN !== null && ((cpuN[i >> 3]! >> (i & 7)) & 1) === 0 ? 0 : cpu[i]!;
      const c = cv >= 0 && cv < MAX_CPU ? cv : 0;
      if (
        this.gapOpenCpu !== GAP_NONE &&
        kind !== K.lost &&
        (this.gapOpenCpu === GAP_ANY_CPU || this.gapOpenCpu === c)
      ) {
        this.gaps[this.gaps.length - 1]!.endRel = rel;
        this.gapOpenCpu = GAP_NONE;
      }
      if (kind !== K.lost) this.lastRelOnCpu[c] = rel;
      this.evRel = rel;
      this.evSkb = skb[i]!;
      if (batchCpus.length > 0 && kind !== K.consume && kind !== K.kfree && cpuBatchQ[c]) this.flushBatch(c);

      switch (kind) {
        case K.netDevQueue:
          this.netDevQueue(v, i, c);
          break;
        case K.enqueue:
        case K.dequeue:
          this.qdiscEvent(v, i, row, c, kind === K.enqueue);
          break;
        case K.startXmit:
          this.startXmit(v, i, row, c);
          break;
        case K.xmit:
          this.xmit(v, i, row, c);
          break;
        case K.consume:
        case K.kfree:
          this.skbFreed(v, i, row, c, kind === K.kfree);
          break;
        case K.napiPoll:
        case K.xmitTimeout:
        case K.dqlStall:
        case K.lost:
          this.rare(v, kind, i, row, prevRel);
          break;
        default:
          break;
      }
      prevRel = rel;
    }
    this.prevRelAll = prevRel;
    if (m > 0) this.lastRel = prevRel;
    return true;
  }

  /** net_dev_queue: a packet's lifecycle starts (§D.1); a live lifecycle at the same address ends unseen */
  private netDevQueue(v: BatchView, i: number, c: number): void {
    const rel = this.evRel;
    const { devN, devR, dev, lenN, len } = v;
    const d = this.devFor(devN !== null && ((devN[i >> 3]! >> (i & 7)) & 1) === 0 ? -1 : devR[dev[i]!]!);
    const slot = this.slotGetOrNew(c);
    const lc = this.lc;
    const at = slot * LC_STRIDE;
    if (!this.isNew && lc[at + LC_STATE] === ST_XMIT) {
      // address reuse: the previous skb at this address was freed without a traced free
      const x = lc[at + LC_Q]!;
      if (x >= 0) {
        const oq = this.queueList[x]!;
        oq.inflightBytes -= lc[at + LC_LEN]!;
        oq.inflightPackets--;
        oq.implicitFrees++;
        this.sample(oq);
      }
    }
    const l = lenN !== null && ((lenN[i >> 3]! >> (i & 7)) & 1) === 0 ? NULL_I32 : len[i]!;
    lc[at + LC_STATE] = ST_QUEUED;
    lc[at + LC_Q] = -1;
    lc[at + LC_DEVCPU] = d.id * MAX_CPU + c;
    lc[at + LC_LEN] = l === NULL_I32 ? 0 : l;
    lc[at + LC_QUEUED] = rel;
    lc[at + LC_ENQ] = NaN;
    lc[at + LC_XMIT] = NaN;
  }

  /** qdisc_enqueue / qdisc_dequeue: backlog, sojourn time and the txq_state sample of a dequeue (§C, §D.6) */
  private qdiscEvent(v: BatchView, i: number, row: number, c: number, isEnqueue: boolean): void {
    const rel = this.evRel;
    const { ifindexN, ifindex, parentN, parent } = v;
    const ifi = ifindexN !== null && ((ifindexN[i >> 3]! >> (i & 7)) & 1) === 0 ? NULL_I32 : ifindex[i]!;
    if (ifi === NULL_I32 || ifi === 0) return; // ifindex=0: a qdisc with no device (noop/teardown)
    const d = this.devForIfindex(ifi, row);
    const par = parentN !== null && ((parentN[i >> 3]! >> (i & 7)) & 1) === 0 ? -1 : parent[i]!;
    // mq children feed txq (minor-1); a root qdisc feeds txq 0 of a single-queue device (§D.6)
    const qi = par >= 0 && par !== TC_H_ROOT && (par & 0xffff) > 0 ? (par & 0xffff) - 1 : 0;
    const q = (qi < 64 ? d.queueArr[qi] : undefined) ?? this.queueFor(d, qi);
    if (q.qdiscHandle === null) {
      const { handleN, handle } = v;
      const h = handleN !== null && ((handleN[i >> 3]! >> (i & 7)) & 1) === 0 ? -1 : handle[i]!;
      q.qdiscHandle = h >= 0 ? h : null;
      q.qdiscParent = par >= 0 ? par : null;
    }
    this.cpuQdiscQ[c] = q;
    this.cpuQdiscRel[c] = rel;
    const s = this.evSkb;
    const slot = s > 0 ? (this.cacheKey[c] === s ? this.cacheSlot[c]! : this.slotGet(c)) : -1;
    if (isEnqueue) {
      q.enqueued++;
      q.backlog++;
      if (slot >= 0) {
        const lc = this.lc;
        lc[slot * LC_STRIDE + LC_STATE] = ST_ENQ;
        lc[slot * LC_STRIDE + LC_Q] = q.index;
        lc[slot * LC_STRIDE + LC_ENQ] = rel;
      }
    } else this.dequeued(v, i, row, q, slot, c);
    this.sample(q);
  }

  /** qdisc_dequeue: packets out of the qdisc, or a NULL dequeue (stopped txq or a withholding qdisc) */
  private dequeued(v: BatchView, i: number, row: number, q: QueueObs, slot: number, c: number): void {
    const rel = this.evRel;
    const s = this.evSkb;
    const { txqStateN, txqState } = v;
    const st = txqStateN !== null && ((txqStateN[i >> 3]! >> (i & 7)) & 1) === 0 ? NULL_I32 : txqState[i]!;
    const bits = st === NULL_I32 ? -1 : st;
    this.requeueBulkRest(c);
    if (q.bulkCpu >= 0 && q.bulkCpu !== c) this.requeueBulkRest(q.bulkCpu, q);
    if (s > 0) {
      const { packetsN, packets } = v;
      const pk = packetsN !== null && ((packetsN[i >> 3]! >> (i & 7)) & 1) === 0 ? NULL_I32 : packets[i]!;
      const p = pk > 0 ? pk : 1;
      q.dequeued += p;
      if (p > q.bulkMax) {
        q.bulkMax = p;
        q.bulkMaxRow = row;
      }
      if (p > MAX_BULK_PACKETS) {
        q.bulkOver++;
        q.bulkOverPackets += p;
        if (q.bulkOverFirstRow < 0) q.bulkOverFirstRow = row;
        q.bulkOverLastRow = row;
      }
      this.cpuBulkQ[c] = q;
      this.cpuBulkLeft[c] = p;
      q.bulkCpu = c;
      q.backlog = Math.max(0, q.backlog - p);
      if (slot >= 0) {
        const lc = this.lc;
        lc[slot * LC_STRIDE + LC_STATE] = ST_DEQ;
        lc[slot * LC_STRIDE + LC_Q] = q.index;
        const e = lc[slot * LC_STRIDE + LC_ENQ]!;
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
    if (bits >= 0) this.observeState(q, bits, row, false, true);
  }

  /**
   * §D.4: a bulk list this CPU dequeued and did not transmit to its end. dev_hard_start_xmit() stops at a txq the
   * driver stopped after its last skb (`netif_tx_queue_stopped(txq) && skb` → NETDEV_TX_BUSY, no xmit event for the
   * rest) and sch_direct_xmit() hands the rest to dev_requeue_skb(), which counts each skb as a requeue and puts it
   * back in the qdisc's backlog. The CPU's next qdisc_dequeue shows that the list ended there, and so does any
   * CPU's next dequeue of the same qdisc (only one CPU runs a qdisc at a time: qdisc_run_begin).
   */
  private requeueBulkRest(c: number, only: QueueObs | null = null): void {
    const left = this.cpuBulkLeft[c]!;
    const bq = this.cpuBulkQ[c];
    if (left <= 0 || !bq || (only !== null && bq !== only)) return;
    bq.requeues += left;
    bq.backlog += left;
    this.cpuBulkLeft[c] = 0;
  }

  /** net_dev_start_xmit: the skb's TX queue (queue_mapping), and proof the txq was awake (§D.4) */
  private startXmit(v: BatchView, i: number, row: number, c: number): void {
    const rel = this.evRel;
    const { devN, devR, dev, queueN, queue } = v;
    const d = this.devFor(devN !== null && ((devN[i >> 3]! >> (i & 7)) & 1) === 0 ? -1 : devR[dev[i]!]!);
    const qm = queueN !== null && ((queueN[i >> 3]! >> (i & 7)) & 1) === 0 ? NULL_I32 : queue[i]!;
    const qi = qm === NULL_I32 ? 0 : qm;
    const q = (qi >= 0 && qi < 64 ? d.queueArr[qi] : undefined) ?? this.queueFor(d, qi);
    q.netDevQueue++;
    const s = this.evSkb;
    this.cpuStartQ[c] = q;
    this.cpuStartSkb[c] = s;
    // xmit_one runs only when !netif_xmit_frozen_or_stopped (§D.4): the txq was awake here
    if (q.open[0] === null && q.open[1] === null && q.open[2] === null) {
      q.lastAwakeRel = rel;
      q.lastState = 0;
      q.lastStateRel = rel;
      q.lastStateRow = row;
    } else this.observeState(q, 0, row, false, false);
    const slot = this.cacheKey[c] === s ? this.cacheSlot[c]! : this.slotGet(c);
    if (slot >= 0) {
      const lc = this.lc;
      lc[slot * LC_STRIDE + LC_Q] = q.index;
      // the skb's wait since net_dev_queue: qdisc sojourn (plus any requeue) even when no qdisc event is traced
      const queued = lc[slot * LC_STRIDE + LC_QUEUED]!;
      if (
        queued === queued &&
        devOf(lc[slot * LC_STRIDE + LC_DEVCPU]!) === d.id &&
        lc[slot * LC_STRIDE + LC_STATE] !== ST_XMIT
      ) {
        q.waits++;
        if (rel - queued > q.waitMaxNs) {
          q.waitMaxNs = rel - queued;
          q.waitQueuedRel = queued;
          q.waitStartRow = row;
          q.waitSkb = s;
        }
      }
    }
  }

  /** net_dev_xmit: the driver's return code decides (§D.4): taken, NETDEV_TX_BUSY, or dropped */
  private xmit(v: BatchView, i: number, row: number, c: number): void {
    const { devN, devR, dev, rcN, rc, lenN, len } = v;
    const d = this.devFor(devN !== null && ((devN[i >> 3]! >> (i & 7)) & 1) === 0 ? -1 : devR[dev[i]!]!);
    d.xmitEvents++;
    const s = this.evSkb;
    let q = this.cpuStartQ[c];
    if (!q || q.dev !== d || this.cpuStartSkb[c] !== s) {
      const slot = this.slotGet(c);
      const lq = slot >= 0 ? this.qAt(slot) : null;
      q = lq && lq.dev === d ? lq : this.queueFor(d, 0);
    }
    this.cpuStartQ[c] = null;
    const r = rcN !== null && ((rcN[i >> 3]! >> (i & 7)) & 1) === 0 ? NULL_I32 : rc[i]!;
    if (r === 0) {
      const l0 = lenN !== null && ((lenN[i >> 3]! >> (i & 7)) & 1) === 0 ? NULL_I32 : len[i]!;
      this.xmitOk(d, q, l0 === NULL_I32 ? 0 : l0, c, row);
    } else if (r === NETDEV_TX_BUSY) this.txBusy(q, c, row);
    else {
      if (this.cpuBulkQ[c] === q && this.cpuBulkLeft[c]! > 0) this.cpuBulkLeft[c]!--;
      // NET_XMIT_DROP (1) / NET_XMIT_CN (2) / errno: the driver consumed or dropped the skb (§D.4)
      q.xmitOtherRc++;
      d.rcOther.set(r, (d.rcOther.get(r) ?? 0) + 1);
      if (d.rcDropFirstRow < 0) d.rcDropFirstRow = row;
      d.rcDropLastRow = row;
      const slot = this.slotGet(c);
      if (slot >= 0) this.lc[slot * LC_STRIDE + LC_STATE] = ST_NONE;
    }
  }

  /** net_dev_xmit rc=0: the driver took `l` bytes; one dql_queued (§B), in flight until freed */
  private xmitOk(d: DevObs, q: QueueObs, l: number, c: number, row: number): void {
    const rel = this.evRel;
    q.xmitOk++;
    if (this.cpuBulkQ[c] === q && this.cpuBulkLeft[c]! > 0) this.cpuBulkLeft[c]!--;
    q.bytesSent += l;
    q.inflightBytes += l;
    q.inflightPackets++;
    const xt = q.xmitTs;
    const qb = q.dqlQueuedBytes;
    if (xt.length - xt.base === xt.a.length) xt.reserve(xt.length + 1);
    xt.a[xt.length++ - xt.base] = rel;
    if (qb.length - qb.base === qb.a.length) qb.reserve(qb.length + 1);
    qb.a[qb.length++ - qb.base] = l;
    // the driver took the skb: at entry the txq was neither stopped nor frozen (§D.4)
    if (q.open[0] !== null || q.open[1] !== null || q.open[2] !== null) this.observeState(q, 0, row, false, false);
    q.busyRun = 0;
    q.busyRunSkb = NULL_PTR;
    const slot = this.slotGetOrNew(c);
    const lc = this.lc;
    const at = slot * LC_STRIDE;
    if (this.isNew) {
      lc[at + LC_DEVCPU] = d.id * MAX_CPU + c;
      lc[at + LC_QUEUED] = NaN;
      lc[at + LC_ENQ] = NaN;
    } else lc[at + LC_DEVCPU] = devOf(lc[at + LC_DEVCPU]!) * MAX_CPU + c;
    lc[at + LC_STATE] = ST_XMIT;
    lc[at + LC_Q] = q.index;
    lc[at + LC_LEN] = l;
    lc[at + LC_XMIT] = rel;
    this.sample(q);
  }

  /** consume_skb / kfree_skb: a qdisc drop, a TX completion, or neither; the lifecycle ends */
  private skbFreed(v: BatchView, i: number, row: number, c: number, isKfree: boolean): void {
    const { reasonN, reasonR, reason } = v;
    const s = this.evSkb;
    const slot = this.cacheKey[c] === s ? this.cacheSlot[c]! : this.slotGet(c);
    const rsn = isKfree && !(reasonN !== null && ((reasonN[i >> 3]! >> (i & 7)) & 1) === 0) ? reasonR[reason[i]!]! : -1;
    // a numeric reason is read as a qdisc drop only where nothing but the qdisc can drop: an skb freed
    // after net_dev_queue and before any qdisc_enqueue (§D.2: the qdisc refused it at enqueue)
    const rk = rsn >= 0 ? this.reasonKind[rsn]! : REASON_OTHER;
    if (rsn >= 0) this.kfreeWithReason++;
    const lc = this.lc;
    const state = slot >= 0 ? lc[slot * LC_STRIDE + LC_STATE]! : ST_NONE;
    const qdiscDrop = rk === REASON_QDISC || (rk === REASON_NUMERIC && slot >= 0 && state === ST_QUEUED);
    if (rk === REASON_NUMERIC) this.numericReason(rsn, qdiscDrop);
    else if (rk === REASON_NEIGH) this.reasonDrop(this.neighDrops, rsn, row);
    else if (rk === REASON_DEVICE) this.reasonDrop(this.deviceDrops, rsn, row);
    if (qdiscDrop) this.qdiscDrop(slot, row);
    else if (slot >= 0 && state === ST_XMIT) this.completion(slot, c, row);
    if (slot >= 0) {
      this.slotDelete();
      lc[slot * LC_STRIDE + LC_STATE] = ST_NONE;
      lc[slot * LC_STRIDE + LC_Q] = -1;
      this.release(slot);
    }
  }

  /**
   * net_dev_xmit rc=16: §D.4 not dev_xmit_complete → dev_requeue_skb puts the refused skb and the rest of its bulk
   * list back into the qdisc, counting each (requeues += list length); a transmit on the qdisc bypass path (no
   * dequeue before it) requeues just the one skb
   */
  private txBusy(q: QueueObs, c: number, row: number): void {
    const rel = this.evRel;
    const s = this.evSkb;
    const back = this.cpuBulkQ[c] === q && this.cpuBulkLeft[c]! > 0 ? this.cpuBulkLeft[c]! : 1;
    this.cpuBulkLeft[c] = 0;
    q.txBusy++;
    q.requeues += back;
    q.backlog += back;
    if (q.busyRunSkb === s) q.busyRun++;
    else {
      q.busyRun = 1;
      q.busyRunSkb = s;
      q.busyRunRows = [];
    }
    if (q.busyRunRows.length < 8) q.busyRunRows.push(row);
    if (q.busyRun > q.longestBusyRun) q.longestBusyRun = q.busyRun;
    // a driver that returns BUSY has (if it is correct) stopped the queue first (§I.3)
    this.observeState(q, DRV_XOFF | (q.open[1] ? STACK_XOFF : 0), row, true, false);
    q.pendingBusyCheck = true;
    q.pendingBusyRow = row;
    q.pendingBusyCompletions = q.completions;
    const slot = this.slotGet(c);
    if (slot >= 0) {
      const lc = this.lc;
      lc[slot * LC_STRIDE + LC_STATE] = ST_ENQ;
      lc[slot * LC_STRIDE + LC_Q] = q.index;
      lc[slot * LC_STRIDE + LC_ENQ] = rel;
    }
    this.sample(q);
  }

  /**
   * a drop that is not the qdisc's (§D.3): in the neighbour layer, or inside the driver past the qdisc; counted per
   * reason, first and last row kept
   */
  private reasonDrop(into: Map<string, NeighDrops>, rsn: number, row: number): void {
    const name = this.names.reasonNames[rsn]!;
    const nd = into.get(name);
    if (nd) {
      nd.count++;
      nd.lastRow = row;
    } else into.set(name, { count: 1, firstRow: row, lastRow: row });
  }

  private numericReason(rsn: number, qdiscDrop: boolean): void {
    const name = this.names.reasonNames[rsn]!;
    let nr = this.numericReasons.get(name);
    if (!nr) this.numericReasons.set(name, (nr = { frees: 0, asQdiscDrop: 0 }));
    nr.frees++;
    if (qdiscDrop) nr.asQdiscDrop++;
  }

  /**
   * §D.2/§D.3: the qdisc refused the skb (no qdisc_enqueue fired for it); attribute it to the qdisc this CPU
   * ran since the skb's net_dev_queue, else to the device's only queue.
   */
  private qdiscDrop(slot: number, row: number): void {
    const rel = this.evRel;
    const lc = this.lc;
    let q: QueueObs | null = null;
    if (slot >= 0 && lc[slot * LC_STRIDE + LC_STATE] === ST_QUEUED) {
      const dc = lc[slot * LC_STRIDE + LC_DEVCPU]!;
      const cpuQ = this.cpuQdiscQ[cpuOf(dc)];
      const d = this.devices[devOf(dc)]!;
      if (cpuQ && cpuQ.dev === d && this.cpuQdiscRel[cpuOf(dc)]! >= lc[slot * LC_STRIDE + LC_QUEUED]!) q = cpuQ;
      else if (d.queues.size === 1) q = d.queues.values().next().value ?? null;
      else q = this.queueFor(d, 0);
    } else if (slot >= 0 && lc[slot * LC_STRIDE + LC_Q]! >= 0) {
      q = this.qAt(slot);
    }
    if (q) {
      q.qdiscDrops++;
      q.drops.push(rel, q.lastStateRel);
      if (q.dropFirstRow < 0) q.dropFirstRow = row;
      q.dropLastRow = row;
      if (q.open[0] || q.open[1] || q.open[2]) q.dropsWhileStopped++;
      if (slot >= 0 && lc[slot * LC_STRIDE + LC_STATE]! !== ST_QUEUED && lc[slot * LC_STRIDE + LC_STATE]! !== ST_NONE) {
        q.dropsInside++;
        q.backlog = Math.max(0, q.backlog - 1); // dropped from inside the qdisc (e.g. head drop)
        this.sample(q);
      }
    } else this.unattributedDrops++;
  }

  /** a transmitted skb freed: one completion, batched per CPU into dql_completed calls */
  private completion(slot: number, c: number, row: number): void {
    const rel = this.evRel;
    const lc = this.lc;
    const q = this.qAt(slot)!;
    const l = lc[slot * LC_STRIDE + LC_LEN]!;
    q.completions++;
    q.inflightBytes -= l;
    q.inflightPackets--;
    q.completionTs.push(rel);
    q.completionRows.push(row);
    const t = rel - lc[slot * LC_STRIDE + LC_XMIT]!;
    q.driverTimeSumNs += t;
    q.driverTimeCount++;
    if (t > q.driverTimeMaxNs) q.driverTimeMaxNs = t;
    const cpuBatchQ = this.cpuBatchQ;
    if (cpuBatchQ[c] && cpuBatchQ[c] !== q) this.flushBatch(c);
    if (!cpuBatchQ[c]) {
      cpuBatchQ[c] = q;
      this.cpuBatchBytes[c] = 0;
      this.batchCpus.push(c);
    }
    this.cpuBatchBytes[c] = this.cpuBatchBytes[c]! + l;
    this.cpuBatchRel[c] = rel;
    this.sample(q);
  }

  /** napi_poll, net_dev_xmit_timeout, dql_stall_detected, lost-events markers */
  private rare(v: BatchView, kind: number, i: number, row: number, prevRel: number): void {
    const code = isNull(v.devN, i) ? -1 : v.devR[v.dev[i]!]!;
    switch (kind) {
      case K.napiPoll:
        this.napiPoll(v, i, row, code);
        break;
      case K.xmitTimeout: {
        const d = this.devFor(code);
        d.timeoutRows.push(row);
        const drv = isNull(v.driverN, i) ? -1 : v.driverR[v.driver[i]!]!;
        if (drv >= 0) d.driver = this.names.driverNames[drv] ?? null;
        break;
      }
      case K.dqlStall: {
        if (code >= 0) this.devFor(code).stallRows.push(row);
        break;
      }
      case K.lost:
        this.lostMarker(v, i, row, prevRel);
        break;
    }
  }

  /** One napi_poll of a device's NAPI: its cadence, full (work == budget) and idle polls (§F). */
  private napiPoll(v: BatchView, i: number, row: number, code: number): void {
    const rel = this.evRel;
    const name = code >= 0 ? this.names.devNames[code] : undefined;
    if (name === undefined || name === '(no_device)') {
      // per-CPU backlog NAPI (or no device field): known only by its pointer, kept apart from the devices
      this.anonPoll(v, i, row, name ?? null);
      return;
    }
    const d = this.devFor(code);
    d.napiPollTs.push(rel);
    const nk = v.napi[i]!;
    const napis = this.napis;
    const ni = nk >= 0 ? this.napiIndex.get(nk) : this.napiNullIndex;
    let ns = ni >= 0 ? napis[ni] : undefined;
    if (!ns || ns.dev !== d) d.napiStructs.add(nk);
    if (!ns) {
      ns = { dev: d, napi: nk, polls: 0, fullPolls: 0, firstRel: rel, lastRel: rel, maxGap: 0, maxGapStartRel: NaN };
      if (nk >= 0) this.napiIndex.set(nk, napis.length);
      else this.napiNullIndex = napis.length;
      napis.push(ns);
    } else if (rel - ns.lastRel > ns.maxGap) {
      ns.maxGap = rel - ns.lastRel;
      ns.maxGapStartRel = ns.lastRel;
    }
    ns.polls++;
    ns.lastRel = rel;
    const w = isNull(v.workN, i) ? NULL_I32 : v.work[i]!;
    const b = isNull(v.budgetN, i) ? NULL_I32 : v.budget[i]!;
    if (w !== NULL_I32 && b !== NULL_I32 && w >= b) {
      d.napiFullTs.push(rel);
      ns.fullPolls++;
    } else {
      d.napiIdleTs.push(rel);
      d.napiIdleRows.push(row);
    }
  }

  /**
   * A tracer's lost-events marker: the window the loss may cover, from the previous event of the CPU that lost them
   * (any CPU when the tracer does not say which) to that CPU's next event, closed in run(); a perf LOST record is
   * written when the buffer has room again, so its own time is inside the window.
   */
  private lostMarker(v: BatchView, i: number, row: number, prevRel: number): void {
    const rel = this.evRel;
    const lostN = isNull(v.packetsN, i) ? NULL_I32 : v.packets[i]!;
    const lost = lostN > 0 ? lostN : 0;
    this.lostEvents += lost;
    const lostCpu = isNull(v.cpuN, i) ? -1 : v.cpu[i]!;
    const cpuKnown = lostCpu >= 0 && lostCpu < MAX_CPU;
    const before = cpuKnown ? this.lastRelOnCpu[lostCpu]! : prevRel;
    const start = before === before && before <= rel ? before : prevRel === prevRel ? prevRel : rel;
    this.gapOpenCpu = cpuKnown ? lostCpu : GAP_ANY_CPU;
    const gaps = this.gaps;
    const last = gaps[gaps.length - 1];
    if (last && start - last.endRel < 1e6) {
      last.endRel = rel;
      last.lost += lost;
      if (last.rows.length < 20) last.rows.push(row);
    } else gaps.push({ startRel: start, endRel: rel, lost, rows: [row] });
  }

  /** a napi_poll of a NAPI known only by its pointer: the wait after each full poll (§F, §I.12) */
  private anonPoll(v: BatchView, i: number, row: number, label: string | null): void {
    const rel = this.evRel;
    const nk = v.napi[i]!;
    let a = this.anonNapis.find((x) => x.napi === nk);
    if (!a) {
      a = {
        napi: nk,
        label,
        polls: 0,
        lastRel: rel,
        lastRow: row,
        lastFull: false,
        maxFullGap: 0,
        maxFullGapFromRow: -1,
        maxFullGapToRow: -1,
      };
      this.anonNapis.push(a);
    } else if (a.lastFull && rel - a.lastRel > a.maxFullGap) {
      a.maxFullGap = rel - a.lastRel;
      a.maxFullGapFromRow = a.lastRow;
      a.maxFullGapToRow = row;
    }
    const w = isNull(v.workN, i) ? NULL_I32 : v.work[i]!;
    const b = isNull(v.budgetN, i) ? NULL_I32 : v.budget[i]!;
    a.polls++;
    a.lastRel = rel;
    a.lastRow = row;
    a.lastFull = w !== NULL_I32 && b !== NULL_I32 && w >= b;
  }

  /** The pass's result; the observer is not used again (its pool and index table go to the next pass). */
  finish(): Observed {
    for (const c of [...this.batchCpus]) this.flushBatch(c);
    givePool(this.lc, this.slotOf);
    return {
      rows: this.rows,
      baseNs: this.rows.baseNs,
      devices: this.devices,
      firstRel: this.firstRel === this.firstRel ? this.firstRel : 0,
      lastRel: this.lastRel === this.lastRel ? this.lastRel : 0,
      events: this.names.n,
      lostEvents: this.lostEvents,
      gaps: this.gaps,
      kindCounts: this.kindCounts,
      unattributedDrops: this.unattributedDrops,
      hashedPointers: this.hashedPointers,
      napis: this.napis,
      anonNapis: this.anonNapis,
      numericReasons: this.numericReasons,
      neighDrops: this.neighDrops,
      deviceDrops: this.deviceDrops,
      kfreeWithReason: this.kfreeWithReason,
    };
  }
}
