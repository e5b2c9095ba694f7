/**
 * Text traces into plain column buffers, without Apache Arrow: the rows of the event table as ./table/rows.ts lays
 * them out (one typed array per column, dictionary indices into one string table per column), parsed exactly as
 * loadEvents parses them (./io/source.ts, same options). What a small `txreplay diagnose` replays from: loading
 * apache-arrow alone costs it about a quarter of a CPU-second. ./api.ts eventTableOf turns them into the Arrow
 * table loadEvents would have made, when a consumer needs one.
 */
import type { TraceInput } from './io/open.js';
import { abortError, ingestTextSource, type SourceOptions } from './io/source.js';
import { withTextWallClock } from './io/text-wall-clock.js';
import type { SourceSummary } from './parse/errors.js';
import { PlainColumns } from './table/plain.js';
import { DICT_COLUMNS, type BatchBuffers, type DictColumn } from './table/rows.js';
import { summaryMetadata, totals, type IngestSummary, type LoadOptions } from './summary.js';

/** The event table as plain buffers: batches in input order, each dictionary column's strings by index. */
export interface EventBuffers {
  batches: BatchBuffers[];
  dicts: Record<DictColumn, readonly string[]>;
  summary: IngestSummary;
  /** the table's schema metadata (META keys), as loadEvents sets it */
  metadata: Map<string, string>;
}

/** How a text input is parsed, the same for every loader (`batchesDropped`: the consumer keeps no batch). */
export function textSourceOptions(input: TraceInput, opts: LoadOptions, batchesDropped: boolean): SourceOptions {
  return {
    format: input.format ?? undefined,
    strict: opts.strict,
    signal: opts.signal,
    onProgress: opts.onProgress,
    totalBytes: input.bytes,
    workers: opts.workers,
    blockBytes: opts.blockBytes,
    reuseBatchBuffers: batchesDropped,
    headOnlyStream: input.transport === 'file' && !input.gzip,
  };
}

/**
 * Bytes per line a batch is sized for: a bare ftrace event line is ~60 bytes, the captures' lines 120–175 (perf script,
 * ftrace, bpftrace). Shorter lines only fill a batch sooner (a second batch, the same result); 32 made a 3,000-line
 * trace's output columns five times its rows, ~380 of its page faults (README of packages/cli, "Start-up").
 */
const MIN_LINE_BYTES = 64;
/** perf script and ftrace text gzip about 8:1 (the shared captures: 6–10:1) */
const GZIP_RATIO = 8;
const MAX_BATCH_ROWS = 65536;

/**
 * Rows per batch for inputs whose size is known: no more than they can hold (whole KiB-row steps), so a small
 * trace does not allocate and zero 64 k rows of every column — in the output's columns and the kernel's — which
 * was a tenth of a small `txreplay diagnose`'s CPU time. The batch size does not change the replay's result.
 */
function batchRowsFor(inputs: readonly TraceInput[]): number | undefined {
  let bytes = 0;
  for (const i of inputs) {
    if (i.bytes === null) return undefined;
    bytes += i.gzip ? i.bytes * GZIP_RATIO : i.bytes;
  }
  const rows = Math.ceil(bytes / MIN_LINE_BYTES / 1024) * 1024;
  return Math.min(MAX_BATCH_ROWS, Math.max(1024, rows));
}

/** Parse text inputs (opened by openTrace) into plain buffers; null when an input is not text (use loadEvents). */
export async function loadEventBuffers(
  inputs: readonly TraceInput[],
  opts: LoadOptions = {},
): Promise<EventBuffers | null> {
  if (inputs.length === 0) throw new Error('no input files');
  if (inputs.some((i) => i.kind !== 'text')) return null;
  const cols = new PlainColumns(opts.batchRows ?? batchRowsFor(inputs));
  const batches: BatchBuffers[] = [];
  const sources: SourceSummary[] = [];
  for (const input of inputs) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const onBatch = (b: BatchBuffers): void => void batches.push(b);
    const text = await ingestTextSource(input.path, cols, onBatch, textSourceOptions(input, opts, false));
    sources.push(await withTextWallClock(input, text));
  }
  if (cols.length > 0 || batches.length === 0) batches.push(cols.flush());
  const summary = totals(sources);
  const dicts = {} as Record<DictColumn, readonly string[]>;
  for (const d of DICT_COLUMNS) dicts[d] = cols.dicts[d].values;
  return { batches, dicts, summary, metadata: summaryMetadata(summary) };
}
