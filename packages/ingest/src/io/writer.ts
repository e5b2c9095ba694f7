/**
 * Event-table output through the one output writer (./output.ts: atomic for files, streamed for stdout/FIFOs,
 * symlinks written through, inputs refused). What the path names decides the encoding:
 * - `x.parquet`: Parquet, zstd (./parquet.ts);
 * - a stream (`-`, /dev/stdout, a FIFO): Arrow IPC *stream* format, strings plain Utf8 (a stream cannot carry a
 *   dictionary that is only complete at the end);
 * - any other file: Arrow IPC *file* format with ONE dictionary batch per dictionary column, written after the
 *   record batches (the IPC file format allows a dictionary anywhere in the file; its footer lists it). Readers
 *   without delta-dictionary support (polars) read it; the record batches keep their int32 indices.
 * Batches are encoded one at a time and written before the next is produced, so memory stays one batch.
 */
import {
  Data,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  type RecordBatch,
  type RecordBatchWriter,
  type Schema,
  type Vector,
} from 'apache-arrow';
import { abortError } from './source.js';
import { openOutput, type Output } from './output.js';
import { plainSchema, plainStringBatch } from './plain-strings.js';

/**
 * apache-arrow's writer queues encoded bytes in an internal async queue; we drain it synchronously after
 * every batch so memory stays bounded by one batch (the queue is `_sink._values` in apache-arrow 21).
 */
function drain(writer: RecordBatchWriter): Uint8Array[] {
  const sink = (writer as unknown as { _sink?: { _values?: unknown } })._sink;
  const values = sink?._values;
  if (!Array.isArray(values)) throw new Error('apache-arrow writer internals changed: cannot drain _sink._values');
  return values.splice(0) as Uint8Array[];
}

/** Dictionary vector → one Data chunk (the file gets one non-delta dictionary batch per id). */
function oneChunk(dict: Vector): Data {
  if (dict.data.length === 1) return dict.data[0]!;
  const whole = dict.data[0]!.type;
  // re-encode the strings as one Utf8 Data (dictionaries are the distinct strings: small)
  const values = [...dict].map((v) => (v === null || v === undefined ? null : String(v)));
  const enc = new TextEncoder();
  const parts = values.map((v) => (v === null ? null : enc.encode(v)));
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    total += p?.length ?? 0;
    offsets[i + 1] = total;
  });
  const bytes = new Uint8Array(total);
  parts.forEach((p, i) => p && bytes.set(p, offsets[i]!));
  const nulls = values.filter((v) => v === null).length;
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => v !== null && (bitmap[i >> 3]! |= 1 << (i & 7)));
  return new Data(whole, 0, values.length, nulls, [offsets, bytes, nulls > 0 ? bitmap : undefined]);
}

/** IPC file writer that writes each dictionary once, complete, just before the footer (no deltas). */
class OneDictionaryFileWriter extends RecordBatchFileWriter {
  private lastDictionaries: Map<number, Vector> = new Map();

  protected override _writeDictionaries(batch: RecordBatch): this {
    for (const [id, dict] of batch.dictionaries) this.lastDictionaries.set(id, dict);
    return this;
  }

  protected override _writeFooter(schema: Schema): this {
    for (const [id, dict] of this.lastDictionaries) this._writeDictionaryBatch(oneChunk(dict), id, false);
    this.lastDictionaries = new Map();
    return super._writeFooter(schema);
  }
}

/** How batches become bytes for one output. */
export interface Encoder {
  write(batch: RecordBatch): Promise<void>;
  /** the batch's bytes are in the output when it returns (its buffers may then change); undefined: cannot */
  writeNow?: (batch: RecordBatch) => void;
  /** the summary metadata is known now: finish the output */
  finish(metadata: Map<string, string>): Promise<void>;
}

function arrowEncoder(out: Output, stream: boolean): Encoder {
  const writer = stream ? new RecordBatchStreamWriter() : new OneDictionaryFileWriter();
  // RecordBatch copies its schema (apache-arrow ensureSameLengthData); the footer is encoded from the first one
  let writtenSchema: Schema | null = null;
  let plain: Schema | null = null;
  const now = out.writeNow;
  return {
    async write(batch) {
      if (stream) {
        plain ??= plainSchema(batch.schema);
        batch = plainStringBatch(batch, plain);
      }
      writtenSchema ??= batch.schema;
      writer.write(batch);
      await out.write(drain(writer));
    },
    // the writer queues views of the batch's buffers (no copy): written out before this returns
    writeNow:
      stream || now === undefined
        ? undefined
        : (batch) => {
            writtenSchema ??= batch.schema;
            writer.write(batch);
            now(drain(writer));
          },
    async finish(metadata) {
      // the footer is encoded from the same Schema object: fill its metadata now that the counts are known
      // (a stream's schema message is already out: it keeps the metadata it started with)
      if (writtenSchema !== null) for (const [k, v] of metadata) writtenSchema.metadata.set(k, v);
      writer.finish();
      await out.write(drain(writer));
    },
  };
}

export interface ArrowOutputOptions {
  signal?: AbortSignal;
  /** the command's inputs: writing over one of them is refused */
  inputs?: readonly string[];
}

/**
 * Write the batches `produce` hands to `write` to `outPath` (Arrow file, Arrow stream or Parquet, see the file
 * comment); `metadataOf(result)` is the summary stored with the table. Nothing is left at `outPath` on error
 * or abort (a streamed output has already delivered what was written).
 */
export async function writeArrowOutput<T>(
  outPath: string,
  opts: ArrowOutputOptions,
  produce: (
    write: (batch: RecordBatch) => Promise<void>,
    writeNow: ((batch: RecordBatch) => void) | undefined,
  ) => Promise<T>,
  metadataOf: (result: T) => Map<string, string>,
): Promise<T> {
  const out = await openOutput(outPath, { inputs: opts.inputs });
  try {
    const encoder = /\.parquet$/i.test(outPath)
      ? await (await import('./parquet.js')).parquetEncoder(out)
      : arrowEncoder(out, out.streamed);
    const signal = opts.signal;
    const now = encoder.writeNow;
    const result = await produce(
      async (batch) => {
        if (signal?.aborted) throw abortError(signal);
        await encoder.write(batch);
      },
      now === undefined
        ? undefined
        : (batch) => {
            if (signal?.aborted) throw abortError(signal);
            now(batch);
          },
    );
    if (signal?.aborted) throw abortError(signal);
    await encoder.finish(metadataOf(result));
    await out.commit();
    return result;
  } catch (err) {
    await out.abort();
    throw err;
  }
}
