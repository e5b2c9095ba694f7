/** Files in, ReplayResult out: ingest (any format or .arrow) then replay. I/O edge of the package. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tableFromIPC, type Table } from 'apache-arrow';
import {
  loadEvents,
  META,
  openTrace,
  openTraceInput,
  singleArrowInput,
  type IngestSummary,
  type LoadOptions,
  type TraceInput,
} from '@txreplay/ingest';
import { replaySource, replayTable, type ReplayOptions } from './replay.js';
import { openArrowFile } from './input/arrow-file.js';
import type { ReplayResult } from './types.js';
import { readAggregateEvidence, withAggregates } from './aggregates.js';
import { parseBootTime } from './log-clock.js';
import { logDrivers, logOnlyResult, readLogEvidence, traceTimeouts, withLogEvidence } from './logs.js';

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
    openArrowFile(arrow.path)?.close();
    const table = tableFromIPC(await readFile(arrow.path));
    if (!table.schema.fields.some((f) => f.name === 'ts_ns') || !table.schema.fields.some((f) => f.name === 'event')) {
      // not our schema: let ingest explain (it knows the contract and its errors)
      return loadViaIngest(inputs, opts);
    }
    const kernel = table.schema.metadata.get(META.kernel) || null;
    return { table, kernel, notes: [], summary: null };
  }
  return loadViaIngest(inputs, opts);
}

async function loadViaIngest(inputs: readonly TraceInput[], opts: LoadOptions): Promise<LoadedTrace> {
  const { table, summary } = await loadEvents(inputs, opts);
  const kernel = summary.sources.find((s) => s.kernel)?.kernel ?? null;
  const notes = summary.sources
    .filter((s) => s.skipped > 0)
    .map(
      (s) =>
        `${s.path}: skipped ${s.skipped} unparseable line(s)${s.issues[0] ? `, first at line ${s.issues[0].line}: ${s.issues[0].message}` : ''}`,
    );
  return { table, kernel, notes, summary };
}

/**
 * Replay one ingested .arrow file without loading it: record batch by record batch, reading only the
 * column buffers replay uses (arrow-file.ts). Inputs out of time order, compressed or of an unexpected
 * layout take the whole-table path (loadForReplay + replayTable) with the same result.
 */
export async function replayArrowFile(path: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const src = openArrowFile(path);
  if (!src) {
    const { table, kernel } = await loadForReplay([path], { format: 'arrow' });
    const profile = { ...opts.profile };
    if (!profile.kernel && kernel) profile.kernel = kernel;
    return replayTable(table, { ...opts, profile });
  }
  try {
    return replaySource(src, src.metadata, () => tableFromIPC(readFileSync(path)), opts);
  } finally {
    src.close();
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
}

/** Traces and kernel logs (any mix) in, one ReplayResult out: the logs' records are findings beside the trace's. */
export async function diagnoseFiles(
  paths: readonly (string | TraceInput)[],
  opts: DiagnoseOptions = {},
): Promise<ReplayResult> {
  const inputs = await openTrace(paths, opts.load ?? {});
  const traces = inputs.filter((i) => !isEvidenceInput(i));
  const arrow = singleArrowFile(traces, opts.load?.format);
  if (arrow === null || traces.length === 0) return (await diagnoseFilesWithEvents(inputs, opts)).result;
  const result = await replayArrowFile(arrow.path, { ...opts, logDrivers: await logDrivers(inputs) });
  return withEvidence(result, inputs, opts);
}

/** Kernel logs and bpftrace maps: evidence read beside the traces, not events to replay. */
const isEvidenceInput = (i: TraceInput): boolean => i.kind === 'log' || i.kind === 'aggregates';

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
