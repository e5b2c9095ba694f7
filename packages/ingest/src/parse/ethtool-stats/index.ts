export { looksLikeNicStats, readNicStats, type NicStatsRead, type NicStatsSnapshot } from './read.js';
