export * from './disciplines.js';
export * from './qdisc.js';
export * from './skb-fifo.js';
export * from './tbf.js';
export * from './fq-codel.js';
