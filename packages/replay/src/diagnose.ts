/** Files in, ReplayResult out: ingest (any format or .arrow) then replay. I/O edge of the package. */
import { readFileSync } from 'node:fs';
import { tableFromIPC, type Table } from 'apache-arrow';
import {
  loadEvents,
  readArrowTable,
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
import { logOnlyResult, readLogEvidence, withLogEvidence } from './logs.js';

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
    // ingest reads it into the event schema (other writers' layouts too) or explains why it is not a trace
    const table = await readArrowTable(arrow.path);
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
  /** per-source skip notes ("file: skipped N unparseable line(s), first at line L: …"), for stderr */
  onNote?: (note: string) => void;
}

/** Traces and kernel logs (any mix) in, one ReplayResult out: the logs' records are findings beside the trace's. */
export async function diagnoseFiles(
  paths: readonly (string | TraceInput)[],
  opts: DiagnoseOptions = {},
): Promise<ReplayResult> {
  const inputs = await openTrace(paths, opts.load ?? {});
  const traces = inputs.filter((i) => i.kind !== 'log');
  const arrow = singleArrowFile(traces, opts.load?.format);
  if (arrow === null || traces.length === 0) return (await diagnoseFilesWithEvents(inputs, opts)).result;
  const result = await replayArrowFile(arrow.path, opts);
  const logs = inputs.filter((i) => i.kind === 'log');
  return logs.length === 0 ? result : withLogEvidence(result, await readLogEvidence(logs));
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
  const logInputs = inputs.filter((i) => i.kind === 'log');
  const traces = inputs.filter((i) => i.kind !== 'log');
  const logs = logInputs.length > 0 ? await readLogEvidence(logInputs) : null;
  if (traces.length === 0) return { result: logOnlyResult(logs!), table: null };
  const { table, kernel, notes } = await loadForReplay(traces, opts.load ?? {});
  for (const note of notes) opts.onNote?.(note);
  const profile = { ...opts.profile };
  if (!profile.kernel && kernel) profile.kernel = kernel;
  const result = replayTable(table, { ...opts, profile });
  return { result: logs ? withLogEvidence(result, logs) : result, table };
}
