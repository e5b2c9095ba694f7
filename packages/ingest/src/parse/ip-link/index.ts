export { looksLikeLinkStats, readLinkStats, type LinkStatsRead, type LinkStatsSnapshot } from './read.js';
