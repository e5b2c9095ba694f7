/**
 * qdisc_throttled (§D.3, §D.6): qdisc drops while the txq ran and the qdisc withheld packets: shaping
 * (e.g. tbf out of tokens), not a driver problem.
 */
import type { QueueObs } from '../observe/records.js';
import type { Evidence } from '../types.js';
import type { QueueCtx, QueueRule } from './context.js';

/** Most drops came while the txq was awake and dequeues returned nothing with packets queued. */
export function qdiscShapes(q: QueueObs): boolean {
  return q.withheldDequeues > 0 && q.dropsWhileStopped * 2 < q.qdiscDrops;
}

/** The drop rows and the qdisc's name, as both qdisc drop findings cite them. */
export function qdiscDropEvidence(c: QueueCtx): { first: Evidence; last: Evidence; qdiscName: string } {
  const { q, ev } = c;
  const first = ev(q.dropFirstRow, 'first qdisc drop (kfree_skb reason QDISC_DROP…)');
  const last = ev(q.dropLastRow, 'last qdisc drop');
  const qdiscName = q.qdiscHandle !== null ? `qdisc ${(q.qdiscHandle >>> 16).toString(16)}:` : 'the qdisc';
  return { first, last, qdiscName };
}

export const qdiscThrottled: QueueRule = {
  kind: 'qdisc_throttled',
  needs: {
    events: ['skb:kfree_skb', 'qdisc:qdisc_dequeue'],
    signals: ['drop reason QDISC_DROP…', 'NULL dequeues with the txq awake and a backlog'],
  },
  run(c) {
    const { o, d, q, add, ev } = c;
    if (!(q.qdiscDrops > 0 && qdiscShapes(q))) return;
    const { first, last, qdiscName } = qdiscDropEvidence(c);
    add(
      'qdisc_throttled',
      'warning',
      d.name,
      q.queue,
      o.rows.tsRel(q.dropFirstRow),
      o.rows.tsRel(q.dropLastRow),
      `${qdiscName} throttles: ${q.qdiscDrops} packets dropped at enqueue while txq ${q.queue} was running`,
      `The txq was awake (txq_state=0x0, no NETDEV_TX_BUSY) and the qdisc held packets, yet ${q.withheldDequeues} qdisc_dequeue calls returned nothing: the qdisc itself withheld them (rate shaping, e.g. tbf out of tokens → overlimits). New packets then overflowed its limit and were dropped at enqueue; each drop returns NET_XMIT_DROP → ENOBUFS to IP_RECVERR senders (§D.3, §D.6). Not a driver problem.`,
      [first, ev(q.withheldFirstRow, 'qdisc_dequeue returned nothing with the txq awake and packets queued'), last],
      [
        'tc -s qdisc show dev <dev>: overlimits and the configured rate/burst/limit',
        'raise the shaper rate or its limit/burst if the drops are unwanted',
      ],
    );
  },
};
