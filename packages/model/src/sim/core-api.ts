/**
 * The simulation's single import point for the model-core primitives (DQL §A, netdev_queue state §C, BQL glue §B,
 * dev_watchdog §E, kernel-version behaviour). qdisc/, driver/ and sim/ import these names from here.
 */
export { type KernelBehaviour, kernelBehaviour } from '../kernel.js';
export { type DqlStallEvent, Dql } from '../dql.js';
export {
  NetdevQueue,
  QUEUE_STATE_DRV_XOFF,
  QUEUE_STATE_STACK_XOFF,
  QUEUE_STATE_FROZEN,
} from '../netdev-queue.js';
export {
  netdevTxSentQueue,
  netdevTxSentQueueMore,
  netdevTxCompletedQueue,
  netdevTxResetQueue,
  netdevQueueDqlAvail,
} from '../bql.js';
export { devWatchdogRun, netdevWatchdogUp, devActivateTransStart, roundJiffies } from '../watchdog.js';
export { msecsToJiffies } from '../jiffies.js';
