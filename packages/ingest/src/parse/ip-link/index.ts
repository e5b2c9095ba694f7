export { looksLikeLinkStats, readLinkStats, type LinkStatsRead, type LinkStatsSnapshot } from './read.js';
export { looksLikeIfconfig, readIfconfig } from './ifconfig.js';
export { looksLikeProcNetDev, readProcNetDev } from './proc-net-dev.js';
export { looksLikeNetstatInterfaces, readNetstatInterfaces } from './netstat-interfaces.js';
export { looksLikeSysfsStatistics, readSysfsStatistics } from './sysfs-statistics.js';
