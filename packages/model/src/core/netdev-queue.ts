/**
 * `struct netdev_queue` state bits and the helpers that set and test them
 * (include/linux/netdevice.h, net/core/dev.c, net/sched/sch_generic.c; spec §C).
 *
 * The model does not own a qdisc: every helper that would call `__netif_schedule(txq->qdisc)`
 * returns true instead, and the caller (the simulation) schedules the qdisc.
 */
import { Dql, type DqlStallEvent } from './dql.js';
import type { KernelBehaviour } from './kernel.js';

/** __QUEUE_STATE_DRV_XOFF: the driver stopped the queue (ring full). */
export const QUEUE_STATE_DRV_XOFF = 0x1;
/** __QUEUE_STATE_STACK_XOFF: BQL stopped the queue (dql_avail < 0). */
export const QUEUE_STATE_STACK_XOFF = 0x2;
/** __QUEUE_STATE_FROZEN: netif_tx_lock / the watchdog froze the queue. */
export const QUEUE_STATE_FROZEN = 0x4;
/** QUEUE_STATE_ANY_XOFF = DRV_XOFF | STACK_XOFF */
const QUEUE_STATE_ANY_XOFF = QUEUE_STATE_DRV_XOFF | QUEUE_STATE_STACK_XOFF;
/** QUEUE_STATE_ANY_XOFF_OR_FROZEN */
const QUEUE_STATE_ANY_XOFF_OR_FROZEN = QUEUE_STATE_ANY_XOFF | QUEUE_STATE_FROZEN;
/** QUEUE_STATE_DRV_XOFF_OR_FROZEN */
const QUEUE_STATE_DRV_XOFF_OR_FROZEN = QUEUE_STATE_DRV_XOFF | QUEUE_STATE_FROZEN;

export interface NetdevQueueOptions {
  /** the driver uses BQL (calls netdev_tx_sent/completed_queue); default true */
  bql?: boolean;
  /** dql_init hold time; the netdev core passes HZ (default: `hz`, else 1000) */
  holdTimeJiffies?: number;
  /** HZ, used for the default hold time */
  hz?: number;
  /** jiffies at creation (dql_init's slack_start_time / last_reap); default 0 */
  jiffies?: number;
}

/** Result of netdev_tx_completed_queue; one reused object per queue (valid until the next call). */
export interface TxCompletedResult {
  /** netif_schedule_queue() would call __netif_schedule(txq->qdisc) */
  reschedule: boolean;
  /** napi:dql_stall_detected arguments, if this completion detected a stall */
  stall: DqlStallEvent | null;
}

export class NetdevQueue {
  readonly index: number;
  /** txq->state: QUEUE_STATE_* bits */
  state = 0;
  /**
   * txq->trans_start (jiffies). 0 at creation, as transition_one_qdisc() leaves it when
   * dev_activate() runs; dev_activate then refreshes only queue 0 (netif_trans_update).
   */
  transStart = 0;
  /** txq->trans_timeout: watchdog hits on this queue (sysfs tx_timeout) */
  transTimeout = 0;
  /** txq->dql; null when the driver does not use BQL */
  dql: Dql | null;
  readonly kernel: KernelBehaviour;
  /** reused by netdevTxCompletedQueue so that the hot path does not allocate */
  readonly completedResult: TxCompletedResult = { reschedule: false, stall: null };

  constructor(index: number, kernel: KernelBehaviour, opts: NetdevQueueOptions = {}) {
    this.index = index;
    this.kernel = kernel;
    if (opts.bql ?? true) {
      this.dql = new Dql(kernel);
      // netdev_init_one_queue: dql_init(&queue->dql, HZ)
      this.dql.init(opts.holdTimeJiffies ?? opts.hz ?? 1000, opts.jiffies ?? 0);
    } else {
      this.dql = null;
    }
  }

  /** netif_tx_queue_stopped: DRV_XOFF. */
  txqStopped(): boolean {
    return (this.state & QUEUE_STATE_DRV_XOFF) !== 0;
  }

  /** netif_xmit_stopped: DRV_XOFF | STACK_XOFF (what dev_watchdog tests; FROZEN does not count). */
  xmitStopped(): boolean {
    return (this.state & QUEUE_STATE_ANY_XOFF) !== 0;
  }

  /** netif_xmit_frozen_or_stopped: any of the three bits (what the qdisc path tests). */
  xmitFrozenOrStopped(): boolean {
    return (this.state & QUEUE_STATE_ANY_XOFF_OR_FROZEN) !== 0;
  }

  /** netif_xmit_frozen_or_drv_stopped: DRV_XOFF | FROZEN. */
  xmitFrozenOrDrvStopped(): boolean {
    return (this.state & QUEUE_STATE_DRV_XOFF_OR_FROZEN) !== 0;
  }

  /**
   * netif_tx_stop_queue (§C). 6.x (95ecba62e2fd and backports): trans_start = jiffies first,
   * so a freshly stopped queue gets a full watchdog period. 5.15: only sets DRV_XOFF.
   */
  stop(jiffies: number): void {
    if (this.kernel.transStartOnStop) this.transStart = jiffies;
    this.state |= QUEUE_STATE_DRV_XOFF;
  }

  /**
   * netif_tx_wake_queue (§C): test_and_clear DRV_XOFF; returns true (caller must
   * __netif_schedule the qdisc) only if it was set.
   */
  wake(): boolean {
    const wasStopped = (this.state & QUEUE_STATE_DRV_XOFF) !== 0;
    this.state &= ~QUEUE_STATE_DRV_XOFF;
    return wasStopped;
  }

  /** netif_tx_start_queue (§C): clear DRV_XOFF without scheduling the qdisc. */
  start(): void {
    this.state &= ~QUEUE_STATE_DRV_XOFF;
  }

  /**
   * netif_schedule_queue (§C): true when __netif_schedule(txq->qdisc) would run, i.e. the
   * queue is not DRV_XOFF/STACK_XOFF (FROZEN does not prevent it).
   */
  scheduleQueue(): boolean {
    return !this.xmitStopped();
  }

  /** netif_freeze_queues, per queue (§C): set FROZEN (under the txq xmit lock). */
  freeze(): void {
    this.state |= QUEUE_STATE_FROZEN;
  }

  /**
   * netif_unfreeze_queues / netif_tx_unlock, per queue (§C): clear FROZEN, then
   * netif_schedule_queue. Returns true when the qdisc must be scheduled.
   */
  unfreeze(): boolean {
    this.state &= ~QUEUE_STATE_FROZEN;
    return this.scheduleQueue();
  }

  /**
   * txq_trans_update (§C): called from netdev_start_xmit on NETDEV_TX_OK; writes trans_start
   * only when the txq xmit lock is held (xmit_lock_owner != -1), so lltx drivers skip it.
   */
  transUpdate(jiffies: number, xmitLockHeld = true): void {
    if (xmitLockHeld) this.transStart = jiffies;
  }

  /** txq_trans_cond_update / netif_trans_update (§C): what lltx or legacy drivers call themselves. */
  transCondUpdate(jiffies: number): void {
    if (this.transStart !== jiffies) this.transStart = jiffies;
  }
}

/** netif_tx_stop_all_queues. */
function netifTxStopAllQueues(queues: readonly NetdevQueue[], jiffies: number): void {
  for (const q of queues) q.stop(jiffies);
}

/**
 * netif_freeze_queues / netif_tx_lock (§C): FROZEN on every queue.
 */
export function netifFreezeQueues(queues: readonly NetdevQueue[]): void {
  for (const q of queues) q.freeze();
}

/**
 * netif_unfreeze_queues / netif_tx_unlock (§C): clear FROZEN on every queue and
 * netif_schedule_queue each. Returns the indexes of the queues whose qdisc must be scheduled.
 */
export function netifUnfreezeQueues(queues: readonly NetdevQueue[]): number[] {
  const scheduled: number[] = [];
  for (const q of queues) if (q.unfreeze()) scheduled.push(q.index);
  return scheduled;
}
