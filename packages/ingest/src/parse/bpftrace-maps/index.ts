/** bpftrace aggregates (maps, hist, lhist, stats) in text and `-f json` output: detection and reading. */
export type { BpftraceAggregate } from './types.js';
export { looksLikeBpftraceAggregates } from './detect.js';
export { readBpftraceAggregates } from './read.js';
