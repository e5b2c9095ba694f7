/**
 * Batches without Apache Arrow: the row builder (./rows.ts) whose batches are its plain buffers. What a small
 * `txreplay diagnose` parses into, so that it never loads apache-arrow (about a quarter of a CPU-second to load):
 * replay reads these buffers as it reads an Arrow table's (packages/replay/src/plain-source.ts). ./columns.ts
 * EventColumns is the same builder whose batches are Arrow record batches.
 */
import { RowColumns, type BatchBuffers, type BufferPool } from './rows.js';

/** The output's row builder as the parsers fill it (../io/source.ts), and how it turns rows into a batch `B`. */
export interface BatchColumns<B> extends RowColumns {
  /** rows [0, length) as one batch; the builder is reset for the next */
  flush(pool?: BufferPool): B;
  /** the batch of `b`, whose dictionary indices are already this builder's */
  batchOf(b: BatchBuffers): B;
}

/** The row builder whose batches are its buffers, the dictionaries staying in `dicts`. */
export class PlainColumns extends RowColumns implements BatchColumns<BatchBuffers> {
  flush(pool?: BufferPool): BatchBuffers {
    return this.takeBuffers(pool);
  }

  batchOf(b: BatchBuffers): BatchBuffers {
    return b;
  }
}
