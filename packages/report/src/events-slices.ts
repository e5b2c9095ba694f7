/**
 * A big streamed run's events into the embedded store in merged slices (merged-slices.ts): the first `directBatches`
 * record batches of ingest's Arrow file as they are, then `sliceBatches` at a time, each merged into one part before
 * it joins `events`. 10 GB of text leaves ~380 parts instead of ~2,400: 15 per GB past the first. Each slice
 * is an Arrow IPC stream copied from the file's bytes (arrow-slices.ts), read by chDB as `ArrowStream`: the same rows
 * as the whole file read as `Arrow`.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { eventsInsertSql, type ArrowInsertRun } from './arrow-insert.js';
import { readArrowFileLayout, writeArrowSlice } from './arrow-slices.js';
import { insertMergedSlices } from './merged-slices.js';
import type { Store } from './store.js';

/**
 * Record batches per merged slice (~25 K events each as ingest writes them: ~400 K events, ~65 MB of text). Measured
 * on 1 GB merged whole in slices (load 8–10): peak +15 MiB over the plain insert at 16, +30 at 32, +50 at 64.
 */
const SLICE_BATCHES = 16;
/**
 * Record batches inserted as they are before the merged slices (~1 GB of text: 240 parts, ~8–10 MiB), so a trace of
 * up to that size pays no merge, and a bigger one adds a part per slice from there on.
 */
const DIRECT_BATCHES = 240;
/** Bytes copied per read into a slice file */
const COPY_BYTES = 1 << 20;

/** How a run's events are cut (tests make them small) */
export interface EventSlicing {
  /** record batches inserted into `events` as they are, first */
  directBatches?: number;
  /** record batches per merged slice after those */
  sliceBatches?: number;
}

/**
 * INSERT the run's events from `arrowFile` into `events`: a file of no more than `directBatches` record batches
 * whole, as before; a bigger one in slices.
 */
export async function insertEventsInSlices(
  store: Store,
  arrowFile: string,
  run: ArrowInsertRun,
  { directBatches = DIRECT_BATCHES, sliceBatches = SLICE_BATCHES }: EventSlicing = {},
): Promise<void> {
  const layout = await readArrowFileLayout(arrowFile);
  const n = layout.batches.length;
  if (n <= directBatches) {
    await store.command(eventsInsertSql(store.table('events'), arrowFile, 'Arrow', run));
    return;
  }
  const sliceFile = path.join(path.dirname(arrowFile), 'events-slice.arrows');
  const buffer = Buffer.allocUnsafe(COPY_BYTES);
  const slices = 1 + Math.ceil((n - directBatches) / sliceBatches);
  try {
    await insertMergedSlices(store, 'events', slices, async (i, into) => {
      const from = i === 0 ? 0 : directBatches + (i - 1) * sliceBatches;
      const to = i === 0 ? directBatches : Math.min(n, from + sliceBatches);
      writeArrowSlice(arrowFile, layout, from, to, sliceFile, buffer);
      await store.command(eventsInsertSql(into, sliceFile, 'ArrowStream', run));
      rmSync(sliceFile, { force: true });
    });
  } finally {
    rmSync(sliceFile, { force: true });
  }
}
