/**
 * The wall clock in a text trace's header comments (perf script --header, our capture header): read from the
 * file's first lines again after the parse; a stream (stdin, a FIFO) cannot be re-read, so its wall time is unknown.
 * Shared by the Arrow path (../api.ts) and the plain-buffer path (../load-buffers.ts).
 */
import type { SourceSummary } from '../parse/errors.js';
import { wallClockOfLines, type WallClock } from '../parse/wallClock.js';
import type { TraceInput } from './open.js';
import { headLinesOf } from './source.js';

async function textWallClock(input: TraceInput): Promise<WallClock | null> {
  if (input.transport !== 'file') return null;
  return wallClockOfLines(await headLinesOf(input.path));
}

/** The text source's summary with its wall clock, when its header has one (absent = unknown). */
export async function withTextWallClock(input: TraceInput, text: SourceSummary): Promise<SourceSummary> {
  const wallClock = await textWallClock(input);
  return wallClock ? { ...text, wallClock } : text;
}
