export { looksLikeQueueSysfs, readQueueSysfs, type QueueSysfsRead, type QueueSysfsSnapshot } from './read.js';
