/**
 * The tracepoints the simulator fires (§D.7, §E, §F, §A.5) and the one reusable record that carries them.
 * The hot path fills the same `SimTraceEvent` object for every event and hands it to the consumer callback:
 * no allocation per event. Consumers that keep events copy the fields (see `TraceColumns`).
 */
export const TraceKind = {
  netDevQueue: 0,
  qdiscEnqueue: 1,
  qdiscDequeue: 2,
  netDevStartXmit: 3,
  netDevXmit: 4,
  napiPoll: 5,
  consumeSkb: 6,
  kfreeSkb: 7,
  netDevXmitTimeout: 8,
  dqlStallDetected: 9,
  /** not a tracepoint: perf's PERF_RECORD_LOST record (the tracer_lost fault) */
  lostEvents: 10,
} as const;
export type TraceKindValue = (typeof TraceKind)[keyof typeof TraceKind];

/** `sys:event` names as perf prints them, indexed by TraceKind */
export const TRACE_EVENT_NAMES: readonly string[] = [
  'net:net_dev_queue',
  'qdisc:qdisc_enqueue',
  'qdisc:qdisc_dequeue',
  'net:net_dev_start_xmit',
  'net:net_dev_xmit',
  'napi:napi_poll',
  'skb:consume_skb',
  'skb:kfree_skb',
  'net:net_dev_xmit_timeout',
  'napi:dql_stall_detected',
  'PERF_RECORD_LOST',
];

export { DropReason, DROP_REASON_NAMES, FreeLocation, FREE_LOCATION_NAMES } from '../core/skb-free.js';

/** One emitted tracepoint. Field meaning depends on `kind`; unused fields keep stale values. */
export class SimTraceEvent {
  kind: TraceKindValue = 0;
  tsNs = 0;
  cpu = 0;
  /** index into the simulator's task table (comm + pid) */
  task = 0;
  /** device index in the scenario */
  dev = 0;
  /** TX queue index (net_dev_start_xmit queue_mapping, qdisc txq, timeout queue, napi queue) */
  queue = 0;
  /** skb id (skbaddr derived from it), -1 = NULL */
  skb = -1;
  lenBytes = 0;
  /** net_dev_xmit rc */
  rc = 0;
  /** qdisc_dequeue txq_state (§C bits) */
  txqState = 0;
  /** qdisc_dequeue packets */
  packets = 0;
  qdiscHandle = 0;
  qdiscParent = 0;
  /** napi_poll */
  work = 0;
  budget = 0;
  /** kfree_skb reason (DropReason), consume/kfree location (FreeLocation) */
  reason = 0;
  location = 0;
  /** L3 protocol (0x0800 IPv4) */
  protocol = 0x0800;
  /** dql_stall_detected: thrs, len, last_reap, hist_head, now, hist[0..3] */
  stallThrs = 0;
  stallLen = 0;
  stallLastReap = 0;
  stallHistHead = 0;
  stallNow = 0;
  readonly stallHist: bigint[] = [0n, 0n, 0n, 0n];
  /** lostEvents: events the tracer lost on this CPU */
  lost = 0;
}

export type TraceConsumer = (ev: SimTraceEvent) => void;

/** kfree/consume events are per skb; this maps skb id → a kernel-looking skbaddr, split in two 32-bit halves for printing */
export const SKBADDR_HI = 0xffff8881;
const SKBADDR_LO_BASE = 0x02000000;
export function skbaddrLo(skb: number): number {
  return (SKBADDR_LO_BASE + skb * 0x100) >>> 0;
}
