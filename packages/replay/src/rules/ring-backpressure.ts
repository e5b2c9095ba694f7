/**
 * ring_backpressure (§I.3 normal case, §D.4): NETDEV_TX_BUSY with a proper stop, woken each time.
 */
import type { ObservedInterval, QueueObs } from '../observe/records.js';
import { fmtMs, type QueueRule } from './context.js';

/** The closed NETDEV_TX_BUSY stops of a queue that never returned BUSY while awake; null when there are none. */
export function backpressureStops(q: QueueObs): ObservedInterval[] | null {
  const closedBusy = q.intervals.filter((iv) => iv.state === 'DRV_XOFF' && iv.openedByBusy && iv.endRel === iv.endRel);
  return q.txBusy > 0 && q.busyWhileAwakeRows.length === 0 && closedBusy.length > 0 ? closedBusy : null;
}

export const ringBackpressure: QueueRule = {
  kind: 'ring_backpressure',
  needs: {
    // rc=16 opens the stop, the next rc=0 (or a dequeue with DRV_XOFF clear) ends it
    events: ['net:net_dev_xmit'],
    signals: ['rc=16 followed by a DRV_XOFF stop that ends'],
  },
  run(c) {
    const closedBusy = backpressureStops(c.q);
    if (!closedBusy) return;
    const { d, q, peerDriven, napiWho, add, ev } = c;
    const longest = closedBusy.reduce((a, b) => (b.endRel - b.startRel > a.endRel - a.startRel ? b : a));
    const first = closedBusy[0]!;
    const last = closedBusy[closedBusy.length - 1]!;
    add(
      'ring_backpressure',
      'info',
      d.name,
      q.queue,
      first.startRel,
      last.endRel,
      `${peerDriven ? 'peer ring' : 'driver ring'} full: txq ${q.queue} stopped ${closedBusy.length} time(s) with NETDEV_TX_BUSY (${q.requeues} requeues), longest ${fmtMs(longest.endRel - longest.startRel)}`,
      peerDriven
        ? `veth_xmit found the peer's ptr_ring full, stopped the txq and returned NETDEV_TX_BUSY; sch_direct_xmit requeued the skb (tc "requeues") and the peer NAPI woke the queue once it had drained the ring (§D.4, §I.3). This is designed backpressure: the receiving side (${napiWho}) is slower than the sender.`
        : `The driver ran out of ring space, stopped the txq and returned NETDEV_TX_BUSY; the skb was requeued and the queue was woken after completions (§D.4, §I.3).`,
      [
        ev(first.startRow, 'first NETDEV_TX_BUSY (rc=16)'),
        ev(longest.startRow, 'start of the longest stop'),
        ev(longest.endRow, 'queue running again'),
      ],
      [
        peerDriven
          ? 'give the receiving NAPI more CPU (threaded NAPI priority/affinity) or a larger ring'
          : 'check ring size (ethtool -g) against the link rate and the completion latency',
      ],
    );
  },
};
