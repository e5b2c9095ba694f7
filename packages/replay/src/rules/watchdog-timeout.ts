/**
 * watchdog_timeout (§E, §I.9): net_dev_xmit_timeout, named with the stall found on the same queue; and
 * timeouts of queues no other event shows.
 */
import type { Finding } from '../types.js';
import type { Observed } from '../observe/records.js';
import type { DeviceRule, QueueRule } from './context.js';

/** The timeout's network namespace (net_cookie, newer kernels): same-named devices of two namespaces stay apart. */
function withNetns(f: Finding, o: Observed, row: number): Finding {
  const cookie = o.rows.netCookie(row);
  if (cookie !== null) {
    f.netCookie = cookie.toString();
    f.title += ` (netns cookie ${cookie})`;
  }
  return f;
}

export const watchdogTimeoutOnQueue: QueueRule = {
  kind: 'watchdog_timeout',
  needs: { events: [], alarms: ['net:net_dev_xmit_timeout'], signals: ['the stall findings of the same queue'] },
  run(c) {
    const { o, d, q, add, ev, rel2ns, stallFindings } = c;
    for (const row of d.timeoutRows) {
      const tq = o.rows.queue(row);
      if (tq !== q.queue) continue;
      const rel = o.rows.tsRel(row);
      const cause = [...stallFindings.list].reverse().find((f) => f.startNs <= rel2ns(rel));
      const stopped = q.intervals.filter((iv) => iv.state !== 'FROZEN' && iv.startRel <= rel).pop();
      const from = cause ? Number(cause.startNs - o.baseNs) : stopped ? stopped.startRel : rel;
      const f = add(
        'watchdog_timeout',
        'critical',
        d.name,
        q.queue,
        from,
        rel,
        `NETDEV WATCHDOG: txq ${q.queue} timed out${cause ? ` — cause: ${cause.kind.replace('_', ' ')}` : ''}`,
        `dev_watchdog found txq ${q.queue} stopped (DRV_XOFF or STACK_XOFF) with trans_start older than watchdog_timeo and called ndo_tx_timeout (§E).${cause ? ` The stall behind it: ${cause.title}.` : stopped ? ` The queue was last seen stopping at the evidence below.` : ' The trace does not show the stop itself (capture qdisc:qdisc_dequeue).'}`,
        [ev(row, 'net_dev_xmit_timeout'), ...(stopped ? [ev(stopped.startRow, 'queue stopped')] : [])],
        [
          'dmesg for the driver reset that follows (igb: reset_task; virtio_net: only a log line)',
          'cat /sys/class/net/<dev>/queues/tx-N/tx_timeout',
        ],
      );
      withNetns(f, o, row);
    }
  },
};

/** timeouts for queues we never saw otherwise */
export const watchdogTimeoutUnseenQueue: DeviceRule = {
  kind: 'watchdog_timeout',
  needs: { events: [], alarms: ['net:net_dev_xmit_timeout'] },
  run(c) {
    const { o, d, add, ev } = c;
    for (const row of d.timeoutRows) {
      const tq = o.rows.queue(row);
      if (d.queues.has(tq)) continue;
      const rel = o.rows.tsRel(row);
      const f = add(
        'watchdog_timeout',
        'critical',
        d.name,
        tq === -2147483648 ? null : tq,
        rel,
        rel,
        `NETDEV WATCHDOG: txq ${tq} timed out`,
        `dev_watchdog found the txq stopped past watchdog_timeo (§E). No other event of this queue is in the trace, so the cause cannot be reconstructed.`,
        [ev(row, 'net_dev_xmit_timeout')],
        ['capture qdisc:qdisc_dequeue, net:net_dev_xmit, napi:napi_poll and skb:consume_skb to see the stall'],
      );
      withNetns(f, o, row);
    }
  },
};
