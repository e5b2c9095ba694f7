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
 */
export type FaultKind =
  | 'lost_irq'
  | 'dma_stuck'
  | 'lost_wakeup'
  | 'tx_busy_while_awake'
  | 'frozen_never_unfrozen'
  | 'link_down'
  | 'macb_tx_error'
  | 'lost_tstart';

export const FAULT_KINDS: readonly FaultKind[] = [
  'lost_irq',
  'dma_stuck',
  'lost_wakeup',
  'tx_busy_while_awake',
  'frozen_never_unfrozen',
  'link_down',
  'macb_tx_error',
  'lost_tstart',
];

export interface FaultSpec {
  kind: FaultKind;
  /** device name */
  device: string;
  /** TX queue index; absent = every queue of the device */
  queue?: number;
  startMs: number;
  /** absent = until the end of the run (frozen_never_unfrozen ignores it: never unfrozen) */
  durationMs?: number;
  /** lost_irq: how many interrupts to lose at most (absent = all in the window) */
  count?: number;
}
