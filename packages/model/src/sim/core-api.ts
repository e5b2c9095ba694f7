/**
 * The simulation's single import point for the model-core primitives (DQL §A, netdev_queue state §C, BQL glue §B,
 * dev_watchdog §E, kernel-version behaviour). sim/ imports these names from here.
 */
export { type KernelBehaviour, kernelBehaviour } from '../core/kernel.js';
export { type DqlStallEvent, Dql } from '../core/dql.js';
export {
  NetdevQueue,
  QUEUE_STATE_DRV_XOFF,
  QUEUE_STATE_STACK_XOFF,
  QUEUE_STATE_FROZEN,
} from '../core/netdev-queue.js';
export {
  netdevTxSentQueue,
  netdevTxSentQueueMore,
  netdevTxCompletedQueue,
  netdevTxResetQueue,
  netdevQueueDqlAvail,
} from '../core/bql.js';
export { devWatchdogRun, netdevWatchdogUp, devActivateTransStart, roundJiffies } from '../core/watchdog.js';
export { msecsToJiffies } from '../core/jiffies.js';
