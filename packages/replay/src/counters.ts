/**
 * `tc -s qdisc show` snapshots beside traces and logs (`txreplay diagnose tc.txt`): each qdisc's counters are
 * summarised, and what changed between two snapshots of the same qdisc is judged (rules/qdisc-counters.ts): a
 * backlog that no packet left, requeues, drops. One snapshot alone is totals since the qdisc was created: the
 * verdict stays unknown when nothing else is given. I/O edge: reads the files; the judging is pure.
 */
import {
  readIfconfig,
  readInterrupts,
  readLinkStats,
  type LinkStatsRead,
  readNetstatInterfaces,
  readSysfsStatistics,
  readProcNetDev,
  readSarNet,
  readIpCounters,
  type IpCountersRead,
  type SarNetRead,
  readNicStats,
  readQueueSysfs,
  readTcStats,
  readWholeText,
  type InterruptsRead,
  type NicStatsRead,
  type QueueSysfsRead,
  type TcStatsRead,
  type TraceInput,
} from '@txreplay/ingest/plain';
import { combineInterrupts, interruptFindings, summarizeInterrupts } from './rules/interrupts.js';
import { combineLinkStats, findingsFromLinkStats, summarizeLinkStats } from './rules/link-counters.js';
import { combineNicStats, findingsFromNicStats, summarizeNicStats } from './rules/nic-counters.js';
import { combineIpCounters, findingsFromIpCounters, summarizeIpCounters } from './rules/ip-counters.js';
import { findingsFromSarNet, sarNetDevices, summarizeSarNet } from './rules/sar-net.js';
import { combineQueueSysfs, findingsFromQueueSysfs, summarizeQueueSysfs } from './rules/queue-sysfs.js';
import { combineTcStats, findingsFromTcStats, summarizeTcStats } from './rules/qdisc-counters.js';
import { SEVERITY_RANK } from './replay.js';
import type {
  Finding,
  IpCounterSummary,
  IrqSummary,
  LinkCounterSummary,
  NicCounterSummary,
  QdiscCounterSummary,
  QueueSysfsSummary,
  ReplayResult,
  SarNetSummary,
} from './types.js';
import { verdictOf } from './view/verdict.js';

export interface CounterEvidence {
  sources: string[];
  summaries: QdiscCounterSummary[];
  nics: NicCounterSummary[];
  queues: QueueSysfsSummary[];
  links: LinkCounterSummary[];
  interrupts: IrqSummary[];
  sarNet: SarNetSummary[];
  ipCounters: IpCounterSummary[];
  findings: Finding[];
  /** per source: "file: skipped N line(s) that are not tc output, first at line L: …" */
  notes: string[];
}

function skippedNote(path: string, what: string, read: SkipTally): string[] {
  if (!read.firstSkipped) return [];
  return [
    `${path}: skipped ${read.skipped} line(s) that are not ${what} output, first at line ${read.firstSkipped.line}: ${read.firstSkipped.text}`,
  ];
}

/** The readers of link counters (rtnl_link_stats64 by another tool), each with the name its skipped-lines note uses. */
const LINK_READERS = {
  'ip-link': [readLinkStats, 'ip -s link'],
  ifconfig: [readIfconfig, 'ifconfig'],
  'netstat-i': [readNetstatInterfaces, 'netstat -i'],
  'sysfs-statistics': [readSysfsStatistics, 'sysfs statistics/'],
  'proc-net-dev': [readProcNetDev, '/proc/net/dev'],
} as const satisfies Partial<
  Record<NonNullable<TraceInput['counters']>, readonly [(text: string) => LinkStatsRead, string]>
>;

/** One counters input read, with the path it came from. */
type Read<R> = { read: R; source: string };
type SkipTally = { skipped: number; firstSkipped: { line: number; text: string } | null };

/** Read every counters input, in the order given: the same qdisc or device in a later input is a later snapshot. */
export async function readCounterEvidence(inputs: readonly TraceInput[]): Promise<CounterEvidence> {
  const notes: string[] = [];
  const tc: Read<TcStatsRead>[] = [];
  const nic: Read<NicStatsRead>[] = [];
  const sysfs: Read<QueueSysfsRead>[] = [];
  const link: Read<LinkStatsRead>[] = [];
  const irq: Read<InterruptsRead>[] = [];
  const sar: Read<SarNetRead>[] = [];
  const ip: Read<IpCountersRead>[] = [];
  for (const input of inputs) {
    const text = await readWholeText(input.path);
    /** the input's read kept with its source; the lines it skipped said in a note */
    const take = <R extends SkipTally>(list: Read<R>[], read: R, what: string): void => {
      list.push({ read, source: input.path });
      notes.push(...skippedNote(input.path, what, read));
    };
    const kind = input.counters;
    if (kind === 'ip-counters') take(ip, readIpCounters(text), 'nstat or netstat -s');
    else if (kind === 'sar-net') take(sar, readSarNet(text), 'sar -n DEV/EDEV');
    else if (kind === 'interrupts') take(irq, readInterrupts(text), '/proc/interrupts');
    else if (kind !== undefined && kind in LINK_READERS) {
      const [readLink, what] = LINK_READERS[kind as keyof typeof LINK_READERS];
      take(link, readLink(text), what);
    } else if (kind === 'queue-sysfs') take(sysfs, readQueueSysfs(text), 'TX queue sysfs');
    else if (kind === 'ethtool-stats') take(nic, readNicStats(text), 'ethtool -S');
    else take(tc, readTcStats(text), 'tc -s');
  }
  const qdiscs = combineTcStats(tc);
  const nics = combineNicStats(nic);
  const queues = combineQueueSysfs(sysfs);
  const links = combineLinkStats(link);
  const interrupts = summarizeInterrupts(combineInterrupts(irq));
  const sarDevices = sarNetDevices(sar);
  const ipAll = combineIpCounters(ip);
  const findings = [
    ...findingsFromTcStats(qdiscs),
    ...findingsFromNicStats(nics),
    ...findingsFromQueueSysfs(queues),
    ...findingsFromLinkStats(links),
    ...findingsFromSarNet(sarDevices),
    ...findingsFromIpCounters(ipAll),
  ];
  return {
    sources: inputs.map((i) => i.path),
    summaries: summarizeTcStats(qdiscs),
    nics: summarizeNicStats(nics),
    queues: summarizeQueueSysfs(queues),
    links: summarizeLinkStats(links),
    interrupts,
    sarNet: summarizeSarNet(sarDevices),
    ipCounters: summarizeIpCounters(ipAll),
    // the interrupts judge nothing alone: beside a queue the other counters show stuck, they say why
    findings: [...findings, ...interruptFindings(interrupts, findings)],
    notes,
  };
}

const bySeverity = (a: Finding, b: Finding): number => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];

/**
 * The result with the counters added: summaries, the findings of consecutive snapshots, and — when nothing else
 * holds evidence and no qdisc was seen twice — why the verdict is unknown.
 */
export function withCounters(result: ReplayResult, ev: CounterEvidence): ReplayResult {
  const findings = [...result.findings, ...ev.findings].sort(bySeverity);
  const nothingElse = result.trace.events === 0 && result.coverage.logRecords === 0;
  // a device whose driver reports none of the TX counters read here (veth) was not judged, however many snapshots
  const compared =
    ev.summaries.some((s) => s.snapshots > 1) ||
    ev.nics.some((s) => s.snapshots > 1 && s.counters.length > 0) ||
    ev.queues.some((s) => s.snapshots > 1 && s.values.some((v) => v.delta !== undefined && v.delta !== 0)) ||
    ev.queues.some((s) => s.snapshots > 1 && s.values.some((v) => v.name === 'inflight' && v.value > 0));
  const coverage = {
    ...result.coverage,
    unknownWhy: nothingElse ? (compared ? null : oneSnapshotWhy(ev)) : result.coverage.unknownWhy,
  };
  return {
    ...result,
    trace: { ...result.trace, sources: [...result.trace.sources, ...ev.sources] },
    counters: [...(result.counters ?? []), ...ev.summaries],
    nicCounters: [...(result.nicCounters ?? []), ...ev.nics],
    queueSysfs: [...(result.queueSysfs ?? []), ...ev.queues],
    links: [...(result.links ?? []), ...ev.links],
    interrupts: [...(result.interrupts ?? []), ...ev.interrupts],
    ...(ev.sarNet.length > 0 ? { sarNet: [...(result.sarNet ?? []), ...ev.sarNet] } : {}),
    ...(ev.ipCounters.length > 0 ? { ipCounters: [...(result.ipCounters ?? []), ...ev.ipCounters] } : {}),
    findings,
    captureAdvice: nothingElse && !compared ? [twoSnapshotsAdvice(ev), ...result.captureAdvice] : result.captureAdvice,
    coverage,
    // one snapshot judges nothing, unless a counter shows a failure by itself (a TX timeout since the driver loaded)
    verdict: nothingElse && !compared && ev.findings.length === 0 ? 'unknown' : verdictOf(findings, coverage),
  };
}

/** The one device the counters name, else DEV. */
function oneDev(ev: CounterEvidence): string {
  const devs = [...new Set([...ev.summaries, ...ev.nics, ...ev.queues, ...ev.links, ...ev.sarNet].map((s) => s.dev))];
  // a paste that did not name its device (`(device not given)`) leaves the command's placeholder
  return devs.length === 1 && !devs[0]!.startsWith('(') ? devs[0]! : 'DEV';
}

/** Why the counters give no verdict: one snapshot, or idle sysfs files, or link counters or interrupts alone. */
function oneSnapshotWhy(ev: CounterEvidence): string {
  const only = ev.summaries.length === 0 && ev.nics.length === 0;
  const deviceEvidence = ev.queues.length + ev.links.length + ev.sarNet.length + ev.interrupts.length;
  if (only && deviceEvidence === 0 && ev.ipCounters.length > 0)
    return 'the IP and UDP send counters count the packets the stack refused on the way out, host-wide: a stopped TX queue refuses nothing until its qdisc is full (its packets wait there), and one snapshot is totals since boot';
  if (only && ev.queues.length === 0 && ev.links.length === 0 && ev.sarNet.length > 0)
    return "sar's rates (from /proc/net/dev) count what a device sent, received and dropped per interval: a device that sent nothing because nothing was offered and one whose queue is stopped look alike unless it kept receiving";
  if (only && ev.queues.length === 0 && ev.links.length === 0)
    return "/proc/interrupts counts how often each vector's handler ran: an idle queue and one whose interrupt is lost look the same without the queue's in-flight bytes or qdisc backlog over the same seconds";
  if (only && ev.queues.length === 0)
    return 'link counters (`ip -s link`, `ifconfig`, `netstat -i`, /proc/net/dev, sysfs statistics/) count what a device sent and dropped: a stopped TX queue or a qdisc backlog does not show in them';
  const what =
    ev.summaries.length > 0
      ? `one \`tc -s qdisc show\` snapshot (${ev.summaries.length} qdisc(s)): counters since each qdisc was created`
      : ev.nics.length > 0
        ? 'one `ethtool -S` snapshot per device: counters since the driver loaded'
        : `one snapshot of ${ev.queues.length} TX queue(s)' sysfs files: a moment's BQL state`;
  if (only && ev.queues.some((q) => q.snapshots > 1))
    return "the TX queues' sysfs files did not change between the snapshots and hold no bytes in flight: nothing is stuck in them at either moment, and nothing shows traffic moving — take them while the queue carries traffic";
  return `the input holds ${what} cannot show whether a queue moves now — take two a few seconds apart`;
}

/** The command that takes two snapshots of what was given once. */
function twoSnapshotsAdvice(ev: CounterEvidence): string {
  const dev = oneDev(ev);
  if (ev.summaries.length > 0)
    return `take two snapshots: tc -s qdisc show dev ${dev}; sleep 1; tc -s qdisc show dev ${dev} — a backlog that Sent does not drain is a stopped queue`;
  if (ev.nics.length > 0)
    return `take two snapshots: ethtool -S ${dev}; sleep 1; ethtool -S ${dev} — and tc -s qdisc show dev ${dev} beside them (its backlog shows a stopped queue)`;
  if (ev.queues.length === 0 && ev.links.length === 0 && ev.sarNet.length === 0 && ev.interrupts.length > 0)
    return irqAdvice(ev);
  if (ev.queues.length === 0 && ev.links.length === 0 && ev.sarNet.length === 0)
    return 'beside the IP counters, two qdisc snapshots: tc -s qdisc show; sleep 1; tc -s qdisc show — a qdisc whose drops grew refused the packets, one whose backlog Sent does not drain is a stopped queue';
  if (ev.queues.length === 0)
    return `beside the link counters, two qdisc snapshots: tc -s qdisc show dev ${dev}; sleep 1; tc -s qdisc show dev ${dev} — a backlog that Sent does not drain is a stopped queue`;
  const files = `/sys/class/net/${dev}/queues/tx-*/byte_queue_limits/inflight /sys/class/net/${dev}/queues/tx-*/byte_queue_limits/limit /sys/class/net/${dev}/queues/tx-*/tx_timeout`;
  return `take two snapshots: grep . ${files}; sleep 1; grep . ${files} — in-flight bytes that do not move are completions that stopped`;
}

/** The snapshots that, with /proc/interrupts, tell a lost interrupt from an idle queue. */
function irqAdvice(ev: CounterEvidence): string {
  const devs = [...new Set(ev.interrupts.filter((i) => i.dir !== 'rx').map((i) => i.dev))];
  const dev = devs.length === 1 && !devs[0]!.startsWith('virtio') && !devs[0]!.includes(':') ? devs[0]! : 'DEV';
  const files = `/sys/class/net/${dev}/queues/tx-*/byte_queue_limits/inflight /sys/class/net/${dev}/queues/tx-*/tx_timeout`;
  return `take the queues' state with the interrupts, twice: grep . ${files}; cat /proc/interrupts; sleep 5; grep . ${files}; cat /proc/interrupts — in-flight bytes that do not move beside a silent vector are a lost interrupt`;
}
