/**
 * Text traces small enough to hold, replayed from plain column buffers (@txreplay/ingest/plain loadEventBuffers,
 * ./plain-source.ts) rather than an Arrow table: the same rows and the same pass (observeSource) as replayTable on
 * loadEvents' table, without loading apache-arrow — most of a small `txreplay diagnose`'s start-up. Rows out of
 * time order take the whole-table path (sorted, replay.ts replaySource) on the Arrow table of the same buffers.
 */
import { loadEventBuffers, type IngestSummary, type LoadOptions, type TraceInput } from '@txreplay/ingest/plain';
import { observeSource } from './observe/observe.js';
import { plainSource } from './plain-source.js';
import { replayObserved, replaySource, type ReplayOptions } from './replay.js';
import type { ReplayResult } from './types.js';

/** Per-source skip notes ("file: skipped N unparseable line(s), first at line L: …"). */
export function skipNotes(summary: IngestSummary): string[] {
  return summary.sources
    .filter((s) => s.skipped > 0)
    .map(
      (s) =>
        `${s.path}: skipped ${s.skipped} unparseable line(s)${s.issues[0] ? `, first at line ${s.issues[0].line}: ${s.issues[0].message}` : ''}`,
    );
}

/**
 * Replay text `traces` (opened by openTrace); null when one is not text (the caller loads them as a table).
 * `logDrivers` is asked after the parse, as the table path asks it (drivers named by kernel logs beside the traces).
 */
export async function replayTextTraces(
  traces: readonly TraceInput[],
  opts: ReplayOptions & { load?: LoadOptions; onNote?: (note: string) => void },
  logDrivers: () => Promise<ReadonlyMap<string, string>>,
): Promise<ReplayResult | null> {
  const buffers = await loadEventBuffers(traces, opts.load ?? {});
  if (buffers === null) return null;
  for (const note of skipNotes(buffers.summary)) opts.onNote?.(note);
  const profile = { ...opts.profile };
  const kernel = buffers.summary.sources.find((s) => s.kernel)?.kernel ?? null;
  if (!profile.kernel && kernel) profile.kernel = kernel;
  const replayOpts: ReplayOptions = { ...opts, profile, logDrivers: await logDrivers() };
  const obs = observeSource(plainSource(buffers), null, opts.maxSeriesPoints !== 0);
  if (obs !== null) return replayObserved(obs, buffers.metadata, replayOpts);
  const { eventTableOf } = await import('@txreplay/ingest');
  const table = eventTableOf(buffers);
  return replaySource(null, table.schema.metadata, () => table, replayOpts);
}
