/**
 * Per-queue timeline marks taken from the event table (when the caller has it): NAPI polls, drops and
 * watchdog timeouts. The replay result carries backlog/inflight/DQL series and stopped intervals; these
 * marks add the moments around them (docs/kernel-tx-path.md: napi_poll §A.6, kfree_skb drops §I.6,
 * dev_watchdog → net_dev_xmit_timeout §I.9).
 */
import type { Table } from 'apache-arrow';

export interface TimelineMarks {
  /** napi:napi_poll timestamps per NAPI device name */
  napiPolls: Map<string, bigint[]>;
  /** skb:kfree_skb timestamps of skbs that entered the TX path of a device, per device */
  drops: Map<string, bigint[]>;
  /** net:net_dev_xmit_timeout per `dev#queue` */
  watchdog: Map<string, bigint[]>;
}

export function emptyMarks(): TimelineMarks {
  return { napiPolls: new Map(), drops: new Map(), watchdog: new Map() };
}

function push(m: Map<string, bigint[]>, k: string, v: bigint): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export function marksFromEvents(table: Table): TimelineMarks {
  const marks = emptyMarks();
  const ts = table.getChild('ts_ns');
  const ev = table.getChild('event');
  const dev = table.getChild('dev');
  const queue = table.getChild('queue');
  const skb = table.getChild('skbaddr');
  if (!ts || !ev || !dev || !queue || !skb) return marks;
  // skb → device it was queued on (net_dev_queue), so a later kfree_skb can be attributed
  const skbDev = new Map<bigint, string>();
  for (let i = 0; i < table.numRows; i++) {
    const e = ev.get(i) as string;
    if (e === 'napi:napi_poll') push(marks.napiPolls, (dev.get(i) as string | null) ?? '?', ts.get(i) as bigint);
    else if (e === 'net:net_dev_queue') {
      const a = skb.get(i) as bigint | null;
      const d = dev.get(i) as string | null;
      if (a !== null && d) skbDev.set(a, d);
    } else if (e === 'skb:kfree_skb') {
      const a = skb.get(i) as bigint | null;
      const d = a === null ? undefined : skbDev.get(a);
      if (d !== undefined) {
        push(marks.drops, d, ts.get(i) as bigint);
        skbDev.delete(a!);
      }
    } else if (e === 'skb:consume_skb') {
      const a = skb.get(i) as bigint | null;
      if (a !== null) skbDev.delete(a);
    } else if (e === 'net:net_dev_xmit_timeout') {
      push(
        marks.watchdog,
        `${(dev.get(i) as string | null) ?? '?'}#${(queue.get(i) as number | null) ?? -1}`,
        ts.get(i) as bigint,
      );
    }
  }
  return marks;
}
