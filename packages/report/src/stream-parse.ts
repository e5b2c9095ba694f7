/**
 * The parse of a streamed `report` (stream-report.ts): ingest's streamEvents writes the events batch by batch into an
 * Arrow IPC file while the per-skb lifecycles are derived from the same batches on a thread of their own
 * (packet-thread.ts) and spilled to a file beside it. What it returns crosses a process boundary (stream-process.ts
 * runs it in a child process of its own): plain data, the lifecycles as their spill file's layout.
 */
import path from 'node:path';
import { streamEvents, type IngestSummary, type LoadOptions } from '@txreplay/ingest';
import type { RecordBatch } from 'apache-arrow';
import { startPacketDerivation, type PacketDerivation } from './packet-thread.js';
import type { SpilledLifecycles } from './packet-stream.js';

/** Where the parse writes, in the run's private temporary directory. */
export const parseFiles = (dir: string): { arrowFile: string; spillFile: string } => ({
  arrowFile: path.join(dir, 'events.arrow'),
  spillFile: path.join(dir, 'packets.spill'),
});

export interface ParseTuning {
  /** PacketStream's reorder window (tests narrow it) */
  packetWindowRows?: number;
}

/** A parsed trace: its summary, events, newest event and lifecycles' spill (null: out of order beyond the window). */
export interface ParsedTrace {
  summary: IngestSummary;
  events: number;
  lastNs: bigint | null;
  spilled: SpilledLifecycles | null;
}

/** Parse `traces` into `dir` (parseFiles), deriving the per-skb lifecycles on the way. */
export async function parseTrace(
  dir: string,
  traces: readonly string[],
  opts: LoadOptions,
  tuning: ParseTuning = {},
): Promise<ParsedTrace> {
  const { arrowFile, spillFile } = parseFiles(dir);
  let deriver: PacketDerivation | null = null;
  try {
    deriver = startPacketDerivation(spillFile, { windowRows: tuning.packetWindowRows });
    const derivation = deriver;
    let events = 0;
    let lastNs: bigint | null = null;
    const summary = await streamEvents(
      traces,
      arrowFile,
      (batch) => {
        events += batch.numRows;
        lastNs = maxTsNs(batch, lastNs);
        return derivation.push(batch);
      },
      opts,
    );
    return { summary, events, lastNs, spilled: await derivation.finish() };
  } catch (e) {
    deriver?.stop();
    throw e;
  }
}

/** The larger of `max` and the batch's newest ts_ns (a plain loop over the column's values: ~10 ms per M rows). */
function maxTsNs(batch: RecordBatch, max: bigint | null): bigint | null {
  for (const data of batch.getChild('ts_ns')?.data ?? []) {
    const v = data.values as BigInt64Array;
    for (let i = 0; i < data.length; i++) if (max === null || v[i]! > max) max = v[i]!;
  }
  return max;
}
