/**
 * The writer's side of a streamed `report` (stream-report.ts): the events are in an Arrow IPC file and go to the
 * store batch by batch from it; the per-skb lifecycles are in a spill file and go as Native blocks (or TSV) read
 * back chunk by chunk. Neither is ever held whole. Lock, leftovers, retries and the `runs` row last are
 * writeRunWith's, as for every run (write.ts).
 *
 * On the embedded store the replay can run while chDB reads the events: the events need only the run id (the
 * sources' hashes and the options), the run's tags and the wall offset, all known when the parse ends — the offset
 * from the trace's own wall clock, or, without one, from the newest event (StreamedTrace.lastNs) — so the insert
 * goes to chDB's thread and the replay runs on this one beside it (`replay` input, see overlapReplay).
 */
import type { ReplayResult } from '@txreplay/replay';
import type { RunSummary } from './evidence-run.js';
import type { StreamedPackets } from './packet-stream.js';
import {
  computeRunId,
  prepareRun,
  runTags,
  wallAnchor,
  type EncodedRun,
  type RunInput,
  type SourceHash,
  type WallAnchor,
} from './encode-run.js';
import {
  dropRunRows,
  hashSources,
  prepareNativeInsert,
  type BlockSlicing,
  type PreparedInsert,
  writeEncodedRun,
  writeRunWith,
  writeSideRows,
  type WriteOptions,
  type WriteResult,
} from './write.js';
import { WallClockFormatter } from './tsv.js';
import type { Store } from './store.js';
import type { TableName } from './ddl.js';
import { readsArrowFile } from './arrow-insert.js';
import { insertEventsInSlices, type EventSlicing } from './events-slices.js';
import { attachEventsFile, createRunView } from './event-files.js';

export interface StreamedRunInput extends Omit<RunInput, 'table' | 'summary' | 'result'> {
  summary: RunSummary;
  /** the events, as `txreplay ingest` writes them */
  arrowFile: string;
  events: number;
  packets: StreamedPackets;
  /** the replay's result; or `replay`, which gives it (called at most once, by the writer or by the caller after) */
  result?: ReplayResult;
  /**
   * the replay still to run: the embedded store reads the events while it runs (it is called once the run's lock
   * is held and its events insert has started); elsewhere it is called before anything is written. A run that is
   * stored already never calls it.
   */
  replay?: () => Promise<ReplayResult>;
  /** the newest event's ts_ns (StreamedTrace.lastNs): the wall offset of a trace without its own wall clock */
  lastNs?: bigint | null;
}

export interface StreamedWriteOptions extends WriteOptions {
  /**
   * the caller closes the store right after this write (`txreplay report`): the merges stopped for the write are
   * left stopped — a close right after cancels merges that have just started (the parts are the same either way:
   * 240 + 101 for 1 GB of text), and starting them cost ~0.6 s and ~36 MiB at the close. The next process that
   * opens the store merges them (a stop lasts as long as the process).
   */
  closesStore?: boolean;
  /** how the events are cut into merged slices on the embedded store (events-slices.ts; tests make them small) */
  eventSlicing?: EventSlicing;
  /** the same for the lifecycles' Native blocks (`blockRows` per block, default 16,384; write.ts BlockSlicing) */
  packetSlicing?: BlockSlicing & { blockRows?: number };
}

/** Write a streamed run: its events from `arrowFile`, its lifecycles from their spill, the `runs` row last. */
export async function writeStreamedRun(
  entry: Store,
  input: StreamedRunInput,
  opts: StreamedWriteOptions = {},
): Promise<WriteResult> {
  const t0 = performance.now();
  const hashes = input.hashes ?? (await hashSources(input.summary.sources.map((s) => s.path)));
  const early = input.replay && readsArrowFile(entry) ? earlyAnchor(input) : null;
  const write = async (): Promise<WriteResult> => {
    if (early && input.replay) return overlapReplay(entry, { ...input, hashes, replay: input.replay }, early, t0, opts);
    const result = input.result ?? (await input.replay!());
    return writeEncodedRun(entry, encodeStreamedRun(entry, { ...input, hashes, result }, t0), opts);
  };
  if (entry.config.placement === 'server') return write();
  // the events of a streamed run go to no MergeTree with event files
  const tables: TableName[] = entry.eventFiles ? ['packets'] : ['events', 'packets'];
  return withoutMerges(entry, tables, write, opts.closesStore === true);
}

type HashedRun = StreamedRunInput & { hashes: SourceHash[] };

/** Run id, wall clock, side rows and lifecycles of a replayed run (`wall`: the anchor its events took). */
function encodeStreamedRun(
  store: Store,
  run: HashedRun & { result: ReplayResult },
  t0: number,
  wall?: WallAnchor,
  blockRows?: number,
): EncodedRun {
  const events = { rows: run.events, packets: [], data: { arrowFile: run.arrowFile } };
  const encoded = prepareRun(run, run.hashes, store.caps.dateTime64, events, wall);
  return withPackets(store, encoded, run.packets, t0, blockRows);
}

/**
 * The embedded store reads the events from the Arrow file (chDB's thread) while `run.replay` runs on this one, which
 * then writes the lifecycles' Native file; then the lifecycles from it, the side rows and the `runs` row as usual.
 * Measured on 1 GB of text (load 7): the replay's 0.7 s and the file's 0.6 s of CPU fit in the events insert's ~4 s.
 */
function overlapReplay(
  store: Store,
  run: HashedRun & { replay: () => Promise<ReplayResult> },
  wall: WallAnchor,
  t0: number,
  opts: StreamedWriteOptions,
): Promise<WriteResult> {
  const runId = computeRunId(run.hashes, run.options);
  const head = { runId, events: run.events, packets: run.packets.count, encodeMs: performance.now() - t0 };
  // a failed replay is the command's error as it is, not a failed write (the writer removes the events first)
  let replayError: { error: unknown } | undefined;
  const written = writeRunWith(store, head, opts, async (s, writeT0) => {
    const tags = runTags(run);
    const slices = opts.eventSlicing;
    const early = { runId, tags, wallOffsetNs: wall.offsetNs };
    // with event files the run's events are its Arrow file (event-files.ts): nothing to insert
    const inserting = s.eventFiles
      ? attachEventsFile(s, run.arrowFile, early)
      : insertEventsInSlices(s, run.arrowFile, early, slices);
    let encoded: EncodedRun;
    const prepared: { packets?: PreparedInsert } = {};
    try {
      try {
        // the insert's query reaches chDB's thread before the replay holds this one
        await new Promise((r) => setImmediate(r));
        const result = await run.replay().catch((error: unknown) => {
          replayError = { error };
          throw error;
        });
        const replayed = { ...run, result };
        const blockRows = opts.packetSlicing?.blockRows;
        encoded = encodeStreamedRun(s, replayed, t0, agreedAnchor(wall, replayed), blockRows);
        // the lifecycles' Native file is written while chDB still inserts the events (this thread is idle otherwise)
        const packets = encoded.nativeRows?.packets;
        if (packets && !s.eventFiles && encoded.rows.wallOffsetNs === wall.offsetNs)
          prepared.packets = prepareNativeInsert('packets', packets, opts.packetSlicing);
      } finally {
        // settled either way: a failed replay leaves no insert running under the cleanup
        await inserting.catch(() => undefined);
      }
      await inserting;
      opts.onEventsProgress?.(run.events, run.events);
      if (encoded.rows.wallOffsetNs !== wall.offsetNs && s.eventFiles)
        await createRunView(s, { runId, tags, wallOffsetNs: encoded.rows.wallOffsetNs });
      else if (encoded.rows.wallOffsetNs !== wall.offsetNs) {
        // the replay placed the trace elsewhere in time (a wall clock from evidence beside it): the events again (the
        // delete runs the merges again: stopped once more for the insert)
        await dropRunRows(s, runId, ['events']);
        await s.command(`SYSTEM STOP MERGES ${s.table('events')}`);
        await insertEventsInSlices(s, run.arrowFile, { runId, tags, wallOffsetNs: encoded.rows.wallOffsetNs }, slices);
      }
      await writeSideRows(s, encoded, writeT0, prepared);
    } finally {
      prepared.packets?.remove();
    }
  });
  return written.catch((e: unknown) => {
    throw replayError ? replayError.error : e;
  });
}

/**
 * The wall anchor before the replay: the caller's (`wallClockEndNs`, at the newest event), the trace's own wall
 * clock (the first source that has one, as ingest's metadata and so the replay take it), else unknown — the newest
 * event placed now (the replay's would be placed a replay later: either is "the moment the run was written").
 * Null when there is no event (nothing to overlap).
 */
function earlyAnchor(input: StreamedRunInput): WallAnchor | null {
  const lastNs = input.lastNs ?? null;
  if (lastNs === null) return null;
  if (input.wallClockEndNs !== undefined)
    return { offsetNs: input.wallClockEndNs - lastNs, known: true, source: 'given' };
  const own = input.summary.sources.find((s) => s.wallClock)?.wallClock;
  if (own) return { offsetNs: own.wallNs - own.traceNs, known: true, source: own.source };
  return { offsetNs: BigInt(Date.now()) * 1_000_000n - lastNs, known: false, source: '' };
}

/** The replay's anchor when it knows the wall clock (it has the last word), else the early one the events took. */
function agreedAnchor(early: WallAnchor, run: StreamedRunInput & { result: ReplayResult }): WallAnchor {
  const after = wallAnchor(run);
  return after.known ? after : early;
}

/** `encoded` with the streamed lifecycles: Native blocks from the spill where they fit, else its TSV. */
function withPackets(
  store: Store,
  encoded: EncodedRun,
  packets: StreamedPackets,
  t0: number,
  blockRows?: number,
): EncodedRun {
  // the lifecycles' rows, as encodeRunRows writes them: the run's key columns, then the row, its time on the wall
  const r = encoded.rows.runs;
  const clock = new WallClockFormatter(store.caps.dateTime64);
  const offsetNs = encoded.rows.wallOffsetNs;
  const k = [encoded.runId, r.host, r.kernel, r.driver_profile];
  // the embedded store's insert writes each block to its temp file before it takes the next
  const native = packets.native?.(
    k.map(String),
    store.caps,
    offsetNs,
    store.config.placement === 'embedded',
    blockRows,
  );
  if (packets.count > 0 && !native) encoded.rows.tsv.packets = packets.tsv(k, { clock, offsetNs });
  r.packets = packets.count;
  const nativeRows = native && packets.count > 0 ? { packets: native } : undefined;
  return { ...encoded, nativeRows, packets: packets.count, encodeMs: performance.now() - t0 };
}

/**
 * Run `body` with the background merges of `tables` stopped (embedded store: chDB merges in this process). A big
 * run's inserts make hundreds of small parts; merged while they are written, they took 9 of 12 s of CPU and 140 of
 * 175 MiB of peak memory on 6.1 M events (the insert alone: 3 s, +33 MiB). Merges start again after, in the
 * background (the parts merge as ClickHouse always merges them, in this process if it lives on, else at the next
 * open) — unless `leaveStopped` (the store closes right after: StreamedWriteOptions.closesStore).
 * Unmerged, the parts of one month's partition pass MergeTree's limits on a big trace — 716 parts for the events of
 * 3 GB of text; from 1,000 each insert block is delayed (up to 1 s), from 3,000 the insert fails ("Too many parts",
 * ~12 GB) — so the limits are lifted on these tables for the run and reset after.
 */
async function withoutMerges<T>(
  store: Store,
  tables: TableName[],
  body: () => Promise<T>,
  leaveStopped: boolean,
): Promise<T> {
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
      if (!leaveStopped) await store.command(`SYSTEM START MERGES ${store.table(t)}`);
    }
  }
}

/** MergeTree's per-partition limits on active parts before an insert is delayed / refused */
const PARTS_LIMITS = ['parts_to_delay_insert', 'parts_to_throw_insert'];
