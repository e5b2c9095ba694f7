/**
 * Expected BQL/DQL state: the model's exact kernel Dql (§A) driven with the observed byte stream —
 * dql_queued(len) at every net_dev_xmit rc=0 (netdev_tx_sent_queue, §B) and one dql_completed(bytes)
 * per completion batch (one free_old_xmit / clean_tx_irq pass, §B, §G).
 */
import { Dql, kernelBehaviour } from '@txreplay/model/core';
import type { QueueObs } from './observe/records.js';
import { F64Cursor, F64List, I32Cursor, lowerBound } from './input/growable.js';

/** ts (ns, relative to the trace base) → jiffies. */
export type JiffiesOf = (rel: number) => number;

export function jiffiesMapper(hz: number, baseNs: bigint, anchor?: { tsNs: bigint; jiffies: number }): JiffiesOf {
  const nsPerJiffy = 1e9 / hz;
  if (anchor) {
    const anchorRel = Number(anchor.tsNs - baseNs);
    return (rel) => (anchor.jiffies + Math.floor((rel - anchorRel) / nsPerJiffy)) >>> 0;
  }
  // without an anchor: jiffies counted from boot, as if the monotonic clock started with jiffies = INITIAL_JIFFIES
  const baseJ = Number(baseNs / BigInt(Math.round(nsPerJiffy)));
  return (rel) => (-300 * hz + baseJ + Math.floor(rel / nsPerJiffy)) >>> 0;
}

export interface DqlStep {
  rel: number;
  kind: 'queued' | 'completed';
  bytes: number;
  jiffies: number;
  limitAfter: number;
}

/** DqlStream.next(): no call left, a dql_queued, a dql_completed */
const STEP_DONE = 0;
const STEP_QUEUED = 1;
const STEP_COMPLETED = 2;

/**
 * One queue's observed BQL stream applied to `dql` one call at a time, in time order: the call's time, bytes and
 * jiffies are fields (no object, no boxed float per call: a 5 M-event trace makes ~1.5 M calls).
 */
class DqlStream {
  private a = 0;
  private b = 0;
  rel = Number.NaN;
  bytes = 0;
  jiffies = 0;
  // windows on the four lists (growable.ts F64Cursor): element loads here, no get() call per value
  private readonly qt = new F64Cursor();
  private readonly qb = new I32Cursor();
  private readonly ct = new F64Cursor();
  private readonly cb = new F64Cursor();
  private readonly nq: number;
  private readonly nc: number;
  constructor(
    private readonly q: QueueObs,
    private readonly dql: Dql,
    private readonly jiffiesOf: JiffiesOf,
  ) {
    this.nq = q.dqlQueuedTs.length;
    this.nc = q.dqlCompletedTs.length;
  }

  /** Apply the next call to the DQL: STEP_QUEUED / STEP_COMPLETED, or STEP_DONE at the end of the stream. */
  next(): number {
    const a = this.a;
    const b = this.b;
    const haveQ = a < this.nq;
    const haveC = b < this.nc;
    if (!haveQ && !haveC) return STEP_DONE;
    const qt = this.qt;
    const ct = this.ct;
    if (haveQ && a >= qt.to) this.q.dqlQueuedTs.aim(qt, a);
    if (haveC && b >= ct.to) this.q.dqlCompletedTs.aim(ct, b);
    // queued first on ties: the completion can only cover bytes already queued
    if (!haveC || (haveQ && qt.a[a - qt.from]! <= ct.a[b - ct.from]!)) {
      const rel = qt.a[a - qt.from]!;
      const j = this.jiffiesOf(rel);
      const qb = this.qb;
      if (a >= qb.to) this.q.dqlQueuedBytes.aim(qb, a);
      const bytes = qb.a[a - qb.from]!;
      this.dql.queued(bytes, j);
      this.rel = rel;
      this.bytes = bytes;
      this.jiffies = j;
      this.a = a + 1;
      return STEP_QUEUED;
    }
    const rel = ct.a[b - ct.from]!;
    const j = this.jiffiesOf(rel);
    const cb = this.cb;
    if (b >= cb.to) this.q.dqlCompletedBytes.aim(cb, b);
    let bytes = cb.a[b - cb.from]!;
    // never complete more than is in flight (dql_completed BUG_ON, §A.4): trace started mid-flight
    const inflight = (this.dql.numQueued - this.dql.numCompleted) >>> 0;
    if (bytes > inflight) bytes = inflight;
    if (bytes > 0) this.dql.completed(bytes, j);
    this.rel = rel;
    this.bytes = bytes;
    this.jiffies = j;
    this.b = b + 1;
    return STEP_COMPLETED;
  }
}

/**
 * Replay one queue's observed BQL stream through `dql` (fresh, or seeded by the caller from a kernel
 * snapshot). `onStep` sees every call in time order; returns the limit after each call.
 */
export function driveDql(q: QueueObs, dql: Dql, jiffiesOf: JiffiesOf, onStep?: (s: DqlStep) => void): void {
  const st = new DqlStream(q, dql, jiffiesOf);
  for (let k = st.next(); k !== STEP_DONE; k = st.next())
    onStep?.({
      rel: st.rel,
      kind: k === STEP_QUEUED ? 'queued' : 'completed',
      bytes: st.bytes,
      jiffies: st.jiffies,
      limitAfter: dql.limit,
    });
}

/**
 * The first completion after which the detector has counted a stall (6.9+ dql_check_stall, §A.5): its time, or
 * null; the whole stream is driven either way.
 */
export function firstStallRel(q: QueueObs, dql: Dql, jiffiesOf: JiffiesOf): number | null {
  const st = new DqlStream(q, dql, jiffiesOf);
  let first: number | null = null;
  for (let k = st.next(); k !== STEP_DONE; k = st.next())
    if (first === null && k === STEP_COMPLETED && dql.stallCnt > 0) first = st.rel;
  return first;
}

function newQueueDql(kernel: string, hz: number, jiffies: number): Dql {
  const dql = new Dql(kernelBehaviour(kernel));
  // netdev_init_one_queue: dql_init(&queue->dql, HZ) (§A.2)
  dql.init(hz, jiffies);
  return dql;
}

/** The model's BQL state along one queue's stream, and where it says §I.8 limit collapse happened. */
export interface QueueExpectation {
  /** times (rel ns) where the expected limit changed, and the limit from then on */
  limitRel: F64List;
  limit: F64List;
  /** longest run of transmits after each of which the limit sat at min_limit with dql_avail < 0 (§I.8) */
  collapse: { startRel: number; endRel: number; packets: number; limitBytes: number } | null;
  /** STACK_XOFF episodes the kernel rules predict: set by netdev_tx_sent_queue when dql_avail() < 0 after a
   * dql_queued, cleared by the first netdev_tx_completed_queue that leaves dql_avail() ≥ 0 (§B) */
  stops: number;
  stoppedNs: number;
}

/** Expected limit in force at `rel` (null before the first BQL call). */
export function limitAt(e: QueueExpectation, rel: number): number | null {
  const k = lowerBound(e.limitRel, rel + 1e-9) - 1;
  return k >= 0 ? e.limit.get(k) : null;
}

/**
 * Drive a fresh kernel DQL (dql_init(HZ), §A.2) with the queue's observed BQL stream: the expected limit
 * series and the §I.8 collapse check — limit at min_limit and dql_avail() < 0 right after every
 * dql_queued, i.e. netdev_tx_sent_queue sets STACK_XOFF after every single packet (§B).
 */
export function expectQueue(
  q: QueueObs,
  kernel: string,
  hz: number,
  jiffiesOf: JiffiesOf,
  firstRel: number,
): QueueExpectation {
  const spill = q.dev.spill;
  const e: QueueExpectation = {
    limitRel: new F64List(64, spill),
    limit: new F64List(64, spill),
    collapse: null,
    stops: 0,
    stoppedNs: 0,
  };
  if (q.dqlQueuedTs.length === 0) return e;
  const dql = newQueueDql(kernel, hz, jiffiesOf(firstRel));
  const run = new CollapseRun();
  let xoffSince = NaN;
  const st = new DqlStream(q, dql, jiffiesOf);
  let lastLimit = Number.NaN; // e.limit's last value (a local: last() is a call per step)
  for (let k = st.next(); k !== STEP_DONE; k = st.next()) {
    const rel = st.rel;
    if (k === STEP_QUEUED && xoffSince !== xoffSince && dql.avail() < 0) {
      xoffSince = rel;
      e.stops++;
    } else if (k === STEP_COMPLETED && xoffSince === xoffSince && st.bytes > 0 && dql.avail() >= 0) {
      e.stoppedNs += rel - xoffSince;
      xoffSince = NaN;
    }
    if (lastLimit !== dql.limit) {
      lastLimit = dql.limit;
      e.limitRel.push(rel);
      e.limit.push(lastLimit);
    }
    if (k !== STEP_QUEUED) continue;
    if (dql.limit === dql.minLimit && dql.avail() < 0) run.add(rel);
    else run.close(e, dql.minLimit);
  }
  run.close(e, dql.minLimit);
  if (xoffSince === xoffSince)
    e.stoppedNs += q.dqlCompletedTs.length > 0 || q.xmitTs.length > 0 ? Math.max(0, lastRelOf(q) - xoffSince) : 0;
  return e;
}

/** The current run of transmits that left the limit at min_limit with dql_avail() < 0 (§I.8). */
class CollapseRun {
  private startRel = Number.NaN;
  private endRel = Number.NaN;
  private packets = 0;

  add(rel: number): void {
    if (this.packets === 0) this.startRel = rel;
    this.endRel = rel;
    this.packets++;
  }

  /** The run ends: it is the expectation's collapse when the longest so far. */
  close(e: QueueExpectation, minLimit: number): void {
    const n = this.packets;
    if (n > 0 && (!e.collapse || n > e.collapse.packets))
      e.collapse = { startRel: this.startRel, endRel: this.endRel, packets: n, limitBytes: minLimit };
    this.packets = 0;
  }
}

function lastRelOf(q: QueueObs): number {
  const a = q.xmitTs.length > 0 ? q.xmitTs.last() : -Infinity;
  const b = q.dqlCompletedTs.length > 0 ? q.dqlCompletedTs.last() : -Infinity;
  return Math.max(a, b);
}
