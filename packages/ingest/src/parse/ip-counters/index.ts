export {
  IP_SEND_COUNTERS,
  looksLikeIpCounters,
  readIpCounters,
  type IpCounterSnapshot,
  type IpCountersRead,
} from './read.js';
