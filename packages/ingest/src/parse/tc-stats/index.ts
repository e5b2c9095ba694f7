export { looksLikeTcStats, readTcStats } from './read.js';
export type { QdiscSnapshot, TcStatsRead } from './types.js';
