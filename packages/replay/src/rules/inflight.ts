/**
 * In-flight data that never completes while the queue is not (seen) stopped (§I.1/§I.2/§I.11): the facts
 * doorbell_not_rung, lost_interrupt and stuck_dma read for a queue's last transmits. Only for devices with
 * their own NAPI: veth/GRO frees many skbs without a traced free.
 */
import { K } from '../observe/kinds.js';
import { lowerBound } from '../input/growable.js';
import { txIrqOnlyAfterTransmit } from '../profile.js';
import { sumIn, type QueueCtx } from './context.js';

/** share of a queue's earlier transmits whose free the trace must show before missing frees mean anything */
const MIN_TRACED_COMPLETIONS = 0.9;

export interface InflightFacts {
  haveFrees: boolean;
  /** the first transmit after the last completion (or its stand-in) */
  fromRel: number;
  dur: number;
  xmitsAfter: number;
  polls: number;
  burstNs: number;
  /** one back-to-back burst, nothing after, never stopped, completions before: the doorbell case (§I.11) */
  doorbell: boolean;
  /** long enough and more than one packet: a stall */
  stalled: boolean;
}

/** null when the queue has no uncompleted transmits at the end, or a stall finding already covers it. */
export function inflightFacts(c: QueueCtx): InflightFacts | null {
  const { o, opt, d, q, prof, peerDriven, pollLists, stallFindings } = c;
  // Completion evidence: frees of transmitted skbs; without skb:consume_skb/kfree_skb in the trace, the
  // device's NAPI polls stand in for them (a poll is where TX completions run, §F).
  const haveFrees = o.kindCounts[K.consume]! + o.kindCounts[K.kfree]! > 0;
  const proxy = haveFrees ? q.completionTs : d.napiPollTs;
  // without frees, NAPI silence alone is weak (an RX-only NAPI says nothing about TX): require the
  // watchdog's corroboration (a timeout on this device) before calling it a stall
  const corroborated = haveFrees ? q.inflightPackets > 0 : d.timeoutRows.length > 0;
  if (peerDriven || stallFindings.length > 0 || q.xmitTs.length === 0 || !corroborated) return null;
  const lastComp = proxy.length > 0 ? proxy.last() : -Infinity;
  const k = lowerBound(q.xmitTs, lastComp);
  if (k >= q.xmitTs.length) return null;
  // frees are completion evidence only where the trace shows them for this queue's transmits: on a veth whose
  // peer delivers to a socket (no GRO, backlog NAPI) most skbs are freed with no tracepoint
  // (__consume_stateless_skb); there the missing frees of the last transmits say nothing (cannot judge)
  if (haveFrees && q.completions < MIN_TRACED_COMPLETIONS * Math.max(k, 1)) return null;
  const fromRel = q.xmitTs.get(k);
  const dur = o.lastRel - fromRel;
  const xmitsAfter = q.xmitTs.length - k;
  const polls = sumIn(pollLists, fromRel, o.lastRel + 1);
  // §I.11: the stuck packets are ONE back-to-back burst (a bulk dequeue's xmit_more chain: the driver
  // posts each descriptor and rings the doorbell only for the last), nothing was transmitted after
  // it, the queue was never stopped, and completions ran before (interrupts and cleaning worked)
  const burstNs = q.xmitTs.last() - fromRel;
  // a stop that ended by the burst is the wake that released it (a BQL or ring wake hands the qdisc backlog to one
  // bulk dequeue, §D.4): only a stop still open at the burst, or one after it, means the queue was stopped
  const queueStopped = q.intervals.some(
    (iv) => iv.state !== 'FROZEN' && iv.startRel >= fromRel - 1e6 && !(iv.endRel <= fromRel),
  );
  const doorbell =
    haveFrees && lastComp > -Infinity && burstNs <= 1e6 && !queueStopped && !txIrqOnlyAfterTransmit(prof.driver);
  const stalled = dur >= opt.stallNs && xmitsAfter >= 2;
  return { haveFrees, fromRel, dur, xmitsAfter, polls, burstNs, doorbell, stalled };
}
