/**
 * The normalized txreplay event schema: one row per trace event, whatever the source format.
 * This file is the contract between ingest (writer), replay (reader) and report (ClickHouse).
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

/** Canonical names of the events txreplay models. Anything else is kept with `raw` text. */
export const TX_EVENTS = [
  'net:net_dev_queue',
  'net:net_dev_start_xmit',
  'net:net_dev_xmit',
  'net:net_dev_xmit_timeout',
  'qdisc:qdisc_enqueue',
  'qdisc:qdisc_dequeue',
  'napi:napi_poll',
  'napi:dql_stall_detected',
  'skb:consume_skb',
  'skb:kfree_skb',
] as const;
export type TxEventName = (typeof TX_EVENTS)[number];

/** Synthetic row that marks events the tracer itself lost (bpftrace `lost_events`, `Lost N events`). */
export const LOST_EVENTS_MARKER = 'txreplay:lost_events';

export type TraceFormat =
  | 'perf-script'
  | 'ftrace'
  | 'trace-cmd'
  | 'bpftrace'
  | 'bpftrace-json'
  | 'arrow';

/** Column names, in table order. */
export const COLUMNS = [
  'ts_ns', // Int64, ns (CLOCK_MONOTONIC / trace clock) — exact
  'cpu', // Int16 | null
  'pid', // Int32 | null
  'comm', // Dictionary<Utf8> | null
  'event', // Dictionary<Utf8>, canonical `sys:name`
  'dev', // Dictionary<Utf8> | null ("(no_device)" kept verbatim for the backlog NAPI)
  'ifindex', // Int32 | null (qdisc events)
  'queue', // Int32 | null (net_dev_start_xmit queue_mapping, net_dev_xmit_timeout queue)
  'skbaddr', // Uint64 | null
  'ptr_hashed', // Bool | null: true when skbaddr/napi are ftrace-hashed %p values
  'len', // Uint32 | null (bytes)
  'rc', // Int32 | null (net_dev_xmit return code; 16 = NETDEV_TX_BUSY)
  'napi', // Uint64 | null (napi struct pointer)
  'work', // Int32 | null (napi_poll)
  'budget', // Int32 | null (napi_poll)
  'txq_state', // Uint32 | null (qdisc_dequeue: DRV_XOFF 0x1, STACK_XOFF 0x2, FROZEN 0x4)
  'packets', // Int32 | null (qdisc_dequeue bulk count; for the lost-events marker: events lost)
  'handle', // Uint32 | null (qdisc handle, 0xMMMMmmmm)
  'parent', // Uint32 | null (qdisc parent, 0xFFFFFFFF = root)
  'driver', // Dictionary<Utf8> | null (net_dev_xmit_timeout)
  'reason', // Dictionary<Utf8> | null (kfree_skb drop reason, symbolic)
  'location', // Dictionary<Utf8> | null (consume_skb/kfree_skb, `sym+off[/size]` or bare symbol)
  'stall_len', // Uint32 | null (dql_stall_detected `len`, jiffies)
  'jiffies', // Uint64 | null (dql_stall_detected `now`)
  'raw', // Utf8 | null: field text for events not modelled, and for dql_stall_detected
  'source', // Dictionary<Utf8>: input file the row came from (as given on the command line)
  'line', // Uint32: 1-based line number in `source`
] as const;
export type ColumnName = (typeof COLUMNS)[number];

/** Columns every row has (not nullable in the Arrow schema): no validity bitmap is kept or written for them. */
export const NON_NULL_COLUMNS: readonly ColumnName[] = ['ts_ns', 'event', 'source', 'line'];

/** One event as a plain object: used by tests and slow paths, never in hot loops. */
export interface TxEventRow {
  ts_ns: bigint;
  cpu: number | null;
  pid: number | null;
  comm: string | null;
  event: string;
  dev: string | null;
  ifindex: number | null;
  queue: number | null;
  skbaddr: bigint | null;
  ptr_hashed: boolean | null;
  len: number | null;
  rc: number | null;
  napi: bigint | null;
  work: number | null;
  budget: number | null;
  txq_state: number | null;
  packets: number | null;
  handle: number | null;
  parent: number | null;
  driver: string | null;
  reason: string | null;
  location: string | null;
  stall_len: number | null;
  jiffies: bigint | null;
  raw: string | null;
  source: string;
  line: number;
}

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
} as const;
export const SCHEMA_VERSION = '1';
