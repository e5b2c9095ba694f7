/** Files in, ReplayResult out: ingest (any format or .arrow) then replay. I/O edge of the package. */
import { loadEvents, type LoadOptions } from '@txreplay/ingest';
import { replayTable, type ReplayOptions } from './replay.js';
import type { ReplayResult } from './types.js';

export async function diagnoseFiles(inputs: string[], opts: ReplayOptions & { load?: LoadOptions } = {}): Promise<ReplayResult> {
  const { table, summary } = await loadEvents(inputs, opts.load ?? {});
  const kernel = summary.sources.find((s) => s.kernel)?.kernel ?? undefined;
  const profile = { ...opts.profile };
  if (!profile.kernel && kernel) profile.kernel = kernel;
  return replayTable(table, { ...opts, profile });
}
