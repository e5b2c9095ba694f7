/**
 * qdisc_drops_enobufs (§D.3, §I.6): the qdisc backlog hit its limit (mostly while the txq was stopped):
 * drops at enqueue, NET_XMIT_DROP → -ENOBUFS for the sender. Drops from inside the qdisc (the skb had been enqueued)
 * and every fq_codel drop (NET_XMIT_CN, §D.6) give the sender no ENOBUFS: net_xmit_errno() maps only NET_XMIT_DROP.
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
    const { o, d, q, prof, add } = c;
    if (!(q.qdiscDrops > 0 && !qdiscShapes(q))) return;
    const whileStopped = q.dropsWhileStopped;
    const { first, last } = qdiscDropEvidence(c);
    // §D.3: net_xmit_errno() makes -ENOBUFS of NET_XMIT_DROP only. fq_codel never returns it (over its limit it drops
    // a batch from the fattest flow and returns NET_XMIT_CN or SUCCESS, §D.6), and an skb dropped from inside the
    // qdisc (it had a qdisc_enqueue) was already accepted: its sender saw success
    const fqCodel = prof.qdisc === 'fq_codel';
    const inside = q.dropsInside;
    const refused = fqCodel ? 0 : q.qdiscDrops - inside;
    const stopped = `${whileStopped} while the txq was stopped`;
    const lead =
      whileStopped > 0
        ? 'While the driver kept the txq stopped, qdisc_dequeue returned nothing, the qdisc backlog hit its limit and'
        : 'The qdisc backlog hit its limit and';
    const title =
      refused === 0
        ? `${q.qdiscDrops} qdisc drops on txq ${q.queue} (${stopped}), ${fqCodel ? 'fq_codel' : 'from inside the qdisc'}: NET_XMIT_CN or SUCCESS to the senders, not ENOBUFS`
        : inside > 0
          ? `${q.qdiscDrops} qdisc drops on txq ${q.queue} (${stopped}) → ENOBUFS for at most the ${refused} refused at enqueue`
          : `${q.qdiscDrops} qdisc drops on txq ${q.queue} (${stopped}) → ENOBUFS`;
    const refusedWhy = `new packets were dropped at enqueue (kfree_skb reason QDISC_DROP, no qdisc_enqueue event). The qdisc returns NET_XMIT_DROP, which net_xmit_errno turns into -ENOBUFS; UDP senders with IP_RECVERR see "No buffer space available" (§D.3, §I.6).`;
    const insideWhy = fqCodel
      ? `the qdisc is fq_codel: over its limit fq_codel_drop() frees a batch from the fattest flow and returns NET_XMIT_CN when the new packet's own flow was hit, else NET_XMIT_SUCCESS; CoDel drops at dequeue. net_xmit_errno() turns only NET_XMIT_DROP into -ENOBUFS (NET_XMIT_CN gives 0), so senders see no error: the drops show only in tc -s "dropped" and as losses (§D.3, §D.6, §I.6).`
      : `${inside} of the dropped skbs had been enqueued before (qdisc_enqueue seen): the qdisc dropped them from inside (a head drop, fq_codel's batch drop from the fattest flow, CoDel at dequeue), after their senders had been told NET_XMIT_SUCCESS or NET_XMIT_CN. net_xmit_errno() turns only NET_XMIT_DROP into -ENOBUFS, so those drops show no error to anyone (§D.3, §D.6).`;
    const explanation =
      refused === 0
        ? `${lead} ${insideWhy}`
        : inside > 0
          ? `${lead} ${refused} ${refusedWhy} ${insideWhy} If the qdisc is fq_codel, the ${refused} are the new packets of the flow its batch drop hit: NET_XMIT_CN, no ENOBUFS either (pass --qdisc fq_codel).`
          : `${lead} ${refusedWhy} (fq_codel would return NET_XMIT_CN here, not ENOBUFS: pass --qdisc fq_codel if it is the qdisc.)`;
    add(
      'qdisc_drops_enobufs',
      'warning',
      d.name,
      q.queue,
      o.rows.tsRel(q.dropFirstRow),
      o.rows.tsRel(q.dropLastRow),
      title,
      explanation,
      [first, last],
      [
        refused === 0
          ? 'tc -s qdisc show dev <dev> (dropped; fq_codel: drop_overlimit, new_flow_count) and TCP retransmits; no UdpSndbufErrors are expected'
          : 'tc -s qdisc show dev <dev> (dropped) and nstat UdpSndbufErrors/IpOutDiscards',
        'fix what blocks the txq (see the other findings) or raise the qdisc limit / txqueuelen',
      ],
    );
  },
};
