/**
 * `@txreplay/report/bulk-start`: what `txreplay bulk` needs before its store is open — its inputs and its worker
 * threads — without loading the store (chDB's engine library, the HTTP client): the threads' start-up then overlaps
 * the main thread's loading and opening of the store.
 */
export { expandInputs } from './inputs.js';
export { replayThreads, startBulkThreads } from './bulk-threads.js';
export { resolveStoreConfig } from '../config.js';
