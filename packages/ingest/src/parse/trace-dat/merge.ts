/**
 * The CPUs' queued records merged by timestamp, lowest CPU first on ties (trace-cmd tracecmd_read_next_data), handed
 * to the sink. A plain method, not the reader's async generator: a generator's loop re-entered at every resume runs
 * in baseline code until the whole generator is optimized, and this loop is the per-record one.
 */
import type { EventFormat } from '../tracing-data/eventFormat.js';
import type { BinaryReaderStats, RecordSink } from '../tracing-data/types.js';
import type { CpuStream, FormatTable } from './cpuStream.js';

export class CpuMerge {
  /** records handed out since the caller last reset it */
  emitted = 0;
  /** the comm of the last pid handed out (runs of one task's events are the common case) */
  private lastPid = Number.NaN;
  private lastComm = '';
  private readonly formats: EventFormat[];

  constructor(
    private readonly cpus: CpuStream[],
    private readonly stats: BinaryReaderStats,
    readonly table: FormatTable,
    private readonly le: boolean,
    private readonly comm: (pid: number) => string,
    private readonly sink: RecordSink,
  ) {
    this.formats = table.list;
  }

  /** The CPU with the earliest next record (the first of equals), undefined when every CPU is done. */
  private earliest(): CpuStream | undefined {
    let best: CpuStream | undefined;
    let bestHi = 0;
    let bestLo = 0;
    for (const c of this.cpus) {
      if (c.done) continue;
      const hi = c.hi[c.head]!;
      const lo = c.lo[c.head]!;
      if (best === undefined || hi < bestHi || (hi === bestHi && lo < bestLo)) {
        best = c;
        bestHi = hi;
        bestLo = lo;
      }
    }
    return best;
  }

  /**
   * Hand out records in time order until one CPU's queue is used up: that CPU (to be refilled before the next call),
   * or undefined when every CPU is done.
   */
  run(): CpuStream | undefined {
    for (;;) {
      const best = this.earliest();
      if (best === undefined) return undefined;
      this.emit(best, best.head++);
      this.emitted++;
      if (best.head >= best.n) return best;
    }
  }

  private emit(c: CpuStream, i: number): void {
    const f = c.fmt[i]!;
    if (f < 0) {
      const w = c.lost[c.start[i]!]!;
      this.stats.lostWindows++;
      if (w.count > 0) this.stats.lostEvents += w.count;
      this.sink.lost(w);
      return;
    }
    this.table.counts[f]!++;
    const pid = c.pid[i]!;
    if (pid !== this.lastPid) {
      this.lastPid = pid;
      this.lastComm = this.comm(pid);
    }
    const { le, lastComm } = this;
    this.sink.event(
      this.formats[f]!,
      c.bufs[i]!,
      c.start[i]!,
      c.end[i]!,
      le,
      c.hi[i]!,
      c.lo[i]!,
      c.cpu,
      pid,
      pid,
      lastComm,
    );
  }
}
