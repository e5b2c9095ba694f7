/**
 * Line accounting over raw bytes: every line is exactly one of event (a row, lost-events markers included),
 * comment, or skipped; lines = events + skipped + comments. With the WebAssembly line kernel attached (./wasmLines.ts,
 * the one fast path: perf-script, ftrace/trace-cmd, bpftrace printf, on a buffer in its memory) the kernel parses
 * the lines it can decide exactly; every other line — and every line without the kernel — goes to the string parser
 * of its format (./formats.ts), the reference, which words every error message. The reference's parse of an event
 * name's first line gives the kernel that event's template (./template.ts).
 *
 * Integrity checks before any parser sees a line: a control byte (NUL, a C0 control other than a tab, DEL)
 * rejects it; a last line without its newline is kept only when it is not visibly cut (cutLastLine).
 *
 * Used in-process (one handler for a whole source) and inside parse workers (one handler per worker, counts
 * reset per chunk, line numbers relative to the chunk; the main thread adds the chunk's first line).
 */
import type { RowColumns } from '../table/rows.js';
import { StrictParseError, type ParseIssue } from './errors.js';
import { EV_DQL_STALL_DETECTED } from './fieldKeys.js';
import { eventId } from './fields.js';
import { LineKind, parseBpftraceJsonLine, parseBpftraceLine, parseFtraceLine, parsePerfLine } from './formats.js';
import type { LineParser, LineResult } from './formats.js';
import { isPasteDebris, skipPastePrefix, type PastePrefix } from './paste.js';
import { parsePerfTraceLine } from './perfTrace.js';
import { LOST_EVENTS_MARKER, type TraceFormat } from '../table/schema.js';
import { learnTemplate } from './template.js';
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

const utf8 = new TextDecoder('utf-8');

/** The first control byte of buf[a, e) (NUL, C0 other than a tab, DEL), or -1. */
function controlByteAt(buf: Uint8Array, a: number, e: number): number {
  for (let i = a; i < e; i++) {
    const c = buf[i]!;
    if ((c < 32 && c !== 9) || c === 127) return i;
  }
  return -1;
}

function isAscii(buf: Uint8Array, a: number, e: number): boolean {
  for (let i = a; i < e; i++) if (buf[i]! >= 128) return false;
  return true;
}

/** Pointer keys whose printed value has a fixed width (16 hex digits: %p, hashed or not) unless it is NULL. */
const POINTER_KEY = /(?:^|\s)(?:skbaddr=|napi=|struct\s+|skb=)(?:0x)?([0-9a-fA-F]*)$/;

/**
 * Why the last line of an input, which has no newline, was visibly cut, or null: its last token is a `key=` with
 * nothing after it, or a pointer with fewer than its 16 hex digits that is not NULL (`skbaddr=0xffff888` must not
 * become an event with a 7-digit pointer). A number cut between its digits cannot be told from a shorter one.
 */
function cutLastLine(text: string): string | null {
  const t = text.trimEnd();
  if (t.endsWith('=')) return `its last field '${t.slice(t.lastIndexOf(' ') + 1)}' has no value`;
  const m = POINTER_KEY.exec(t);
  if (m !== null && m[1]!.length < 16 && /[1-9a-fA-F]/.test(m[1]!)) return `its last pointer '${m[0].trim()}' is cut`;
  return null;
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

  private readonly parse: LineParser;
  private readonly out: LineResult = {
    message: '',
    lost: 0,
    lostCpu: -1,
    lostOwnTs: false,
    kernel: null,
    evA: -1,
    evB: -1,
    fieldsA: -1,
  };

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
    this.parse = parserFor(format);
  }

  private wasm: WasmLineKernel | null = null;
  /** printed event names whose template was offered to the kernel */
  private readonly offered = new Set<string>();
  /** rows the WebAssembly kernel made (the rest came through line()) */
  wasmRows = 0;

  /**
   * Parse the lines read into `wasm.input` with the WebAssembly kernel (./wasmLines.ts); `cols` must have
   * been built with `wasm.arena`. Lines it hands back, and every other buffer, go to the string parser.
   */
  attachWasm(wasm: WasmLineKernel): void {
    wasm.attach(this.cols, this.sourceIdx);
    this.wasm = wasm;
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

  /**
   * One line buf[a, e) (without its `\n`; a trailing `\r` is dropped here) through the string parser; `isLast`:
   * the input's last line, which has no newline.
   */
  line(buf: Uint8Array, a: number, e: number, isLast: boolean): void {
    if (e > a && buf[e - 1] === 13) e--;
    if (this.prefix !== 'none') a = skipPastePrefix(buf, a, e, this.prefix);
    this.lines++;
    const cols = this.cols;
    const out = this.out;
    out.lost = 0;
    out.lostCpu = -1;
    out.lostOwnTs = false;
    out.evA = -1;
    const text = utf8.decode(buf.subarray(a, e));
    const ctl = controlByteAt(buf, a, e);
    if (ctl >= 0) {
      const code = buf[ctl]!.toString(16).padStart(2, '0');
      this.skip(text, `control byte 0x${code} at column ${ctl - a + 1}`, isLast);
      return;
    }
    const r = cols.begin();
    let kind = this.parse(text, cols, r, out);
    // the command that made the trace, or an elision: pasted around the events, not a broken one
    if (kind === LineKind.Error && isPasteDebris(text)) kind = LineKind.Comment;
    if (kind === LineKind.Event && isLast) {
      const cut = cutLastLine(text);
      if (cut !== null) {
        out.message = `no newline and ${cut}`;
        kind = LineKind.Error;
      }
    }
    if (kind === LineKind.Event) {
      if (this.wasm !== null && out.evA >= 0) this.offer(buf, a, e, text, r);
      this.commitEvent(r);
    } else if (kind === LineKind.Comment) {
      cols.discard();
      this.comments++;
      if (out.kernel !== null && this.kernel === null) this.kernel = out.kernel;
    } else if (kind === LineKind.Lost) this.lostMarker(r);
    else {
      cols.discard();
      this.skip(text, out.message, isLast);
    }
  }

  /**
   * Give the kernel the template of an event name's first line the reference accepted (row r, text = buf[a, e)).
   * Not for dql_stall_detected (raw text and fields: the kernel hands it back), nor for a line with non-ASCII bytes
   * (the reference's string positions would not be byte offsets).
   */
  private offer(buf: Uint8Array, a: number, e: number, text: string, r: number): void {
    const out = this.out;
    const name = text.slice(out.evA, out.evB);
    if (this.offered.has(name) || !isAscii(buf, a, e)) return;
    this.offered.add(name);
    const dictIdx = this.cols.values.event[r]!;
    const evId = eventId(this.cols.dicts.event.values[dictIdx]!);
    if (evId === EV_DQL_STALL_DETECTED) return;
    // an event not modelled keeps its field text whole: no template to match
    const tpl = evId < 0 ? [] : learnTemplate(text, out.fieldsA, text.length);
    if (tpl !== null) this.wasm!.learn(buf.slice(a + out.evA, a + out.evB), dictIdx, evId, tpl);
  }

  /** A line that is not an event: counted, and kept (with file:line) among the first MAX_ISSUES. */
  private skip(text: string, message: string, isLast: boolean): void {
    this.skipped++;
    const issue: ParseIssue = {
      path: this.path,
      line: this.lines,
      message: isLast ? `truncated last line: ${message}` : message,
      text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
    };
    if (this.strict) throw new StrictParseError(issue);
    if (this.issues.length < MAX_ISSUES) this.issues.push(issue);
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
   * A lost-events record (row r holds what the parser wrote): a marker row (schema.ts LOST_EVENTS_MARKER; packets =
   * events lost, cpu = the CPU whose buffer lost them) at the lost record's own time when it has one (perf), else at
   * the previous event's timestamp; replay widens it into the window the loss may cover (from that CPU's previous
   * event to its next one).
   */
  private lostMarker(r: number): void {
    const cols = this.cols;
    const out = this.out;
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
  }

  /** feedLines through the WebAssembly kernel: the rows it makes are counted here as line() would count them. */
  private feedWasm(start: number, end: number, final: boolean): number {
    const w = this.wasm!;
    const cols = this.cols;
    const buf = w.input;
    let pos = start;
    for (;;) {
      cols.begin(); // clears a row left by a discarded attempt: the kernel only writes the fields it finds
      const status = w.run(pos, end, cols.length, this.lines);
      w.fillRaw(cols);
      const added = w.outEvents;
      this.lines += w.outComments;
      this.comments += w.outComments;
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
