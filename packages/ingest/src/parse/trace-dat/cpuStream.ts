/**
 * One CPU's events of a trace.dat, a page at a time, in columns: each decoded page leaves its events' times (uint32
 * halves), payload places, pids and formats in typed arrays — no object or BigInt per event — for ./reader.ts to
 * merge with the other CPUs'. A lost-events marker is the one object (fmt -1, in `lost`).
 */
import { commonPid, commonType, fixedSize, type EventFormat } from '../tracing-data/eventFormat.js';
import { bump, type BinaryReaderStats, type LostWindow } from '../tracing-data/types.js';
import type { TraceDatLayout } from './layout.js';
import { walkPage, type PageStats } from './ringBuffer.js';

/** The formats of one file by common_type, with their index (a column value) and minimum payload size. */
export class FormatTable {
  readonly list: EventFormat[] = [];
  readonly min: number[] = [];
  readonly counts: number[] = [];
  private readonly byType = new Map<number, number>();

  constructor(private readonly formats: ReadonlyMap<number, EventFormat>) {}

  /** The index of common_type `t`'s format, -1 if the file has none. */
  indexOf(t: number): number {
    let i = this.byType.get(t);
    if (i === undefined) {
      const f = this.formats.get(t);
      i = f === undefined ? -1 : this.list.length;
      if (f !== undefined) {
        this.list.push(f);
        this.min.push(fixedSize(f));
        this.counts.push(0);
      }
      this.byType.set(t, i);
    }
    return i;
  }
}

const INITIAL = 256;

export class CpuStream {
  /** items of the current page(s), from `head` on */
  n = 0;
  head = 0;
  done = false;
  hi = new Uint32Array(INITIAL);
  lo = new Uint32Array(INITIAL);
  start = new Int32Array(INITIAL);
  end = new Int32Array(INITIAL);
  pid = new Int32Array(INITIAL);
  /** format index, or -1: a lost window (`lost`) */
  fmt = new Int32Array(INITIAL);
  bufs: Buffer[] = [];
  lost: LostWindow | undefined;
  /** the last event handed out on this CPU (a lost window's start) */
  lastHi = -1;
  // a double from the start (-0 is 0): a uint32 half past 2^30 would change the field's representation under
  // optimized code
  lastLo = -0;

  constructor(
    readonly cpu: number,
    private readonly pages: AsyncGenerator<Buffer>,
    private readonly lay: TraceDatLayout,
    private readonly stats: BinaryReaderStats,
    private readonly pageStats: PageStats,
    private readonly table: FormatTable,
  ) {}

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

  /** Decode pages until at least one item is queued or the CPU's data ends. */
  async fill(): Promise<void> {
    this.n = 0;
    this.head = 0;
    this.lost = undefined;
    const { lay, stats, table } = this;
    const le = lay.littleEndian;
    const visitor = {
      missed: (count: number): void => {
        const lost: LostWindow = { kind: 'lost', source: 'RB_MISSED_EVENTS', cpu: this.cpu, count };
        if (this.lastHi >= 0) lost.startNs = (BigInt(this.lastHi) << 32n) | BigInt(this.lastLo);
        this.lost = lost;
        // Before the page's first event (trace-cmd prints the marker there).
        const hi = le ? page.readUInt32LE(4) : page.readUInt32BE(0);
        const lo = le ? page.readUInt32LE(0) : page.readUInt32BE(4);
        this.add(page, 0, 0, hi, lo, 0, -1);
      },
      event: (buf: Buffer, start: number, end: number, hi: number, lo: number): void => {
        if (end - start < 8) {
          bump(stats.skipped, 'short event');
          return;
        }
        const f = table.indexOf(commonType(buf, start, le));
        if (f < 0) {
          stats.unknownEvents++;
          return;
        }
        if (end - start < table.min[f]!) {
          bump(stats.skipped, `${table.list[f]!.event} payload shorter than its format`);
          return;
        }
        this.add(buf, start, end, hi, lo, commonPid(buf, start, le), f);
      },
    };
    let page: Buffer = Buffer.alloc(0);
    while (this.n === 0) {
      const r = await this.pages.next();
      if (r.done) {
        this.done = true;
        return;
      }
      page = r.value;
      bump(stats.handled, 'page');
      walkPage(page, lay.headerPage, lay.longSize, le, visitor, this.pageStats);
    }
    this.closeLost();
  }

  /** A lost window ends at the first event after it (of the same fill). */
  private closeLost(): void {
    const lost = this.lost;
    if (lost === undefined) return;
    for (let i = 0; i < this.n; i++)
      if (this.fmt[i]! >= 0) {
        lost.endNs = (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]!);
        return;
      }
  }
}
