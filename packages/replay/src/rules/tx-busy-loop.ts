/**
 * tx_busy_loop (§I.3, §D.4): the same skb refused with NETDEV_TX_BUSY again and again: a livelock.
 */
import type { QueueRule } from './context.js';

export const txBusyLoop: QueueRule = {
  kind: 'tx_busy_loop',
  needs: { events: ['net:net_dev_xmit', 'qdisc:qdisc_dequeue'], signals: ['consecutive rc=16 on one skbaddr'] },
  run(c) {
    const { o, d, q, add, ev } = c;
    if (q.longestBusyRun >= 3 && q.busyWhileAwakeRows.length >= 2) {
      add(
        'tx_busy_loop',
        'warning',
        d.name,
        q.queue,
        o.rows.tsRel(q.busyRunRows[0]!),
        o.rows.tsRel(q.busyRunRows[q.busyRunRows.length - 1]!),
        `busy loop: the same skb was refused with NETDEV_TX_BUSY ${q.longestBusyRun} times in a row on txq ${q.queue}`,
        `Each rc=16 requeues the skb and the next run retries it first (§D.4); repeated BUSY on one skb without a successful xmit is a livelock (§I.3).`,
        q.busyRunRows.map((r) => ev(r, 'rc=16 on the same skb')),
        ['check why the driver cannot take the skb (ring accounting, descriptor leak)'],
      );
    }
  },
};
