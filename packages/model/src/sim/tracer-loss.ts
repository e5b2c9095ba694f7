/**
 * The tracer's lost events (the tracer_lost fault, sim/faults.ts): while a CPU's perf ring buffer is full its events
 * are not recorded; perf_output_begin counts them (perf_event_lost) and writes a PERF_RECORD_LOST record into the
 * buffer as soon as an event fits again, so the record precedes the CPU's first recorded event after the loss.
 */
export class TracerLoss {
  /** per CPU: loss windows open (nested faults count), events lost and not yet reported */
  private readonly open: Int32Array;
  private readonly pending: Float64Array;
  /** events lost over the run */
  lost = 0;

  constructor(cpus: number) {
    this.open = new Int32Array(cpus);
    this.pending = new Float64Array(cpus);
  }

  /** start (true) or end (false) a loss window on `cpu` (-1: every CPU) */
  set(cpu: number, start: boolean): void {
    for (let c = 0; c < this.open.length; c++) {
      if (cpu >= 0 && c !== cpu) continue;
      this.open[c] = this.open[c]! + (start ? 1 : -1);
    }
  }

  /** true when the event of `cpu` is lost (counted) */
  drops(cpu: number): boolean {
    if (cpu >= this.open.length || this.open[cpu]! <= 0) return false;
    this.pending[cpu] = this.pending[cpu]! + 1;
    this.lost++;
    return true;
  }

  /** the count to report before the next recorded event of `cpu` (0: none), then cleared */
  takePending(cpu: number): number {
    if (cpu >= this.pending.length) return 0;
    const n = this.pending[cpu]!;
    this.pending[cpu] = 0;
    return n;
  }
}
