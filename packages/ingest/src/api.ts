/**
 * Public ingest API (contract for replay, report and cli).
 */
import { Table, type RecordBatch } from 'apache-arrow';
import { ingestBinarySource } from './io/binary.js';
import { appendRow, readArrowTable, rowAt, summaryOfArrow } from './io/arrowInput.js';
import { openTrace, singleArrowInput, type TraceInput } from './io/open.js';
import { EventColumns } from './table/columns.js';
import { NotATraceError, type SourceSummary } from './parse/errors.js';
import { writeArrowOutput } from './io/writer.js';
import { META, SCHEMA_VERSION, type TraceFormat } from './table/schema.js';
import { abortError, headLinesOf, ingestTextSource } from './io/source.js';
import { wallClockMetaValue, wallClockOfLines, type WallClock } from './parse/wallClock.js';

export interface IngestSummary {
  sources: SourceSummary[];
  lines: number;
  events: number;
  skipped: number;
  comments: number;
  lostEvents: number;
  eventCounts: Record<string, number>;
}

export interface LoadOptions {
  /** override format sniffing */
  format?: TraceFormat;
  /** stop at the first unparseable line (StrictParseError) */
  strict?: boolean;
  /** progress callback (bytes of input consumed so far, total or null for stdin/gzip) */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  signal?: AbortSignal;
  /** rows per record batch (default 65536) */
  batchRows?: number;
  /**
   * parse worker threads (0 = parse in this thread). Given here or in TXREPLAY_INGEST_WORKERS, they are used for
   * any input larger than one block; by default (one per core, at most 4) only for regular files of 16 MiB or
   * more in the formats the workers parse with the WebAssembly kernel (perf-script, ftrace/trace-cmd, bpftrace
   * printf; ./wasmLines.ts) and 128 MiB or more for bpftrace JSON. The table is identical either way.
   */
  workers?: number;
  /** bytes per block of whole lines handed to a worker (default 4 MiB; tests use small blocks) */
  blockBytes?: number;
}

function totals(sources: SourceSummary[]): IngestSummary {
  const s: IngestSummary = { sources, lines: 0, events: 0, skipped: 0, comments: 0, lostEvents: 0, eventCounts: {} };
  for (const src of sources) {
    s.lines += src.lines;
    s.events += src.events;
    s.skipped += src.skipped;
    s.comments += src.comments;
    s.lostEvents += src.lostEvents;
    for (const [k, n] of Object.entries(src.eventCounts)) s.eventCounts[k] = (s.eventCounts[k] ?? 0) + n;
  }
  return s;
}

/** Write the summary into the schema metadata map (META keys; all values strings). */
export function summaryMetadata(summary: IngestSummary): Map<string, string> {
  const m = new Map<string, string>();
  const first = summary.sources[0];
  m.set(META.schemaVersion, SCHEMA_VERSION);
  m.set(
    META.sources,
    JSON.stringify(
      summary.sources.map((s) => ({
        path: s.path,
        format: s.format,
        kernel: s.kernel,
        lines: s.lines,
        events: s.events,
        skipped: s.skipped,
        comments: s.comments,
        lost: s.lostEvents,
      })),
    ),
  );
  m.set(META.format, first?.format ?? '');
  m.set(META.kernel, summary.sources.find((s) => s.kernel)?.kernel ?? '');
  m.set(META.lines, String(summary.lines));
  m.set(META.events, String(summary.events));
  m.set(META.skipped, String(summary.skipped));
  m.set(META.comments, String(summary.comments));
  m.set(META.lost, String(summary.lostEvents));
  m.set(META.wallClock, wallClockMetaValue(summary.sources.find((s) => s.wallClock)?.wallClock));
  return m;
}

/**
 * The wall clock in a text trace's header comments (perf script --header, our capture header): read from the
 * file's first lines again after the parse; a stream (stdin, a FIFO) cannot be re-read, so its wall time is unknown.
 */
async function textWallClock(input: TraceInput): Promise<WallClock | null> {
  if (input.transport !== 'file') return null;
  return wallClockOfLines(await headLinesOf(input.path));
}

/** Parse every input into `cols`, handing full batches to `onBatch`; the last partial batch is flushed too. */
export async function ingestAll(
  inputs: readonly TraceInput[],
  cols: EventColumns,
  onBatch: (b: RecordBatch) => void | Promise<void>,
  opts: LoadOptions,
  /** onBatch is done with a batch when it returns (it writes, not keeps): its buffers may be reused */
  batchesDropped: boolean,
): Promise<IngestSummary> {
  if (inputs.length === 0) throw new Error('no input files');
  const sources: SourceSummary[] = [];
  let batches = 0;
  const counted = async (b: RecordBatch): Promise<void> => {
    batches++;
    await onBatch(b);
  };
  for (const input of inputs) {
    const path = input.path;
    if (opts.signal?.aborted) throw abortError(opts.signal);
    if (input.kind === 'log') {
      throw new NotATraceError(
        path,
        `${path} is a kernel log (dmesg, syslog or journal), not a trace: \`txreplay diagnose\` reads it as evidence beside traces.`,
      );
    }
    if (input.kind === 'aggregates') {
      throw new NotATraceError(
        path,
        `${path} holds bpftrace maps (counts without timestamps), not trace events: \`txreplay diagnose\` summarises them.`,
      );
    }
    if (input.kind === 'arrow') {
      const table = await readArrowTable(path);
      for (const batch of table.batches) {
        for (let i = 0; i < batch.numRows; i++) {
          appendRow(cols, rowAt(batch, i));
          if (cols.full) await counted(cols.flush());
        }
      }
      sources.push(summaryOfArrow(path, table));
      continue;
    }
    if (input.kind === 'binary') {
      sources.push(
        await ingestBinarySource(path, input.binary!, cols, counted, { ...opts, reuseBatchBuffers: batchesDropped }),
      );
      continue;
    }
    const text = await ingestTextSource(path, cols, counted, {
      format: input.format ?? undefined,
      strict: opts.strict,
      signal: opts.signal,
      onProgress: opts.onProgress,
      totalBytes: input.bytes,
      workers: opts.workers,
      blockBytes: opts.blockBytes,
      reuseBatchBuffers: batchesDropped,
    });
    // absent = unknown, as the reference parser (ingestTextSource alone) reports it
    const wallClock = await textWallClock(input);
    sources.push(wallClock ? { ...text, wallClock } : text);
  }
  if (cols.length > 0 || batches === 0) await counted(cols.flush());
  return totals(sources);
}

/** Read traces (any text format, .gz, '-' for stdin, or .arrow files) into one in-memory Arrow table. */
export async function loadEvents(
  inputs: readonly (string | TraceInput)[],
  opts: LoadOptions = {},
): Promise<{ table: Table; summary: IngestSummary }> {
  // One .arrow input (an earlier `txreplay ingest` output) is already the table: hand it over as written instead of
  // re-appending millions of rows through the slow path (several inputs are merged below).
  const opened = await openTrace(inputs, opts);
  const arrow = singleArrowInput(opened);
  if (arrow !== null) {
    const path = arrow.path;
    const table = await readArrowTable(path);
    if (!table.schema.fields.some((f) => f.name === 'event') || !table.schema.fields.some((f) => f.name === 'ts_ns')) {
      throw new NotATraceError(
        path,
        `${path} is an Arrow file but not a txreplay event table (no ts_ns/event columns).`,
      );
    }
    return { table, summary: totals([summaryOfArrow(path, table)]) };
  }
  const cols = new EventColumns(opts.batchRows);
  const batches: RecordBatch[] = [];
  const summary = await ingestAll(opened, cols, (b) => void batches.push(b), opts, false);
  const table = new Table(batches);
  for (const [k, v] of summaryMetadata(summary)) table.schema.metadata.set(k, v);
  return { table, summary };
}

/**
 * Stream traces into `outPath` through the one output writer (io/output.ts, io/writer.ts): an Arrow IPC file
 * (atomic: temp + rename, nothing left behind on error), `x.parquet` as zstd Parquet, or `-`/a FIFO as an Arrow
 * IPC stream. An output that is one of the inputs is refused.
 */
export async function ingestToArrow(
  inputs: readonly (string | TraceInput)[],
  outPath: string,
  opts: LoadOptions = {},
): Promise<IngestSummary> {
  const cols = new EventColumns(opts.batchRows);
  const inputPaths = inputs.map((i) => (typeof i === 'string' ? i : i.path));
  return writeArrowOutput(
    outPath,
    { signal: opts.signal, inputs: inputPaths },
    async (write) => {
      // the writer has written a batch's bytes when write() resolves (./io/writer.ts drains after every batch)
      return ingestAll(await openTrace(inputs, opts), cols, write, opts, true);
    },
    summaryMetadata,
  );
}
