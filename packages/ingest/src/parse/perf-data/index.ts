export { readPerfData, type PerfDataOptions } from './reader.js';
export { perfEndian } from './header.js';
