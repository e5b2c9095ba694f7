/**
 * The writer's side of a streamed `report` (stream-report.ts): the events are in an Arrow IPC file and go to the
 * store batch by batch from it; the per-skb lifecycles are in a spill file and go as TSV read back chunk by chunk.
 * Neither is ever held whole. Lock, leftovers, retries and the `runs` row last are writeEncodedRun's, as for every
 * run (write.ts).
 */
import type { RunSummary } from './evidence-run.js';
import type { StreamedPackets } from './packet-stream.js';
import { prepareRun, type RunInput } from './encode-run.js';
import { hashSources, writeEncodedRun, type WriteOptions, type WriteResult } from './write.js';
import { WallClockFormatter } from './tsv.js';
import type { Store } from './store.js';
import type { TableName } from './ddl.js';

export interface StreamedRunInput extends Omit<RunInput, 'table' | 'summary'> {
  summary: RunSummary;
  /** the events, as `txreplay ingest` writes them */
  arrowFile: string;
  events: number;
  packets: StreamedPackets;
}

/** Write a streamed run: its events from `arrowFile`, its lifecycles from their spill, the `runs` row last. */
export async function writeStreamedRun(
  entry: Store,
  input: StreamedRunInput,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  const t0 = performance.now();
  const hashes = input.hashes ?? (await hashSources(input.summary.sources.map((s) => s.path)));
  const run = prepareRun(input, hashes, entry.caps.dateTime64, {
    rows: input.events,
    packets: [],
    data: { arrowFile: input.arrowFile },
  });
  // the lifecycles' rows, as encodeRunRows writes them: the run's key columns, then the row, its time on the wall
  const r = run.rows.runs;
  const clock = new WallClockFormatter(entry.caps.dateTime64);
  const offsetNs = run.rows.wallOffsetNs;
  const k = [run.runId, r.host, r.kernel, r.driver_profile];
  // the embedded store's insert writes each block to its temp file before it takes the next
  const native = input.packets.native?.(k.map(String), entry.caps, offsetNs, entry.config.placement === 'embedded');
  if (input.packets.count > 0 && !native) run.rows.tsv.packets = input.packets.tsv(k, { clock, offsetNs });
  r.packets = input.packets.count;
  const nativeRows = native && input.packets.count > 0 ? { packets: native } : undefined;
  const encoded = { ...run, nativeRows, packets: input.packets.count, encodeMs: performance.now() - t0 };
  if (entry.config.placement === 'server') return writeEncodedRun(entry, encoded, opts);
  return withoutMerges(entry, ['events', 'packets'], () => writeEncodedRun(entry, encoded, opts));
}

/**
 * Run `body` with the background merges of `tables` stopped (embedded store: chDB merges in this process). A big
 * run's inserts make hundreds of small parts; merged while they are written, they took 9 of 12 s of CPU and 140 of
 * 175 MiB of peak memory on 6.1 M events (the insert alone: 3 s, +33 MiB). Merges start again after, in the
 * background (the parts merge as ClickHouse always merges them, in this process if it lives on, else at the next open).
 * Unmerged, the parts of one month's partition pass MergeTree's limits on a big trace — 716 parts for the events of
 * 3 GB of text; from 1,000 each insert block is delayed (up to 1 s), from 3,000 the insert fails ("Too many parts",
 * ~12 GB) — so the limits are lifted on these tables for the run and reset after.
 */
async function withoutMerges<T>(store: Store, tables: TableName[], body: () => Promise<T>): Promise<T> {
  for (const t of tables) {
    await store.command(`SYSTEM STOP MERGES ${store.table(t)}`);
    await store.command(
      `ALTER TABLE ${store.table(t)} MODIFY SETTING ${PARTS_LIMITS.map((s) => `${s} = 1000000`).join(', ')}`,
    );
  }
  try {
    return await body();
  } finally {
    for (const t of tables) {
      await store.command(`ALTER TABLE ${store.table(t)} RESET SETTING ${PARTS_LIMITS.join(', ')}`);
      await store.command(`SYSTEM START MERGES ${store.table(t)}`);
    }
  }
}

/** MergeTree's per-partition limits on active parts before an insert is delayed / refused */
const PARTS_LIMITS = ['parts_to_delay_insert', 'parts_to_throw_insert'];
