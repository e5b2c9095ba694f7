/**
 * trace_gap: the tracer lost events here (bpftrace lost_events / perf "Lost N events"): an unknown window,
 * not a quiet one. Needs only the tracers' lost-events markers (txreplay:lost_events rows).
 */
import type { Observed } from '../observe/records.js';
import { fmtMs, type FindingSink } from './context.js';

export function traceGaps(o: Observed, sink: FindingSink): void {
  const { add, ev } = sink;
  for (const g of o.gaps) {
    add(
      'trace_gap',
      'info',
      '*',
      null,
      g.startRel,
      g.endRel,
      `tracer lost ${g.lost} events: ${fmtMs(g.endRel - g.startRel)} of the trace is unknown`,
      `The tracer reported lost events here (bpftrace lost_events / perf "Lost N events"). Counts and intervals that overlap this window are lower bounds; absence of events here proves nothing.`,
      g.rows.slice(0, 3).map((r) => ev(r, 'lost-events marker')),
      ['capture with larger buffers (bpftrace BPFTRACE_PERF_RB_PAGES, perf -m) or fewer tracepoints'],
    );
  }
}
