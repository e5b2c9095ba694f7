/**
 * The records the binary readers (perf.data, trace.dat) yield: decoded tracepoint events and lost-event
 * windows, as plain objects. Field values keep their kernel width: 8-byte integers (pointers, u64) are
 * bigint, smaller integers are number, `char[]` (static or `__data_loc`) are strings, other arrays number[].
 */
export type TraceFieldValue = bigint | number | string | number[];

export interface TracepointRecord {
  kind: 'event';
  /** Full-precision timestamp in ns, in the trace clock (the shared captures use CLOCK_MONOTONIC). */
  tsNs: bigint;
  cpu: number;
  /** Process (tgid) when the source carries it (perf PERF_SAMPLE_TID), else the task id (trace.dat common_pid). */
  pid: number;
  /** Kernel task id — what `perf script` / `trace-cmd report` print after the comm. */
  tid?: number;
  /** Task name: perf COMM/FORK records, else the saved cmdlines; `:tid` (perf) / `<...>` (trace-cmd) if unknown. */
  comm: string;
  /** `system:name`, e.g. `net:net_dev_xmit`. */
  event: string;
  /** The event's own fields (the `common_*` fields are folded into pid/tid/cpu above); empty with `decode: false`. */
  fields: Record<string, TraceFieldValue>;
  /** With `decode: false`: the undecoded payload, for readers that take the fields straight from the bytes. */
  payload?: RawPayload;
}

/**
 * An event's raw payload `buf[start, end)` (common fields included) and the format that decodes it, in the traced
 * kernel's byte order. `buf` is a view of a chunk the reader never reuses, so it stays valid after the record.
 */
interface RawPayload {
  fmt: EventFormat;
  buf: Buffer;
  start: number;
  end: number;
  littleEndian: boolean;
}

/** The `fields` of a record read with `decode: false` (shared, never written). */
export const NO_FIELDS: Readonly<Record<string, TraceFieldValue>> = Object.freeze({});

export interface LostWindow {
  kind: 'lost';
  cpu?: number;
  /** Events the tracer lost (-1: lost, count unknown — ring-buffer page flagged RB_MISSED_EVENTS only). */
  count: number;
  /** Last event seen on that CPU before the loss, when known. */
  startNs?: bigint;
  /** What reported it: PERF_RECORD_LOST, PERF_RECORD_LOST_SAMPLES, or RB_MISSED_EVENTS (ring-buffer page flag). */
  source: 'PERF_RECORD_LOST' | 'PERF_RECORD_LOST_SAMPLES' | 'RB_MISSED_EVENTS';
  /** The task the perf LOST record was attributed to (sample_id), when present. */
  pid?: number;
  tid?: number;
  /** When the loss was reported (perf LOST sample_id time) or the first event after it (trace.dat page). */
  endNs?: bigint;
}

import type { EventFormat } from './eventFormat.js';
import type { Kallsyms } from './kallsyms.js';
import type { WallClock } from '../wallClock.js';

export type BinaryTraceRecord = TracepointRecord | LostWindow;

/** Per-reader counters, filled while iterating; complete once the iterator is done. */
export interface BinaryReaderStats {
  /** Tracepoint events yielded, per `system:name`. */
  events: Record<string, number>;
  /** Lost windows yielded, and the events they account for (unknown counts excluded). */
  lostWindows: number;
  lostEvents: number;
  /** Records read and handled without yielding (COMM, FORK, FINISHED_ROUND, padding, ...), per record type. */
  handled: Record<string, number>;
  /** Records skipped: known but not decoded (AUXTRACE, MMAP, ...) or unknown, per record type. */
  skipped: Record<string, number>;
  /** Tracepoint payloads whose common_type has no format in the file. */
  unknownEvents: number;
  /** Size of the input read (after gunzip; a pipe-mode stream: bytes consumed). Set when the iteration ends. */
  bytes: number;
  /** File offset of the first record skipped for each `skipped` reason that has one (damaged input). */
  firstOffset: Record<string, number>;
}

export function emptyStats(): BinaryReaderStats {
  return {
    events: {},
    lostWindows: 0,
    lostEvents: 0,
    handled: {},
    skipped: {},
    unknownEvents: 0,
    bytes: 0,
    firstOffset: {},
  };
}

export function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** Count a skipped record and keep the file offset of the first one of its kind. */
export function skipAt(stats: BinaryReaderStats, key: string, offset: number): void {
  bump(stats.skipped, key);
  stats.firstOffset[key] ??= offset;
}

/** What the file says about where it came from (feature sections / options). */
export interface BinaryTraceMeta {
  format: 'perf-data' | 'trace-dat';
  /** perf.data: 'file' | 'pipe'; trace.dat: file version ('6', '7'). */
  variant: string;
  littleEndian: boolean;
  hostname?: string;
  osRelease?: string;
  /** perf.data HEADER_CMDLINE: the perf command line. */
  cmdline?: string[];
  /** trace.dat: the trace clock (as trace-cmd wrote it), compression algorithm, the instance read. */
  clock?: string;
  /** the trace's own wall clock (perf.data HEADER_CLOCK_DATA, trace.dat DATE option), when it has one */
  wallClock?: WallClock;
  instance?: string;
  compression?: string;
  cpus?: number;
}

/**
 * Where a reader hands its records in order without making an object per event (../../io/binary.ts writes them
 * straight into the row builder). The timestamp comes as two uint32 halves (exact at any value, no BigInt), each
 * possibly as its int32 bit pattern (`half | 0`: a uint32 past 2^31 passed to a call that is not inlined is a new
 * heap number, ~0.5 per perf.data sample; ingest README "Speed"), so a sink reads them with `>>> 0`; the
 * payload `buf[start, end)` is in the traced kernel's byte order `le` and stays valid after the call.
 */
export interface RecordSink {
  event(
    fmt: EventFormat,
    buf: Buffer,
    start: number,
    end: number,
    le: boolean,
    tsHi: number,
    tsLo: number,
    cpu: number,
    pid: number,
    tid: number | undefined,
    comm: string,
  ): void;
  lost(w: LostWindow): void;
}

/** An async iterable of records with the counters and file metadata it fills while running. */
export interface BinaryTraceReader extends AsyncIterable<BinaryTraceRecord> {
  /**
   * Run the reader into `sink`, pausing (one yield) after every few thousand records so the caller can hand on
   * what it built. Once per reader, instead of batches() or iteration.
   */
  pump(sink: RecordSink): AsyncGenerator<void>;
  /** The same records in arrays of up to a few thousand (cheaper to consume than one by one). Once per reader. */
  batches(): AsyncIterableIterator<BinaryTraceRecord[]>;
  readonly stats: BinaryReaderStats;
  /** Available once the first record (or the end) has been read. */
  readonly meta: BinaryTraceMeta | undefined;
  /** The embedded tracepoint formats by `system:name` (for renderPrintFmt), once the headers are read. */
  readonly formats: ReadonlyMap<string, EventFormat>;
  /** trace.dat: its /proc/kallsyms, for %pS arguments (perf.data records none). */
  readonly kallsyms: Kallsyms | undefined;
  /** trace.dat: the /proc/kallsyms text kallsyms is parsed from ('' when none), once the headers are read */
  kallsymsText?: () => string;
}
