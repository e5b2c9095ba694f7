/**
 * The normalized txreplay event schema: one row per trace event, whatever the source format.
 * This file and ./catalogue.ts (the columns) are the contract between ingest (writer), replay (reader) and report
 * (ClickHouse).
 * Documented for users in packages/ingest/README.md: keep the two in step.
 *
 * Conventions
 * - `null` means "the source did not carry this field", never "zero".
 * - `ts_ns` is exact (Int64 / bigint). Hosts up for months have stamps above 2^53.
 * - Pointers (`skbaddr`, `napi`) are Uint64 (bigint). ftrace prints `%p` hashed: a hashed value is
 *   not a kernel address, so rows carry `ptr_hashed = true` and hashed and raw pointers never compare equal
 *   across formats. A NULL pointer (`(nil)`, `0x0`, `0000000000000000`) is 0n, not null.
 * - `event` is always the canonical `subsystem:name` (e.g. `net:net_dev_xmit`), also for ftrace and
 *   trace-cmd, which print the bare name.
 * - Rows are in source-file order. Timestamps are NOT guaranteed monotonic (per-CPU buffers);
 *   consumers sort by (ts_ns, line).
 */

export { COLUMNS } from './catalogue.js';

/** Synthetic row that marks events the tracer itself lost (bpftrace `lost_events`, `Lost N events`). */
export const LOST_EVENTS_MARKER = 'txreplay:lost_events';

export type TraceFormat =
  | 'perf-script'
  | 'perf-trace'
  | 'ftrace'
  | 'trace-cmd'
  | 'bpftrace'
  | 'bpftrace-json'
  | 'arrow';

/** Keys written into the Arrow schema metadata (all values are strings; counts are decimal). */
export const META = {
  schemaVersion: 'txreplay.schema_version', // "1"
  sources: 'txreplay.sources', // JSON array of {path, format, kernel, lines, events, skipped, comments, lost}
  format: 'txreplay.format', // detected format of the first source
  kernel: 'txreplay.kernel', // kernel version when known ("" otherwise)
  lines: 'txreplay.lines',
  events: 'txreplay.events',
  skipped: 'txreplay.skipped',
  comments: 'txreplay.comments',
  lost: 'txreplay.lost_events',
  // the trace's own wall clock: JSON {wall_ns, trace_ns, source} (parse/wallClock.ts), "" when unknown
  wallClock: 'txreplay.wall_clock',
} as const;
export const SCHEMA_VERSION = '1';
