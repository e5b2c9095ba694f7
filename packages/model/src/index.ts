export * from './kernel.js';
export * from './jiffies.js';
export * from './dql.js';
export * from './netdev-queue.js';
export * from './bql.js';
export * from './watchdog.js';
// simulation (qdisc, driver rings, NAPI, faults, discrete-event core, perf-script writer)
export * from './qdisc/index.js';
export * from './driver/index.js';
export * from './napi.js';
export * from './faults.js';
export * from './scenario.js';
export * from './sim/index.js';
export * from './perf-script-writer.js';
