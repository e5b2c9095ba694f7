/**
 * A driver's own lines about its TX ring filling (ingest records/ringFull.ts):
 *  - "BUG! Tx Ring full when queue awake!" (tg3, bnx2x, 8139cp, jme, mtk_eth_soc…): ndo_start_xmit() found too few
 *    free descriptors with the queue awake — the stop check at the end of the previous transmit (tg3_start_xmit:
 *    tx_avail ≤ MAX_SKB_FRAGS + 1 → netif_tx_stop_queue) missed, or raced the completion path's wake (the tg3 3.65
 *    fix). The driver stops the queue then and returns NETDEV_TX_BUSY, so the qdisc requeues the skb (§I.3):
 *    `tx_busy_while_awake`.
 *  - IPoIB's "TX ring full, stopping kernel net queue": the queue stopped as designed (DRV_XOFF) until a send
 *    completion wakes it. Alone it is backpressure (`ring_backpressure`, info); before a NETDEV WATCHDOG on the same
 *    device it says who stopped the queue, and the watchdog finding quotes it (ringFullBefore).
 */
import {
  sameKernelLogDevice as sameDevice,
  type KernelRecord,
  type TimeoutSeries,
  type TxRingFullRecord,
} from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { evidenceOf, groupByDevice, logDeviceName, logSpan } from './log-record.js';

const ringFulls = (records: readonly KernelRecord[]): TxRingFullRecord[] =>
  records.filter((r): r is TxRingFullRecord => r.kind === 'tx_ring_full');

function quoted(g: readonly TxRingFullRecord[], source: string): Finding['evidence'] {
  const last = g[g.length - 1]!;
  return [...g.slice(0, 3), ...(g.length > 3 ? [last] : [])].map((r) => evidenceOf(r, source));
}

function awakeFinding(g: TxRingFullRecord[], source: string, watchdogAfter: boolean): Finding {
  const first = g[0]!;
  const dev = logDeviceName(first);
  return {
    kind: 'tx_busy_while_awake',
    severity: 'warning',
    dev,
    queue: null,
    ...logSpan(first, g[g.length - 1]!),
    title: `${dev} (${first.driver}): the driver found its TX ring full with the queue awake ${g.length} time(s) and returned NETDEV_TX_BUSY`,
    explanation:
      `"${first.text}" is printed by ndo_start_xmit() when an skb needs more descriptors than are free while the queue ` +
      `is still awake. The driver is meant to stop the queue at the end of the transmit that leaves too few ` +
      `descriptors for the largest skb (tg3_start_xmit: tx_avail ≤ MAX_SKB_FRAGS + 1); reaching this line means that ` +
      `check missed — a race with the completion path's wake, or an skb needing more descriptors than the stop ` +
      `threshold reserves. It stops the queue now and returns NETDEV_TX_BUSY: the qdisc requeues the skb and sends ` +
      `it after the next wake (docs/kernel-tx-path.md §I.3). Once is harmless; repeated, the stop and wake ` +
      `thresholds disagree. ` +
      (watchdogAfter
        ? 'A NETDEV WATCHDOG follows on this device: the wake that should have come after these did not.'
        : 'No NETDEV WATCHDOG follows in this log: the queue was woken again each time.'),
    evidence: quoted(g, source),
    nextSteps: [
      `\`tc -s qdisc show dev ${dev}\` twice: "requeues" growing with these lines confirms each TX_BUSY`,
      'check the driver version for stop/wake fixes (tg3, bnx2x: the memory barrier between the ring update and netif_tx_queue_stopped in the completion path) and whether the large skbs come from GSO/TSO with many frags (ethtool -K DEV sg off tso off narrows it)',
    ],
  };
}

function backpressureFinding(g: TxRingFullRecord[], source: string): Finding {
  const first = g[0]!;
  const dev = logDeviceName(first);
  return {
    kind: 'ring_backpressure',
    severity: 'info',
    dev,
    queue: null,
    ...logSpan(first, g[g.length - 1]!),
    title: `${dev} (${first.driver}): the driver stopped its TX queue ${g.length} time(s) because its send ring was full`,
    explanation:
      `"${first.text}": the driver's send ring filled and it stopped the queue (netif_stop_queue, __QUEUE_STATE_DRV_XOFF); ` +
      'a send completion wakes it. No NETDEV WATCHDOG follows in this log, so the wake came each time: backpressure ' +
      'from a sender faster than the link, not a stall. The log cannot show how long each stop lasted.',
    evidence: quoted(g, source),
    nextSteps: [],
  };
}

function watchdogFollows(records: readonly KernelRecord[], g: readonly TxRingFullRecord[]): boolean {
  return records.some((r) => r.kind === 'watchdog_timeout' && r.firstLine > g[0]!.firstLine && sameDevice(r, g[0]!));
}

/** One finding per device: TX_BUSY while awake (warning), or ring-full stops with no watchdog after (info). */
export function ringFullFindings(records: readonly KernelRecord[], source: string): Finding[] {
  const out: Finding[] = [];
  for (const g of groupByDevice(ringFulls(records), (r) => r.whileAwake)) {
    const after = watchdogFollows(records, g);
    if (g[0]!.whileAwake) out.push(awakeFinding(g, source, after));
    else if (!after) out.push(backpressureFinding(g, source));
  }
  return out;
}

/** For a watchdog finding: the driver's own "ring full, stopping the queue" lines before or within its series. */
export function ringFullBefore(records: readonly KernelRecord[], s: TimeoutSeries): string {
  const mine = ringFulls(records).filter((r) => !r.whileAwake && r.firstLine <= s.lastLine && sameDevice(r, s));
  if (mine.length === 0) return '';
  const lines = mine.slice(0, 3).map((r) => r.firstLine);
  return (
    ` Before it the driver logged its send ring full and stopped the queue itself (line${lines.length > 1 ? 's' : ''} ` +
    `${lines.join(', ')}: "${mine[0]!.text}"): the queue was stopped by the driver (DRV_XOFF), not by flow control, ` +
    'and only a TX completion could wake it.'
  );
}
