/**
 * tx_busy_while_awake (§I.3): the driver returned NETDEV_TX_BUSY without stopping the txq.
 */
import type { QueueRule } from './context.js';

export const txBusyWhileAwake: QueueRule = {
  kind: 'tx_busy_while_awake',
  needs: {
    events: ['net:net_dev_xmit', 'qdisc:qdisc_dequeue'],
    signals: ['rc=16 then a dequeue with DRV_XOFF clear and no completion between'],
  },
  run(c) {
    const { o, d, q, add, ev } = c;
    if (q.busyWhileAwakeRows.length > 0) {
      const rows = q.busyWhileAwakeRows;
      add(
        'tx_busy_while_awake',
        'warning',
        d.name,
        q.queue,
        o.rows.tsRel(rows[0]!),
        o.rows.tsRel(rows[rows.length - 1]!),
        `driver returned NETDEV_TX_BUSY ${rows.length} time(s) without stopping txq ${q.queue}`,
        `After rc=16 the next qdisc_dequeue saw DRV_XOFF clear and no completion had run: the driver refused the skb without netif_tx_stop_queue. The qdisc requeues and retries at once, spinning the CPU (§I.3). Drivers must stop the queue before returning BUSY.`,
        rows.slice(0, 5).map((r) => ev(r, 'rc=16 with the queue left awake')),
        [
          'check the driver ndo_start_xmit: the ring-full check must call netif_stop_queue before returning NETDEV_TX_BUSY',
        ],
      );
    }
  },
};
