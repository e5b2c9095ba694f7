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
];

/** `enum skb_drop_reason` names used by the model (§H.1: always by name, numbers vary by kernel) */
export const DropReason = {
  NOT_SPECIFIED: 0,
  QDISC_DROP: 1,
  FULL_RING: 2,
  DEV_READY: 3,
} as const;
export const DROP_REASON_NAMES: readonly string[] = ['NOT_SPECIFIED', 'QDISC_DROP', 'FULL_RING', 'DEV_READY'];

/**
 * Free locations (`%pS` without size, as perf prints them). Offsets are plausible constants, not from a real build:
 * consumers must match on the symbol, never on the offset.
 */
export const FreeLocation = {
  devQueueXmit: 0, // qdisc drop, noqueue refusal: __dev_queue_xmit (§D.2)
  igbCleanTxIrq: 1, // napi_consume_skb from igb_clean_tx_irq (§G.1)
  igbCleanTxRing: 2, // reset: igb_clean_tx_ring (§E driver reactions)
  macbTxComplete: 3, // macb_tx_complete (§G.2)
  freeOldXmit: 4, // virtio_net free_old_xmit (§G.3)
  genericClean: 5,
  netTxAction: 6, // completion_queue frees (§D.5)
  qdiscReset: 7, // qdisc backlog flushed on deactivate
  vethXmit: 8, // veth_xmit drop on a full peer ring with noqueue
  vethRcv: 9, // the peer's receive path frees what veth_poll delivered
  fqCodelDequeue: 10, // CoDel drop at dequeue (drop_func)
} as const;
export const FREE_LOCATION_NAMES: readonly string[] = [
  '__dev_queue_xmit+0xdd1',
  'igb_clean_tx_irq+0x1a4',
  'igb_clean_tx_ring+0x9c',
  'macb_tx_complete+0x178',
  'free_old_xmit+0x8f',
  'drv_clean_tx+0x64',
  'net_tx_action+0x1b2',
  '__qdisc_reset_queue+0x3e',
  'veth_xmit+0x1c5',
  'skb_consume_udp+0x35',
  'fq_codel_dequeue+0x2b4',
];

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
}

export type TraceConsumer = (ev: SimTraceEvent) => void;

/** kfree/consume events are per skb; this maps skb id → a kernel-looking skbaddr, split in two 32-bit halves for printing */
export const SKBADDR_HI = 0xffff8881;
export const SKBADDR_LO_BASE = 0x02000000;
export function skbaddrLo(skb: number): number {
  return (SKBADDR_LO_BASE + skb * 0x100) >>> 0;
}
