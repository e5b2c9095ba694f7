export * from './profiles.js';
export * from './tx-queue.js';
