/**
 * perf.data constants (include/uapi/linux/perf_event.h, tools/perf/util/event.h, header.h).
 */

/** "PERFILE2" read as a little-endian u64 (tools/perf/util/header.c __perf_magic2). */
export const PERF_MAGIC2_LE = 0x32454c4946524550n;
/** The same bytes read big-endian: a file written on a big-endian host. */
export const PERF_MAGIC2_BE = 0x50455246494c4532n;

/** enum perf_event_sample_format */
export const SAMPLE = {
  IP: 1n << 0n,
  TID: 1n << 1n,
  TIME: 1n << 2n,
  ADDR: 1n << 3n,
  READ: 1n << 4n,
  CALLCHAIN: 1n << 5n,
  ID: 1n << 6n,
  CPU: 1n << 7n,
  PERIOD: 1n << 8n,
  STREAM_ID: 1n << 9n,
  RAW: 1n << 10n,
  IDENTIFIER: 1n << 16n,
} as const;

/** enum perf_event_read_format */
export const READ_FORMAT = {
  TOTAL_TIME_ENABLED: 1n << 0n,
  TOTAL_TIME_RUNNING: 1n << 1n,
  ID: 1n << 2n,
  GROUP: 1n << 3n,
  LOST: 1n << 4n,
} as const;

/** perf_event_attr.sample_id_all is bit 18 of the flags word (offset 40), counting bitfields from the LSB. */
export const ATTR_FLAG_SAMPLE_ID_BIT = 18n;
export const ATTR_FLAG_SAMPLE_ID_ALL = 1n << ATTR_FLAG_SAMPLE_ID_BIT;

/** Kernel record types (enum perf_event_type) and perf's user record types (enum perf_user_event_type). */
export const REC = {
  MMAP: 1,
  LOST: 2,
  COMM: 3,
  EXIT: 4,
  THROTTLE: 5,
  UNTHROTTLE: 6,
  FORK: 7,
  READ: 8,
  SAMPLE: 9,
  MMAP2: 10,
  AUX: 11,
  ITRACE_START: 12,
  LOST_SAMPLES: 13,
  SWITCH: 14,
  SWITCH_CPU_WIDE: 15,
  NAMESPACES: 16,
  KSYMBOL: 17,
  BPF_EVENT: 18,
  CGROUP: 19,
  TEXT_POKE: 20,
  AUX_OUTPUT_HW_ID: 21,
  HEADER_ATTR: 64,
  HEADER_EVENT_TYPE: 65,
  HEADER_TRACING_DATA: 66,
  HEADER_BUILD_ID: 67,
  FINISHED_ROUND: 68,
  ID_INDEX: 69,
  AUXTRACE_INFO: 70,
  AUXTRACE: 71,
  AUXTRACE_ERROR: 72,
  THREAD_MAP: 73,
  CPU_MAP: 74,
  STAT_CONFIG: 75,
  STAT: 76,
  STAT_ROUND: 77,
  EVENT_UPDATE: 78,
  TIME_CONV: 79,
  HEADER_FEATURE: 80,
  COMPRESSED: 81,
  FINISHED_INIT: 82,
  COMPRESSED2: 83,
} as const;

const NAMES = new Map<number, string>(Object.entries(REC).map(([k, v]) => [v, k]));
export function recordName(type: number): string {
  return NAMES.get(type) ?? `TYPE_${type}`;
}

/** Feature bits (enum HEADER_*, tools/perf/util/header.h). */
export const FEAT = {
  TRACING_DATA: 1,
  BUILD_ID: 2,
  HOSTNAME: 3,
  OSRELEASE: 4,
  VERSION: 5,
  ARCH: 6,
  NRCPUS: 7,
  CPUDESC: 8,
  CPUID: 9,
  TOTAL_MEM: 10,
  CMDLINE: 11,
  EVENT_DESC: 12,
  /** HEADER_CLOCK_DATA: u32 version, u32 clockid, u64 wall-clock ns, u64 clockid ns (write_clock_data()) */
  CLOCK_DATA: 29,
} as const;

/** perf_file_header: magic, size, attr_size, attrs/data/event_types sections, 256-bit feature bitmap. */
export const FILE_HEADER_SIZE = 104;
export const PIPE_HEADER_SIZE = 16;
