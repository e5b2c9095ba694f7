/**
 * Public ingest API (contract for replay, report and cli). The ingest work replaces the bodies;
 * names and signatures stay (fields may be added).
 */
import type { Table } from 'apache-arrow';
import type { TraceFormat } from './schema.js';

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
  lines: number;
  events: number;
  skipped: number;
  comments: number;
  /** events the tracer reported lost (bpftrace lost_events / "Lost N events") */
  lostEvents: number;
  /** the first few unparseable lines */
  issues: ParseIssue[];
  /** events per canonical event name */
  eventCounts: Record<string, number>;
}

export interface IngestSummary {
  sources: SourceSummary[];
  lines: number;
  events: number;
  skipped: number;
  comments: number;
  lostEvents: number;
  eventCounts: Record<string, number>;
}

export interface LoadOptions {
  /** override format sniffing */
  format?: TraceFormat;
  /** stop at the first unparseable line (StrictParseError) */
  strict?: boolean;
  /** progress callback (bytes of input consumed so far, total or null for stdin/gzip) */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  signal?: AbortSignal;
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

/** Read traces (any text format, .gz, '-' for stdin, or .arrow files) into one in-memory Arrow table. */
export async function loadEvents(
  inputs: string[],
  opts: LoadOptions = {},
): Promise<{ table: Table; summary: IngestSummary }> {
  void inputs;
  void opts;
  throw new Error('loadEvents: not implemented yet');
}

/** Stream traces into an Arrow IPC file, atomically (temp file + rename; nothing left behind on error). */
export async function ingestToArrow(inputs: string[], outPath: string, opts: LoadOptions = {}): Promise<IngestSummary> {
  void inputs;
  void outPath;
  void opts;
  throw new Error('ingestToArrow: not implemented yet');
}
