/**
 * Streaming ingest: record batches handed to the caller as they are parsed, in input order, while the same
 * batches are written to an Arrow IPC file. A consumer that works batch by batch (replay's streamed diagnose) runs
 * in step with the parse workers and never holds the whole table; the file keeps every row for the random access
 * the consumer needs afterwards (evidence rows), by offset, and is a complete `txreplay ingest` output.
 */
import type { RecordBatch } from 'apache-arrow';
import { ingestAll, summaryMetadata, type IngestSummary, type LoadOptions } from '../api.js';
import { EventColumns } from '../table/columns.js';
import { openTrace, type TraceInput } from './open.js';
import { writeArrowOutput } from './writer.js';

/**
 * Parse `inputs`, calling `onBatch` with every record batch in order, before it is written to `arrowPath`
 * (atomically, with the summary in its metadata as `ingestToArrow` writes it). The batch is the consumer's only until
 * `onBatch` returns (or its promise resolves): its buffers are then written and reused for later batches, as
 * `ingestToArrow` reuses them (a consumer copies what it keeps). Back-pressure is the consumer's: batches wait for
 * `onBatch`, and the parse workers for them.
 */
export async function streamEvents(
  inputs: readonly (string | TraceInput)[],
  arrowPath: string,
  onBatch: (batch: RecordBatch) => void | Promise<void>,
  opts: LoadOptions = {},
): Promise<IngestSummary> {
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
          await onBatch(batch);
          await write(batch);
        },
        opts,
        true,
      );
    },
    summaryMetadata,
  );
}
