/**
 * The verdict and the evidence coverage of a replay. A run is judged only on what the input shows: with no
 * TX-path event and no kernel-log record, or with all of its time inside windows where the tracer lost events,
 * the verdict is `unknown` (exit 7), never `healthy`.
 */
import { K } from '../observe/kinds.js';
import type { Observed } from '../observe/records.js';
import type { Coverage, Finding, Verdict } from '../types.js';

/** The signals a full diagnosis uses, by the kind counters of the per-event pass. */
const SIGNALS: [name: string, kinds: number[]][] = [
  ['qdisc_enqueue', [K.enqueue]],
  ['qdisc_dequeue', [K.dequeue]],
  ['net_dev_queue', [K.netDevQueue]],
  ['net_dev_start_xmit', [K.startXmit]],
  ['net_dev_xmit', [K.xmit]],
  ['napi_poll', [K.napiPoll]],
  ['skb_frees', [K.consume, K.kfree]],
  ['dql_stall_detected', [K.dqlStall]],
  ['net_dev_xmit_timeout', [K.xmitTimeout]],
];

/** Signals whose absence leaves a question open (dql_stall_detected and the timeout fire only when something is wrong). */
const NEEDED = new Set(['qdisc_dequeue', 'net_dev_queue', 'net_dev_xmit', 'napi_poll', 'skb_frees']);

export function coverageOf(obs: Observed, logRecords = 0): Omit<Coverage, 'unknownWhy'> {
  const signals: Record<string, number> = {};
  let txPathEvents = 0;
  for (const [name, kinds] of SIGNALS) {
    const n = kinds.reduce((sum, k) => sum + (obs.kindCounts[k] ?? 0), 0);
    signals[name] = n;
    txPathEvents += n;
  }
  const unknownNs = obs.gaps.reduce((sum, g) => sum + Math.max(0, g.endRel - g.startRel), 0);
  const missing = txPathEvents === 0 ? [] : [...NEEDED].filter((s) => signals[s] === 0);
  return { txPathEvents, logRecords, signals, missing, lostEvents: obs.lostEvents, unknownNs: Math.round(unknownNs) };
}

/** Why the input cannot be judged, or null when it can. */
export function unknownReason(c: Omit<Coverage, 'unknownWhy'>, spanNs: number): string | null {
  if (c.txPathEvents === 0 && c.logRecords === 0)
    return 'the input holds no TX-path event and no kernel-log record of the TX path';
  if (c.txPathEvents > 0 && c.logRecords === 0 && spanNs > 0 && c.unknownNs >= spanNs)
    return 'the tracer lost events over the whole trace';
  return null;
}

export function verdictOf(findings: readonly Finding[], coverage: Coverage): Verdict {
  if (findings.some((f) => f.severity === 'critical')) return 'critical';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return coverage.unknownWhy !== null ? 'unknown' : 'healthy';
}
