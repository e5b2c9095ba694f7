export * from './kernel.js';
export * from './jiffies.js';
export * from './dql.js';
export * from './netdev-queue.js';
export * from './bql.js';
export * from './watchdog.js';
