/**
 * frozen_queue: __QUEUE_STATE_FROZEN set for longer than the stall threshold (§C, §I.6, §I.7): a
 * netif_tx_lock / netif_freeze_queues without its unlock.
 */
import { fmtMs, type StopRule } from './context.js';

export const frozenQueue: StopRule = {
  kind: 'frozen_queue',
  needs: { events: ['qdisc:qdisc_dequeue'], signals: ['txq_state & 0x4 (FROZEN) on every dequeue of the stop'] },
  when: (_c, s) => s.iv.state === 'FROZEN',
  report(c, s) {
    const { d, q, add, ev, stallFindings } = c;
    const { iv, open, endRel, dur } = s;
    stallFindings.push(
      add(
        'frozen_queue',
        'critical',
        d.name,
        q.queue,
        iv.startRel,
        endRel,
        `txq ${q.queue} FROZEN for ${fmtMs(dur)}${open ? ' until the end of the trace' : ''}`,
        `__QUEUE_STATE_FROZEN (0x4) is set only by netif_freeze_queues/netif_tx_lock and must be cleared by netif_tx_unlock/netif_unfreeze_queues, which also reschedules the qdisc (§C). A FROZEN bit that persists means an unlock never ran: every qdisc_dequeue on this txq returns nothing, the qdisc fills and drops (ENOBUFS for IP_RECVERR senders, §I.6, §I.7).`,
        [ev(iv.startRow, 'first dequeue with txq_state & 0x4'), ev(iv.lastSeenRow, 'last dequeue still FROZEN')],
        [
          'look for a netif_tx_lock without netif_tx_unlock in the driver (reset/reconfiguration paths)',
          'check dmesg for a driver reset that failed half-way',
          'cat /sys/class/net/<dev>/queues/tx-N/tx_timeout',
        ],
      ),
    );
  },
};
