/**
 * tx_busy_loop (§I.3, §D.4): the same skb refused with NETDEV_TX_BUSY again and again: a livelock. Each rc=16 makes
 * sch_direct_xmit requeue the skb (dev_requeue_skb → __netif_schedule / MISSED) and the next qdisc run retries it
 * first. xmit_one runs only while !netif_xmit_frozen_or_stopped(txq) (§D.4), so every traced retry is itself proof
 * that the txq was awake: with qdisc_dequeue traced the awake samples corroborate it; a trace of net_dev_xmit alone
 * (a stripped or pasted ftrace) shows the loop by the retries themselves.
 */
import { NULL_PTR } from '../columns.js';
import { K } from '../observe/kinds.js';
import { fmtMs, sumIn, type QueueRule } from './context.js';

/** Retries of one skb that make a loop (a BUSY, then the retry after the wake, is designed backpressure). */
const MIN_RUN = 3;
/**
 * Without txq_state samples: a requeued skb whose driver did not stop the queue comes back through __netif_schedule →
 * net_tx_action at once (§D.4, §D.5), microseconds apart; a proper stop waits for a TX completion and its wake. Two
 * retries at most this far apart with no NAPI poll between them are the spin.
 */
const SPIN_PERIOD_NS = 1e6;
const MIN_SPIN_RUN = 2;

export const txBusyLoop: QueueRule = {
  kind: 'tx_busy_loop',
  needs: { events: ['net:net_dev_xmit'], signals: ['consecutive rc=16 on one skbaddr without an rc=0 between'] },
  run(c) {
    const { o, d, q, add, ev } = c;
    const seesState = o.kindCounts[K.dequeue]! > 0;
    if (q.longestBusyRun < (seesState ? MIN_RUN : MIN_SPIN_RUN)) return;
    // with txq_state samples, require two BUSY returns followed by an awake dequeue and no completion (§I.3)
    if (seesState && q.busyWhileAwakeRows.length < 2) return;
    const rows = q.busyRunRows;
    const fromRel = o.rows.tsRel(rows[0]!);
    const toRel = o.rows.tsRel(rows[rows.length - 1]!);
    const period = rows.length > 1 ? (toRel - fromRel) / (rows.length - 1) : 0;
    // without them, the retries must come as a spin does: fast, and with no NAPI poll (completion → wake) between
    if (!seesState && (rows.length < 2 || period > SPIN_PERIOD_NS || sumIn(c.pollLists, fromRel, toRel) > 0)) return;
    // no queue_mapping and no qdisc event: the txq is unknown (index.ts makes the finding device-wide)
    const queueKnown = o.kindCounts[K.startXmit]! + o.kindCounts[K.dequeue]! + o.kindCounts[K.enqueue]! > 0;
    const where = queueKnown ? `txq ${q.queue}` : d.name;
    // skbaddr=(ptrval) (a pasted trace): the retries cannot be told apart by address
    const sameSkb =
      q.busyRunSkb === NULL_PTR
        ? ' The skb address was not printed ((ptrval)): the retries are taken as one skb because nothing succeeded between them.'
        : '';
    add(
      'tx_busy_loop',
      'warning',
      d.name,
      q.queue,
      fromRel,
      toRel,
      `busy loop: the same skb was refused with NETDEV_TX_BUSY ${q.longestBusyRun} times in a row on ${where}`,
      `Each rc=16 requeues the skb and the next run retries it first (§D.4); repeated BUSY on one skb without a successful xmit is a livelock (§I.3).${sameSkb}` +
        (seesState
          ? ''
          : ` This trace has no qdisc_dequeue: the loop shows by the retries alone (one every ${fmtMs(period)} in the first ${rows.length}); each net_dev_xmit means the txq was awake at the retry (xmit_one runs only then), so the driver refused the skb without stopping the queue, or something woke it with no room. What it cannot show: the txq state between retries, the requeue count, and whether completions ran${o.kindCounts[K.consume]! + o.kindCounts[K.kfree]! > 0 ? '' : ' (no skb frees traced)'}.`),
      rows.map((r) => ev(r, 'rc=16 on the same skb')),
      [
        'check why the driver cannot take the skb (ring accounting, descriptor leak, a TX FIFO state not cleared after a reset)',
        ...(seesState ? [] : ['capture qdisc:qdisc_dequeue to see the txq state between the retries']),
      ],
    );
  },
};
