/**
 * Expected BQL/DQL state: the model's exact kernel Dql (§A) driven with the observed byte stream —
 * dql_queued(len) at every net_dev_xmit rc=0 (netdev_tx_sent_queue, §B) and one dql_completed(bytes)
 * per completion batch (one free_old_xmit / clean_tx_irq pass, §B, §G).
 */
import { Dql, kernelBehaviour } from '@txreplay/model/core';
import type { QueueObs } from './observe/records.js';
import { F64List, lowerBound } from './input/growable.js';

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

/**
 * Replay one queue's observed BQL stream through `dql` (fresh, or seeded by the caller from a kernel
 * snapshot). `onStep` sees every call in time order; returns the limit after each call.
 */
export function driveDql(q: QueueObs, dql: Dql, jiffiesOf: JiffiesOf, onStep?: (s: DqlStep) => void): void {
  const qt = q.dqlQueuedTs;
  const qb = q.dqlQueuedBytes;
  const ct = q.dqlCompletedTs;
  const cb = q.dqlCompletedBytes;
  let a = 0;
  let b = 0;
  while (a < qt.length || b < ct.length) {
    // queued first on ties: the completion can only cover bytes already queued
    const takeQueued = b >= ct.length || (a < qt.length && qt.get(a) <= ct.get(b));
    if (takeQueued) {
      const rel = qt.get(a);
      const j = jiffiesOf(rel);
      dql.queued(qb.get(a), j);
      onStep?.({ rel, kind: 'queued', bytes: qb.get(a), jiffies: j, limitAfter: dql.limit });
      a++;
    } else {
      const rel = ct.get(b);
      const j = jiffiesOf(rel);
      let bytes = cb.get(b);
      // never complete more than is in flight (dql_completed BUG_ON, §A.4): trace started mid-flight
      const inflight = (dql.numQueued - dql.numCompleted) >>> 0;
      if (bytes > inflight) bytes = inflight;
      if (bytes > 0) dql.completed(bytes, j);
      onStep?.({ rel, kind: 'completed', bytes, jiffies: j, limitAfter: dql.limit });
      b++;
    }
  }
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
  const e: QueueExpectation = { limitRel: new F64List(), limit: new F64List(), collapse: null, stops: 0, stoppedNs: 0 };
  if (q.dqlQueuedTs.length === 0) return e;
  const dql = newQueueDql(kernel, hz, jiffiesOf(firstRel));
  let runStart = NaN;
  let runEnd = NaN;
  let runPackets = 0;
  const closeRun = (): void => {
    if (runPackets > 0 && (!e.collapse || runPackets > e.collapse.packets))
      e.collapse = { startRel: runStart, endRel: runEnd, packets: runPackets, limitBytes: dql.minLimit };
    runPackets = 0;
  };
  let xoffSince = NaN;
  driveDql(q, dql, jiffiesOf, (s) => {
    if (s.kind === 'queued' && xoffSince !== xoffSince && dql.avail() < 0) {
      xoffSince = s.rel;
      e.stops++;
    } else if (s.kind === 'completed' && xoffSince === xoffSince && s.bytes > 0 && dql.avail() >= 0) {
      e.stoppedNs += s.rel - xoffSince;
      xoffSince = NaN;
    }
    if (e.limit.length === 0 || e.limit.last() !== s.limitAfter) {
      e.limitRel.push(s.rel);
      e.limit.push(s.limitAfter);
    }
    if (s.kind !== 'queued') return;
    if (dql.limit === dql.minLimit && dql.avail() < 0) {
      if (runPackets === 0) runStart = s.rel;
      runEnd = s.rel;
      runPackets++;
    } else closeRun();
  });
  closeRun();
  if (xoffSince === xoffSince)
    e.stoppedNs += q.dqlCompletedTs.length > 0 || q.xmitTs.length > 0 ? Math.max(0, lastRelOf(q) - xoffSince) : 0;
  return e;
}

function lastRelOf(q: QueueObs): number {
  const a = q.xmitTs.length > 0 ? q.xmitTs.last() : -Infinity;
  const b = q.dqlCompletedTs.length > 0 ? q.dqlCompletedTs.last() : -Infinity;
  return Math.max(a, b);
}
