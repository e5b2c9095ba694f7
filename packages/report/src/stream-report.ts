/**
 * `txreplay report` on large text traces without the whole event table in memory: ingest's streamEvents parses
 * record batch by record batch into an Arrow IPC file in a private temporary directory, deriving the per-skb
 * lifecycles as the batches go by (PacketDeriver); replay then reads that file batch by batch (replayArrowFile)
 * and the writer sends its events to the store batch by batch (writeRunFromArrowFile). Memory is bounded by a
 * batch, the candidate rows of the lifecycles and the replay's own state, whatever the input's size. The run is
 * whole or absent as with `writeRun` (its `runs` row goes last), and the directory goes on every way out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { streamEvents, type IngestSummary, type LoadOptions } from '@txreplay/ingest';
import { openTrace } from '@txreplay/ingest/plain';
import { PacketDeriver, type PacketLifecycle } from './packets.js';

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
  packets: PacketLifecycle[];
  /** remove the temporary directory (idempotent; also done at process exit) */
  remove: () => void;
}

/** Parse `traces` into a temporary Arrow file, deriving the per-skb lifecycles on the way. */
export async function streamTrace(traces: readonly string[], opts: LoadOptions = {}): Promise<StreamedTrace> {
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-report-'));
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', remove);
  };
  process.once('exit', remove);
  try {
    const arrowFile = path.join(dir, 'events.arrow');
    const deriver = new PacketDeriver();
    let events = 0;
    const summary = await streamEvents(
      traces,
      arrowFile,
      (batch) => {
        deriver.push(batch);
        events += batch.numRows;
      },
      opts,
    );
    return { arrowFile, summary, events, packets: deriver.finish(), remove };
  } catch (e) {
    remove();
    throw e;
  }
}
