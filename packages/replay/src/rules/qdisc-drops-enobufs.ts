/**
 * qdisc_drops_enobufs (§D.3, §I.6): the qdisc backlog hit its limit (mostly while the txq was stopped):
 * drops at enqueue, NET_XMIT_DROP → -ENOBUFS for the sender.
 */
import type { QueueRule } from './context.js';
import { qdiscDropEvidence, qdiscShapes } from './qdisc-throttled.js';

export const qdiscDropsEnobufs: QueueRule = {
  kind: 'qdisc_drops_enobufs',
  needs: {
    events: ['skb:kfree_skb'],
    signals: ['drop reason QDISC_DROP… (or a numbered reason before any qdisc_enqueue)'],
  },
  run(c) {
    const { o, d, q, add } = c;
    if (!(q.qdiscDrops > 0 && !qdiscShapes(q))) return;
    const whileStopped = q.dropsWhileStopped;
    const { first, last } = qdiscDropEvidence(c);
    add(
      'qdisc_drops_enobufs',
      'warning',
      d.name,
      q.queue,
      o.rows.tsRel(q.dropFirstRow),
      o.rows.tsRel(q.dropLastRow),
      `${q.qdiscDrops} qdisc drops on txq ${q.queue} (${whileStopped} while the txq was stopped) → ENOBUFS`,
      `${whileStopped > 0 ? 'While the driver kept the txq stopped, qdisc_dequeue returned nothing, the qdisc backlog hit its limit and' : 'The qdisc backlog hit its limit and'} new packets were dropped at enqueue (kfree_skb reason QDISC_DROP, no qdisc_enqueue event). The qdisc returns NET_XMIT_DROP, which net_xmit_errno turns into -ENOBUFS; UDP senders with IP_RECVERR see "No buffer space available" (§D.3, §I.6).`,
      [first, last],
      [
        'tc -s qdisc show dev <dev> (dropped) and nstat UdpSndbufErrors/IpOutDiscards',
        'fix what blocks the txq (see the other findings) or raise the qdisc limit / txqueuelen',
      ],
    );
  },
};
