/**
 * Line accounting over raw bytes: every line is exactly one of event (a row, lost-events markers included),
 * comment, or skipped; lines = events + skipped + comments. Each line goes to the byte fast path (./fast.ts)
 * first and, when that cannot decide, to the string parser of its format (./formats.ts) — the reference, which
 * words every error message. In parse workers, a buffer in the WebAssembly kernel's memory goes through the
 * kernel before both (feedWasm, ./wasmLines.ts); the lines it hands back take the same path.
 *
 * Used in-process (one handler for a whole source) and inside parse workers (one handler per worker, counts
 * reset per chunk, line numbers relative to the chunk; the main thread adds the chunk's first line).
 */
import { decodeSlice } from './bytes.js';
import type { RowColumns } from '../table/rows.js';
import { StrictParseError, type ParseIssue } from './errors.js';
import { FALLBACK, FastParser } from './fast.js';
import { LineKind, parseBpftraceJsonLine, parseBpftraceLine, parseFtraceLine, parsePerfLine } from './formats.js';
import type { LineParser, LineResult } from './formats.js';
import { isPasteDebris, skipPastePrefix, type PastePrefix } from './paste.js';
import { parsePerfTraceLine } from './perfTrace.js';
import { LOST_EVENTS_MARKER, type TraceFormat } from '../table/schema.js';
import { WASM_BAIL, WASM_FULL, type WasmLineKernel } from './wasmLines.js';

/** How many unparseable lines are kept (with file:line) in the summary. */
export const MAX_ISSUES = 10;

export function parserFor(format: TraceFormat): LineParser {
  switch (format) {
    case 'perf-script':
      return parsePerfLine;
    case 'perf-trace':
      return parsePerfTraceLine;
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

export class LineHandler {
  lines = 0;
  events = 0;
  skipped = 0;
  comments = 0;
  lostEvents = 0;
  kernel: string | null = null;
  issues: ParseIssue[] = [];
  /** events per `event` dictionary index */
  countsByEvent: number[] = [];
  /** timestamp of the last event (for lost-events marker rows) */
  lastTsLo = 0;
  lastTsHi = 0;
  sawEvent = false;
  /** rows (ordinal since beginChunk) of lost-events markers written before any event of the chunk */
  lostBeforeEvent: number[] = [];
  rows = 0;

  private fast: FastParser | null;
  private readonly slow: LineParser;
  private readonly out: LineResult = { message: '', lost: 0, lostCpu: -1, lostOwnTs: false, kernel: null };

  constructor(
    private readonly cols: RowColumns,
    format: TraceFormat,
    private readonly path: string,
    private readonly strict: boolean,
    private readonly sourceIdx: number,
    /** called when `cols` is full, after the row was committed */
    private readonly onFull: () => void,
    /** the paste prefix the sniffer found on the event lines (./paste.ts), cut before any parser sees a line */
    private readonly prefix: PastePrefix = 'none',
  ) {
    this.fast = new FastParser(cols, format);
    this.slow = parserFor(format);
  }

  private wasm: WasmLineKernel | null = null;
  /** rows the WebAssembly kernel made (the rest came through line()) */
  wasmRows = 0;

  /**
   * Parse the lines read into `wasm.input` with the WebAssembly kernel (./wasmLines.ts); `cols` must have
   * been built with `wasm.arena`. Lines it hands back, and every other buffer, take the usual path.
   */
  attachWasm(wasm: WasmLineKernel): void {
    if (this.fast === null) throw new Error('attachWasm needs the fast path');
    wasm.attach(this.cols, this.fast, this.sourceIdx);
    this.wasm = wasm;
  }

  /** Parse every line with the string parser (the reference the fast path is tested against). */
  disableFastPath(): void {
    this.fast = null;
  }

  /** Reset the per-chunk counts (worker mode); dictionaries and the last timestamp are kept. */
  beginChunk(): void {
    this.lines = 0;
    this.events = 0;
    this.skipped = 0;
    this.comments = 0;
    this.lostEvents = 0;
    this.issues = [];
    this.countsByEvent = [];
    this.sawEvent = false;
    this.lostBeforeEvent = [];
    this.rows = 0;
  }

  /** One line buf[a, e) (without its `\n`; a trailing `\r` is dropped here). */
  line(buf: Uint8Array, a: number, e: number, isLast: boolean): void {
    if (e > a && buf[e - 1] === 13) e--;
    if (this.prefix !== 'none') a = skipPastePrefix(buf, a, e, this.prefix);
    this.lines++;
    const cols = this.cols;
    const r = cols.begin();
    // the common case stays small (V8 inlines the fast parser into it); the rest is in lineSlow
    const kind = this.fast === null ? FALLBACK : this.fast.parseLine(buf, a, e, r);
    if (kind === LineKind.Event) this.commitEvent(r);
    else this.lineSlow(buf, a, e, isLast, r, kind);
  }

  private commitEvent(r: number): void {
    const cols = this.cols;
    cols.values.line[r] = this.lines;
    cols.values.source[r] = this.sourceIdx;
    this.lastTsLo = cols.halves.ts_ns[2 * r]!;
    this.lastTsHi = cols.halves.ts_ns[2 * r + 1]!;
    this.sawEvent = true;
    const ev = cols.values.event[r]!;
    this.countsByEvent[ev] = (this.countsByEvent[ev] ?? 0) + 1;
    this.events++;
    this.commitRow();
  }

  /**
   * A line the fast path did not turn into an event: a comment (blank line, call chain), or FALLBACK, when the
   * string parser (the reference, which words every error) decides.
   */
  private lineSlow(buf: Uint8Array, a: number, e: number, isLast: boolean, r: number, kind: number): void {
    const cols = this.cols;
    const out = this.out;
    out.lost = 0;
    out.lostCpu = -1;
    out.lostOwnTs = false;
    let text: string | null = null;
    if (kind === FALLBACK) {
      cols.discard();
      r = cols.begin();
      text = decodeSlice(buf, a, e);
      kind = this.slow(text, cols, r, out);
      // the command that made the trace, or an elision: pasted around the events, not a broken one
      if (kind === LineKind.Error && isPasteDebris(text)) kind = LineKind.Comment;
    }
    if (kind === LineKind.Event) {
      this.commitEvent(r);
    } else if (kind === LineKind.Comment) {
      cols.discard();
      this.comments++;
      if (out.kernel !== null && this.kernel === null) this.kernel = out.kernel;
    } else if (kind === LineKind.Lost) {
      // marker row (schema.ts LOST_EVENTS_MARKER; packets = events lost, cpu = the CPU whose buffer lost them) at
      // the lost record's own time when it has one (perf), else at the previous event's timestamp; replay widens
      // it into the window the loss may cover (from that CPU's previous event to its next one)
      const ownLo = out.lostOwnTs ? cols.halves.ts_ns[2 * r]! : this.lastTsLo;
      const ownHi = out.lostOwnTs ? cols.halves.ts_ns[2 * r + 1]! : this.lastTsHi;
      cols.discard();
      const m = cols.begin();
      if (!this.sawEvent && !out.lostOwnTs) this.lostBeforeEvent.push(this.rows);
      cols.halves.ts_ns[2 * m] = ownLo;
      cols.halves.ts_ns[2 * m + 1] = ownHi;
      if (out.lostCpu >= 0) {
        cols.values.cpu[m] = out.lostCpu;
        cols.valid.cpu[m] = 1;
      }
      cols.setDict('event', m, LOST_EVENTS_MARKER);
      cols.values.packets[m] = out.lost;
      cols.valid.packets[m] = 1;
      cols.values.line[m] = this.lines;
      cols.values.source[m] = this.sourceIdx;
      const ev = cols.values.event[m]!;
      this.countsByEvent[ev] = (this.countsByEvent[ev] ?? 0) + 1;
      this.lostEvents += out.lost;
      this.events++;
      this.commitRow();
    } else {
      cols.discard();
      this.skipped++;
      text ??= decodeSlice(buf, a, e);
      const issue: ParseIssue = {
        path: this.path,
        line: this.lines,
        message: isLast ? `truncated last line: ${out.message}` : out.message,
        text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
      };
      if (this.strict) throw new StrictParseError(issue);
      if (this.issues.length < MAX_ISSUES) this.issues.push(issue);
    }
  }

  /** feedLines through the WebAssembly kernel: the rows it makes are counted here as line() would count them. */
  private feedWasm(start: number, end: number, final: boolean): number {
    const w = this.wasm!;
    const cols = this.cols;
    const buf = w.input;
    let pos = start;
    w.syncSlots();
    for (;;) {
      cols.begin(); // clears a row left by a discarded attempt: the kernel only writes the fields it finds
      const status = w.run(pos, end, cols.length, this.lines);
      const added = w.outEvents;
      if (added > 0) {
        this.wasmRows += added;
        this.lines += added;
        this.events += added;
        this.rows += added;
        cols.length = w.outRow;
        const last = cols.length - 1;
        this.lastTsLo = cols.halves.ts_ns[2 * last]!;
        this.lastTsHi = cols.halves.ts_ns[2 * last + 1]!;
        this.sawEvent = true;
      }
      pos = w.outPos;
      if (status === WASM_FULL) {
        this.onFull();
        continue;
      }
      if (status !== WASM_BAIL) break;
      // the kernel may have written part of row `length` before handing the line back
      const nl = w.outLineEnd;
      cols.discard();
      this.line(buf, pos, nl, false);
      w.syncSlots();
      pos = nl + 1;
    }
    w.foldCounts(this.countsByEvent, cols.dicts.event.values.length);
    if (final && pos < end) {
      this.line(buf, pos, end, true);
      pos = end;
    }
    return pos;
  }

  private commitRow(): void {
    this.cols.commit();
    this.rows++;
    if (this.cols.full) this.onFull();
  }

  /**
   * All complete lines of buf[start, end); returns the index after the last `\n` (the start of an incomplete
   * line, or end). With `final`, the incomplete rest is parsed as the (truncated) last line.
   */
  feedLines(buf: Uint8Array, start: number, end: number, final: boolean): number {
    if (this.wasm !== null && buf === this.wasm.input) return this.feedWasm(start, end, final);
    let pos = start;
    // Buffer#indexOf is memchr; Uint8Array#indexOf is several times slower per call
    const nb = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    for (;;) {
      const nl = nb.indexOf(10, pos);
      if (nl < 0 || nl >= end) break;
      this.line(buf, pos, nl, false);
      pos = nl + 1;
    }
    if (final && pos < end) {
      this.line(buf, pos, end, true);
      pos = end;
    }
    return pos;
  }
}
