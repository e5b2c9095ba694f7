/**
 * Evidence per device and TX queue (issue: "per device and queue, which signals the input holds … and which time
 * it covers"). A queue's signals are the events the replay attributed to it; a tracepoint the capture lacks is
 * `missing` (nothing about it can be known), one it holds but that never fired for this queue is `quiet` (the
 * queue was idle for that step, or the capture's filter hid it: the trace cannot tell which).
 */
import type { CannotJudge, Coverage, QueueCoverage, QueueSummary, ReplayResult } from '../types.js';

type NapiList = NonNullable<ReplayResult['napi']>;

/** Per queue: the trace-wide signal that feeds each per-queue count (both must exist for a count to mean anything). */
const PER_QUEUE: [name: string, traceSignal: string, count: (q: QueueSummary) => number][] = [
  ['net_dev_queue', 'net_dev_queue', (q) => q.netDevQueue],
  ['qdisc_enqueue', 'qdisc_enqueue', (q) => q.enqueued],
  ['qdisc_dequeue', 'qdisc_dequeue', (q) => q.dequeued],
  ['net_dev_xmit', 'net_dev_xmit', (q) => q.xmitOk + q.txBusy + q.xmitOtherRc],
  ['skb_frees', 'skb_frees', (q) => q.completions + q.qdiscDrops],
];

export function queueCoverageOf(
  queues: readonly QueueSummary[],
  napi: NapiList,
  coverage: Pick<Coverage, 'signals' | 'unknownNs' | 'cannotJudge'>,
  spanNs: number,
): QueueCoverage[] {
  const pollsByDev = new Map<string, number>();
  for (const n of napi) pollsByDev.set(n.dev, (pollsByDev.get(n.dev) ?? 0) + n.polls);
  return queues.map((q) => {
    const signals: Record<string, number> = {};
    const missing: string[] = [];
    const quiet: string[] = [];
    for (const [name, traceSignal, count] of PER_QUEUE) {
      if ((coverage.signals[traceSignal] ?? 0) === 0) {
        missing.push(name);
        continue;
      }
      signals[name] = count(q);
      if (signals[name] === 0) quiet.push(name);
    }
    if ((coverage.signals.napi_poll ?? 0) === 0) missing.push('napi_poll');
    else {
      signals.napi_poll_of_device = pollsByDev.get(q.dev) ?? 0;
      if (signals.napi_poll_of_device === 0) quiet.push('napi_poll_of_device');
    }
    for (const m of deviceMissing(coverage.cannotJudge ?? [], q.dev)) if (!missing.includes(m)) missing.push(m);
    return {
      dev: q.dev,
      queue: q.queue,
      signals,
      missing,
      quiet,
      coveredNs: Math.max(0, spanNs - coverage.unknownNs),
      unknownNs: coverage.unknownNs,
    };
  });
}

/** What a rule found missing for this device only (e.g. the veth peer's NAPI poll): named as the rule named it. */
function deviceMissing(cannotJudge: readonly CannotJudge[], dev: string): string[] {
  const out: string[] = [];
  for (const c of cannotJudge) if (c.dev === dev) for (const m of c.missing) if (!out.includes(m)) out.push(m);
  return out;
}
