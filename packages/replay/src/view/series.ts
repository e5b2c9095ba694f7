/**
 * The per-queue time series of a replay (types.ts QueueSeries): qdisc backlog and in-flight bytes at each
 * change, next to the DQL limit the model expects along the same time axis.
 */
import type { QueueExpectation } from '../expected-dql.js';
import type { QueueObs } from '../observe/records.js';
import type { QueueSeries } from '../types.js';

export function queueSeries(
  q: QueueObs,
  ex: QueueExpectation,
  maxSeriesPoints: number | undefined,
  ns: (rel: number) => bigint,
): QueueSeries {
  // expected DQL limit along the same time axis: the model fed with this queue's BQL stream
  const expRel = ex.limitRel;
  const expLimit = ex.limit;
  const idx = thin(q.sTs.length, maxSeriesPoints);
  let ek = 0;
  let lastLimit: number | null = null;
  const s: QueueSeries = {
    dev: q.dev.name,
    queue: q.queue,
    tsNs: [],
    backlogPackets: [],
    inflightBytes: [],
    dqlLimitObserved: [],
    dqlLimitExpected: [],
    qdiscDropTsNs: Array.from({ length: q.dropTs.length }, (_, k) => ns(q.dropTs.get(k))),
  };
  for (const k of idx) {
    const rel = q.sTs.get(k);
    while (ek < expRel.length && expRel.get(ek) <= rel) lastLimit = expLimit.get(ek++);
    s.tsNs.push(ns(rel));
    s.backlogPackets.push(q.sBacklog.get(k));
    s.inflightBytes.push(Math.max(0, q.sInflight.get(k)));
    // no tracepoint carries struct dql: the observed limit is unknown from events alone
    s.dqlLimitObserved.push(null);
    s.dqlLimitExpected.push(q.dqlQueuedTs.length > 0 ? lastLimit : null);
  }
  return s;
}

function thin(n: number, max: number | undefined): number[] {
  if (max === undefined || n <= max || max < 2) return Array.from({ length: n }, (_, i) => i);
  const idx: number[] = [];
  for (let k = 0; k < max; k++) idx.push(Math.round((k * (n - 1)) / (max - 1)));
  return idx;
}
