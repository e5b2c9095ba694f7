/**
 * The per-queue summary of a replay (types.ts QueueSummary): counts, stopped intervals next to the trace's
 * unknown windows, the BQL stops the model expected vs those observed, and qdisc/driver latencies.
 */
import type { QueueExpectation } from '../expected-dql.js';
import type { Observed, QueueObs } from '../observe/records.js';
import type { Interval, QueueSummary } from '../types.js';

export function queueSummary(
  obs: Observed,
  q: QueueObs,
  ex: QueueExpectation,
  unknown: Interval[],
  ns: (rel: number) => bigint,
): QueueSummary {
  const d = q.dev;
  const stopped: Interval[] = q.intervals.map((iv) => ({
    startNs: ns(iv.startRel),
    endNs: ns(iv.endRel === iv.endRel ? iv.endRel : obs.lastRel),
    state: iv.state,
  }));
  return {
    dev: d.name,
    ifindex: d.ifindex,
    queue: q.queue,
    qdiscHandle: q.qdiscHandle,
    qdiscParent: q.qdiscParent,
    netDevQueue: q.netDevQueue,
    enqueued: q.enqueued,
    dequeued: q.dequeued,
    xmitOk: q.xmitOk,
    txBusy: q.txBusy,
    requeues: q.requeues,
    xmitOtherRc: q.xmitOtherRc,
    qdiscDrops: q.qdiscDrops,
    completions: q.completions,
    bytesSent: q.bytesSent,
    stoppedIntervals: [...stopped, ...unknown].sort((a, b) =>
      a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0,
    ),
    backlogAtEnd: q.backlog,
    dropsWhileStopped: q.dropsWhileStopped,
    bql: bqlStops(q, ex, obs.lastRel),
    implicitFrees: q.implicitFrees,
    latency: {
      qdiscMeanNs: q.qdiscTimeCount > 0 ? Math.round(q.qdiscTimeSumNs / q.qdiscTimeCount) : null,
      qdiscMaxNs: q.qdiscTimeCount > 0 ? q.qdiscTimeMaxNs : null,
      driverMeanNs: q.driverTimeCount > 0 ? Math.round(q.driverTimeSumNs / q.driverTimeCount) : null,
      driverMaxNs: q.driverTimeCount > 0 ? q.driverTimeMaxNs : null,
    },
  };
}

function bqlStops(q: QueueObs, e: QueueExpectation, lastRel: number): QueueSummary['bql'] {
  if (q.xmitTs.length === 0) return null;
  const xoff = q.intervals.filter((iv) => iv.state === 'STACK_XOFF');
  return {
    expectedStops: e.stops,
    expectedStoppedNs: Math.round(e.stoppedNs),
    observedStops: xoff.length,
    observedStoppedNs: Math.round(
      xoff.reduce((s, iv) => s + ((iv.endRel === iv.endRel ? iv.endRel : lastRel) - iv.startRel), 0),
    ),
  };
}
