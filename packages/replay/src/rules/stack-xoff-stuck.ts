/**
 * stack_xoff_stuck (§B, §I.5): BQL's STACK_XOFF stays set to the end of the trace although completions ran.
 */
import { FREES, fmtMs, type StopRule } from './context.js';

export const stackXoffStuck: StopRule = {
  kind: 'stack_xoff_stuck',
  needs: {
    events: ['qdisc:qdisc_dequeue', FREES],
    signals: ['STACK_XOFF stop', 'completions during the stop'],
  },
  // a drained STACK_XOFF stop that ended is BQL working: nothing to report, and no later rule applies
  when: (_c, s) => s.drained && s.bql,
  report(c, s) {
    const { d, q, add, stallFindings } = c;
    const { iv, open, endRel, dur, comps, stopEv, lastEv } = s;
    if (!open) return;
    stallFindings.push(
      add(
        'stack_xoff_stuck',
        'critical',
        d.name,
        q.queue,
        iv.startRel,
        endRel,
        `txq ${q.queue} held by BQL (STACK_XOFF) for ${fmtMs(dur)} although ${comps} completions ran`,
        `__QUEUE_STATE_STACK_XOFF is set by netdev_tx_sent_queue when dql_avail() < 0 and cleared only by netdev_tx_completed_queue with bytes > 0 (§B, §I.5). Completions ran but the bit never cleared: they were not reported to BQL, or were reported as 0 bytes.`,
        [stopEv, lastEv],
        [
          'compare bytes passed to netdev_tx_completed_queue with bytes queued (inflight in /sys/class/net/<dev>/queues/tx-N/byte_queue_limits)',
          'check for skbs freed without netdev_tx_reset_queue',
        ],
      ),
    );
  },
};
