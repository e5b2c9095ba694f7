/**
 * Count what a capture file holds, line by line, independently of @txreplay/ingest: the capture command
 * reports these numbers, and tests compare them with what the ingest parsers find.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CaptureTool } from './tools.js';

export interface CaptureCounts {
  lines: number;
  events: number;
  /** per `sys:event` */
  eventCounts: Record<string, number>;
  /** events the tracer said it lost (bpftrace `Lost N events`) */
  lostEvents: number;
  /** bpftrace: the `# txpath.bt started/ended` frame lines were both seen */
  started: boolean;
  ended: boolean;
}

// bpftrace printf line: `<ts_ns> <cpu> <tid> <comm…> <sys:event> key=value …` (comm may contain spaces)
const BPFTRACE_EVENT = /^\d+ \d+ \d+ .*? ([a-z_0-9]+:[a-z_0-9]+)(?: |$)/;
// perf script default: `comm PID [CPU] secs.usecs: sys:event: fields`
const PERF_EVENT = /\s\d+\s+\[\d+\]\s+\d+\.\d+:\s+([a-z_0-9]+:[a-z_0-9]+):/;
const LOST = /^Lost (\d+) events/;

/** Classify one line; returns the event name or null. Pure. */
function eventOfLine(tool: CaptureTool, line: string): string | null {
  const m = (tool === 'bpftrace' ? BPFTRACE_EVENT : PERF_EVENT).exec(line);
  return m?.[1] ?? null;
}

export async function countCapture(path: string, tool: CaptureTool): Promise<CaptureCounts> {
  const counts: CaptureCounts = { lines: 0, events: 0, eventCounts: {}, lostEvents: 0, started: false, ended: false };
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    counts.lines++;
    const ev = eventOfLine(tool, line);
    if (ev) {
      counts.events++;
      counts.eventCounts[ev] = (counts.eventCounts[ev] ?? 0) + 1;
      continue;
    }
    if (line.startsWith('# txpath.bt started')) counts.started = true;
    else if (line.startsWith('# txpath.bt ended')) counts.ended = true;
    const lost = LOST.exec(line);
    if (lost) counts.lostEvents += Number(lost[1]);
  }
  return counts;
}
