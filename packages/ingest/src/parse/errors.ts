/** Errors and summary types of the ingest API (re-exported by ./api.ts, the contract). */
import type { TraceFormat } from '../table/schema.js';
import type { WallClock } from './wallClock.js';

export interface ParseIssue {
  path: string;
  /** 1-based line number in the (decompressed) input */
  line: number;
  message: string;
  /** the offending line, truncated to a readable length */
  text: string;
}

export interface SourceSummary {
  path: string;
  format: TraceFormat;
  /** kernel release when the input says it (perf header, meta), else null */
  kernel: string | null;
  /** the wall clock the input carries about itself (./wallClock.ts); null or absent: wall time unknown */
  wallClock?: WallClock | null;
  lines: number;
  events: number;
  skipped: number;
  comments: number;
  /** events the tracer reported lost (bpftrace lost_events / "Lost N events", ftrace "[LOST N EVENTS]") */
  lostEvents: number;
  /** the first few unparseable lines */
  issues: ParseIssue[];
  /** events per canonical event name (including the `txreplay:lost_events` marker rows) */
  eventCounts: Record<string, number>;
}

/** Thrown when an input is not a trace at all (binary, HTML, empty, no known format). */
export class NotATraceError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotATraceError';
  }
}

/** Thrown in strict mode at the first line that cannot be parsed. */
export class StrictParseError extends Error {
  constructor(readonly issue: ParseIssue) {
    super(`${issue.path}:${issue.line}: ${issue.message}`);
    this.name = 'StrictParseError';
  }
}
