/**
 * Public ingest API (contract for replay, report and cli): the Arrow side. What needs no Arrow (the summary, the
 * text inputs parsed into plain buffers) is in ./summary.ts and ./load-buffers.ts.
 */
import { Table, type RecordBatch } from 'apache-arrow';
import { ingestBinarySource } from './io/binary.js';
import { appendRow, readArrowTable, rowAt, summaryOfArrow } from './io/arrowInput.js';
import { openTrace, singleArrowInput, type TraceInput } from './io/open.js';
import { BufferPool, DICT_COLUMN_NAMES, EventColumns } from './table/columns.js';
import { NotATraceError, type SourceSummary } from './parse/errors.js';
import { writeArrowOutput } from './io/writer.js';
import { abortError, ingestTextSource } from './io/source.js';
import { withTextWallClock } from './io/text-wall-clock.js';
import { summaryMetadata, totals, type IngestSummary, type LoadOptions } from './summary.js';
import { textSourceOptions, type EventBuffers } from './load-buffers.js';

export { summaryMetadata, type IngestSummary, type LoadOptions };

/** What a counters input is, for the sentence that refuses it as a trace. */
const COUNTER_INPUTS: Record<NonNullable<TraceInput['counters']>, [string, string]> = {
  'tc-stats': ['`tc -s qdisc show`', 'qdisc counters'],
  'ethtool-stats': ['`ethtool -S`', 'NIC counters'],
  'ip-link': ['`ip -s link`', 'link state and counters'],
  ifconfig: ['`ifconfig`', 'link state and counters'],
  'netstat-i': ['`netstat -i`', 'link state and packet counters'],
  'sysfs-statistics': ["a device's sysfs statistics/", 'link counters'],
  'proc-net-dev': ['/proc/net/dev', 'link counters'],
  'sar-net': ['`sar -n DEV`/`EDEV`', 'per-interval link rates'],
  'ip-counters': ['`nstat` or `netstat -s`', 'IP and UDP send counters'],
  'queue-sysfs': ["TX queues' sysfs", 'BQL state and timeout counts'],
  interrupts: ['/proc/interrupts', 'interrupt counts'],
};

/** Parse every input into `cols`, handing full batches to `onBatch`; the last partial batch is flushed too. */
export async function ingestAll(
  inputs: readonly TraceInput[],
  cols: EventColumns,
  onBatch: (b: RecordBatch) => void | Promise<void>,
  opts: LoadOptions,
  /** onBatch is done with a batch when it returns (it writes, not keeps): its buffers may be reused */
  batchesDropped: boolean,
  /** onBatch's twin that has written the batch when it returns (io/binary.ts: no copy of a binary input's rows) */
  writeNow?: (b: RecordBatch) => void,
): Promise<IngestSummary> {
  if (inputs.length === 0) throw new Error('no input files');
  const sources: SourceSummary[] = [];
  let batches = 0;
  const counted = async (b: RecordBatch): Promise<void> => {
    batches++;
    await onBatch(b);
  };
  const countedNow =
    writeNow === undefined
      ? undefined
      : (b: RecordBatch): void => {
          batches++;
          writeNow(b);
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
    if (input.kind === 'counters') {
      const [what, counters] = COUNTER_INPUTS[input.counters ?? 'tc-stats'];
      throw new NotATraceError(
        path,
        `${path} is ${what} output (${counters}, no events): \`txreplay diagnose\` judges what changed between its snapshots.`,
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
        await ingestBinarySource(path, input.binary!, cols, counted, {
          ...opts,
          reuseBatchBuffers: batchesDropped,
          writeNow: countedNow,
        }),
      );
      continue;
    }
    const text = await ingestTextSource(path, cols, counted, textSourceOptions(input, opts, batchesDropped));
    sources.push(await withTextWallClock(input, text));
  }
  if (cols.length > 0 || batches === 0) {
    // the last rows too are written from the builder's columns when the output can (no copy into fresh memory)
    if (countedNow !== undefined) countedNow(cols.batchOf(cols.viewBuffers(new BufferPool())));
    else await counted(cols.flush());
  }
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
 * The Arrow table of plain buffers (./load-buffers.ts), as loadEvents makes it from the same inputs: the same
 * batches (zero copy) and metadata; each batch carries the whole dictionary rather than the strings so far, which
 * reads back the same.
 */
export function eventTableOf(buffers: EventBuffers): Table {
  const cols = new EventColumns();
  for (const d of DICT_COLUMN_NAMES) for (const s of buffers.dicts[d]) cols.dicts[d].intern(s);
  const table = new Table(buffers.batches.map((b) => cols.batchOf(b)));
  for (const [k, v] of buffers.metadata) table.schema.metadata.set(k, v);
  return table;
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
    async (write, writeNow) => {
      // the writer has written a batch's bytes when write() resolves (./io/writer.ts drains after every batch)
      return ingestAll(await openTrace(inputs, opts), cols, write, opts, true, writeNow);
    },
    summaryMetadata,
  );
}
