/** Files in, ReplayResult out: ingest (any format or .arrow) then replay. I/O edge of the package. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Apache Arrow, its readers (./input/arrow-file.ts) and ingest's Arrow side load only where an Arrow table or file
// is used: a small text trace is replayed from plain buffers (./text-replay.ts) without them (start-up)
import type { Table } from 'apache-arrow';
import {
  META,
  openTrace,
  openTraceInput,
  singleArrowInput,
  type IngestSummary,
  type LoadOptions,
  type TraceInput,
} from '@txreplay/ingest/plain';
import { replayObserved, replaySource, replayTable, type ReplayOptions } from './replay.js';
import { observeSource } from './observe/observe.js';
import { REPLAY_COLUMNS } from './input/batches.js';
import { SpillFile } from './input/spill.js';
import { StreamPass } from './stream-pass.js';
import type { ReplayResult } from './types.js';
import { readAggregateEvidence, withAggregates } from './aggregates.js';
import { readCounterEvidence, withCounters } from './counters.js';
import { parseBootTime } from './log-clock.js';
import { logDrivers, logOnlyResult, readLogEvidence, traceTimeouts, withLogEvidence } from './logs.js';
import { replayTextTraces, skipNotes } from './text-replay.js';

/**
 * True when `path` is an Arrow IPC file (ARROW1 magic). Kept for the CLI until it takes ingest's openTrace, which
 * decides this once with every other input kind.
 * @deprecated use openTrace (from @txreplay/ingest) and TraceInput.arrowFile
 */
async function isArrowFile(path: string): Promise<boolean> {
  if (path === '-') return false;
  const input = await openTraceInput(path).catch(() => null);
  return input?.arrowFile === true;
}

/** The one input replay reads in place: a single Arrow IPC file (or one forced to be Arrow). */
function singleArrowFile(inputs: readonly TraceInput[], format: LoadOptions['format']): TraceInput | null {
  const one = singleArrowInput(inputs);
  return one !== null && (format === 'arrow' || one.arrowFile) ? one : null;
}

export interface LoadedTrace {
  table: Table;
  /** kernel release the input names, if any */
  kernel: string | null;
  /** per-source skip notes for stderr ("file: skipped N lines, first at line L: …") */
  notes: string[];
  summary: IngestSummary | null;
}

/**
 * Load traces for replay. A single ingested .arrow file (txreplay schema, written by `txreplay ingest`)
 * is mapped straight with tableFromIPC — columnar, no row rebuild — everything else goes through
 * ingest's loadEvents.
 */
export async function loadForReplay(
  paths: readonly (string | TraceInput)[],
  opts: LoadOptions = {},
): Promise<LoadedTrace> {
  const inputs = await openTrace(paths, opts);
  const arrow = singleArrowFile(inputs, opts.format);
  if (arrow !== null) {
    // validate the layout first: a damaged footer can make apache-arrow's reader loop forever
    const { openArrowFile } = await import('./input/arrow-file.js');
    openArrowFile(arrow.path)?.close();
    // ingest reads it into the event schema (other writers' layouts too) or explains why it is not a trace
    const { readArrowTable } = await import('@txreplay/ingest');
    const table = await readArrowTable(arrow.path);
    const kernel = table.schema.metadata.get(META.kernel) || null;
    return { table, kernel, notes: [], summary: null };
  }
  return loadViaIngest(inputs, opts);
}

async function loadViaIngest(inputs: readonly TraceInput[], opts: LoadOptions): Promise<LoadedTrace> {
  const { loadEvents } = await import('@txreplay/ingest');
  const { table, summary } = await loadEvents(inputs, opts);
  const kernel = summary.sources.find((s) => s.kernel)?.kernel ?? null;
  return { table, kernel, notes: skipNotes(summary), summary };
}

/**
 * Text inputs at least this big in total (gzip counted at GZIP_RATIO times its size), or of unknown size (stdin,
 * pipes), are streamed (replayStreamed) rather than loaded whole: a table in memory takes about twice the text's
 * size (1.57 GB of perf script peaked at 3.17 GB RSS). Streamed, a generated 1 GB perf script peaks at 290 MiB and
 * 4 GB at 507 MiB: the table is never held, what still grows is the pass's own per-event series (observe/records.ts).
 */
const STREAM_MIN_BYTES = 64 << 20;
const GZIP_RATIO = 8;

function streams(traces: readonly TraceInput[], minBytes: number): boolean {
  if (traces.some((t) => t.kind === 'arrow')) return false;
  let total = 0;
  for (const t of traces) {
    if (t.bytes === null) return true;
    // perf script and ftrace text gzip about 8:1 (the shared captures: 6–10:1)
    total += t.gzip ? t.bytes * GZIP_RATIO : t.bytes;
  }
  return total >= minBytes;
}

/** perf script and ftrace text lines are ~100–170 bytes (the 5 M-event bench's perf script: 168 bytes an event) */
const TEXT_BYTES_PER_EVENT = 128;

/**
 * Rows the streamed `traces` hold, about (their text bytes / TEXT_BYTES_PER_EVENT; undefined: a size is unknown): the
 * pass's lifecycle pool and skb table are sized from it as from an .arrow's row count, where they otherwise grow by
 * doubling from their smallest size, each step a copy into fresh memory (the 1 M-event perf script: ~1 000 faults).
 */
function expectedRows(traces: readonly TraceInput[]): number | undefined {
  let total = 0;
  for (const t of traces) {
    if (t.bytes === null) return undefined;
    total += t.gzip ? t.bytes * GZIP_RATIO : t.bytes;
  }
  return Math.floor(total / TEXT_BYTES_PER_EVENT);
}

/**
 * Replay text traces without holding their table: ingest's streamEvents hands each record batch to the pass as it
 * is parsed (stream-pass.ts: the pass runs in step with the parse workers, on a window of batches) and writes its
 * replay columns (not pid, comm, raw, jiffies, stall_len: a fifth of the bytes, written and then deleted) to an Arrow
 * file in a private temporary directory, from which the findings read their evidence rows by offset. When
 * the pass needs a row outside its window (or the rows are out of time order) the file is replayed instead
 * (replayArrowFile) — the same result either way (test/streamed.test.ts). Memory is bounded by the window and the
 * writer; the directory is removed on every path out.
 */
async function replayStreamed(traces: readonly TraceInput[], opts: DiagnoseOptions): Promise<ReplayResult> {
  const [{ streamEvents }, { openArrowFile }] = await Promise.all([
    import('@txreplay/ingest'),
    import('./input/arrow-file.js'),
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'txreplay-diagnose-'));
  // the pass's per-event lists beyond their newest chunk go to a file beside the events (memory flat in trace size)
  const spill = new SpillFile(join(dir, 'lists.spill'));
  const pass = new StreamPass({ spill, keepSeries: opts.maxSeriesPoints !== 0, sizeRows: expectedRows(traces) });
  try {
    const path = join(dir, 'events.arrow');
    const summary = await streamEvents(traces, path, (b, keep) => pass.push(b, keep), {
      ...opts.load,
      columns: REPLAY_COLUMNS,
    });
    for (const note of skipNotes(summary)) opts.onNote?.(note);
    const kernel = summary.sources.find((s) => s.kernel)?.kernel ?? null;
    const profile = { ...opts.profile };
    if (!profile.kernel && kernel) profile.kernel = kernel;
    const file = openArrowFile(path);
    const obs = file === null ? null : pass.finish(file);
    if (obs === null) {
      pass.src.close();
      return await replayArrowFile(path, { ...opts, profile });
    }
    return replayObserved(obs, pass.src.metadata, { ...opts, profile });
  } finally {
    pass.src.close();
    spill.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Replay one ingested .arrow file without loading it: record batch by record batch, reading only the
 * column buffers replay uses (arrow-file.ts). Inputs out of time order, compressed or of an unexpected
 * layout take the whole-table path (loadForReplay + replayTable) with the same result. With `spillLists` (streamed
 * `report`, whose events insert runs beside this pass) the pass's per-event lists (and the expected DQL's) keep all
 * but their newest chunk in a spill file in a private temporary directory, as the streamed pass does
 * (replayStreamed): without it they grow ~35 MB per GB of perf script (streamed `report` of 3 GB peaked at 549–583
 * MiB); the directory is removed on every path out. A `diagnose` of an .arrow keeps them in memory: the spill's
 * writes cost 5–10 % of its events/s (scripts/bench-replay.mjs --base), and nothing else holds memory beside it.
 */
export async function replayArrowFile(
  path: string,
  opts: ReplayOptions = {},
  spillLists = false,
): Promise<ReplayResult> {
  const { openArrowFile } = await import('./input/arrow-file.js');
  const src = openArrowFile(path, { readAhead: true });
  if (!src) {
    const { table, kernel } = await loadForReplay([path], { format: 'arrow' });
    const profile = { ...opts.profile };
    if (!profile.kernel && kernel) profile.kernel = kernel;
    return replayTable(table, { ...opts, profile });
  }
  const dir = spillLists ? await mkdtemp(join(tmpdir(), 'txreplay-replay-')) : null;
  const spill = dir !== null ? new SpillFile(join(dir, 'lists.spill')) : null;
  try {
    const obs = observeSource(src, spill, opts.maxSeriesPoints !== 0);
    if (obs !== null) return replayObserved(obs, src.metadata, opts);
    // rows out of time order: the whole table, sorted. apache-arrow is loaded only here: its ~160 ES modules were
    // 120-140 ms of main-thread CPU and ~5 000 page faults of every one-shot `diagnose x.arrow` (issue 15 item 5)
    const { tableFromIPC } = await import('apache-arrow');
    return replaySource(null, src.metadata, () => tableFromIPC(readFileSync(path)), opts, spill);
  } finally {
    src.close();
    spill?.close();
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  }
}

export interface DiagnoseOptions extends ReplayOptions {
  load?: LoadOptions;
  /**
   * wall time at boot of the host that wrote the kernel logs (epoch seconds as `btime` in /proc/stat, or ISO 8601
   * with its zone): puts wall-clock logs (syslog, dmesg -T, journal) on the trace clock
   */
  bootTime?: string;
  /** per-source skip notes ("file: skipped N unparseable line(s), first at line L: …"), for stderr */
  onNote?: (note: string) => void;
  /** stream text traces of at least this many bytes in total (default 64 MiB; 0 = always): see replayStreamed */
  streamMinBytes?: number;
}

/** Traces and kernel logs (any mix) in, one ReplayResult out: the logs' records are findings beside the trace's. */
export async function diagnoseFiles(
  paths: readonly (string | TraceInput)[],
  opts: DiagnoseOptions = {},
): Promise<ReplayResult> {
  const inputs = await openTrace(paths, opts.load ?? {});
  const traces = inputs.filter((i) => !isEvidenceInput(i));
  const arrow = singleArrowFile(traces, opts.load?.format);
  const streamed = arrow === null && traces.length > 0 && streams(traces, opts.streamMinBytes ?? STREAM_MIN_BYTES);
  if (!streamed && arrow === null && traces.length > 0) {
    // text traces small enough to hold: from plain buffers, no Arrow table (null: an input is Arrow or binary)
    const result = await replayTextTraces(traces, opts, () => logDrivers(inputs));
    if (result !== null) return withEvidence(result, inputs, opts);
  }
  if (!streamed && (arrow === null || traces.length === 0)) return (await diagnoseFilesWithEvents(inputs, opts)).result;
  const withDrivers = { ...opts, logDrivers: await logDrivers(inputs) };
  const result = streamed ? await replayStreamed(traces, withDrivers) : await replayArrowFile(arrow!.path, withDrivers);
  return withEvidence(result, inputs, opts);
}

/**
 * The inputs among `paths` that are evidence (kernel logs, `tc -s`/`ethtool -S` snapshots, bpftrace maps), and the
 * paths of the traces: `txreplay report` and `bulk` replay the traces, then add the evidence with addEvidence.
 */
export async function splitEvidence(
  paths: readonly string[],
  load: LoadOptions = {},
): Promise<{ traces: string[]; evidence: TraceInput[] }> {
  const inputs = await openTrace(paths, load);
  return {
    traces: inputs.filter((i) => !isEvidenceInput(i)).map((i) => i.path),
    evidence: inputs.filter(isEvidenceInput),
  };
}

/**
 * A trace's result (null: no trace) with the evidence's findings and summaries added, as diagnose gives them; the
 * drivers the logs name are for the trace's replay (ReplayOptions.logDrivers: evidenceDrivers).
 */
export function addEvidence(
  result: ReplayResult | null,
  evidence: readonly TraceInput[],
  opts: DiagnoseOptions = {},
): Promise<ReplayResult> {
  return withEvidence(result, evidence, opts);
}

/** The driver each device is named with in the kernel logs among `evidence` (ReplayOptions.logDrivers). */
export const evidenceDrivers = (evidence: readonly TraceInput[]): Promise<ReadonlyMap<string, string>> =>
  logDrivers(evidence);

/** Kernel logs, bpftrace maps and tc counters: evidence read beside the traces, not events to replay. */
const isEvidenceInput = (i: TraceInput): boolean =>
  i.kind === 'log' || i.kind === 'aggregates' || i.kind === 'counters';

/** The trace's result (or an empty one) with the logs' findings and the maps' summaries added. */
async function withEvidence(
  result: ReplayResult | null,
  inputs: readonly TraceInput[],
  opts: DiagnoseOptions,
): Promise<ReplayResult> {
  const logInputs = inputs.filter((i) => i.kind === 'log');
  const aggInputs = inputs.filter((i) => i.kind === 'aggregates');
  const clock = {
    timeouts: traceTimeouts(result),
    bootTime: opts.bootTime ? parseBootTime(opts.bootTime) : null,
    hasTrace: result !== null,
  };
  const logs = logInputs.length > 0 || result === null ? await readLogEvidence(logInputs, clock) : null;
  let out = result === null ? logOnlyResult(logs!) : logs ? withLogEvidence(result, logs) : result;
  if (aggInputs.length > 0) {
    const agg = await readAggregateEvidence(aggInputs);
    for (const note of agg.notes) opts.onNote?.(note);
    out = withAggregates(out, agg);
  }
  const counterInputs = inputs.filter((i) => i.kind === 'counters');
  if (counterInputs.length > 0) {
    const counters = await readCounterEvidence(counterInputs);
    for (const note of counters.notes) opts.onNote?.(note);
    out = withCounters(out, counters);
  }
  return out;
}

/**
 * diagnoseFiles that also hands back the event table (a post-mortem draws its timelines from the events); the
 * table is null when every input is a kernel log.
 */
export async function diagnoseFilesWithEvents(
  paths: readonly (string | TraceInput)[],
  opts: DiagnoseOptions = {},
): Promise<{ result: ReplayResult; table: Table | null }> {
  const inputs = await openTrace(paths, opts.load ?? {});
  const traces = inputs.filter((i) => !isEvidenceInput(i));
  if (traces.length === 0) return { result: await withEvidence(null, inputs, opts), table: null };
  const { table, kernel, notes } = await loadForReplay(traces, opts.load ?? {});
  for (const note of notes) opts.onNote?.(note);
  const profile = { ...opts.profile };
  if (!profile.kernel && kernel) profile.kernel = kernel;
  const result = replayTable(table, { ...opts, profile, logDrivers: await logDrivers(inputs) });
  return { result: await withEvidence(result, inputs, opts), table };
}
