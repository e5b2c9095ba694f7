/**
 * What snapshot evidence holds, summarised (bpftrace maps, tc -s qdisc, ethtool -S, TX-queue sysfs, ip -s link,
 * /proc/interrupts):
 * one section per kind, its items one per map, qdisc, device or queue. The text verdict prints them; the
 * post-mortems (report evidence-sections.ts) render the same sections.
 */
import type {
  AggregateEntry,
  AggregateSummary,
  IpCounterSummary,
  IrqSummary,
  LinkCounterSummary,
  NicCounterSummary,
  QdiscCounterSummary,
  QueueSysfsSummary,
  ReplayResult,
  SarNetSummary,
} from '../types.js';
import { linkStateText } from '../rules/link-counters.js';

export interface SnapshotSection {
  heading: string;
  items: string[];
}

/** The sections the result's snapshot evidence fills, in a fixed order. */
export function snapshotSections(r: ReplayResult): SnapshotSection[] {
  const out: SnapshotSection[] = [];
  const add = (heading: string, items: string[]): void => void (items.length > 0 && out.push({ heading, items }));
  add('bpftrace aggregates (counts without timestamps: not judged)', aggregateLines(r.aggregates ?? []));
  add('qdisc counters (tc -s qdisc show)', counterLines(r.counters ?? []));
  add('NIC counters (ethtool -S, TX path)', nicCounterLines(r.nicCounters ?? []));
  add('TX queues (sysfs byte_queue_limits, tx_timeout)', queueSysfsLines(r.queueSysfs ?? []));
  add('Links (ip -s link, ifconfig, netstat -i, /proc/net/dev, sysfs statistics: TX)', linkLines(r.links ?? []));
  add("NIC queues' interrupts (/proc/interrupts)", interruptLines(r.interrupts ?? []));
  add('Devices per interval (sar -n DEV, EDEV)', sarNetLines(r.sarNet ?? []));
  add('IP and UDP send counters (nstat, netstat -s: host-wide)', ipCounterLines(r.ipCounters ?? []));
  return out;
}

const bound = (v: number | null | undefined, open: string): string =>
  v === null || v === undefined ? open : String(v);

function entryText(kind: AggregateSummary['kind'], e: AggregateEntry): string {
  const key = e.key.length > 0 ? `[${e.key.join(', ')}]` : '';
  if (kind === 'value') return `${key} ${e.value}`;
  if (kind === 'stats') return `${key} count ${e.count}, average ${e.average}, total ${e.total}`;
  return `${key} ${e.count} sample(s), ${bound(e.min, '-inf')} .. ${bound(e.max, '+inf')}`;
}

/** bpftrace maps: per map its devices, total and largest entries (counts, no time). */
function aggregateLines(aggs: readonly AggregateSummary[]): string[] {
  const out: string[] = [];
  for (const a of aggs) {
    const devs = a.devices.length > 0 ? `, devices ${a.devices.join(', ')}` : '';
    out.push(`${a.map} (${a.kind}, ${a.source}:${a.line}): ${a.keys} key(s), total ${a.total}${devs}`);
    for (const e of a.entries.slice(0, a.keys > 1 ? 5 : 1)) out.push(`  ${a.map}${entryText(a.kind, e)}`);
    if (a.keys > 5) out.push(`  … ${a.keys - 5} more`);
  }
  return out;
}

/** tc -s qdisc counters: per qdisc the totals, and what changed when it was seen twice or more. */
function counterLines(counters: readonly QdiscCounterSummary[]): string[] {
  const out: string[] = [];
  const shown = counters.slice(0, 16);
  for (const c of shown) {
    const where = `${c.dev}${c.queue !== null ? ` txq ${c.queue}` : ''} ${c.qdisc} ${c.parent}`;
    const totals = `sent ${c.sentPkts} pkt, dropped ${c.dropped}, requeues ${c.requeues}, overlimits ${c.overlimits}, backlog ${c.backlogPkts ?? '?'}p`;
    const d = c.delta;
    const change = d
      ? `; over ${c.snapshots} snapshots${c.intervalSec !== null ? ` (${c.intervalSec} s apart)` : ''}: +${d.sentPkts} pkt, +${d.dropped} dropped, +${d.requeues} requeues, +${d.overlimits} overlimits`
      : ' (one snapshot: totals since the qdisc was created)';
    out.push(`${where} (${c.source}:${c.line}): ${totals}${change}`);
  }
  if (counters.length > shown.length) out.push(`… ${counters.length - shown.length} more`);
  return out;
}

/** ip -s link: per device its link state and TX counters, and what changed. */
function linkLines(links: readonly LinkCounterSummary[]): string[] {
  const out: string[] = [];
  for (const l of links) {
    const when =
      l.snapshots > 1
        ? `over ${l.snapshots} snapshots${l.intervalSec !== null ? ` (${l.intervalSec} s apart)` : ''}`
        : 'one snapshot: totals since the device was created';
    const cells = l.counters.map(
      (c) => `${c.name.slice(3)} ${c.value}${c.delta !== undefined ? ` (+${c.delta})` : ''}`,
    );
    const rounded = l.rounded ? ' — printed rounded (ip -h): a change under the rounding does not show' : '';
    out.push(
      `${[l.dev, linkStateText(l.flags, l.operstate)].filter((t) => t !== '').join(' ')} (${l.source}:${l.line}), ${when}: ${cells.join(', ')}${rounded}`,
    );
  }
  return out;
}

/** TX queue sysfs: per queue its BQL files and tx_timeout, what changed, and whether BQL holds it stopped. */
function queueSysfsLines(queues: readonly QueueSysfsSummary[]): string[] {
  const out: string[] = [];
  for (const q of queues) {
    const when =
      q.snapshots > 1
        ? `over ${q.snapshots} snapshots${q.intervalSec !== null ? ` (${q.intervalSec} s apart)` : ''}`
        : 'one snapshot';
    const cells = q.values.map(
      (c) => `${c.name} ${c.value}${c.delta !== undefined ? ` (${c.delta >= 0 ? '+' : ''}${c.delta})` : ''}`,
    );
    const stopped = q.bqlStopped
      ? ' — inflight over limit: BQL holds the queue stopped (STACK_XOFF), unless the ring was reset (dql_reset) since its last completion'
      : '';
    out.push(`${q.dev} txq ${q.queue} (${q.source}:${q.line}), ${when}: ${cells.join(', ')}${stopped}`);
  }
  return out;
}

/** ethtool -S: per device its TX-path counters, and what changed when it was seen twice or more. */
function nicCounterLines(nics: readonly NicCounterSummary[]): string[] {
  const out: string[] = [];
  for (const n of nics) {
    const when =
      n.snapshots > 1
        ? `over ${n.snapshots} snapshots${n.intervalSec !== null ? ` (${n.intervalSec} s apart)` : ''}`
        : 'one snapshot: totals since the driver loaded';
    const cells = n.counters.map((c) => `${c.name} ${c.value}${c.delta !== undefined ? ` (+${c.delta})` : ''}`);
    out.push(
      `${n.dev} (${n.source}:${n.line}), ${when}: ${cells.length > 0 ? cells.join(', ') : 'no TX-path counter this reader knows'}`,
    );
  }
  return out;
}

const DIRS: Record<IrqSummary['dir'], string> = { tx: 'TX', rx: 'RX', txrx: 'TX/RX', device: 'whole device' };

/** /proc/interrupts: per NIC vector its count since boot and, over two snapshots, how often it fired. */
function interruptLines(irqs: readonly IrqSummary[]): string[] {
  const out: string[] = [];
  for (const v of irqs.slice(0, 32)) {
    const what = `${v.dev}${v.queue !== null ? ` queue ${v.queue}` : ''}, ${DIRS[v.dir]}`;
    const moved =
      v.delta === undefined
        ? 'one snapshot: handler runs since boot'
        : `${v.delta === 0 ? 'did not fire' : `fired ${v.delta} time(s)`} over ${v.snapshots} snapshots${v.intervalSec !== null ? ` (${v.intervalSec} s apart)` : ''}`;
    out.push(`IRQ ${v.irq} ${v.name} (${what}; ${v.source}:${v.line}): ${v.total}, ${moved}`);
  }
  if (irqs.length > 32) out.push(`… ${irqs.length - 32} more`);
  return out;
}

/** sar -n DEV,EDEV: per device its intervals, packet rates and the packets its TX dropped or failed. */
function sarNetLines(devices: readonly SarNetSummary[]): string[] {
  return devices.map((d) => {
    const cells = [
      d.txPacketsPerSec !== null ? `TX ${d.txPacketsPerSec} packets/s` : null,
      d.rxPacketsPerSec !== null ? `RX ${d.rxPacketsPerSec} packets/s` : null,
      d.txDropped !== null ? `TX dropped ≈${d.txDropped}` : null,
      d.txFailed !== null ? `TX errors ≈${d.txFailed}` : null,
    ].filter((c) => c !== null);
    return `${d.dev} (${d.source}:${d.line}), ${d.intervals} interval(s) of ${d.intervalSec} s, ${d.first} → ${d.last}: ${cells.join(', ')}`;
  });
}

/** nstat / netstat -s: the send counters of the last snapshot, and what grew since the first. */
function ipCounterLines(summaries: readonly IpCounterSummary[]): string[] {
  return summaries.map((s) => {
    const when = s.increments
      ? "increments since nstat's previous run"
      : s.snapshots > 1
        ? `over ${s.snapshots} snapshots${s.intervalSec !== null ? ` (${s.intervalSec} s apart)` : ''}`
        : 'one snapshot: totals since boot';
    const cells = s.counters.map((c) => `${c.name} ${c.value}${c.delta !== undefined ? ` (+${c.delta})` : ''}`);
    return `${s.tool} (${s.source}:${s.line}), ${when}: ${cells.join(', ')}`;
  });
}
