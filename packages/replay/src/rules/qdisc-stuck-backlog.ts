/**
 * qdisc_stuck_backlog (§C, §I.4 variant): packets left in the qdisc with the queue awake at the last dequeue and
 * the qdisc not run again. Two readings, told apart by what came after that dequeue:
 * - nothing was enqueued since: the queue was restarted with netif_tx_start_queue (no __netif_schedule) or a
 *   reschedule was lost; the backlog waits for the next enqueue (warning);
 * - packets kept being enqueued (each runs qdisc_run → dequeue_skb) yet no dequeue was traced: on a qdisc that feeds
 *   one TX queue (TCQ_F_ONETXQUEUE) dequeue_skb() (net/sched/sch_generic.c) returns NULL *without* its tracepoint
 *   exactly when netif_xmit_frozen_or_stopped(txq): the txq has been stopped or FROZEN since, untraced (critical).
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
    if (
      !(o.kindCounts[K.dequeue]! > 0) ||
      q.backlog <= 0 ||
      stallFindings.length > 0 ||
      q.lastState !== 0 ||
      o.lastRel - q.lastStateRel < opt.stallNs
    )
      return;
    const idleMs = fmtMs(o.lastRel - q.lastStateRel);
    // the backlog series rose by the enqueues since the last dequeue (it records changes only)
    const enq = q.series.risesFrom(q.lastStateRel);
    const drops = q.drops.countFrom(q.lastStateRel);
    if (enq === 0) {
      add(
        'qdisc_stuck_backlog',
        'warning',
        d.name,
        q.queue,
        q.lastStateRel,
        o.lastRel,
        `${q.backlog} packet(s) left in the qdisc of txq ${q.queue} with the queue awake and the qdisc not run for ${idleMs}`,
        `The last dequeue saw the txq awake, yet the qdisc was not run again while it still held packets: the queue was restarted with netif_tx_start_queue (no __netif_schedule) or a reschedule was lost (§C, §I.4). The backlog waits for the next enqueue.`,
        [ev(q.lastStateRow, 'last qdisc_dequeue')],
        ['tc -s qdisc (backlog) and check the driver restart path for netif_tx_start_queue vs netif_tx_wake_queue'],
      );
      return;
    }
    const drained = q.inflightPackets === 0;
    add(
      'qdisc_stuck_backlog',
      'critical',
      d.name,
      q.queue,
      q.lastStateRel,
      o.lastRel,
      `txq ${q.queue} blocked for ${idleMs} without a trace: ${enq} packet(s) enqueued after the last dequeue, none dequeued, ${q.backlog} waiting${drops > 0 ? `, ${drops} dropped` : ''}${drained ? ' — nothing in flight: a lost wake-up or a FROZEN bit' : ''}`,
      `Every enqueue runs qdisc_run() → dequeue_skb(), and on a qdisc that feeds one TX queue (TCQ_F_ONETXQUEUE: a single-queue device's root, an mq child) dequeue_skb() returns NULL without firing qdisc_dequeue exactly when netif_xmit_frozen_or_stopped(txq) (§C, §D.4). ${enq} enqueues after the last dequeue (which saw the txq awake) and not one dequeue since: the txq has been stopped (DRV_XOFF/STACK_XOFF) or FROZEN ever since, and nothing traced it. ${drained ? 'The driver had nothing in flight, so a ring-full stop would have been woken by its own completions (netif_tx_wake_queue in the clean path): a FROZEN bit left set (netif_tx_lock / netif_freeze_queues without the unlock, §I.7) or a lost wake-up is what remains.' : 'Packets were still in flight: a driver stop waiting for completions that never came (§I.1, §I.2) is as likely as a FROZEN bit.'}`,
      [ev(q.lastStateRow, 'last qdisc_dequeue: txq awake; none after it')],
      [
        'capture net:net_dev_xmit and skb:consume_skb (completions) with the qdisc events: a stop shows as rc=16 or as completions that stop',
        'look for netif_tx_lock()/netif_freeze_queues() without the unlock in the driver reset/reconfiguration path; cat /sys/class/net/<dev>/queues/tx-N/tx_timeout',
      ],
    );
  },
};
