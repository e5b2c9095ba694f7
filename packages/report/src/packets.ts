/**
 * Per-skb lifecycle rows for the `packets` table, derived from the events in (ts_ns, line) order:
 * net_dev_queue (enters the stack's TX path, __dev_queue_xmit) → net_dev_start_xmit (handed to the
 * driver, queue_mapping known) → net_dev_xmit (driver's return code; 16 = NETDEV_TX_BUSY, requeued) →
 * consume_skb / kfree_skb (freed: completed or dropped). An address seen again at net_dev_queue before it
 * was freed starts a new lifecycle (the old one is closed as 'unknown': the free was not traced).
 */
import type { Table } from 'apache-arrow';

export interface PacketLifecycle {
  skbaddr: bigint;
  dev: string;
  queue: number;
  len: number;
  queuedNs: bigint;
  startXmitNs: bigint;
  xmitNs: bigint;
  freedNs: bigint;
  xmitRc: number;
  txBusy: number;
  /** consumed | dropped | in_flight (trace ended first) | unknown (address reused without a traced free) */
  fate: 'consumed' | 'dropped' | 'in_flight' | 'unknown';
  dropReason: string;
  location: string;
  source: string;
  firstLine: number;
}

const NOT_SEEN = -1n;

function col<T>(table: Table, name: string): { get(i: number): T } {
  const v = table.getChild(name);
  if (!v) throw new Error(`packets: the event table has no column ${name}`);
  return v as unknown as { get(i: number): T };
}

export function derivePackets(table: Table): PacketLifecycle[] {
  const n = table.numRows;
  const ts = col<bigint>(table, 'ts_ns');
  const line = col<number>(table, 'line');
  const event = col<string>(table, 'event');
  const skb = col<bigint | null>(table, 'skbaddr');
  const dev = col<string | null>(table, 'dev');
  const queue = col<number | null>(table, 'queue');
  const len = col<number | null>(table, 'len');
  const rc = col<number | null>(table, 'rc');
  const reason = col<string | null>(table, 'reason');
  const location = col<string | null>(table, 'location');
  const source = col<string>(table, 'source');

  // rows that carry an skb, in (ts_ns, line) order (timestamps are not monotonic across CPUs)
  const rows: number[] = [];
  const tsOf: bigint[] = new Array(n);
  const lineOf: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (skb.get(i) === null) continue;
    rows.push(i);
    tsOf[i] = ts.get(i);
    lineOf[i] = line.get(i);
  }
  rows.sort((a, b) => (tsOf[a]! < tsOf[b]! ? -1 : tsOf[a]! > tsOf[b]! ? 1 : lineOf[a]! - lineOf[b]!));

  const open = new Map<bigint, PacketLifecycle>();
  const done: PacketLifecycle[] = [];
  const start = (i: number, addr: bigint): PacketLifecycle => {
    const p: PacketLifecycle = {
      skbaddr: addr,
      dev: dev.get(i) ?? '',
      queue: queue.get(i) ?? -1,
      len: len.get(i) ?? 0,
      queuedNs: tsOf[i]!,
      startXmitNs: NOT_SEEN,
      xmitNs: NOT_SEEN,
      freedNs: NOT_SEEN,
      xmitRc: -1,
      txBusy: 0,
      fate: 'in_flight',
      dropReason: '',
      location: '',
      source: source.get(i),
      firstLine: lineOf[i]!,
    };
    open.set(addr, p);
    return p;
  };
  for (const i of rows) {
    const addr = skb.get(i)!;
    const ev = event.get(i);
    let p = open.get(addr);
    switch (ev) {
      case 'net:net_dev_queue':
        if (p) {
          p.fate = 'unknown';
          done.push(p);
        }
        start(i, addr);
        break;
      case 'qdisc:qdisc_enqueue':
        if (!p) start(i, addr);
        break;
      case 'net:net_dev_start_xmit':
        if (!p) p = start(i, addr);
        if (p.startXmitNs === NOT_SEEN) p.startXmitNs = tsOf[i]!;
        if (p.queue < 0) p.queue = queue.get(i) ?? -1;
        if (!p.dev) p.dev = dev.get(i) ?? '';
        if (!p.len) p.len = len.get(i) ?? 0;
        break;
      case 'net:net_dev_xmit': {
        if (!p) break;
        const code = rc.get(i) ?? -1;
        p.xmitNs = tsOf[i]!;
        p.xmitRc = code;
        if (code === 16) p.txBusy++; // NETDEV_TX_BUSY: the skb is requeued and retried
        break;
      }
      case 'skb:consume_skb':
      case 'skb:kfree_skb':
        if (!p) break; // an skb this trace never saw on the TX path (RX, other sockets)
        p.freedNs = tsOf[i]!;
        p.fate = ev === 'skb:consume_skb' ? 'consumed' : 'dropped';
        p.dropReason = reason.get(i) ?? '';
        p.location = location.get(i) ?? '';
        open.delete(addr);
        done.push(p);
        break;
      default:
        break;
    }
  }
  for (const p of open.values()) done.push(p);
  return done;
}
