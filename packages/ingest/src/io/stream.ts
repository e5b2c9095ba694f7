/**
 * Streaming ingest: record batches handed to the caller as they are parsed, in input order, while the same
 * batches are written to an Arrow IPC file. A consumer that works batch by batch (replay's streamed diagnose) runs
 * in step with the parse workers and never holds the whole table; the file keeps every row for the random access
 * the consumer needs afterwards (evidence rows), by offset, and is a complete `txreplay ingest` output.
 */
import type { RecordBatch } from 'apache-arrow';
import { ingestAll, summaryMetadata, type IngestSummary, type LoadOptions } from '../api.js';
import type { ColumnName } from '../table/catalogue.js';
import { EventColumns } from '../table/columns.js';
import { keepBatch } from './lease.js';
import { openTrace, type TraceInput } from './open.js';
import { writeArrowOutput } from './writer.js';

/**
 * What a consumer may do with a batch past its onBatch: `keep()` gives the release to call once it stops reading the
 * batch's buffers (they are not reused until then), or null when this batch cannot be kept (copy what you keep).
 */
export type KeepBatch = () => (() => void) | null;

export interface StreamOptions extends LoadOptions {
  /**
   * the columns of the file written (default: all, a complete `txreplay ingest` output): a consumer that reads only
   * some of them back (replay's streamed diagnose) writes, and later deletes, ~a fifth fewer bytes without the rest
   */
  columns?: readonly ColumnName[];
}

/**
 * Parse `inputs`, calling `onBatch` with every record batch in order, before it is written to `arrowPath`
 * (atomically, with the summary in its metadata as `ingestToArrow` writes it). The batch is the consumer's only until
 * `onBatch` returns (or its promise resolves): its buffers are then written and reused for later batches, as
 * `ingestToArrow` reuses them — unless the consumer calls `keep` (./lease.ts): then they are reused once it calls the
 * release `keep` gave it. Back-pressure is the consumer's: batches wait for `onBatch`, and the parse workers for them.
 */
export async function streamEvents(
  inputs: readonly (string | TraceInput)[],
  arrowPath: string,
  onBatch: (batch: RecordBatch, keep: KeepBatch) => void | Promise<void>,
  opts: StreamOptions = {},
): Promise<IngestSummary> {
  const written = opts.columns;
  const cols = new EventColumns(opts.batchRows);
  return writeArrowOutput(
    arrowPath,
    { signal: opts.signal },
    async (write) => {
      const opened = await openTrace(inputs, opts);
      return ingestAll(
        opened,
        cols,
        async (batch) => {
          await onBatch(batch, () => keepBatch(batch));
          await write(written === undefined ? batch : selected(batch, written));
        },
        opts,
        true,
      );
    },
    summaryMetadata,
  );
}

/**
 * The batch with only `names` (in table order). apache-arrow 21's RecordBatch.select leaves holes in its children
 * for the columns it drops (the writer then fails on them); selectAt takes indices and has none.
 */
function selected(batch: RecordBatch, names: readonly ColumnName[]): RecordBatch {
  const keep = new Set<string>(names);
  const at: number[] = [];
  batch.schema.fields.forEach((f, i) => keep.has(f.name) && at.push(i));
  return batch.selectAt(at);
}
