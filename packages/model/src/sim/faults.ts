/**
 * Switchable faults that real post-mortems see (§I). Each is applied to one device (and one queue, or all queues)
 * from `startMs` for `durationMs` (absent = until the end of the run).
 *
 * - `lost_irq` (§I.1): a TX completion interrupt is raised but never delivered. The vector was auto-masked when it
 *   fired, so it stays masked: no NAPI poll, no clean, no wake, until an adapter reset re-enables interrupts. Every
 *   interrupt raised inside the window is lost; `count` limits how many.
 * - `dma_stuck` (§I.2, the macb "head stops moving" case): the hardware stops consuming descriptors; posted packets
 *   are never completed while the fault lasts.
 * - `lost_wakeup` (§I.4): the driver's netif_tx_wake_queue is skipped, so a stopped queue stays stopped while the
 *   ring drains.
 * - `tx_busy_while_awake` (§I.3): ndo_start_xmit returns NETDEV_TX_BUSY without stopping the queue → requeue,
 *   __netif_schedule, retry: a softirq spin.
 * - `frozen_never_unfrozen` (§I.7): __QUEUE_STATE_FROZEN set and never cleared; the qdisc fills and drops: ENOBUFS
 *   where the qdisc returns NET_XMIT_DROP (pfifo, pfifo_fast, bfifo, tbf); fq_codel drops a batch from its fattest
 *   flow and returns NET_XMIT_CN or SUCCESS, which net_xmit_errno() does not turn into ENOBUFS (§D.3, §D.6).
 * - `link_down`: carrier off. The hardware stops transmitting; the watchdog does not check (no carrier, §E).
 * - `macb_tx_error` (§G.2 TX error path, §I.5, §I.8): at `startMs` the controller reports TUND/RLE/TXERR, halts
 *   and aborts the frame in progress; `macb_tx_error_task` runs `resetDelayMs` later: stop all queues, count the
 *   completed frames, discard the rest, `tx_head = tx_tail = 0`, start (not wake) all queues. With BQL (6.15+)
 *   the discarded bytes are never reported: DQL inflight stays inflated. One-shot (`durationMs` ignored).
 * - `lost_tstart` (§G.2 known problem 1, the TXUBR race): a macb TSTART written while the controller is still
 *   transmitting is ignored; the controller stops at the end of what it had, raises TXUBR, and the poll's
 *   `macb_tx_restart` re-kicks it (head != tail and TBQP != head).
 * - `peer_down` (veth only, one-shot): the peer is set down. veth_close(peer) deletes its rq NAPI
 *   (veth_napi_del_range: ptr_ring_cleanup frees the unconsumed skbs, a stale txq stop is woken), and from then on
 *   veth_xmit → veth_forward_skb → netif_rx → enqueue_to_backlog drops every skb (DEV_READY) and returns
 *   NET_XMIT_DROP (net_dev_xmit rc=1), as in the real capture shared/traces/veth-peer-down. The linkwatch
 *   deactivation of the sender's qdisc that follows (carrier off) is not modelled.
 * - `qdisc_run_missed` (§D.2, the lockless pfifo_fast race of 4.16–5.13, fixed in 5.14 by "net: sched: fix packet
 *   stuck problem for lockless qdisc"): `count` enqueues (default 1) inside the window lose qdisc_run_begin()'s
 *   trylock to a CPU that is finishing __qdisc_run and has already seen the qdisc empty: the skb stays in the qdisc,
 *   txq awake, until the next enqueue on that qdisc runs it. Only for pfifo_fast on a kernel before 5.14.
 * - `doorbell_skipped` (§I.11, one-shot): the first xmit_more burst that ends inside the window ends without its tail
 *   write (the driver returned after posting the last skb without ringing the doorbell, as drivers that key the kick
 *   on __netdev_tx_sent_queue / netdev_xmit_more alone can): the hardware never sees those descriptors until a later
 *   transmit rings it.
 * - `neigh_unresolved` (§D.3): the device's next hop stops answering ARP: ip_finish_output2 → neigh_output →
 *   __neigh_event_send queues the skbs on the INCOMPLETE entry's arp_queue (before __dev_queue_xmit: no
 *   net_dev_queue) and, over unres_qlen_bytes (212992, SK_WMEM_MAX, of skb truesize), drops the oldest with
 *   NEIGH_QUEUEFULL; the sender sees no error. At the window's end neigh_invalidate frees the queue (NEIGH_FAILED).
 * - `neigh_table_full` (§D.3): __neigh_create fails (the table is at gc_thresh3, nothing reclaimable): every skb of
 *   the device is freed in ip_finish_output2 with NEIGH_CREATEFAIL and the sender gets -ENOBUFS.
 * - `bql_completed_zero` (§I.5, §B): the driver's clean pass frees what the hardware completed but calls
 *   netdev_tx_completed_queue with 0 bytes (a driver that sums bytes it never filled in): the kernel returns at
 *   `if (!bytes)`, so DQL inflight never falls and STACK_XOFF, once set, is never cleared while the ring drains.
 * - `tracer_lost` (not a kernel fault: the tracer's): perf's ring buffer of `cpu` (absent: every CPU) is full for the
 *   window, so its events are lost; the first event the CPU writes after the window is preceded by perf's
 *   PERF_RECORD_LOST record with the count (perf_output_begin → perf_event_lost; `perf script --show-lost-events`
 *   prints `PERF_RECORD_LOST lost N`). The kernel itself ran unchanged.
 */
export type FaultKind =
  | 'lost_irq'
  | 'dma_stuck'
  | 'lost_wakeup'
  | 'tx_busy_while_awake'
  | 'frozen_never_unfrozen'
  | 'link_down'
  | 'macb_tx_error'
  | 'lost_tstart'
  | 'peer_down'
  | 'qdisc_run_missed'
  | 'doorbell_skipped'
  | 'neigh_unresolved'
  | 'neigh_table_full'
  | 'tracer_lost'
  | 'bql_completed_zero';

export const FAULT_KINDS: readonly FaultKind[] = [
  'lost_irq',
  'dma_stuck',
  'lost_wakeup',
  'tx_busy_while_awake',
  'frozen_never_unfrozen',
  'link_down',
  'macb_tx_error',
  'lost_tstart',
  'peer_down',
  'qdisc_run_missed',
  'doorbell_skipped',
  'neigh_unresolved',
  'neigh_table_full',
  'tracer_lost',
  'bql_completed_zero',
];

export interface FaultSpec {
  kind: FaultKind;
  /** device name (tracer_lost: optional, the loss is per CPU) */
  device?: string;
  /** TX queue index; absent = every queue of the device */
  queue?: number;
  startMs: number;
  /** absent = until the end of the run (frozen_never_unfrozen ignores it: never unfrozen) */
  durationMs?: number;
  /** lost_irq: how many interrupts to lose at most (absent = all in the window); qdisc_run_missed: skbs (default 1) */
  count?: number;
  /** tracer_lost: the CPU whose buffer overflows (absent = every CPU) */
  cpu?: number;
}
