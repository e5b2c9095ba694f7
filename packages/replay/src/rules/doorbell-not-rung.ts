/**
 * doorbell_not_rung (§I.11, §B): the last packets went out as one xmit_more burst and never completed; the
 * tail register (doorbell) was not written for the last of them.
 */
import { FREES, findRowAt, fmtMs, type QueueRule } from './context.js';
import { inflightFacts } from './inflight.js';

export const doorbellNotRung: QueueRule = {
  kind: 'doorbell_not_rung',
  needs: {
    events: ['net:net_dev_xmit', FREES],
    signals: ['one back-to-back burst at the end', 'completions before it', 'no stop after it'],
  },
  run(c) {
    const f0 = inflightFacts(c);
    if (!f0 || !f0.doorbell || !f0.stalled) return;
    const { o, d, q, add, ev, stallFindings } = c;
    const { fromRel, dur, xmitsAfter, polls, burstNs } = f0;
    const first = findRowAt(o, fromRel, 'net:net_dev_xmit', d.name);
    const last = findRowAt(o, q.xmitTs.last(), 'net:net_dev_xmit', d.name);
    const f = add(
      'doorbell_not_rung',
      'critical',
      d.name,
      q.queue,
      fromRel,
      o.lastRel,
      `doorbell not rung: the last ${xmitsAfter} packets on txq ${q.queue} went out as one burst (${fmtMs(burstNs)}) and never completed in ${fmtMs(dur)}; queue awake, nothing sent after`,
      `The final ${xmitsAfter} transmits (net_dev_xmit rc=0) came back to back — one qdisc run handing a bulk list to dev_hard_start_xmit, every skb but the last with xmit_more set — and then nothing: no further transmit on txq ${q.queue}, the queue was never stopped, and none of them was freed for ${fmtMs(dur)} although completions ran normally before${polls > 0 ? ` and NAPI polled ${polls} times since` : ''}. Drivers post descriptors with xmit_more and write the tail register (doorbell) only when __netdev_tx_sent_queue / !netdev_xmit_more() says so; if that last kick is skipped the device never sees the descriptors, and only the next transmit would ring it (§I.11, §B). A lost completion interrupt looks the same from the trace (§I.1): the hardware TX counters tell them apart.`,
      [
        ...(first >= 0 ? [ev(first, 'first packet of the final burst: never completed')] : []),
        ...(last >= 0 && last !== first
          ? [ev(last, 'last packet of the burst (xmit_more clear: the doorbell should ring here)')]
          : []),
      ],
      [
        'ethtool -S <dev>: hardware tx_packets did not grow → the device never saw the descriptors (doorbell); grew → the interrupt was lost',
        'igb/ixgbe: compare TDT (tail written by the driver) with next_to_use in a Tx Unit Hang dump',
        'check the driver ndo_start_xmit: the tail write must happen when !netdev_xmit_more() || netif_xmit_stopped() (__netdev_tx_sent_queue)',
      ],
    );
    stallFindings.push(f);
  },
};
