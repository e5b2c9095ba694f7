/**
 * The wall clock in a text trace's header comments (perf script --header, our capture header): found by the front
 * door (./open.ts) with the file's head; a TraceInput made elsewhere has its head read here. A stream (stdin, a
 * FIFO) cannot be re-read, so its wall time is unknown.
 * Shared by the Arrow path (../api.ts) and the plain-buffer path (../load-buffers.ts).
 */
import type { SourceSummary } from '../parse/errors.js';
import { wallClockOfLines, type WallClock } from '../parse/wallClock.js';
import type { TraceInput } from './open.js';
import { headBytesOf, headLines } from './source.js';

async function textWallClock(input: TraceInput): Promise<WallClock | null> {
  if (input.wallClock !== undefined) return input.wallClock;
  if (input.transport !== 'file') return null;
  return wallClockOfLines(headLines(await headBytesOf(input.path)));
}

/** The text source's summary with its wall clock, when its header has one (absent = unknown). */
export async function withTextWallClock(input: TraceInput, text: SourceSummary): Promise<SourceSummary> {
  const wallClock = await textWallClock(input);
  return wallClock ? { ...text, wallClock } : text;
}
