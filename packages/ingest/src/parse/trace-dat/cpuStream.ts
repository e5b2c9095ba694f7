/**
 * One CPU's events of a trace.dat, a run of pages at a time (a decompressed chunk, or the pages of one file read), in
 * columns: each decoded page leaves its events' times (uint32 halves), payload places, pids and formats in typed
 * arrays — no object or BigInt per event — for ./reader.ts to merge with the other CPUs'. A lost-events marker is the
 * one object (fmt -1, its index in `lost` kept in `start`).
 */
import { commonPid, commonType, fixedSize, type EventFormat } from '../tracing-data/eventFormat.js';
import { bump, type BinaryReaderStats, type LostWindow } from '../tracing-data/types.js';
import type { TraceDatLayout } from './layout.js';
import { walkPage, type PageStats, type PageVisitor } from './ringBuffer.js';

/** common_type → format index, not yet looked up */
const UNSEEN = -2;

/** The formats of one file by common_type, with their index (a column value) and minimum payload size. */
export class FormatTable {
  readonly list: EventFormat[] = [];
  readonly min: number[] = [];
  readonly counts: number[] = [];
  /** by common_type (a u16): the format's index, -1 if the file has none, UNSEEN before the first look-up */
  private readonly byType = new Int32Array(0x10000).fill(UNSEEN);

  constructor(private readonly formats: ReadonlyMap<number, EventFormat>) {}

  /** The index of common_type `t`'s format (t a u16), -1 if the file has none. */
  indexOf(t: number): number {
    const i = this.byType[t]!;
    return i === UNSEEN ? this.add(t) : i;
  }

  private add(t: number): number {
    const f = this.formats.get(t);
    const i = f === undefined ? -1 : this.list.length;
    if (f !== undefined) {
      this.list.push(f);
      this.min.push(fixedSize(f));
      this.counts.push(0);
    }
    this.byType[t] = i;
    return i;
  }
}

const INITIAL = 1024;

export class CpuStream implements PageVisitor {
  /** items of the current run of pages, from `head` on */
  n = 0;
  head = 0;
  done = false;
  hi = new Uint32Array(INITIAL);
  lo = new Uint32Array(INITIAL);
  /** payload start in its page; for a lost window (fmt -1), its index in `lost` */
  start = new Int32Array(INITIAL);
  end = new Int32Array(INITIAL);
  pid = new Int32Array(INITIAL);
  /** format index, or -1: a lost window (`lost[start]`) */
  fmt = new Int32Array(INITIAL);
  bufs: Buffer[] = [];
  lost: LostWindow[] = [];
  /** the last event queued on this CPU (a lost window's start) */
  private lastHi = -1;
  // a double from the start (-0 is 0): a uint32 half past 2^30 would change the field's representation under
  // optimized code
  private lastLo = -0;
  /** a page that failed to decode after others of its run had events: thrown once those are handed out */
  private failed: unknown = undefined;
  private readonly le: boolean;

  constructor(
    readonly cpu: number,
    private readonly pages: AsyncGenerator<Buffer>,
    private readonly lay: TraceDatLayout,
    private readonly stats: BinaryReaderStats,
    private readonly pageStats: PageStats,
    private readonly table: FormatTable,
  ) {
    this.le = lay.littleEndian;
  }

  private add(buf: Buffer, start: number, end: number, hi: number, lo: number, pid: number, fmt: number): void {
    const i = this.n++;
    if (i === this.hi.length) this.grow();
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.start[i] = start;
    this.end[i] = end;
    this.pid[i] = pid;
    this.fmt[i] = fmt;
    this.bufs[i] = buf;
  }

  private grow(): void {
    const k = this.hi.length * 2;
    const more = <A extends Uint32Array | Int32Array>(a: A, b: A): A => {
      b.set(a as never);
      return b;
    };
    this.hi = more(this.hi, new Uint32Array(k));
    this.lo = more(this.lo, new Uint32Array(k));
    this.start = more(this.start, new Int32Array(k));
    this.end = more(this.end, new Int32Array(k));
    this.pid = more(this.pid, new Int32Array(k));
    this.fmt = more(this.fmt, new Int32Array(k));
  }

  /** PageVisitor: the page starts with lost events; the marker goes before the page's first event. */
  missed(page: Buffer, count: number): void {
    const lost: LostWindow = { kind: 'lost', source: 'RB_MISSED_EVENTS', cpu: this.cpu, count };
    if (this.lastHi >= 0) lost.startNs = (BigInt(this.lastHi) << 32n) | BigInt(this.lastLo);
    const le = this.le;
    // at the page's timestamp (trace-cmd prints the marker there)
    const hi = le ? page.readUInt32LE(4) : page.readUInt32BE(0);
    const lo = le ? page.readUInt32LE(0) : page.readUInt32BE(4);
    this.add(page, this.lost.length, 0, hi, lo, 0, -1);
    this.lost.push(lost);
  }

  /** PageVisitor: one data event, queued unless it is short, of an unknown type or shorter than its format. */
  event(page: Buffer, start: number, end: number, hi: number, lo: number): void {
    const { table, le } = this;
    if (end - start < 8) {
      bump(this.stats.skipped, 'short event');
      return;
    }
    const f = table.indexOf(commonType(page, start, le));
    if (f < 0) {
      this.stats.unknownEvents++;
      return;
    }
    if (end - start < table.min[f]!) {
      bump(this.stats.skipped, `${table.list[f]!.event} payload shorter than its format`);
      return;
    }
    this.add(page, start, end, hi, lo, commonPid(page, start, le), f);
    this.lastHi = hi;
    this.lastLo = lo;
  }

  /** Decode runs of pages until at least one item is queued or the CPU's data ends. */
  async fill(): Promise<void> {
    this.n = 0;
    this.head = 0;
    this.lost.length = 0;
    if (this.failed !== undefined) throw this.failed;
    const { lay } = this;
    const ps = lay.pageSize;
    while (this.n === 0) {
      const r = await this.pages.next();
      if (r.done) {
        this.done = true;
        return;
      }
      // whole pages (./reader.ts cpuPages)
      const run = r.value;
      bump(this.stats.handled, 'page', run.length / ps);
      for (let p = 0; p < run.length; p += ps) {
        const page = run.subarray(p, p + ps);
        const from = this.n;
        try {
          walkPage(page, lay.headerPage, lay.longSize, lay.littleEndian, this, this.pageStats);
        } catch (e) {
          if (from === 0) throw e;
          // the events of the run's earlier pages are handed out first, as when one page was read at a time
          this.failed = e;
          this.n = from;
          return;
        }
        this.closeLost(from);
      }
    }
  }

  /** A lost window ends at the first event after it on the same page (items from `from` on). */
  private closeLost(from: number): void {
    let lost: LostWindow | undefined;
    for (let i = from; i < this.n; i++) {
      if (this.fmt[i]! < 0) lost = this.lost[this.start[i]!];
      else if (lost !== undefined) {
        lost.endNs = (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]!);
        return;
      }
    }
  }
}
