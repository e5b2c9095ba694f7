/**
 * `-o x.parquet`: the event table as zstd-compressed Parquet, written by parquet-wasm (the Rust `parquet` crate
 * compiled to WebAssembly: Apache Arrow's own Parquet writer, no native build, and ingest does not load chDB).
 * Batches go in one at a time (strings plain: Parquet dictionary-encodes them per column chunk itself) and the
 * encoded bytes go out to the output as they come, so memory stays a few row groups.
 * The summary counts (known only at the end) are not in the Parquet footer: the writer's properties are fixed
 * before the first row; the Arrow schema (names, types, nullability) is.
 */
import { Table as ArrowTable, tableToIPC, type RecordBatch } from 'apache-arrow';
import type { Output } from './output.js';
import { plainSchema, plainStringBatch } from './plain-strings.js';
import type { Encoder } from './writer.js';

/** Rows per Parquet row group: ~1M rows keeps the column chunks large enough for zstd and readers' statistics. */
const ROW_GROUP_ROWS = 1 << 20;

export async function parquetEncoder(out: Output): Promise<Encoder> {
  const pw = await import('parquet-wasm');
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setCreatedBy('txreplay (parquet-wasm)')
    .build();
  // batches in: a pull stream (one queued batch at most, so parsing waits for the encoder)
  let ctrl!: ReadableStreamDefaultController<unknown>;
  let pulled: (() => void) | null = null;
  const input = new ReadableStream<unknown>(
    {
      start: (c) => void (ctrl = c),
      pull: () => {
        pulled?.();
        pulled = null;
      },
    },
    { highWaterMark: 1 },
  );
  // bytes out: written as they are produced (the transform resolves once it has read the first batch's schema)
  const output = pw.transformParquetStream(input, props);
  const pump = (async () => {
    const reader = ((await output) as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await out.write(value);
    }
  })();
  let pumpError: unknown = null;
  pump.catch((e: unknown) => void (pumpError = e));
  let plain: ReturnType<typeof plainSchema> | null = null;
  let batches = 0;
  return {
    async write(batch: RecordBatch) {
      if (pumpError !== null) throw pumpError;
      plain ??= plainSchema(batch.schema);
      const ipc = tableToIPC(new ArrowTable([plainStringBatch(batch, plain)]), 'stream');
      const wasmBatch = pw.Table.fromIPCStream(ipc).recordBatch(0);
      if (wasmBatch === undefined) return;
      batches++;
      while ((ctrl.desiredSize ?? 1) <= 0) await new Promise<void>((ok) => (pulled = ok));
      ctrl.enqueue(wasmBatch);
    },
    async finish() {
      // the transform learns the schema from the first batch: without one it would wait forever
      if (batches === 0) throw new Error(`cannot write ${out.path} as Parquet: the trace has no events`);
      ctrl.close();
      await pump;
    },
  };
}
