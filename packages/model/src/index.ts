export * from './kernel.js';
export * from './jiffies.js';
export * from './dql.js';
