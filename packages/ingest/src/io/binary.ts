/**
 * perf.data and trace.dat into the event table, straight from the payload bytes: the readers
 * (../parse/perf-data, ../parse/trace-dat) hand each tracepoint's raw payload over undecoded, and a column plan
 * made once per embedded format (./binaryPlan.ts) writes its fields into the row builder. An event the plan does
 * not cover (not modelled, dql_stall_detected, an odd format or value) is rendered as `perf script` would print its
 * fields (renderPrintFmt) and read by the text grammar's own field parser (parseFields) — the same rows a
 * `perf script` text of the capture gives, at full nanosecond precision. Each lost window is a lost-events marker
 * row on its CPU at the time the tool prints it.
 *
 * Rows are numbered as the lines of that text would be (one per rendered event or lost window), so `line` and the
 * issues point at the same place in `perf script` / `trace-cmd report --ts-diff`-free output.
 */
import type { RecordBatch } from 'apache-arrow';
import { readPerfData } from '../parse/perf-data/index.js';
import { readTraceDat } from '../parse/trace-dat/index.js';
import { NotATraceError, StrictParseError, type ParseIssue, type SourceSummary } from '../parse/errors.js';
import { canonicalEvent, eventId, parseFields } from '../parse/fields.js';
import { MAX_ISSUES } from '../parse/lines.js';
import { decodeFields, type EventFormat } from '../parse/tracing-data/eventFormat.js';
import { renderPrintFmt, type SymbolResolver } from '../parse/tracing-data/printFmt.js';
import type {
  BinaryTraceReader,
  BinaryTraceRecord,
  LostWindow,
  TracepointRecord,
} from '../parse/tracing-data/types.js';
import type { EventColumns } from '../table/columns.js';
import { LOST_EVENTS_MARKER } from '../table/schema.js';
import { PlanApplier, columnPlan, type ColumnPlan } from './binaryPlan.js';
import { binaryWarnings } from './binaryWarnings.js';

export type BinaryFormat = 'perf-data' | 'trace-dat';

export interface BinaryIngestOptions {
  strict?: boolean;
  signal?: AbortSignal;
  /** false: every event rendered and parsed as text (the reference the column plans are tested against) */
  direct?: boolean;
}

interface FormatInfo {
  plan: ColumnPlan | null;
  /** the canonical name's index in this output's `event` dictionary */
  eventIdx: number;
  /** TX_EVENTS id (-1: not modelled) and canonical name */
  ev: number;
  name: string;
}

const pad9 = (n: bigint): string => n.toString().padStart(9, '0');
/** `secs.nanosecs`, for the text of an issue */
const stamp = (tsNs: bigint): string => `${tsNs / 1_000_000_000n}.${pad9(tsNs % 1_000_000_000n)}`;

/** The rows of one binary source, counted as the lines of its `perf script` text would be. */
class BinaryRows {
  lines = 0;
  events = 0;
  skipped = 0;
  lostEvents = 0;
  readonly issues: ParseIssue[] = [];
  readonly countsByEvent: number[] = [];
  /** full batches waiting for the caller (handed over after each reader batch) */
  readonly pending: RecordBatch[] = [];
  private lastNs = 0n;
  private readonly formats = new Map<EventFormat, FormatInfo>();
  /** task name as recorded → the printed comm's index in the `comm` dictionary */
  private readonly comms = new Map<string, number>();
  private readonly applier: PlanApplier;

  constructor(
    private readonly cols: EventColumns,
    private readonly sourceIdx: number,
    private readonly path: string,
    private readonly opts: BinaryIngestOptions,
    private readonly resolve: SymbolResolver | undefined,
  ) {
    this.applier = new PlanApplier(cols, resolve);
  }

  private info(fmt: EventFormat): FormatInfo {
    let i = this.formats.get(fmt);
    if (i === undefined) {
      const name = canonicalEvent(fmt.event);
      const plan = this.opts.direct === false ? null : columnPlan(fmt);
      i = { plan, eventIdx: this.cols.dicts.event.intern(name), ev: eventId(name), name };
      this.formats.set(fmt, i);
    }
    return i;
  }

  /** The comm as the text prints it: blanks would split the line's columns, so perf-script style `_`. */
  private comm(rec: TracepointRecord): string {
    const c = rec.comm.replace(/\s+/g, '_');
    return c !== '' ? c : `:${rec.tid ?? rec.pid}`;
  }

  /** The comm's dictionary index (an empty comm prints as `:tid`, so it is not cached). */
  private commIdx(rec: TracepointRecord): number {
    let i = this.comms.get(rec.comm);
    if (i === undefined) {
      i = this.cols.dicts.comm.intern(this.comm(rec));
      if (rec.comm !== '') this.comms.set(rec.comm, i);
    }
    return i;
  }

  event(rec: TracepointRecord): void {
    this.lastNs = rec.tsNs;
    const p = rec.payload!;
    const info = this.info(p.fmt);
    const cols = this.cols;
    let r = cols.begin();
    if (info.plan !== null) {
      this.header(r, rec, info);
      if (this.applier.apply(info.plan, r, p.buf, p.start, p.end, p.littleEndian)) {
        this.lines++;
        this.commit(r);
        return;
      }
      cols.discard();
      r = cols.begin();
    }
    // the reference: the field text the tool prints, read by the text grammar
    const body = renderPrintFmt(p.fmt, decodeFields(p.fmt, p.buf, p.start, p.end, p.littleEndian), this.resolve);
    if (body === null) {
      // no line: the format uses what the renderer does not follow (counted as skipped, as before)
      this.skipped++;
      return;
    }
    this.lines++;
    this.header(r, rec, info);
    const err = parseFields(cols, r, info.ev, body, 0, body.length);
    if (err === null) {
      this.commit(r);
      return;
    }
    cols.discard();
    this.skipped++;
    const text = `${this.comm(rec)} ${rec.tid ?? rec.pid} [${rec.cpu}] ${stamp(rec.tsNs)}: ${rec.event}: ${body}`;
    const issue: ParseIssue = {
      path: this.path,
      line: this.lines,
      message: `${info.name}: ${err}`,
      text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
    };
    if (this.opts.strict) throw new StrictParseError(issue);
    if (this.issues.length < MAX_ISSUES) this.issues.push(issue);
  }

  private header(r: number, rec: TracepointRecord, info: FormatInfo): void {
    const { values, valid } = this.cols;
    values.ts_ns[r] = rec.tsNs;
    values.pid[r] = rec.tid ?? rec.pid;
    valid.pid[r] = 1;
    if (rec.cpu >= 0) {
      values.cpu[r] = rec.cpu;
      valid.cpu[r] = 1;
    }
    values.comm[r] = this.commIdx(rec);
    valid.comm[r] = 1;
    values.event[r] = info.eventIdx;
    valid.event[r] = 1;
  }

  /**
   * A lost window: a marker row (schema.ts LOST_EVENTS_MARKER, packets = events lost, at least 1 for a page flagged
   * without a count) on its CPU, at the time the tool prints the loss — when the buffer had room again (perf's
   * LOST record; trace.dat: the first event after it) — else at the previous event.
   */
  lost(w: LostWindow): void {
    this.lines++;
    const cols = this.cols;
    const r = cols.begin();
    cols.values.ts_ns[r] = w.endNs ?? w.startNs ?? this.lastNs;
    if (w.cpu !== undefined && w.cpu >= 0) {
      cols.values.cpu[r] = w.cpu;
      cols.valid.cpu[r] = 1;
    }
    cols.setDict('event', r, LOST_EVENTS_MARKER);
    const n = Math.max(1, w.count);
    cols.values.packets[r] = n;
    cols.valid.packets[r] = 1;
    this.lostEvents += n;
    this.commit(r);
  }

  private commit(r: number): void {
    const cols = this.cols;
    cols.values.line[r] = this.lines;
    cols.values.source[r] = this.sourceIdx;
    const ev = cols.values.event[r]!;
    this.countsByEvent[ev] = (this.countsByEvent[ev] ?? 0) + 1;
    this.events++;
    cols.commit();
    if (cols.full) this.pending.push(cols.flush());
  }
}

function damaged(path: string, format: BinaryFormat, e: unknown): NotATraceError {
  // a damaged or truncated file: name it and say what the reader found, as for any input that is no trace
  const why = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '').replace(/\.\s+/g, '; ');
  return new NotATraceError(path, `${path} is a damaged ${format} file (${why})`);
}

/**
 * Read one perf.data / trace.dat into `cols`, handing full batches to `onBatch`; the summary names the file, the
 * format of the text it stands for and the kernel it was recorded on, and warns about what the reader skipped.
 */
export async function ingestBinarySource(
  path: string,
  format: BinaryFormat,
  cols: EventColumns,
  onBatch: (b: RecordBatch) => Promise<void>,
  opts: BinaryIngestOptions = {},
): Promise<SourceSummary> {
  const reader: BinaryTraceReader =
    format === 'perf-data' ? readPerfData(path, { decode: false }) : readTraceDat(path, { decode: false });
  const sourceIdx = cols.dicts.source.intern(path);
  let rows: BinaryRows | undefined;
  const it = reader.batches();
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    let next: IteratorResult<BinaryTraceRecord[]>;
    try {
      next = await it.next();
    } catch (e) {
      throw damaged(path, format, e);
    }
    if (next.done === true) break;
    // the kallsyms (trace.dat) are read with the headers, before the first batch
    rows ??= new BinaryRows(cols, sourceIdx, path, opts, (a) => reader.kallsyms?.resolve(a));
    for (const rec of next.value) {
      if (rec.kind === 'event') rows.event(rec);
      else rows.lost(rec);
    }
    for (const b of rows.pending.splice(0)) await onBatch(b);
  }
  rows ??= new BinaryRows(cols, sourceIdx, path, opts, undefined);
  const eventCounts: Record<string, number> = {};
  rows.countsByEvent.forEach((n, idx) => {
    if (n) eventCounts[cols.dicts.event.values[idx] as string] = n;
  });
  const issues = [...binaryWarnings(path, format, reader.stats, rows.events), ...rows.issues];
  return {
    path,
    format: format === 'perf-data' ? 'perf-script' : 'trace-cmd',
    kernel: reader.meta?.osRelease ?? null,
    wallClock: reader.meta?.wallClock ?? null,
    lines: rows.lines,
    events: rows.events,
    skipped: rows.skipped,
    comments: 0,
    lostEvents: rows.lostEvents,
    issues,
    eventCounts,
  };
}
