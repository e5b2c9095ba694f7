/**
 * The rows of a run beside its events — per-skb lifecycles, queue intervals, series, findings — as insert-ready
 * TabSeparated bytes, and the values of its `runs` row. Pure (no store): `txreplay report` builds them in its
 * own thread, `txreplay bulk` in the worker that replayed the trace (fleet/bulk-worker.ts), so the one writer
 * thread only hands bytes to ClickHouse.
 */
import { createHash } from 'node:crypto';
import type { RunSummary } from './evidence-run.js';
import type { ReplayResult } from '@txreplay/replay';
import type { RunTags } from './encode-events.js';
import type { PacketLifecycle } from './packets.js';
import { tsvRow, WallClockFormatter, type TsvValue } from './tsv.js';
import { verdictOf } from './verdict.js';

const TXREPLAY_VERSION = '0.1.0';

/** The tables a run's side rows go to (events have their own encoders). */
export type SideTable = 'packets' | 'queue_intervals' | 'series' | 'findings';

export interface RunRowsInput {
  runId: string;
  tags: RunTags;
  /** time = ts_ns + wallOffsetNs */
  wallOffsetNs: bigint;
  /** false: the trace has no wall clock (runs.wall_offset_ns NULL; the time columns use the write time) */
  wallKnown: boolean;
  /** where the wall clock came from (runs.wall_clock; '' when unknown) */
  wallSource: string;
  /** DateTime64(9) text (true) or DateTime seconds (false, servers before 20.1) */
  nanos: boolean;
  packets: PacketLifecycle[];
  result: ReplayResult;
  summary: RunSummary;
  hashes: { sha256: string; bytes: number }[];
  events: number;
  options?: Record<string, string | number | boolean>;
  timings?: { ingestMs?: number; replayMs?: number };
}

export interface RunRows {
  /**
   * TSV bytes per side table, in chunks of about 1 MB (a table without rows is absent); a streamed report's packets
   * are read back from its spill file (packet-spill.ts), as often as they are iterated
   */
  tsv: Partial<Record<SideTable, Buffer[] | Iterable<Buffer>>>;
  /** the `runs` row without written_at and write_ms (the writer sets them when it writes) */
  runs: Record<string, TsvValue>;
  /** time = ts_ns + wallOffsetNs for every time column (also when runs.wall_offset_ns is NULL: unknown) */
  wallOffsetNs: bigint;
}

/** TSV text of rows, in Buffers of about 1 MB (no single huge string). */
export function tsvChunks(rows: Iterable<TsvValue[]>): Buffer[] {
  const out: Buffer[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const r of rows) {
    const line = tsvRow(r);
    parts.push(line);
    size += line.length;
    if (size >= 1 << 20) {
      out.push(Buffer.from(parts.join('')));
      parts = [];
      size = 0;
    }
  }
  if (parts.length) out.push(Buffer.from(parts.join('')));
  return out;
}

export function* packetRows(
  k: TsvValue[],
  packets: PacketLifecycle[],
  wall: (ns: bigint) => string,
): Generator<TsvValue[]> {
  for (const p of packets) {
    yield [
      ...k,
      p.skbaddr,
      p.dev,
      p.queue,
      p.len,
      p.queuedNs,
      p.startXmitNs,
      p.xmitNs,
      p.freedNs,
      wall(p.queuedNs),
      p.xmitRc,
      p.txBusy,
      p.fate,
      p.dropReason,
      p.location,
      p.source,
      p.firstLine,
    ];
  }
}

function* intervalRows(k: TsvValue[], result: ReplayResult, wall: (ns: bigint) => string): Generator<TsvValue[]> {
  for (const q of result.queues) {
    for (const iv of q.stoppedIntervals) {
      yield [
        ...k,
        q.dev,
        q.queue,
        iv.state,
        iv.startNs,
        iv.endNs,
        iv.endNs - iv.startNs,
        wall(iv.startNs),
        wall(iv.endNs),
      ];
    }
  }
}

function* seriesRows(k: TsvValue[], result: ReplayResult, wall: (ns: bigint) => string): Generator<TsvValue[]> {
  for (const s of result.series) {
    for (let i = 0; i < s.tsNs.length; i++) {
      const t = s.tsNs[i]!;
      yield [
        ...k,
        s.dev,
        s.queue,
        t,
        wall(t),
        s.backlogPackets[i] ?? 0,
        s.inflightBytes[i] ?? 0,
        s.dqlLimitObserved[i] ?? null,
        s.dqlLimitExpected[i] ?? null,
      ];
    }
  }
}

function* findingRows(k: TsvValue[], result: ReplayResult, wall: (ns: bigint) => string): Generator<TsvValue[]> {
  let i = 0;
  for (const f of result.findings) {
    yield [
      ...k,
      i++,
      f.kind,
      f.severity,
      f.dev,
      f.queue,
      f.startNs,
      f.endNs,
      wall(f.startNs),
      wall(f.endNs),
      f.title,
      f.explanation,
      JSON.stringify(f.evidence.map((e) => ({ ...e, tsNs: e.tsNs.toString() }))),
      JSON.stringify(f.nextSteps),
    ];
  }
}

/** The values of the run's `runs` row (the completion marker), but written_at and write_ms. */
function runsValues(input: RunRowsInput, wall: (ns: bigint) => string): Record<string, TsvValue> {
  const s = input.summary;
  const tr = input.result.trace;
  const formats = [...new Set(s.sources.map((x) => x.format))];
  const sources = s.sources.map((x, i) => ({
    path: x.path,
    format: x.format,
    kernel: x.kernel,
    sha256: input.hashes[i]?.sha256 ?? '',
    bytes: input.hashes[i]?.bytes ?? 0,
    lines: x.lines,
    events: x.events,
    skipped: x.skipped,
    comments: x.comments,
    lost: x.lostEvents,
  }));
  const contentHash = createHash('sha256')
    .update(input.hashes.map((h) => h.sha256).join('\n'))
    .digest('hex');
  return {
    run_id: input.runId,
    complete: 1,
    host: input.tags.host,
    kernel: input.tags.kernel,
    driver_profile: input.tags.driver,
    format: formats.join(','),
    sources: JSON.stringify(sources),
    content_sha256: contentHash,
    options: JSON.stringify(input.options ?? {}),
    events: input.events,
    lines: s.lines,
    skipped: s.skipped,
    lost_events: s.lostEvents,
    packets: input.packets.length,
    findings: input.result.findings.length,
    first_ns: tr.firstNs,
    last_ns: tr.lastNs,
    first_time: wall(tr.firstNs),
    last_time: wall(tr.lastNs),
    wall_offset_ns: input.wallKnown ? input.wallOffsetNs : null,
    wall_clock: input.wallSource,
    ingest_ms: input.timings?.ingestMs ?? 0,
    replay_ms: input.timings?.replayMs ?? 0,
    verdict: verdictOf(input.result),
    txreplay_version: TXREPLAY_VERSION,
  };
}

/** Side rows and the `runs` values of one run. */
export function encodeRunRows(input: RunRowsInput): RunRows {
  const clock = new WallClockFormatter(input.nanos);
  const wall = (ns: bigint): string => clock.format(ns + input.wallOffsetNs);
  const k: TsvValue[] = [input.runId, input.tags.host, input.tags.kernel, input.tags.driver];
  const tsv: RunRows['tsv'] = {};
  const put = (t: SideTable, rows: Iterable<TsvValue[]>): void => {
    const chunks = tsvChunks(rows);
    if (chunks.length > 0) tsv[t] = chunks;
  };
  put('packets', packetRows(k, input.packets, wall));
  put('queue_intervals', intervalRows(k, input.result, wall));
  put('series', seriesRows(k, input.result, wall));
  put('findings', findingRows(k, input.result, wall));
  return { tsv, runs: runsValues(input, wall), wallOffsetNs: input.wallOffsetNs };
}
