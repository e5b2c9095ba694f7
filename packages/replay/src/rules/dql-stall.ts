/**
 * dql_stall (§A.5): napi:dql_stall_detected fired: completions stalled past stall_thrs and resumed late.
 */
import type { DeviceRule } from './context.js';

export const dqlStall: DeviceRule = {
  kind: 'dql_stall',
  needs: { events: [], alarms: ['napi:dql_stall_detected'] },
  run(c) {
    const { o, d, add, ev } = c;
    if (d.stallRows.length > 0) {
      const r0 = d.stallRows[0]!;
      const r1 = d.stallRows[d.stallRows.length - 1]!;
      add(
        'dql_stall',
        'warning',
        d.name,
        null,
        o.rows.tsRel(r0),
        o.rows.tsRel(r1),
        `${d.stallRows.length} BQL stall(s) detected on ${d.name}`,
        `dql_check_stall found a packet queued at least stall_thrs/2 ago with no completion since (§A.5): completions stalled and resumed late.`,
        d.stallRows.slice(0, 5).map((r) => ev(r, 'dql_stall_detected')),
        ['look at the NAPI polls around these times; cat byte_queue_limits/stall_cnt, stall_max'],
      );
    }
  },
};
