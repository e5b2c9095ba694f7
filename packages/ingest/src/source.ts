/**
 * One text input → rows. Streams the (possibly gzip-compressed) bytes chunk by chunk, splits lines without
 * building a whole-file string, sniffs the format from the first lines and runs the matching line parser.
 * Keeps the accounting exact: lines = events + skipped + comments (lost-event marker rows count as events).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RecordBatch } from 'apache-arrow';
import { NotATraceError, StrictParseError, type ParseIssue, type SourceSummary } from './errors.js';
import type { EventColumns } from './columns.js';
import {
  LineKind,
  parseBpftraceJsonLine,
  parseBpftraceLine,
  parseFtraceLine,
  parsePerfLine,
  type LineParser,
  type LineResult,
} from './formats.js';
import { LOST_EVENTS_MARKER, type TraceFormat } from './schema.js';
import { detectFormat, notATraceReason } from './sniff.js';

/** How many unparseable lines are kept (with file:line) in the summary. */
export const MAX_ISSUES = 10;
/** Lines used to sniff the format. */
const SNIFF_LINES = 200;
/** Bytes read before deciding (binary/HTML check and sniffing). */
const SNIFF_BYTES = 64 * 1024;

export function parserFor(format: TraceFormat): LineParser {
  switch (format) {
    case 'perf-script':
      return parsePerfLine;
    case 'ftrace':
    case 'trace-cmd':
      return parseFtraceLine;
    case 'bpftrace':
      return parseBpftraceLine;
    case 'bpftrace-json':
      return parseBpftraceJsonLine;
    case 'arrow':
      throw new Error('arrow inputs are read, not parsed');
  }
}

export interface SourceOptions {
  format?: TraceFormat;
  strict?: boolean;
  signal?: AbortSignal;
  /** bytes consumed (raw, before gunzip) and the file size (null for stdin) */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  totalBytes?: number | null;
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('ingest aborted');
  e.name = 'AbortError';
  return e;
}

/** Raw byte chunks of a file or stdin ('-'), gunzipped when the data starts with the gzip magic. */
async function* inputChunks(
  path: string,
  onRaw: (n: number) => void,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  // an abort (Ctrl-C) must also end a read that is waiting for data (a quiet stdin pipe)
  const onAbort = (): void => void raw.destroy(abortError(signal as AbortSignal));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    yield* chunksOf(raw, onRaw);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function* chunksOf(raw: Readable, onRaw: (n: number) => void): AsyncGenerator<Uint8Array> {
  const it = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  onRaw(head.length);
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      onRaw(n.value.length);
      yield n.value;
    }
  };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = Readable.from(rest()).pipe(createGunzip({ chunkSize: 1 << 20 }));
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } else {
    yield* rest();
  }
}

/**
 * Parse one input into `cols`, pushing full batches to `onBatch`. `display` is the path as given by the user
 * (written into the `source` column and issues).
 */
export async function ingestTextSource(
  path: string,
  cols: EventColumns,
  onBatch: (b: RecordBatch) => void | Promise<void>,
  opts: SourceOptions,
): Promise<SourceSummary> {
  const issues: ParseIssue[] = [];
  let lines = 0;
  let events = 0;
  let skipped = 0;
  let comments = 0;
  let lostEvents = 0;
  let kernel: string | null = null;
  const countsByEvent: number[] = [];
  const sourceIdx = cols.dicts.source.intern(path);
  const out: LineResult = { message: '', lost: 0, kernel: null };
  let lastTsLo = 0;
  let lastTsHi = 0;
  let parser: LineParser | null = null;
  let format: TraceFormat | null = opts.format ?? null;
  const pendingBatches: RecordBatch[] = [];

  const handleLine = (text: string, isLast: boolean): void => {
    lines++;
    const r = cols.begin();
    out.lost = 0;
    const kind = (parser as LineParser)(text, cols, r, out);
    if (kind === LineKind.Event) {
      cols.line[r] = lines;
      cols.valid.line[r] = 1;
      cols.source[r] = sourceIdx;
      cols.valid.source[r] = 1;
      lastTsLo = cols.tsNs32[2 * r]!;
      lastTsHi = cols.tsNs32[2 * r + 1]!;
      const ev = cols.event[r]!;
      countsByEvent[ev] = (countsByEvent[ev] ?? 0) + 1;
      events++;
      cols.commit();
    } else if (kind === LineKind.Comment) {
      cols.discard();
      comments++;
      if (out.kernel !== null && kernel === null) kernel = out.kernel;
    } else if (kind === LineKind.Lost) {
      // marker row at the previous event's timestamp (schema.ts LOST_EVENTS_MARKER; packets = events lost)
      cols.discard();
      const m = cols.begin();
      cols.tsNs32[2 * m] = lastTsLo;
      cols.tsNs32[2 * m + 1] = lastTsHi;
      cols.valid.ts_ns[m] = 1;
      cols.setDict('event', m, LOST_EVENTS_MARKER);
      cols.packets[m] = out.lost;
      cols.valid.packets[m] = 1;
      cols.line[m] = lines;
      cols.valid.line[m] = 1;
      cols.source[m] = sourceIdx;
      cols.valid.source[m] = 1;
      const ev = cols.event[m]!;
      countsByEvent[ev] = (countsByEvent[ev] ?? 0) + 1;
      lostEvents += out.lost;
      events++;
      cols.commit();
    } else {
      cols.discard();
      skipped++;
      const issue: ParseIssue = {
        path,
        line: lines,
        message: isLast ? `truncated last line: ${out.message}` : out.message,
        text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
      };
      if (opts.strict) throw new StrictParseError(issue);
      if (issues.length < MAX_ISSUES) issues.push(issue);
    }
    if (cols.full) pendingBatches.push(cols.flush());
  };

  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let headBytes: Uint8Array[] = [];
  let headLen = 0;
  let rawBytes = 0;
  const onRaw = (n: number): void => {
    rawBytes += n;
  };

  const startParsing = (): void => {
    const head = Buffer.concat(headBytes);
    headBytes = [];
    const reason = notATraceReason(head);
    if (reason !== null) throw new NotATraceError(path, `${path} ${reason}.`);
    const text = decoder.decode(head, { stream: true });
    if (format === null) {
      const firstLines = text.split('\n', SNIFF_LINES);
      format = detectFormat(firstLines);
      if (format === null) {
        if (text.trim() === '') throw new NotATraceError(path, `${path} is empty.`);
        throw new NotATraceError(
          path,
          `${path} does not look like a trace: none of its first lines is a perf script, ftrace, trace-cmd or bpftrace event.`,
        );
      }
    }
    parser = parserFor(format);
    carry = feed(carry + text);
  };

  const feed = (text: string): string => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      handleLine(text.slice(start, end), false);
      start = nl + 1;
    }
    return start === 0 ? text : text.slice(start);
  };

  const flushPending = async (): Promise<void> => {
    while (pendingBatches.length > 0) await onBatch(pendingBatches.shift() as RecordBatch);
  };

  for await (const chunk of inputChunks(path, onRaw, opts.signal)) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    if (parser === null) {
      headBytes.push(chunk);
      headLen += chunk.length;
      if (headLen < SNIFF_BYTES) continue;
      startParsing();
    } else {
      carry = feed(carry + decoder.decode(chunk, { stream: true }));
    }
    await flushPending();
    opts.onProgress?.(rawBytes, opts.totalBytes ?? null);
  }
  if (parser === null) startParsing();
  carry += decoder.decode();
  if (carry.length > 0) {
    let end = carry.length;
    if (carry.charCodeAt(end - 1) === 13) end--;
    handleLine(carry.slice(0, end), true);
  }
  await flushPending();
  opts.onProgress?.(rawBytes, opts.totalBytes ?? null);

  const eventCounts: Record<string, number> = {};
  countsByEvent.forEach((n, idx) => {
    if (n) eventCounts[cols.dicts.event.values[idx] as string] = n;
  });
  return {
    path,
    format: format as TraceFormat,
    kernel,
    lines,
    events,
    skipped,
    comments,
    lostEvents,
    issues,
    eventCounts,
  };
}
