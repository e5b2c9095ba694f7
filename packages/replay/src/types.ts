import type { StallWhatIf } from './stall-whatif.js';
/**
 * Result types of a replay: the contract between replay (producer) and report/cli (consumers).
 * Times are exact nanoseconds (bigint) on the trace clock. JSON output encodes bigint as decimal strings.
 */

export type Severity = 'info' | 'warning' | 'critical';

/**
 * The run's verdict: the worst finding, or `unknown` when the input was read but holds too little to judge the TX
 * path (no TX-path event or kernel-log record at all, or every moment of the trace inside an unknown window).
 * `unknown` is never `healthy`: absence of evidence is not evidence of a healthy queue.
 */
export type Verdict = 'healthy' | 'warning' | 'critical' | 'unknown';

/** What the input could show: the TX-path signals it holds and the time it cannot speak for. */
export interface Coverage {
  /** events of the TX-path tracepoints (net, qdisc, napi, skb) the replay used */
  txPathEvents: number;
  /** kernel-log records (watchdog, driver dumps, recovery, link, neighbour) read from log inputs */
  logRecords: number;
  /** events per signal: qdisc_enqueue, qdisc_dequeue, net_dev_queue, net_dev_start_xmit, net_dev_xmit, napi_poll, frees, dql_stall_detected, net_dev_xmit_timeout */
  signals: Record<string, number>;
  /** signals the TX-path findings rely on that the input lacks */
  missing: string[];
  /** events the tracer reported lost */
  lostEvents: number;
  /** time inside windows where events were lost: nothing may be concluded about it */
  unknownNs: number;
  /** why the verdict is `unknown`, when it is */
  unknownWhy: string | null;
  /**
   * (added) device names the trace shows in more than one network namespace (different net_cookie on
   * net_dev_xmit_timeout, or different ifindex on qdisc events): events that carry only the name cannot be told
   * apart, so what is said of such a name may mix the devices.
   */
  sharedNames?: SharedDeviceName[];
  /**
   * (added) finding kinds this input cannot support: every rule of the kind needs a tracepoint the input lacks
   * (trace-wide: dev null; or only for one device, e.g. no NAPI poll of the device or of a peer). Such a kind was
   * not judged: its absence from the findings says nothing.
   */
  cannotJudge?: CannotJudge[];
  /** (added) per device and TX queue: the signals attributed to it, what the capture lacks, what stayed quiet */
  queues?: QueueCoverage[];
}

/** One kernel source of an application's ENOBUFS and what the input says of it (view/enobufs.ts). */
export interface EnobufsSource {
  layer: 'qdisc' | 'neighbour' | 'socket_buffer' | 'stacked_device';
  /** shown: the input holds it; excluded: the input would show it and does not; cannot_exclude: it cannot show it */
  status: 'shown' | 'excluded' | 'cannot_exclude';
  /** packets that got ENOBUFS from this layer (at most), when counted */
  packets: number | null;
  /** per device and queue, when shown */
  where: string[];
  why: string;
}

/** The evidence one TX queue has (view/queue-coverage.ts). */
export interface QueueCoverage {
  dev: string;
  queue: number;
  /** events attributed to this queue per signal (napi_poll_of_device: polls of NAPIs named after the device) */
  signals: Record<string, number>;
  /** signals the capture lacks (trace-wide, or for this device only): nothing about them can be known */
  missing: string[];
  /** signals the capture holds that never fired for this queue: idle, or hidden by the capture's filter */
  quiet: string[];
  /** trace time not inside an unknown window (lost events are not per queue: the tracer loses them per CPU) */
  coveredNs: number;
  unknownNs: number;
}

export interface SharedDeviceName {
  dev: string;
  netCookies: string[];
  ifindexes: number[];
}

/** A finding kind the input cannot support, and the tracepoints it lacks for it ("a or b": either one). */
export interface CannotJudge {
  kind: FindingKind;
  /** the device the missing evidence concerns; null when the whole trace lacks it */
  dev: string | null;
  missing: string[];
}

/** Divergence kinds (docs/kernel-tx-path.md §I). Extend only by adding new string members. */
export type FindingKind =
  | 'lost_wakeup' // §I.4 queue stopped, ring/peer drained, no wake
  | 'lost_interrupt' // §I.1 inflight > 0, no NAPI polls for the device
  | 'stuck_dma' // §I.2 polls continue, no completions
  | 'tx_busy_while_awake' // §I.3 rc=16 while the last dequeue saw the queue awake
  | 'tx_busy_loop' // §I.3 repeated rc=16 on the same skb without a wake
  | 'ring_backpressure' // driver/peer ring full: queue stopped + TX_BUSY as designed (veth ptr_ring, macb)
  | 'qdisc_drops_enobufs' // §I.6 qdisc drops (while the txq is blocked): ENOBUFS only for NET_XMIT_DROP, not fq_codel's CN
  | 'qdisc_throttled' // shaping qdisc (tbf…) holds packets and drops on overlimit: not a driver fault
  | 'qdisc_stuck_backlog' // packets left in a qdisc at the end of the trace
  | 'frozen_queue' // §I.7 FROZEN persists
  | 'stack_xoff_stuck' // §I.5 BQL STACK_XOFF never cleared
  | 'napi_starvation' // §I.12 completions delayed by a starved NAPI/softirq
  | 'peer_down' // veth peer / carrier down: xmit returns drop codes
  | 'dql_limit_collapse' // §I.8
  | 'dql_stall' // §A.5 dql_stall_detected
  | 'watchdog_timeout' // §I.9 net_dev_xmit_timeout
  | 'doorbell_not_rung' // §I.11
  | 'neigh_table_overflow' // neighbour table full: ENOBUFS from __neigh_create, not from a TX queue
  | 'neigh_drops' // kfree_skb NEIGH_* reasons: dropped in the neighbour layer before any TX queue (§D.3)
  | 'qdisc_stuck_skb' // §I.4 variant: one skb held in the qdisc far longer than its neighbours (lockless-qdisc race)
  | 'oversize_bulk_dequeue' // §D.6: one qdisc_dequeue handed the driver far more packets than a bulk batch should
  | 'napi_poll_gap' // §F: a NAPI known only by its id went longer than netdev_budget_usecs without a poll
  | 'trace_gap' // tracer lost events: the window is unknown, not quiet
  | 'device_tx_drops' // the device dropped or failed packets after the qdisc handed them over (ip -s link TX dropped/errors)
  | 'tx_silent' // the device sent nothing for several intervals while it kept receiving (sar -n DEV)
  | 'tx_stall_rekick' // a driver's own TX-stall check re-kicked a ring whose completions had stopped (macb TSTART)
  | 'ip_out_discards'; // locally sent IPv4 packets refused below IP (nstat IpOutDiscards: qdisc NET_XMIT_DROP, neighbour, netfilter)

/** A pointer back into the source trace. */
export interface Evidence {
  tsNs: bigint;
  event: string;
  source: string;
  line: number;
  note: string;
}

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  dev: string;
  /** TX queue index; null when the finding is device-wide or the queue is unknown. */
  queue: number | null;
  startNs: bigint;
  endNs: bigint;
  /** One line, kernel terms: what happened. */
  title: string;
  /** A paragraph: why, citing kernel functions. */
  explanation: string;
  evidence: Evidence[];
  /** What to check or capture next. */
  nextSteps: string[];
  /** the network namespace cookie of the device (net_dev_xmit_timeout's net_cookie, decimal), when the event has it */
  netCookie?: string;
  /**
   * A finding read from a kernel log whose stamps are a local wall time without a zone (syslog `Dec  6 10:12:01`,
   * dmesg -T) and no printk stamps: its first and last stamp as written. startNs/endNs are then 0: such a time is on
   * no clock the trace has, but it is the time the user will look for.
   */
  logWall?: { first: string; last: string };
  /**
   * Other readings of the same evidence under another driver assumption, when the device's driver is unknown
   * and the cause depends on it (e.g. lost interrupt here, stuck DMA on macb).
   */
  alternatives?: AlternativeReading[];
}

export interface AlternativeReading {
  kind: FindingKind;
  /** the driver (or driver class) under which this reading holds */
  driver: string;
  title: string;
}

/** The driver profile a device was judged with, and why (flags, the trace's driver=, a kernel log, or none). */
export interface DriverChoice {
  dev: string;
  /** the modelled profile used (igb, macb, virtio_net, veth, generic), or null when nothing named one */
  driver: string | null;
  source: 'flag' | 'trace' | 'log' | 'none';
  why: string;
}

export interface Interval {
  startNs: bigint;
  endNs: bigint;
  /** e.g. 'DRV_XOFF', 'STACK_XOFF', 'FROZEN', 'UNKNOWN' (trace gap) */
  state: string;
}

export interface QueueSummary {
  dev: string;
  ifindex: number | null;
  queue: number;
  qdiscHandle: number | null;
  qdiscParent: number | null;
  netDevQueue: number;
  enqueued: number;
  dequeued: number;
  xmitOk: number;
  txBusy: number;
  requeues: number;
  xmitOtherRc: number;
  qdiscDrops: number;
  completions: number;
  bytesSent: number;
  stoppedIntervals: Interval[];
  backlogAtEnd: number;
  /** (added) qdisc drops that happened while the txq was stopped or frozen (§I.6) */
  dropsWhileStopped?: number;
  /** (added) transmitted skbs whose free was never traced (address reused: e.g. GRO stolen heads) */
  implicitFrees?: number;
  /**
   * (added) BQL stops, expected vs observed: STACK_XOFF episodes the kernel's DQL (fed with this queue's
   * dql_queued / dql_completed stream, from a fresh dql_init at the trace start) predicts, and the STACK_XOFF
   * intervals the trace shows (qdisc_dequeue txq_state & 0x2). Null when the queue has no BQL stream.
   */
  bql?: { expectedStops: number; expectedStoppedNs: number; observedStops: number; observedStoppedNs: number } | null;
  /** (added) time in the qdisc (enqueue → dequeue) and in the driver/hardware (xmit → free), ns */
  latency?: {
    qdiscMeanNs: number | null;
    qdiscMaxNs: number | null;
    driverMeanNs: number | null;
    driverMaxNs: number | null;
  };
}

/** (added) NAPI poll cadence per napi struct (§F). */
interface NapiSummary {
  dev: string;
  /** napi struct pointer, hex (ftrace: hashed) */
  napi: string;
  polls: number;
  /** polls that returned work == budget (still more work: stays scheduled) */
  fullPolls: number;
  firstNs: bigint;
  lastNs: bigint;
  /** longest gap between two consecutive polls of this instance */
  maxGapNs: number;
  maxGapStartNs: bigint | null;
}

/** Per-queue time series, columnar. All arrays have the same length as tsNs. */
export interface QueueSeries {
  dev: string;
  queue: number;
  tsNs: bigint[];
  backlogPackets: number[];
  inflightBytes: number[];
  dqlLimitObserved: (number | null)[];
  dqlLimitExpected: (number | null)[];
  /** (added) every qdisc drop attributed to this queue (the queue table's qdiscDrops, one stamp each; not thinned) */
  qdiscDropTsNs?: bigint[];
  /**
   * Present when a long trace's drops were merged (bounded memory, observe/stamp-counts.ts): how many drops each
   * stamp of qdiscDropTsNs stands for (they sum to the queue's qdiscDrops). Absent: one drop per stamp.
   */
  qdiscDropCounts?: number[];
}

export interface ReplayResult {
  /** Trace-level facts: sources, formats, counts, time span. */
  trace: {
    sources: string[];
    events: number;
    firstNs: bigint;
    lastNs: bigint;
    lostEvents: number;
    /**
     * The trace's own wall clock (ingest reads it from perf.data clock data, `perf script --header`'s reference
     * time, the capture header, trace.dat's date option): wall ns = tsNs + offsetNs. null: wall time unknown
     * (the trace does not say; the file's mtime is never taken for it).
     */
    wallClock: { offsetNs: bigint; source: string } | null;
  };
  queues: QueueSummary[];
  series: QueueSeries[];
  findings: Finding[];
  /** Tracepoints missing from the trace that would let replay say more. */
  captureAdvice: string[];
  /** (added) NAPI instances and their poll cadence */
  napi?: NapiSummary[];
  /** healthy | warning | critical | unknown (see Verdict) */
  verdict: Verdict;
  /** what the input holds and what it cannot show */
  coverage: Coverage;
  /** (with --stall-thrs) what the kernel's BQL stall detector would have caught, per queue and threshold */
  stallWhatIf?: StallWhatIf[];
  /** the driver profile each device was judged with, and why */
  drivers?: DriverChoice[];
  /** (kernel-log inputs) how each log's times were put on the trace clock */
  logClock?: LogClockNote[];
  /** where an application's ENOBUFS can have come from: shown, excluded or not excludable per layer */
  enobufs?: EnobufsSource[];
  /** (bpftrace map inputs) the maps, summarised: counts without timestamps, never judged */
  aggregates?: AggregateSummary[];
  /** qdisc counters of `tc -s qdisc show` inputs, one per qdisc that carries TX (replay counters.ts) */
  counters?: QdiscCounterSummary[];
  /** the TX counters of `ethtool -S` inputs, one per device (replay counters.ts) */
  nicCounters?: NicCounterSummary[];
  /** TX queues' sysfs files (byte_queue_limits/*, tx_timeout) pasted as evidence, one per queue (counters.ts) */
  queueSysfs?: QueueSysfsSummary[];
  /** devices of `ip -s link` inputs: link state and TX counters (rules/link-counters.ts) */
  links?: LinkCounterSummary[];
  /** NIC queues' interrupts of /proc/interrupts inputs, one per IRQ (rules/interrupts.ts) */
  interrupts?: IrqSummary[];
  /** devices of `sar -n DEV,EDEV` inputs: packet rates per interval (rules/sar-net.ts) */
  sarNet?: SarNetSummary[];
  /** the host's IP and UDP send counters of `nstat` / `netstat -s` inputs (rules/ip-counters.ts) */
  ipCounters?: IpCounterSummary[];
}

/** The IP and UDP send counters of `nstat -az` or `netstat -s` inputs (rules/ip-counters.ts), host-wide. */
export interface IpCounterSummary {
  source: string;
  line: number;
  /** `nstat`, `netstat -s`, or both (`nstat … netstat -s`) */
  tool: string;
  snapshots: number;
  intervalSec: number | null;
  /** nstat without -a: each snapshot holds what grew since nstat's previous run, not totals */
  increments: boolean;
  /** the last snapshot's counters (IpOutDiscards, UdpSndbufErrors, …); delta when two totals were compared */
  counters: { name: string; value: number; delta?: number }[];
}

/** One device of a `sar -n DEV,EDEV` input (rules/sar-net.ts): its intervals and TX/RX rates. */
export interface SarNetSummary {
  source: string;
  line: number;
  dev: string;
  intervals: number;
  /** the first interval's start and the last one's end, as sar printed them (local wall time) */
  first: string;
  last: string;
  /** the first interval's length */
  intervalSec: number;
  /** txpck/s and rxpck/s over the intervals, `lo–hi` (null: no `-n DEV` rows) */
  txPacketsPerSec: string | null;
  rxPacketsPerSec: string | null;
  /** packets over all intervals, rates times intervals (null: no `-n EDEV` rows) */
  txDropped: number | null;
  /** txerr/s + txcarr/s + txfifo/s, the same way */
  txFailed: number | null;
}

/** One NIC interrupt of a /proc/interrupts input (rules/interrupts.ts): its count, and what it did in between. */
export interface IrqSummary {
  source: string;
  line: number;
  irq: string;
  /** the action name its driver gave (`eth0-TxRx-3`, `virtio2-output.0`) */
  name: string;
  /** the netdev the name gives, or what stands for it (virtio2, a PCI address) */
  dev: string;
  queue: number | null;
  /** what the vector cleans: tx, rx, a txrx pair, or the whole device */
  dir: 'tx' | 'rx' | 'txrx' | 'device';
  snapshots: number;
  intervalSec: number | null;
  /** handler runs since boot, summed over CPUs, at the last snapshot */
  total: number;
  /** last minus first, when there are two snapshots or more */
  delta?: number;
}

/** One device of an `ip -s link` input: its link state at the last snapshot and its TX counters. */
export interface LinkCounterSummary {
  source: string;
  line: number;
  dev: string;
  snapshots: number;
  intervalSec: number | null;
  flags: string[];
  operstate: string | null;
  /** printed rounded (`ip -h`: 6.04T, 67.7M): a change smaller than the rounding does not show */
  rounded: boolean;
  /** the last snapshot's TX counters; delta = last minus first, when there are two snapshots or more */
  counters: { name: string; value: number; delta?: number }[];
}

/** One TX queue of a sysfs input (rules/queue-sysfs.ts): its files' last values and what changed. */
export interface QueueSysfsSummary {
  source: string;
  line: number;
  dev: string;
  queue: number;
  snapshots: number;
  intervalSec: number | null;
  /** inflight > limit at the last snapshot: BQL holds the queue stopped (STACK_XOFF) at that moment */
  bqlStopped: boolean;
  /** the last snapshot's value; delta = last minus first, when there are two snapshots or more */
  values: { name: string; value: number; delta?: number }[];
}

/** One device of an `ethtool -S` input: the TX-path counters its driver reports (rules/nic-counters.ts). */
export interface NicCounterSummary {
  source: string;
  line: number;
  dev: string;
  snapshots: number;
  intervalSec: number | null;
  /** the last snapshot's value; delta = last minus first, when there are two snapshots or more */
  counters: { name: string; value: number; delta?: number }[];
}

/** One qdisc of a `tc -s qdisc show` input: its last counters and, over two or more snapshots, what changed. */
export interface QdiscCounterSummary {
  source: string;
  /** line of the qdisc's first block */
  line: number;
  dev: string;
  /** the TX queue of an mq/mqprio child, null for a device's only or root qdisc */
  queue: number | null;
  /** `pfifo_fast 0:`, `fq_codel 110:` */
  qdisc: string;
  parent: string;
  snapshots: number;
  /** seconds between the snapshots when the paste shows it (`sleep 1`), else null */
  intervalSec: number | null;
  /** the last snapshot's counters (totals since the qdisc was created) */
  sentPkts: number;
  dropped: number;
  requeues: number;
  overlimits: number;
  backlogPkts: number | null;
  /** last minus first snapshot; absent with one snapshot */
  delta?: { sentPkts: number; dropped: number; requeues: number; overlimits: number };
}

/** How one kernel log's times were put on the trace clock (replay log-clock.ts). */
export interface LogClockNote {
  source: string;
  how: 'boot-stamps' | 'boot-time' | 'matched-watchdog' | 'none';
  /** trace ns = log wall ns − offsetNs */
  offsetNs: bigint | null;
  matched: number;
  note: string;
}

/** One bpftrace map of an aggregates input (`@xmit[eth0]: 12`, hist, lhist, stats). */
export interface AggregateSummary {
  source: string;
  /** the map's name with its `@` */
  map: string;
  kind: 'value' | 'hist' | 'stats';
  /** line of the map's first entry in the source */
  line: number;
  /** entries (keys) of the map */
  keys: number;
  /** sum of the values (count/sum maps), of the bucket counts (hist), of the stats counts */
  total: number;
  /** key parts that are interface names (`lo`, `eth0`, `(no_device)`…): the devices the counts concern */
  devices: string[];
  /** the largest entries, largest first */
  entries: AggregateEntry[];
}

export interface AggregateEntry {
  key: string[];
  /** value maps */
  value?: number;
  /** hist: samples; stats: count */
  count?: number;
  /** hist: lowest and highest non-empty bucket bounds (inclusive; null = unbounded) */
  min?: number | null;
  max?: number | null;
  buckets?: { lo: number | null; hi: number | null; count: number }[];
  /** stats */
  average?: number;
  total?: number;
}
