/**
 * How the model names a freed skb: drop reasons and free locations, shared by the driver rings (core/driver)
 * and the simulator's trace events (sim/trace-event.ts).
 */
/** `enum skb_drop_reason` names used by the model (§H.1: always by name, numbers vary by kernel) */
export const DropReason = {
  NOT_SPECIFIED: 0,
  QDISC_DROP: 1,
  FULL_RING: 2,
  DEV_READY: 3,
  /** __neigh_event_send: the unresolved queue (arp_queue, unres_qlen_bytes) is full, its oldest skb is dropped */
  NEIGH_QUEUEFULL: 4,
  /** neigh_invalidate: resolution failed with skbs queued on the entry */
  NEIGH_FAILED: 5,
  /** ip_finish_output2: __neigh_create failed (table at gc_thresh3) */
  NEIGH_CREATEFAIL: 6,
  /** enqueue_to_backlog: the CPU's input_pkt_queue is over netdev_max_backlog */
  CPU_BACKLOG: 7,
} as const;
export const DROP_REASON_NAMES: readonly string[] = [
  'NOT_SPECIFIED',
  'QDISC_DROP',
  'FULL_RING',
  'DEV_READY',
  'NEIGH_QUEUEFULL',
  'NEIGH_FAILED',
  'NEIGH_CREATEFAIL',
  'CPU_BACKLOG',
];

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
  enqueueToBacklog: 11, // netif_rx into a device that is not running (veth peer down)
  vethNapiDelRange: 12, // veth_napi_del_range: ptr_ring_cleanup of the peer rq when its NAPI is deleted
  neighEventSend: 13, // __neigh_event_send: the unresolved queue's oldest skb (NEIGH_QUEUEFULL)
  neighInvalidate: 14, // neigh_invalidate: the queue of a FAILED entry (NEIGH_FAILED)
  ipFinishOutput2: 15, // ip_finish_output2: no neighbour entry could be created (NEIGH_CREATEFAIL)
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
  'enqueue_to_backlog+0x153',
  'veth_napi_del_range+0x130',
  '__neigh_event_send+0x1b8',
  'neigh_invalidate+0x8f',
  'ip_finish_output2+0x2f5',
];
