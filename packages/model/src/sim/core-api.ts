/**
 * The simulation's single import point for the model-core primitives (DQL §A, netdev_queue state §C, BQL glue §B,
 * dev_watchdog §E, kernel-version behaviour). sim/ imports these names from here.
 */
export { type KernelBehaviour, kernelBehaviour } from '../core/kernel.js';
export { type DqlStallEvent } from '../core/dql.js';
export { NetdevQueue } from '../core/netdev-queue.js';
export { netdevQueueDqlAvail } from '../core/bql.js';
export { devWatchdogRun, netdevWatchdogUp, devActivateTransStart, roundJiffies } from '../core/watchdog.js';
export { msecsToJiffies } from '../core/jiffies.js';
