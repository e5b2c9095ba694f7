/**
 * What an ingest tells of its inputs (counts per source, the kernel they name) and how the table's metadata carries
 * it: no Apache Arrow here, so the plain-buffer path (./load-buffers.ts) shares it with the Arrow one (./api.ts).
 */
import type { SourceSummary } from './parse/errors.js';
import { META, SCHEMA_VERSION, type TraceFormat } from './table/schema.js';
import { wallClockMetaValue } from './parse/wallClock.js';

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
  /** rows per record batch (default 65536) */
  batchRows?: number;
  /**
   * parse worker threads (0 = parse in this thread). Given here or in TXREPLAY_INGEST_WORKERS, they are used for
   * any input larger than one block; by default (one per core, at most 4) only for regular files of 16 MiB or
   * more in the formats the workers parse with the WebAssembly kernel (perf-script, ftrace/trace-cmd, bpftrace
   * printf; ./wasmLines.ts) and 128 MiB or more for bpftrace JSON. The table is identical either way.
   */
  workers?: number;
  /** bytes per block of whole lines handed to a worker (default 4 MiB; tests use small blocks) */
  blockBytes?: number;
}

export function totals(sources: SourceSummary[]): IngestSummary {
  const s: IngestSummary = { sources, lines: 0, events: 0, skipped: 0, comments: 0, lostEvents: 0, eventCounts: {} };
  for (const src of sources) {
    s.lines += src.lines;
    s.events += src.events;
    s.skipped += src.skipped;
    s.comments += src.comments;
    s.lostEvents += src.lostEvents;
    for (const [k, n] of Object.entries(src.eventCounts)) s.eventCounts[k] = (s.eventCounts[k] ?? 0) + n;
  }
  return s;
}

/** Write the summary into the schema metadata map (META keys; all values strings). */
export function summaryMetadata(summary: IngestSummary): Map<string, string> {
  const m = new Map<string, string>();
  const first = summary.sources[0];
  m.set(META.schemaVersion, SCHEMA_VERSION);
  m.set(
    META.sources,
    JSON.stringify(
      summary.sources.map((s) => ({
        path: s.path,
        format: s.format,
        kernel: s.kernel,
        lines: s.lines,
        events: s.events,
        skipped: s.skipped,
        comments: s.comments,
        lost: s.lostEvents,
      })),
    ),
  );
  m.set(META.format, first?.format ?? '');
  m.set(META.kernel, summary.sources.find((s) => s.kernel)?.kernel ?? '');
  m.set(META.lines, String(summary.lines));
  m.set(META.events, String(summary.events));
  m.set(META.skipped, String(summary.skipped));
  m.set(META.comments, String(summary.comments));
  m.set(META.lost, String(summary.lostEvents));
  m.set(META.wallClock, wallClockMetaValue(summary.sources.find((s) => s.wallClock)?.wallClock));
  return m;
}
