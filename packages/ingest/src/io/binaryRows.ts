/**
 * The rows of one perf.data / trace.dat (../parse/perf-data, ../parse/trace-dat hand each tracepoint's raw payload
 * over undecoded): a column plan made once per embedded format (./binaryPlan.ts) writes its fields into the row
 * builder. An event the plan does not cover (not modelled, dql_stall_detected, an odd format or value) is rendered
 * as `perf script` would print its fields (renderPrintFmt) and read by the text grammar's own field parser
 * (parseFields) — the same rows a `perf script` text of the capture gives, at full nanosecond precision. Each lost
 * window is a lost-events marker row on its CPU at the time the tool prints it.
 *
 * Rows are numbered as the lines of that text would be (one per rendered event or lost window), so `line` and the
 * issues point at the same place in `perf script` / `trace-cmd report --ts-diff`-free output. No apache-arrow here:
 * the binary worker (./binaryWorker.ts) loads this module.
 */
import { StrictParseError, type ParseIssue } from '../parse/errors.js';
import { canonicalEvent, eventId, parseFields } from '../parse/fields.js';
import { MAX_ISSUES } from '../parse/lines.js';
import { decodeFields, type EventFormat } from '../parse/tracing-data/eventFormat.js';
import { renderPrintFmt, type SymbolResolver } from '../parse/tracing-data/printFmt.js';
import type { LostWindow, RecordSink } from '../parse/tracing-data/types.js';
import type { RowColumns } from '../table/rows.js';
import { LOST_EVENTS_MARKER } from '../table/schema.js';
import { PlanApplier, columnPlan, type ColumnPlan } from './binaryPlan.js';

export interface BinaryRowOptions {
  strict?: boolean;
  /** false: every event rendered and parsed as text (the reference the column plans are tested against) */
  direct?: boolean;
}

interface FormatInfo {
  fmt: EventFormat;
  plan: ColumnPlan | null;
  /** the canonical name's index in this output's `event` dictionary */
  eventIdx: number;
  /** TX_EVENTS id (-1: not modelled) and canonical name */
  ev: number;
  name: string;
}

/** slots of BinaryRows' info cache (a power of two) */
const INFO_SLOTS = 64;

const pad9 = (n: bigint): string => n.toString().padStart(9, '0');
/** `secs.nanosecs`, for the text of an issue */
const stamp = (tsNs: bigint): string => `${tsNs / 1_000_000_000n}.${pad9(tsNs % 1_000_000_000n)}`;

/** The rows of one binary source, counted as the lines of its `perf script` text would be. */
export class BinaryRows implements RecordSink {
  lines = 0;
  events = 0;
  skipped = 0;
  lostEvents = 0;
  readonly issues: ParseIssue[] = [];
  readonly countsByEvent: number[] = [];
  /** the last event's time (halves): a lost window without its own stamp is put there */
  // doubles from the start (-0 is 0): a uint32 half past 2^30 would change the fields' representation under
  // optimized code (a deoptimization of every function that read them)
  private lastHi = -0;
  private lastLo = -0;
  /**
   * the formats seen and their info, side by side: a file has a few, and events of different kinds interleave, so
   * this is looked up at most events — a scan of a few entries, cheaper than a Map lookup
   */
  private readonly formatKeys: EventFormat[] = [];
  private readonly formatInfos: FormatInfo[] = [];
  /** task name as recorded → the printed comm's index in the `comm` dictionary */
  private readonly comms = new Map<string, number>();
  private readonly applier: PlanApplier;

  constructor(
    private readonly cols: RowColumns,
    private readonly sourceIdx: number,
    private readonly path: string,
    private readonly opts: BinaryRowOptions,
    private readonly resolve: SymbolResolver | undefined,
    /** the columns are full: take their rows (they are reset by it) */
    private readonly onFull: () => void,
  ) {
    this.applier = new PlanApplier(cols, resolve);
  }

  /**
   * infos by their format's id (common_type) in a direct-mapped cache: events of different kinds interleave (the
   * scan of info() was ~120 instructions per event of the bench's perf.data; callgrind, 2026-12-07)
   */
  private readonly infoCache = new Array<FormatInfo | undefined>(INFO_SLOTS).fill(undefined);

  /** The info of `fmt`: the previous event's, the cache's, else info(). */
  private infoOf(fmt: EventFormat): FormatInfo {
    if (this.lastFmt === fmt) return this.lastInfo!;
    const c = this.infoCache[fmt.id & (INFO_SLOTS - 1)];
    if (c !== undefined && c.fmt === fmt) {
      this.lastFmt = fmt;
      this.lastInfo = c;
      return c;
    }
    return this.info(fmt);
  }

  /** the format of the previous event and its info (events of one kind come in runs) */
  private lastFmt: EventFormat | undefined;
  private lastInfo: FormatInfo | undefined;

  private info(fmt: EventFormat): FormatInfo {
    const keys = this.formatKeys;
    let k = 0;
    while (k < keys.length && keys[k] !== fmt) k++;
    let i: FormatInfo;
    if (k < keys.length) i = this.formatInfos[k]!;
    else {
      const name = canonicalEvent(fmt.event);
      const plan = this.opts.direct === false ? null : columnPlan(fmt);
      if (plan !== null) this.applier.bind(plan);
      i = { fmt, plan, eventIdx: this.cols.dicts.event.intern(name), ev: eventId(name), name };
      keys.push(fmt);
      this.formatInfos.push(i);
    }
    this.infoCache[fmt.id & (INFO_SLOTS - 1)] = i;
    this.lastFmt = fmt;
    this.lastInfo = i;
    return i;
  }

  /** The comm as the text prints it: blanks would split the line's columns, so perf-script style `_`. */
  private printedComm(comm: string, pid: number): string {
    const c = comm.replace(/\s+/g, '_');
    return c !== '' ? c : `:${pid}`;
  }

  /** the last comm looked up and its index: events of one task come in runs (no Map lookup for those) */
  private lastComm = '';
  private lastCommIdx = -1;

  /** The comm's dictionary index (an empty comm prints as `:tid`, so it is not cached). */
  private commIdx(comm: string, pid: number): number {
    if (comm === this.lastComm && this.lastCommIdx >= 0) return this.lastCommIdx;
    let i = this.comms.get(comm);
    if (i === undefined) {
      i = this.cols.dicts.comm.intern(this.printedComm(comm, pid));
      if (comm !== '') this.comms.set(comm, i);
    }
    if (comm !== '') {
      this.lastComm = comm;
      this.lastCommIdx = i;
    }
    return i;
  }

  event(
    fmt: EventFormat,
    buf: Buffer,
    start: number,
    end: number,
    le: boolean,
    tsHi: number,
    tsLo: number,
    cpu: number,
    pid: number,
    tid: number | undefined,
    comm: string,
  ): void {
    this.lastHi = tsHi;
    this.lastLo = tsLo;
    const info = this.infoOf(fmt);
    const cols = this.cols;
    const task = tid ?? pid;
    let r = cols.begin();
    if (info.plan !== null) {
      this.header(r, tsHi, tsLo, cpu, task, comm, info);
      if (this.applier.apply(info.plan, r, buf, start, end, le)) {
        this.lines++;
        this.commit(r);
        return;
      }
      cols.discard();
      r = cols.begin();
    }
    // the reference: the field text the tool prints, read by the text grammar
    const body = renderPrintFmt(fmt, decodeFields(fmt, buf, start, end, le), this.resolve);
    if (body === null) {
      // no line: the format uses what the renderer does not follow (counted as skipped, as before)
      this.skipped++;
      return;
    }
    this.lines++;
    this.header(r, tsHi, tsLo, cpu, task, comm, info);
    const err = parseFields(cols, r, info.ev, body, 0, body.length);
    if (err === null) {
      this.commit(r);
      return;
    }
    cols.discard();
    this.skipped++;
    const tsNs = (BigInt(tsHi >>> 0) << 32n) | BigInt(tsLo >>> 0);
    const text = `${this.printedComm(comm, task)} ${task} [${cpu}] ${stamp(tsNs)}: ${fmt.event}: ${body}`;
    const issue: ParseIssue = {
      path: this.path,
      line: this.lines,
      message: `${info.name}: ${err}`,
      text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
    };
    if (this.opts.strict) throw new StrictParseError(issue);
    if (this.issues.length < MAX_ISSUES) this.issues.push(issue);
  }

  private header(r: number, tsHi: number, tsLo: number, cpu: number, task: number, comm: string, info: FormatInfo) {
    const { values, valid, halves } = this.cols;
    halves.ts_ns[2 * r] = tsLo;
    halves.ts_ns[2 * r + 1] = tsHi;
    values.pid[r] = task;
    valid.pid[r] = 1;
    if (cpu >= 0) {
      values.cpu[r] = cpu;
      valid.cpu[r] = 1;
    }
    values.comm[r] = this.commIdx(comm, task);
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
    const ts = w.endNs ?? w.startNs;
    if (ts !== undefined) cols.values.ts_ns[r] = ts;
    else {
      cols.halves.ts_ns[2 * r] = this.lastLo;
      cols.halves.ts_ns[2 * r + 1] = this.lastHi;
    }
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
    if (cols.full) this.onFull();
  }
}
