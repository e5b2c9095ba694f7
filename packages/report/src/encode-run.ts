/**
 * A run encoded for the writer: its id, wall clock, tags and every row but (for `report`) the events — the CPU
 * part of a write, with no store in its imports, so `txreplay bulk`'s worker threads (fleet/bulk-worker.ts) load
 * neither chDB nor the HTTP client: each thread that imported them paid for the native engine library and ~100
 * modules at start-up. The writer (write.ts) only hands these bytes to ClickHouse.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Table } from 'apache-arrow';
import type { RunSummary } from './evidence-run.js';
import type { ReplayResult } from '@txreplay/replay';
import type { RunTags } from './encode-events.js';
import { encodeEventsNative } from './encode-native.js';
import { derivePackets, type PacketLifecycle } from './packets.js';
import { encodeRunRows, type RunRows, type SideTable } from './run-rows.js';
import type { ServerCaps } from './caps.js';
import type { StoreConfig } from './config.js';

export interface RunInput {
  /** the normalized event table (ingest) */
  table: Table;
  summary: RunSummary;
  result: ReplayResult;
  /** options that change what replay concludes; part of the run id */
  options?: Record<string, string | number | boolean>;
  timings?: { ingestMs?: number; replayMs?: number };
  /** host the trace was captured on, when known; default this machine's hostname */
  host?: string;
  /** driver profile the replay used (--driver), '' when not given; on every fact row */
  driver?: string;
  /** the sources' content hashes when the caller has them already (bulk hashes every file to skip stored ones) */
  hashes?: SourceHash[];
  /**
   * wall clock (ns since the epoch) of the last event. Default: the newest source file's mtime
   * (the capture ended when the file was last written). Dashboards use `time = ts_ns + offset`.
   */
  wallClockEndNs?: bigint;
}

export interface SourceHash {
  path: string;
  sha256: string;
  bytes: number;
}

/** Run id: 32 hex chars of sha256(content hashes in order + canonical options + schema version of rows). */
export function computeRunId(hashes: SourceHash[], options: Record<string, string | number | boolean> = {}): string {
  const h = createHash('sha256');
  h.update('txreplay-run-v1\n');
  for (const s of hashes) h.update(`${s.sha256}\n`);
  const keys = Object.keys(options).sort();
  h.update(JSON.stringify(keys.map((k) => [k, options[k]])));
  return h.digest('hex').slice(0, 32);
}

/** Wall clock minus trace clock (ns), whether the trace or the caller said it, and where it came from. */
export interface WallAnchor {
  offsetNs: bigint;
  known: boolean;
  source: string;
}

/**
 * `time = ts_ns + offsetNs` for the time columns. Known: the caller's wall clock or the trace's own
 * (`runs.wall_offset_ns` and `runs.wall_clock` say it and where it came from). Unknown — the trace carries no wall
 * clock, and the file's mtime is never taken for one — `runs.wall_offset_ns` is NULL and `wall_clock` '', and the
 * time columns (partition and TTL keys, never NULL) place the last event at the moment the run was written.
 */
export function wallAnchor(input: Omit<RunInput, 'table'>): WallAnchor {
  const lastNs = input.result.trace.lastNs;
  if (input.wallClockEndNs !== undefined)
    return { offsetNs: input.wallClockEndNs - lastNs, known: true, source: 'given' };
  const own = input.result.trace.wallClock;
  if (own) return { offsetNs: own.offsetNs, known: true, source: own.source };
  return { offsetNs: BigInt(Date.now()) * 1_000_000n - lastNs, known: false, source: '' };
}

/**
 * A run ready for the writer: its id and every row encoded but the events of a table (those are encoded as they
 * are sent, so a server insert streams). `txreplay bulk` encodes in its worker threads (encodeRun), `report` here.
 */
export interface EncodedRun {
  runId: string;
  events: number;
  packets: number;
  /** the events: the Arrow table, Native blocks already encoded for the store, or an Arrow IPC file of them */
  eventsData: { table: Table } | { native: Buffer[] } | { arrowFile: string };
  rows: RunRows;
  /** side tables given as Native blocks instead of their TSV in `rows` (a streamed run's packets) */
  nativeRows?: Partial<Record<SideTable, Iterable<Buffer>>>;
  /** time spent encoding before the writer got the run (part of runs.write_ms) */
  encodeMs: number;
}

/** A run's events: how many, their per-skb lifecycles, and where the writer reads them. */
export interface RunEvents {
  rows: number;
  packets: PacketLifecycle[];
  data: EncodedRun['eventsData'];
}

/** Run id, wall clock and the side rows of a run whose sources are hashed already. */
export function prepareRun(
  input: Omit<RunInput, 'table'>,
  hashes: SourceHash[],
  nanos: boolean,
  events: RunEvents,
  wall: WallAnchor = wallAnchor(input),
): EncodedRun {
  const t0 = performance.now();
  const runId = computeRunId(hashes, input.options);
  const packets = events.packets;
  const tags = runTags(input);
  const rows = encodeRunRows({
    runId,
    tags,
    wallOffsetNs: wall.offsetNs,
    wallKnown: wall.known,
    wallSource: wall.source,
    nanos,
    packets,
    result: input.result,
    summary: input.summary,
    hashes,
    events: events.rows,
    options: input.options,
    timings: input.timings,
  });
  return {
    runId,
    events: events.rows,
    packets: packets.length,
    eventsData: events.data,
    rows,
    encodeMs: performance.now() - t0,
  };
}

/**
 * The whole run encoded for a store of these caps and placement, events included (Native blocks): the CPU part of
 * a write, done in `txreplay bulk`'s worker threads. `hashes` are the sources' content hashes.
 */
export function encodeRun(
  input: RunInput & { hashes: SourceHash[] },
  caps: ServerCaps,
  placement: StoreConfig['placement'],
): EncodedRun {
  const t0 = performance.now();
  const run = prepareRun(input, input.hashes, caps.dateTime64, tableEvents(input.table));
  const wallOffsetNs = run.rows.wallOffsetNs;
  const native = [
    ...encodeEventsNative(input.table, {
      runId: run.runId,
      tags: runTags(input),
      wallOffsetNs,
      nanos: caps.dateTime64,
      caps,
      blockRows: placement === 'server' ? CHUNK_ROWS : EMBEDDED_BLOCK_ROWS,
    }),
  ];
  return { ...run, eventsData: { native }, encodeMs: performance.now() - t0 };
}

export const tableEvents = (table: Table): RunEvents => ({
  rows: table.numRows,
  packets: derivePackets(table),
  data: { table },
});

/** host, kernel(s) and driver of a run: the RUN_TAGS columns of every fact row. */
export function runTags(input: Pick<RunInput, 'summary' | 'host' | 'driver'>): RunTags {
  const kernels = [...new Set(input.summary.sources.map((x) => x.kernel).filter((k): k is string => !!k))];
  return { host: input.host ?? hostname(), kernel: kernels.join(','), driver: input.driver ?? '' };
}

export const CHUNK_ROWS = 8192;
/** Rows per Native block of the embedded placement's events file */
export const EMBEDDED_BLOCK_ROWS = 65536;
