/**
 * BQL glue: the netdev_tx_*_queue helpers of include/linux/netdevice.h (spec §B).
 * A queue whose driver does not use BQL has `txq.dql === null`: the helpers do nothing,
 * as they would for a driver that never calls them (its dql stays at avail 0).
 */
import { NetdevQueue, QUEUE_STATE_STACK_XOFF, type TxCompletedResult } from './netdev-queue.js';

/**
 * netdev_tx_sent_queue (§B): dql_queued; if now over the limit, (6.x) trans_start = jiffies,
 * set STACK_XOFF, then re-check dql_avail and clear STACK_XOFF again if room appeared (in the
 * kernel another CPU may have completed in between). `raceWindow`, if given, runs between the
 * set_bit and the re-check, to model that other CPU (e.g. a concurrent TX completion).
 */
export function netdevTxSentQueue(
  txq: NetdevQueue,
  bytes: number,
  jiffies: number,
  raceWindow?: (txq: NetdevQueue) => void,
): void {
  const dql = txq.dql;
  if (dql === null) return;
  dql.queued(bytes, jiffies);
  if (dql.avail() >= 0) return;
  if (txq.kernel.transStartOnStop) txq.transStart = jiffies;
  txq.state |= QUEUE_STATE_STACK_XOFF;
  // smp_mb(): what another CPU does here (e.g. a TX completion) is visible to the re-check.
  if (raceWindow !== undefined) raceWindow(txq);
  if (dql.avail() >= 0) txq.state &= ~QUEUE_STATE_STACK_XOFF;
}

/**
 * __netdev_tx_sent_queue (§B), the xmit_more variant: with xmit_more only dql_queued, and
 * STACK_XOFF is not evaluated; returns netif_tx_queue_stopped (DRV_XOFF). Without xmit_more:
 * netdev_tx_sent_queue and return true. The result means "ring the doorbell now".
 */
export function netdevTxSentQueueMore(txq: NetdevQueue, bytes: number, xmitMore: boolean, jiffies: number): boolean {
  if (xmitMore) {
    if (txq.dql !== null) txq.dql.queued(bytes, jiffies);
    return txq.txqStopped();
  }
  netdevTxSentQueue(txq, bytes, jiffies);
  return true;
}

/**
 * netdev_tx_completed_queue (§B): bytes == 0 → return at once (no dql_completed, so no stall
 * check either). Otherwise dql_completed; if dql_avail < 0 return; if STACK_XOFF was set,
 * clear it and netif_schedule_queue (reschedule unless DRV_XOFF is still set).
 * The returned object is reused per queue: read it before the next call on the same queue.
 */
export function netdevTxCompletedQueue(
  txq: NetdevQueue,
  pkts: number,
  bytes: number,
  jiffies: number,
): TxCompletedResult {
  void pkts; // the kernel ignores pkts too
  const r = txq.completedResult;
  r.reschedule = false;
  r.stall = null;
  const dql = txq.dql;
  if (dql === null || bytes === 0) return r;
  r.stall = dql.completed(bytes, jiffies);
  if (dql.avail() < 0) return r;
  if ((txq.state & QUEUE_STATE_STACK_XOFF) !== 0) {
    txq.state &= ~QUEUE_STATE_STACK_XOFF;
    r.reschedule = txq.scheduleQueue();
  }
  return r;
}

/** netdev_tx_reset_queue (§B): clear STACK_XOFF, then dql_reset. */
export function netdevTxResetQueue(txq: NetdevQueue, jiffies: number): void {
  if (txq.dql === null) return;
  txq.state &= ~QUEUE_STATE_STACK_XOFF;
  txq.dql.reset(jiffies);
}

/** netdev_queue_dql_avail (§B, sch_generic.h): dql_avail, or 0 for a driver without BQL. */
export function netdevQueueDqlAvail(txq: NetdevQueue): number {
  return txq.dql === null ? 0 : txq.dql.avail();
}
