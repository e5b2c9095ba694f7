/**
 * qdisc_stuck_skb (§D.2, §D.4, §I.4 variant): one skb waited from net_dev_queue to its net_dev_start_xmit far longer
 * than a qdisc run takes, with its txq awake: nobody ran the qdisc for it until something else did. The class of the
 * lockless pfifo_fast race (TCQ_F_NOLOCK, ~4.16 to 5.13): the enqueuing CPU's qdisc_run_begin() trylock failed while
 * another CPU was finishing __qdisc_run, which returned without seeing the new skb, so the skb sat in the qdisc until
 * the next enqueue ran it (fixed in 5.14 by __QDISC_STATE_MISSED, "net: sched: fix packet stuck problem for lockless
 * qdisc"). Only net_dev_queue and net_dev_start_xmit are needed: kernels without qdisc:qdisc_enqueue (before ~5.13,
 * e.g. 4.19) show it too.
 */
import { K } from '../observe/kinds.js';
import type { Observed } from '../observe/records.js';
import { findRowAt, fmtMs, type QueueRule } from './context.js';
import { qdiscShapes } from './qdisc-throttled.js';

/** A wait this much shorter than the stall threshold is not reported: a busy FIFO legitimately holds packets that long. */
const WARN_FRACTION = 5;

/** net_dev_start_xmit rows on `dev` txq `queue` strictly inside (fromRel, toRel): packets that went out meanwhile. */
function startsBetween(o: Observed, dev: string, queue: number, fromRel: number, toRel: number): number {
  const r = o.rows;
  let lo = 0;
  let hi = r.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r.tsRel(r.rowAt(mid)) <= fromRel) lo = mid + 1;
    else hi = mid;
  }
  let n = 0;
  for (let k = lo; k < r.n; k++) {
    const i = r.rowAt(k);
    if (r.tsRel(i) >= toRel) break;
    if (r.eventName(i) === 'net:net_dev_start_xmit' && r.devName(i) === dev && r.queue(i) === queue) n++;
  }
  return n;
}

export const qdiscStuckSkb: QueueRule = {
  kind: 'qdisc_stuck_skb',
  needs: {
    events: ['net:net_dev_queue', 'net:net_dev_start_xmit'],
    signals: ['per-skb wait net_dev_queue → net_dev_start_xmit (same skbaddr)', 'no stop of the txq during the wait'],
  },
  run(c) {
    const { o, opt, d, q, add, ev } = c;
    const waitNs = q.waitMaxNs;
    if (q.waitStartRow < 0 || waitNs < opt.stallNs / WARN_FRACTION || qdiscShapes(q)) return;
    const fromRel = q.waitQueuedRel;
    const toRel = o.rows.tsRel(q.waitStartRow);
    // a stopped or frozen txq explains the wait (the stall rules judge it), and so may a window the tracer lost
    if (q.intervals.some((iv) => iv.startRel < toRel && !(iv.endRel < fromRel))) return;
    if (o.gaps.some((g) => g.startRel < toRel && g.endRel > fromRel)) return;
    const passed = startsBetween(o, d.name, q.queue, fromRel, toRel);
    const seesState = o.kindCounts[K.dequeue]! > 0; // txq_state samples
    const queuedRow = findRowAt(o, fromRel, 'net:net_dev_queue', d.name);
    add(
      'qdisc_stuck_skb',
      waitNs >= opt.stallNs ? 'critical' : 'warning',
      d.name,
      q.queue,
      fromRel,
      toRel,
      `an skb waited ${fmtMs(waitNs)} in the qdisc of txq ${q.queue} from net_dev_queue to net_dev_start_xmit${passed > 0 ? ` while ${passed} other packet(s) went out on the txq` : ''}`,
      `The skb entered the qdisc at net_dev_queue (§D.1) and reached the driver only ${fmtMs(waitNs)} later, with the txq not seen stopped in between: no qdisc run took it out until a later one did. ` +
        `That is the lockless-qdisc race (TCQ_F_NOLOCK pfifo_fast, ~4.16 to 5.13): the enqueuing CPU's qdisc_run_begin() lost the trylock to a CPU finishing __qdisc_run, which returned without seeing the new skb, so it waited for the next enqueue (§D.2, §D.4; fixed in 5.14 by __QDISC_STATE_MISSED). ` +
        `What the trace cannot show: why the qdisc was not run (qdisc_run_begin, the MISSED/SCHED state bits and net_tx_action are not traced)${seesState ? '' : ', nor whether the txq was stopped meanwhile (no qdisc_dequeue txq_state samples)'}; ${q.waits} skb wait(s) were measured on this txq.`,
      [
        ...(queuedRow >= 0 ? [ev(queuedRow, 'net_dev_queue: the skb enters the qdisc')] : []),
        ev(q.waitStartRow, `net_dev_start_xmit of the same skb ${fmtMs(waitNs)} later`),
      ],
      [
        'check the kernel for the lockless-qdisc fixes (5.14 "net: sched: fix packet stuck problem for lockless qdisc" and follow-ups), or use a qdisc without TCQ_F_NOLOCK (fq_codel, pfifo) as root',
        'capture qdisc:qdisc_enqueue and qdisc:qdisc_dequeue (5.13+) to see the backlog the skb waited in',
      ],
    );
  },
};
