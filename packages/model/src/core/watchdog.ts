/**
 * TX watchdog: dev_watchdog (net/sched/sch_generic.c; spec §E) as pure decision functions,
 * plus the helper that applies a decision to the queues.
 */
import { jiffiesToMsecs, timeAfter } from './jiffies.js';
import type { KernelBehaviour } from './kernel.js';
import { netifFreezeQueues, netifUnfreezeQueues, type NetdevQueue } from './netdev-queue.js';

export interface WatchdogCheck {
  /** index of the first queue that timed out (the scan stops there), or null */
  timedOutQueue: number | null;
  /** jiffies_to_msecs(jiffies - trans_start) of that queue (0 if none) */
  timedOutMs: number;
  /**
   * jiffies of the next timer expiry, or null when the timer is NOT re-armed: the kernel only
   * calls mod_timer inside the "qdisc not noop && present && running && carrier ok" branch, so
   * with the carrier down the watchdog stays off until netif_carrier_on → __netdev_watchdog_up.
   */
  nextFireJiffies: number | null;
}

/**
 * round_jiffies (kernel/time/timer.c, round_jiffies_common with force_up = false).
 * Skews by 3 jiffies per CPU number, rounds to a whole second of absolute jiffies — DOWN when
 * the remainder is below HZ/4, otherwise UP — removes the skew, and returns the unrounded value
 * if the rounded one is not in the future (only checked when `nowJiffies` is given).
 */
export function roundJiffies(j: number, hz: number, nowJiffies?: number, cpu = 0): number {
  const original = j;
  let r = j + cpu * 3;
  const rem = r % hz;
  if (rem < Math.floor(hz / 4)) r = r - rem;
  else r = r - rem + hz;
  r -= cpu * 3;
  if (nowJiffies !== undefined && !timeAfter(r, nowJiffies)) return original; // time_is_after_jiffies(j)
  return r;
}

/**
 * __netdev_watchdog_up (§E): only drivers with ndo_tx_timeout get a watchdog (macb has none).
 * watchdog_timeo <= 0 becomes 5*HZ. Returns the first expiry round_jiffies(jiffies + timeo),
 * or null when no watchdog is armed. (mod_timer on a pending timer moves it: netif_carrier_on
 * calls this again.)
 */
export function netdevWatchdogUp(
  jiffies: number,
  watchdogTimeoJiffies: number,
  hz: number,
  hasNdoTxTimeout: boolean,
  cpu = 0,
): number | null {
  if (!hasNdoTxTimeout) return null;
  const timeo = watchdogTimeoJiffies <= 0 ? 5 * hz : watchdogTimeoJiffies;
  return roundJiffies(jiffies + timeo, hz, jiffies, cpu);
}

/**
 * dev_activate's effect on trans_start (§C): transition_one_qdisc writes trans_start = 0 on
 * every TX queue, then netif_trans_update(dev) refreshes queue 0 only.
 */
export function devActivateTransStart(queues: readonly NetdevQueue[], jiffies: number): void {
  for (const q of queues) q.transStart = 0;
  const q0 = queues[0];
  if (q0 !== undefined) q0.transCondUpdate(jiffies);
}

/**
 * The decision of one dev_watchdog run (§E), without side effects.
 * For each queue in order: skip it unless netif_xmit_stopped (DRV_XOFF or STACK_XOFF; FROZEN
 * alone does not count); time out if time_after(jiffies, trans_start + watchdog_timeo) and stop
 * the scan at the first such queue. 6.10+ (and backports) re-arm at
 * round_jiffies(oldest_start + timeo), where oldest_start is the oldest trans_start among the
 * stopped queues scanned BEFORE the timed-out one (or now); older kernels at round_jiffies(jiffies + timeo).
 */
export function devWatchdogCheck(
  queues: readonly NetdevQueue[],
  jiffies: number,
  watchdogTimeoJiffies: number,
  hz: number,
  kernel: KernelBehaviour,
  carrierOk = true,
  cpu = 0,
): WatchdogCheck {
  if (!carrierOk) return { timedOutQueue: null, timedOutMs: 0, nextFireJiffies: null };
  let timedOutQueue: number | null = null;
  let timedOutMs = 0;
  let oldestStart = jiffies;
  for (let i = 0; i < queues.length; i++) {
    const txq = queues[i] as NetdevQueue;
    if (!txq.xmitStopped()) continue;
    const transStart = txq.transStart;
    if (timeAfter(jiffies, transStart + watchdogTimeoJiffies)) {
      timedOutQueue = i;
      timedOutMs = jiffiesToMsecs(jiffies - transStart, hz);
      break;
    }
    if (timeAfter(oldestStart, transStart)) oldestStart = transStart;
  }
  const base = kernel.watchdogRearm === 'oldest_start' ? oldestStart : jiffies;
  return { timedOutQueue, timedOutMs, nextFireJiffies: roundJiffies(base + watchdogTimeoJiffies, hz, jiffies, cpu) };
}

export interface WatchdogRun extends WatchdogCheck {
  /**
   * whether the kernel takes the timeout branch: 6.x tests `timedout_ms != 0` (a u32 that could
   * in theory wrap to 0), ≤ 5.15 a separate flag. trans_timeout is incremented either way.
   */
  timeoutHandled: boolean;
  /** queues whose qdisc the unfreeze / netif_tx_unlock schedules (netif_schedule_queue) */
  scheduledQueues: number[];
}

/**
 * One dev_watchdog run with its side effects (§E): trans_timeout++ on the timed-out queue;
 * then, 6.9+: netif_freeze_queues → ndo_tx_timeout → netif_unfreeze_queues (schedules every
 * queue) only when a queue timed out; ≤ 6.8: the whole run is under netif_tx_lock, so every queue
 * is FROZEN during the scan and ndo_tx_timeout, and netif_tx_unlock schedules every queue on
 * EVERY run, timeout or not. The caller emits net_dev_xmit_timeout and the log line when
 * `timeoutHandled`, and arms the timer at `nextFireJiffies`.
 */
export function devWatchdogRun(
  queues: readonly NetdevQueue[],
  jiffies: number,
  watchdogTimeoJiffies: number,
  hz: number,
  kernel: KernelBehaviour,
  opts: { carrierOk?: boolean; cpu?: number; ndoTxTimeout?: (queue: number) => void } = {},
): WatchdogRun {
  const lockAll = kernel.watchdogFreezesAllQueues;
  if (lockAll) netifFreezeQueues(queues); // netif_tx_lock
  const check = devWatchdogCheck(
    queues,
    jiffies,
    watchdogTimeoJiffies,
    hz,
    kernel,
    opts.carrierOk ?? true,
    opts.cpu ?? 0,
  );
  let timeoutHandled = false;
  let scheduledQueues: number[] = [];
  if (check.timedOutQueue !== null) {
    const txq = queues[check.timedOutQueue] as NetdevQueue;
    txq.transTimeout++;
    timeoutHandled = lockAll ? true : check.timedOutMs !== 0;
    if (timeoutHandled) {
      if (!lockAll) netifFreezeQueues(queues);
      opts.ndoTxTimeout?.(check.timedOutQueue);
      if (!lockAll) scheduledQueues = netifUnfreezeQueues(queues);
    }
  }
  if (lockAll) scheduledQueues = netifUnfreezeQueues(queues); // netif_tx_unlock
  return { ...check, timeoutHandled, scheduledQueues };
}

/**
 * The kernel log line of a watchdog hit (§E), without the netdev_crit/WARN prefix.
 * 'warn_once' forms print only once per boot (the caller tracks that).
 */
export function watchdogLogLine(
  kernel: KernelBehaviour,
  devName: string,
  driver: string,
  queue: number,
  timedOutMs: number,
  cpu = 0,
): string {
  switch (kernel.watchdogLog) {
    case 'netdev_crit_ms':
      return `NETDEV WATCHDOG: CPU: ${cpu}: transmit queue ${queue} timed out ${timedOutMs} ms`;
    case 'warn_once_ms':
      return `NETDEV WATCHDOG: ${devName} (${driver}): transmit queue ${queue} timed out ${timedOutMs} ms`;
    case 'warn_once':
      return `NETDEV WATCHDOG: ${devName} (${driver}): transmit queue ${queue} timed out`;
  }
}
