/**
 * The event kinds the per-event pass tells apart, the txq->state bits it reads (§C) and the drop-reason
 * classes of kfree_skb (§D.3, §H.1).
 */
export const K = {
  other: 0,
  netDevQueue: 1,
  startXmit: 2,
  xmit: 3,
  xmitTimeout: 4,
  enqueue: 5,
  dequeue: 6,
  napiPoll: 7,
  dqlStall: 8,
  consume: 9,
  kfree: 10,
  lost: 11,
} as const;

export const EVENT_KIND: Record<string, number> = {
  'net:net_dev_queue': K.netDevQueue,
  'net:net_dev_start_xmit': K.startXmit,
  'net:net_dev_xmit': K.xmit,
  'net:net_dev_xmit_timeout': K.xmitTimeout,
  'qdisc:qdisc_enqueue': K.enqueue,
  'qdisc:qdisc_dequeue': K.dequeue,
  'napi:napi_poll': K.napiPoll,
  'napi:dql_stall_detected': K.dqlStall,
  'skb:consume_skb': K.consume,
  'skb:kfree_skb': K.kfree,
  'txreplay:lost_events': K.lost,
};

/** txq->state bits (§C). */
export const DRV_XOFF = 0x1;
export const STACK_XOFF = 0x2;
export const FROZEN = 0x4;
export const NETDEV_TX_BUSY = 16;
/** __qdisc_run's quota: dev_weight (64) * dev_weight_tx_bias (1) packets per run by default (§D.4) */
export const DEV_TX_WEIGHT = 64;
/**
 * The longest bulk list a bounded try_bulk_dequeue_skb hands over: the first skb plus `if (++cnt >= budget) break`
 * extra ones, budget being the run's remaining quota (§D.4): 1 + dev_tx_weight
 */
export const MAX_BULK_PACKETS = DEV_TX_WEIGHT + 1;
export const TC_H_ROOT = 0xffffffff;

export type StateName = 'DRV_XOFF' | 'STACK_XOFF' | 'FROZEN';
export const BIT_NAMES: [number, StateName][] = [
  [DRV_XOFF, 'DRV_XOFF'],
  [STACK_XOFF, 'STACK_XOFF'],
  [FROZEN, 'FROZEN'],
];

/** Drop reasons that mean "the qdisc refused or discarded the packet" (§D.3). */
export const REASON_OTHER = 0;
export const REASON_QDISC = 1;
/** a number (bpftrace prints enum skb_drop_reason as a number; the numbering changes between kernels, §H.1) */
export const REASON_NUMERIC = 2;
/** the neighbour layer dropped it before any qdisc (NEIGH_QUEUEFULL, NEIGH_CREATEFAIL, NEIGH_FAILED, NEIGH_DEAD) */
export const REASON_NEIGH = 3;
/**
 * a device driver dropped it while handing it on, not the qdisc: FULL_RING (tun_net_xmit, tap_handle_frame: the ring
 * to the reader is full). Not DEV_READY: enqueue_to_backlog() gives it too when a veth peer is down, which
 * net_dev_xmit rc=1 already tells (peer_down)
 */
export const REASON_DEVICE = 4;
const DEVICE_DROP_REASONS = new Set(['FULL_RING']);
export function reasonClass(r: string): number {
  if (/^\d+$/.test(r)) return REASON_NUMERIC;
  if (r.startsWith('NEIGH_')) return REASON_NEIGH;
  if (DEVICE_DROP_REASONS.has(r)) return REASON_DEVICE;
  return isQdiscDropReason(r) ? REASON_QDISC : REASON_OTHER;
}
function isQdiscDropReason(r: string): boolean {
  return r.startsWith('QDISC_') || r.startsWith('FQ_') || r.startsWith('CAKE_') || r === 'TC_EGRESS';
}
