/** Files in, ReplayResult out: ingest (any format or .arrow) then replay. I/O edge of the package. */
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { tableFromIPC, type Table } from 'apache-arrow';
import { loadEvents, META, type IngestSummary, type LoadOptions } from '@txreplay/ingest';
import { replaySource, replayTable, type ReplayOptions } from './replay.js';
import { openArrowFile } from './input/arrow-file.js';
import type { ReplayResult } from './types.js';

const ARROW_MAGIC = 'ARROW1';

export async function isArrowFile(path: string): Promise<boolean> {
  if (path === '-') return false;
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return false;
  try {
    const buf = Buffer.alloc(6);
    const { bytesRead } = await fh.read(buf, 0, 6, 0);
    return bytesRead === 6 && buf.toString('latin1') === ARROW_MAGIC;
  } finally {
    await fh.close();
  }
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
export async function loadForReplay(inputs: string[], opts: LoadOptions = {}): Promise<LoadedTrace> {
  if (inputs.length === 1 && (opts.format === 'arrow' || (opts.format === undefined && (await isArrowFile(inputs[0]!))))) {
    // validate the layout first: a damaged footer can make apache-arrow's reader loop forever
    openArrowFile(inputs[0]!)?.close();
    const table = tableFromIPC(await readFile(inputs[0]!));
    if (!table.schema.fields.some((f) => f.name === 'ts_ns') || !table.schema.fields.some((f) => f.name === 'event')) {
      // not our schema: let ingest explain (it knows the contract and its errors)
      return loadViaIngest(inputs, opts);
    }
    const kernel = table.schema.metadata.get(META.kernel) || null;
    return { table, kernel, notes: [], summary: null };
  }
  return loadViaIngest(inputs, opts);
}

async function loadViaIngest(inputs: string[], opts: LoadOptions): Promise<LoadedTrace> {
  const { table, summary } = await loadEvents(inputs, opts);
  const kernel = summary.sources.find((s) => s.kernel)?.kernel ?? null;
  const notes = summary.sources
    .filter((s) => s.skipped > 0)
    .map((s) => `${s.path}: skipped ${s.skipped} unparseable line(s)${s.issues[0] ? `, first at line ${s.issues[0].line}: ${s.issues[0].message}` : ''}`);
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

export async function diagnoseFiles(inputs: string[], opts: DiagnoseOptions = {}): Promise<ReplayResult> {
  const fmt = opts.load?.format;
  if (inputs.length === 1 && (fmt === 'arrow' || (fmt === undefined && (await isArrowFile(inputs[0]!))))) return replayArrowFile(inputs[0]!, opts);
  return (await diagnoseFilesWithEvents(inputs, opts)).result;
}

/** diagnoseFiles that also hands back the event table (a post-mortem draws its timelines from the events). */
export async function diagnoseFilesWithEvents(inputs: string[], opts: DiagnoseOptions = {}): Promise<{ result: ReplayResult; table: Table }> {
  const { table, kernel, notes } = await loadForReplay(inputs, opts.load ?? {});
  for (const note of notes) opts.onNote?.(note);
  const profile = { ...opts.profile };
  if (!profile.kernel && kernel) profile.kernel = kernel;
  return { result: replayTable(table, { ...opts, profile }), table };
}
