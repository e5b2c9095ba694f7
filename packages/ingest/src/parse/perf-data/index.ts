export { readPerfData, type PerfDataOptions } from './reader.js';
