/**
 * `txreplay report` on large text traces without the whole event table in memory: ingest's streamEvents parses
 * record batch by record batch into an Arrow IPC file in a private temporary directory, deriving the per-skb
 * lifecycles as the batches go by on a thread of their own (packet-thread.ts: PacketStream's reorder window, closed
 * lifecycles spilled to a file beside it, idle open ones to another); replay then reads that file batch by batch
 * (replayArrowFile) and the writer sends its events and lifecycles to the store chunk by chunk (writeStreamedRun).
 * The parse (stream-parse.ts), and the replay when the caller gives its options, run in a child process of their own
 * (stream-process.ts), so the store is loaded into a process that holds neither's memory. The run is whole or absent
 * as with `writeRun` (its `runs` row goes last), and the directory goes on every way out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IngestSummary, LoadOptions } from '@txreplay/ingest';
import { openTrace } from '@txreplay/ingest/plain';
import { RecordBatchReader } from 'apache-arrow';
import { open } from 'node:fs/promises';
import { PacketDeriver } from './packets.js';
import type { StreamedPackets } from './packet-stream.js';
import { packetsOfSpill } from './packet-thread.js';
import { parseFiles, parseTrace, type ParseTuning } from './stream-parse.js';
import type { ReplayOptions, ReplayResult } from '@txreplay/replay';
import { childScript, parseInChild, replayInChild } from './stream-process.js';
import { packetRows, tsvChunks } from './run-rows.js';
import { hashFilesOnThread } from './hash-thread.js';
import type { SourceHash } from './encode-run.js';

/** Text traces at least this big in total are streamed (diagnose's threshold: a table is ~2× its text). */
const STREAM_MIN_BYTES = 64 << 20;
/** perf script and ftrace text gzip about 8:1 (the shared captures: 6–10:1), as diagnose counts them */
const GZIP_RATIO = 8;

/**
 * True when `report` should stream these inputs: every one a regular text file (hashable for the run id; no
 * Arrow file, log or binary capture) and together at least `minBytes` (gzip counted at 8×).
 */
export async function streamsReport(
  traces: readonly string[],
  opts: LoadOptions = {},
  minBytes = STREAM_MIN_BYTES,
): Promise<boolean> {
  if (opts.format === 'arrow') return false;
  const inputs = await openTrace(traces, opts);
  let total = 0;
  for (const t of inputs) {
    if (t.kind !== 'text' || t.transport !== 'file' || t.bytes === null) return false;
    total += t.gzip ? t.bytes * GZIP_RATIO : t.bytes;
  }
  return total >= minBytes;
}

export interface StreamedTrace {
  /** the events, as `txreplay ingest` writes them */
  arrowFile: string;
  summary: IngestSummary;
  events: number;
  /** the per-skb lifecycles (in a spill file beside the Arrow file) */
  packets: StreamedPackets;
  /** the newest event's ts_ns (null: no event): with the trace's own wall clock, the events' time before the replay */
  lastNs: bigint | null;
  /** the sources' content hashes (the run id's input), computed on a worker thread while the caller replays */
  hashes: Promise<SourceHash[]>;
  /** the replay of the Arrow file, when the parse's process ran it (StreamTuning.replayOptions), and its time */
  result?: ReplayResult;
  replayMs?: number;
  /** remove the temporary directory (idempotent; also done at process exit) */
  remove: () => void;
}

/** streamTrace's tuning: the parse's (tests), and the replay options that have the parse's process replay too. */
export interface StreamTuning extends ParseTuning {
  /**
   * the options of the replay of the parsed file, given the parse's summary (the profile takes the kernel it names):
   * when the parse runs in a child process, the file is replayed in another (StreamedTrace.result), so the replay's
   * memory is gone before the store loads too. Null: no replay there.
   */
  replayOptions?: (summary: IngestSummary) => ReplayOptions | null;
}

/**
 * Parse `traces` into a temporary Arrow file, deriving the per-skb lifecycles on the way (`packetWindowRows`: the
 * reorder window, PacketStream's default unless a test narrows it): in a child process when the compiled one is
 * there (stream-process.ts: the parse's memory, and the replay's with `replayOptions`, is gone before the store
 * loads), else in this one. The sources are hashed on a thread here from the end of the parse, beside that replay.
 */
export async function streamTrace(
  traces: readonly string[],
  opts: LoadOptions = {},
  tuning: StreamTuning = {},
): Promise<StreamedTrace> {
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-report-'));
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', remove);
  };
  process.once('exit', remove);
  try {
    const child = childScript();
    const { packetWindowRows } = tuning;
    const { summary, events, lastNs, spilled } = child
      ? await parseInChild(child, { dir, traces: [...traces], tuning: { packetWindowRows } }, opts)
      : await parseTrace(dir, traces, opts, { packetWindowRows });
    const hashes = hashFilesOnThread(summary.sources.map((x) => x.path));
    hashes.catch(() => undefined); // a failure surfaces where the writer awaits it
    const { arrowFile, spillFile } = parseFiles(dir);
    // the replay in a fresh child process while the sources are hashed here
    const options = child && tuning.replayOptions?.(summary);
    const replayed = options ? await replayInChild(child, arrowFile, options) : null;
    const packets = spilled ? packetsOfSpill(spillFile, spilled) : await packetsFromArrowFile(arrowFile);
    return { arrowFile, summary, events, lastNs, packets, hashes, remove, ...replayed };
  } catch (e) {
    remove();
    throw e;
  }
}

/**
 * The lifecycles the whole-table way (every candidate held and sorted), from the written file: for a trace more out
 * of time order than PacketStream's window, the rare case, where memory grows with the trace again.
 */
async function packetsFromArrowFile(arrowFile: string): Promise<StreamedPackets> {
  const deriver = new PacketDeriver();
  const fh = await open(arrowFile, 'r');
  try {
    for await (const batch of await RecordBatchReader.from(fh)) deriver.push(batch);
  } finally {
    await fh.close();
  }
  const rows = deriver.finish();
  return {
    count: rows.length,
    tsv: (k, wall) => tsvChunks(packetRows(k, rows, (ns) => wall.clock.format(ns + wall.offsetNs))),
  };
}
