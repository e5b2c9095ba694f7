/**
 * The per-queue time series of a replay (types.ts QueueSeries): qdisc backlog and in-flight bytes at each
 * change, next to the DQL limit the model expects along the same time axis.
 */
import type { QueueExpectation } from '../expected-dql.js';
import type { QueueObs } from '../observe/records.js';
import { SeriesScratch } from '../observe/series-store.js';
import type { QueueSeries } from '../types.js';

/** Every queue's points are read through this (the view is done with before queueSeries returns). */
const scratch = new SeriesScratch();

export function queueSeries(
  q: QueueObs,
  ex: QueueExpectation,
  maxSeriesPoints: number | undefined,
  ns: (rel: number) => bigint,
): QueueSeries {
  // expected DQL limit along the same time axis: the model fed with this queue's BQL stream
  const expRel = ex.limitRel;
  const expLimit = ex.limit;
  const pts = q.series.view(scratch);
  const idx = thin(pts.backlog, pts.inflight, maxSeriesPoints);
  const drops = q.drops.view();
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
    qdiscDropTsNs: Array.from(drops.ts, ns),
    // long traces: each stamp stands for several drops (the bounded store merged them)
    ...(drops.exact ? {} : { qdiscDropCounts: Array.from(drops.counts) }),
  };
  for (const k of idx) {
    const rel = pts.ts[k]!;
    while (ek < expRel.length && expRel.get(ek) <= rel) lastLimit = expLimit.get(ek++);
    s.tsNs.push(ns(rel));
    s.backlogPackets.push(pts.backlog[k]!);
    s.inflightBytes.push(Math.max(0, pts.inflight[k]!));
    // no tracepoint carries struct dql: the observed limit is unknown from events alone
    s.dqlLimitObserved.push(null);
    s.dqlLimitExpected.push(q.dqlQueuedTs.length > 0 ? lastLimit : null);
  }
  return s;
}

/**
 * At most `max` of the points (all when they fit): the first and the last, and from each of G equal runs of the rest
 * the points of lowest and highest backlog and in-flight bytes — a spike is never thinned away. G starts at
 * (max − 2) / 2 (a run's extremes are mostly one or two points) and shrinks until the points fit.
 */
function thin(backlog: Float64Array, inflight: Float64Array, max: number | undefined): number[] {
  const n = backlog.length;
  if (max === undefined || n <= max || max < 6) return Array.from({ length: n }, (_, i) => i);
  let groups = Math.floor((max - 2) / 2);
  for (;;) {
    const idx = extremes(backlog, inflight, groups);
    if (idx.length <= max || groups <= 1) return idx;
    groups = Math.max(1, Math.min(groups - 1, Math.floor((groups * (max - 2)) / (idx.length - 2))));
  }
}

/** The first and last points and the extremes of each of `groups` equal runs of the points between them. */
function extremes(backlog: Float64Array, inflight: Float64Array, groups: number): number[] {
  const n = backlog.length;
  const idx: number[] = [0];
  for (let g = 0; g < groups; g++) {
    const from = 1 + Math.floor((g * (n - 2)) / groups);
    const to = 1 + Math.floor(((g + 1) * (n - 2)) / groups);
    if (to <= from) continue;
    let bMin = from;
    let bMax = from;
    let iMin = from;
    let iMax = from;
    for (let k = from + 1; k < to; k++) {
      if (backlog[k]! < backlog[bMin]!) bMin = k;
      if (backlog[k]! > backlog[bMax]!) bMax = k;
      if (inflight[k]! < inflight[iMin]!) iMin = k;
      if (inflight[k]! > inflight[iMax]!) iMax = k;
    }
    for (const k of [...new Set([bMin, bMax, iMin, iMax])].sort((a, b) => a - b)) idx.push(k);
  }
  idx.push(n - 1);
  return idx;
}
