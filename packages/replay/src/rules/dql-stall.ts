/**
 * dql_stall (§A.5): napi:dql_stall_detected fired: completions stalled past stall_thrs and resumed late.
 * The tracepoint (dql_check_stall, 6.9+) carries no device — TP_PROTO(thrs, len, last_reap, hist_head, now, hist) —
 * so a kernel trace's events are judged once for the trace (dqlStallsUnattributed); inputs that do name the device
 * are judged per device.
 */
import { K } from '../observe/kinds.js';
import type { DevObs, Observed } from '../observe/records.js';
import type { DeviceRule, FindingSink } from './context.js';

type Sink = Pick<FindingSink, 'add' | 'ev'>;

function reportStalls(o: Observed, sink: Sink, dev: string, rows: readonly number[], why: string): void {
  const r0 = rows[0]!;
  const r1 = rows[rows.length - 1]!;
  sink.add(
    'dql_stall',
    'warning',
    dev,
    null,
    o.rows.tsRel(r0),
    o.rows.tsRel(r1),
    `${rows.length} BQL stall(s) detected on ${dev}`,
    `dql_check_stall found a packet queued at least stall_thrs/2 ago with no completion since (§A.5): completions stalled and resumed late.${why}`,
    rows.slice(0, 5).map((r) => sink.ev(r, 'dql_stall_detected')),
    ['look at the NAPI polls around these times; cat byte_queue_limits/stall_cnt, stall_max'],
  );
}

export const dqlStall: DeviceRule = {
  kind: 'dql_stall',
  needs: { events: [], alarms: ['napi:dql_stall_detected'] },
  run(c) {
    if (c.d.stallRows.length > 0) reportStalls(c.o, c, c.d.name, c.d.stallRows, '');
  },
};

/**
 * The dql_stall_detected events no device claimed (the kernel's tracepoint names none): blamed on the trace's only
 * device with TX queues when there is one, else reported for an unnamed queue.
 */
export function dqlStallsUnattributed(o: Observed, sink: Sink, judged: (d: DevObs) => boolean): void {
  if (o.kindCounts[K.dqlStall] === 0) return;
  const rows: number[] = [];
  const r = o.rows;
  for (let k = 0; k < r.n; k++) {
    const i = r.rowAt(k);
    if (r.eventName(i) === 'napi:dql_stall_detected' && r.devName(i) === null) rows.push(i);
  }
  if (rows.length === 0) return;
  const txDevs = o.devices.filter((d) => d.queues.size > 0 && judged(d));
  const only = txDevs.length === 1 ? txDevs[0]!.name : null;
  reportStalls(
    o,
    sink,
    only ?? '(unnamed txq)',
    rows,
    only !== null
      ? ` The tracepoint names no device; ${only} is the only device with TX queues in the trace.`
      : ' The tracepoint names no device, and the trace has several: which queue stalled is unknown.',
  );
}
