export * from './simulator.js';
export * from './trace-event.js';
export * from './prng.js';
export * from './event-heap.js';
export * from './skb-pool.js';
