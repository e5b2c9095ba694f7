/**
 * oversize_bulk_dequeue (§D.4): one qdisc_dequeue handed sch_direct_xmit a bulk list longer than __qdisc_run's whole
 * quota allows (the first skb plus at most dev_tx_weight = 64 more by default: 65). try_bulk_dequeue_skb() was bounded only by the BQL byte headroom
 * (dql_avail) until 6.18 ("net_sched: limit try_bulk_dequeue_skb() batches", 2025): on fast multiqueue NICs whose BQL
 * limit grows to megabytes it dequeues a thousand packets and more per call, holds the CPU, overfills the driver ring,
 * and the tail comes back through dev_requeue_skb (tc -s "requeues" by millions per second).
 */
import { DEV_TX_WEIGHT, MAX_BULK_PACKETS } from '../observe/kinds.js';
import type { QueueRule } from './context.js';

export const oversizeBulkDequeue: QueueRule = {
  kind: 'oversize_bulk_dequeue',
  needs: { events: ['qdisc:qdisc_dequeue'], signals: ['packets= of each qdisc_dequeue (the bulk list length)'] },
  run(c) {
    const { o, d, q, add, ev } = c;
    if (q.bulkOver === 0) return;
    const mean = Math.round(q.bulkOverPackets / q.bulkOver);
    const evidence = [ev(q.bulkOverFirstRow, 'first qdisc_dequeue with a bulk list over dev_tx_weight')];
    if (q.bulkMaxRow !== q.bulkOverFirstRow) evidence.push(ev(q.bulkMaxRow, `largest bulk list: ${q.bulkMax} packets`));
    if (q.bulkOverLastRow !== q.bulkOverFirstRow && q.bulkOverLastRow !== q.bulkMaxRow)
      evidence.push(ev(q.bulkOverLastRow, 'last one'));
    add(
      'oversize_bulk_dequeue',
      'warning',
      d.name,
      q.queue,
      o.rows.tsRel(q.bulkOverFirstRow),
      o.rows.tsRel(q.bulkOverLastRow),
      `${q.bulkOver} qdisc_dequeue call(s) on txq ${q.queue} returned bulk lists of up to ${q.bulkMax} packets (mean ${mean}), over dev_tx_weight (${DEV_TX_WEIGHT})`,
      `qdisc_dequeue's packets= is the length of the list dequeue_skb handed sch_direct_xmit (§D.4, §D.7). __qdisc_run allows dev_tx_weight (${DEV_TX_WEIGHT} by default) packets per run, so a bounded bulk list is at most ${MAX_BULK_PACKETS} (the first skb and up to the remaining quota), yet ${q.bulkOver} single dequeue(s) took up to ${q.bulkMax}: try_bulk_dequeue_skb() was bounded only by BQL's byte headroom (dql_avail), which on a fast multiqueue NIC grows to megabytes. ` +
        `One CPU then holds the qdisc for the whole batch, the driver ring overflows and the rest is requeued (dev_requeue_skb: tc -s "requeues"). Fixed in 6.18 by "net_sched: limit try_bulk_dequeue_skb() batches" (limit dev_tx_weight). ` +
        `What the trace cannot show: the BQL limit and the bytes of each list (no net_dev_xmit len here unless traced), and whether net.core.dev_weight / dev_weight_tx_bias were raised (then ${DEV_TX_WEIGHT} is not this host's quota).`,
      evidence,
      [
        'tc -s qdisc show dev <dev> twice a second apart: requeues growing by millions per second confirm it',
        'cat /sys/class/net/<dev>/queues/tx-*/byte_queue_limits/limit (megabytes: the bound the batch had); apply the 6.18 fix or cap limit_max',
      ],
    );
  },
};
