/**
 * qdisc_stuck_backlog (§C, §I.4 variant): packets left in the qdisc with the queue awake and the qdisc not
 * run again (netif_tx_start_queue without __netif_schedule, or a lost reschedule).
 */
import { K } from '../observe/kinds.js';
import { fmtMs, type QueueRule } from './context.js';

export const qdiscStuckBacklog: QueueRule = {
  kind: 'qdisc_stuck_backlog',
  needs: {
    events: ['qdisc:qdisc_dequeue', 'qdisc:qdisc_enqueue'],
    signals: ['backlog at the end, last dequeue saw the txq awake'],
  },
  run(c) {
    const { o, opt, d, q, add, ev, stallFindings } = c;
    // ---- packets left in the qdisc while nothing explains it (§I.4 variant: netif_tx_start_queue without wake)
    if (
      o.kindCounts[K.dequeue]! > 0 &&
      q.backlog > 0 &&
      stallFindings.length === 0 &&
      q.lastState === 0 &&
      o.lastRel - q.lastStateRel >= opt.stallNs
    ) {
      add(
        'qdisc_stuck_backlog',
        'warning',
        d.name,
        q.queue,
        q.lastStateRel,
        o.lastRel,
        `${q.backlog} packet(s) left in the qdisc of txq ${q.queue} with the queue awake and the qdisc not run for ${fmtMs(o.lastRel - q.lastStateRel)}`,
        `The last dequeue saw the txq awake, yet the qdisc was not run again while it still held packets: the queue was restarted with netif_tx_start_queue (no __netif_schedule) or a reschedule was lost (§C, §I.4). The backlog waits for the next enqueue.`,
        [ev(q.lastStateRow, 'last qdisc_dequeue')],
        ['tc -s qdisc (backlog) and check the driver restart path for netif_tx_start_queue vs netif_tx_wake_queue'],
      );
    }
  },
};
