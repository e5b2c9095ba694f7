/**
 * Discrete-event simulation of the TX path: senders → __dev_queue_xmit → qdisc (§D) → driver ring (§G) → hardware
 * at link rate → interrupt → NAPI (§F) → completion, wake, BQL (§B); dev_watchdog (§E); faults (§I).
 *
 * Time is exact integer nanoseconds (a JS number, exact up to 2^53 ns ≈ 104 days); jiffies derive from HZ.
 * Software runs in zero simulated time; softirqs run `softirqDelayNs` after being raised. Deterministic: a seeded
 * PRNG, FIFO order among equal-time actions, no wall clock.
 *
 * Every tracepoint the kernel would fire is passed to the consumer in one reused `SimTraceEvent` (no per-event
 * allocation in the hot path).
 */
import {
  type KernelBehaviour,
  type DqlStallEvent,
  NetdevQueue,
  kernelBehaviour,
  netdevQueueDqlAvail,
  devWatchdogRun,
  netdevWatchdogUp,
  devActivateTransStart,
  msecsToJiffies,
  roundJiffies,
} from './core-api.js';
import { EventHeap } from './event-heap.js';
import { Prng } from './prng.js';
import { SkbPool } from './skb-pool.js';
import { NeighArpQueue, skbTruesize } from './neigh-queue.js';
import { TracerLoss } from './tracer-loss.js';
import {
  SimTraceEvent,
  TraceKind,
  type TraceConsumer,
  DropReason,
  FreeLocation,
  type TraceKindValue,
} from './trace-event.js';
import { DriverTxQueue, type DriverHost } from '../core/driver/tx-queue.js';
import { DRIVER_PROFILES, NETDEV_TX_BUSY, type DriverProfile } from '../core/driver/profiles.js';
import { Qdisc, TC_H_ROOT } from '../core/qdisc/qdisc.js';
import { Tbf } from '../core/qdisc/tbf.js';
import { FqCodel } from '../core/qdisc/fq-codel.js';
import {
  BFifo,
  PFifo,
  PfifoFast,
  NET_XMIT_SUCCESS,
  NET_XMIT_DROP,
  NET_XMIT_CN,
  type QdiscDiscipline,
} from '../core/qdisc/disciplines.js';
import {
  ScenarioError,
  type ResolvedScenario,
  type ResolvedDevice,
  type ResolvedSource,
  type LeafQdiscKind,
} from './scenario.js';

const A_SEND = 0;
const A_BURST = 1;
const A_HW_DONE = 2;
const A_IRQ = 3;
const A_NAPI = 4;
const A_NET_TX = 5;
const A_WATCHDOG = 6;
const A_RESET = 7;
const A_FAULT_START = 8;
const A_FAULT_END = 9;
const A_CARRIER_ON = 10;
const A_MACB_TX_ERROR = 11;
const A_IGB_WATCHDOG_TASK = 12;
const A_QDISC_WATCHDOG = 13;
const A_NET_RX = 14;
/** faults that happen once at startMs: durationMs does not end them */
const ONE_SHOT_FAULTS: readonly string[] = ['frozen_never_unfrozen', 'peer_down', 'doorbell_skipped'];
/** CPUs of the simulated machine (NAPI of queue q runs on CPU q % NR_CPUS) */
const NR_CPUS = 2;

/** `dev_tx_weight` = dev_weight (64) * dev_weight_tx_bias (1) (§D.4) */
export const DEV_TX_WEIGHT = 64;
const ENOBUFS = 105;
const ENETDOWN = 100;
/** preamble + SFD (8) + FCS (4) + IFG (12) per frame on the wire */
const WIRE_OVERHEAD_BYTES = 24;

export interface WatchdogFire {
  tsNs: number;
  dev: number;
  queue: number;
  timedOutMs: number;
}

/**
 * A driver/kernel log line the simulation produced (dmesg, not a tracepoint), e.g. igb "Detected Tx Unit Hang"
 * (§G.1) or macb's TX error task: replay can show it next to the tracepoints.
 */
export interface SimLogRecord {
  /** same clock as the trace events (startOffsetNs + simulated ns) */
  tsNs: number;
  dev: string;
  queue: number;
  /** igb_tx_unit_hang | macb_tx_error */
  kind: string;
  /** the message as the driver prints it (first line is the headline) */
  text: string;
}

interface DeviceStats {
  name: string;
  /** bytes handed to __dev_queue_xmit (net_dev_queue) */
  queuedBytes: number;
  queuedPackets: number;
  /** bytes completed by the driver (consume_skb) */
  sentBytes: number;
  sentPackets: number;
  /** bytes freed without being sent (qdisc drops, refusals, ring resets, driver drops) */
  droppedBytes: number;
  droppedPackets: number;
  qdiscDrops: number;
  /** `tc -s` overlimits summed over the device's qdiscs (tbf: dequeues refused for lack of tokens) */
  qdiscOverlimits: number;
  requeues: number;
  enobufs: number;
  enetdown: number;
  watchdogFires: number;
}

interface QueueStats {
  dev: string;
  queue: number;
  state: number;
  stops: number;
  wakes: number;
  xmitBusy: number;
  maxStoppedNs: number;
  /** DRV_XOFF since (ns), -1 if running at the end */
  stoppedSinceNs: number;
  resets: number;
  lostIrqs: number;
  /** handler runs of the queue's vector: its /proc/interrupts count */
  irqsHandled: number;
  lostWakeups: number;
  /** igb "Detected Tx Unit Hang" count (§G.1) */
  txHangs: number;
  /** macb: TX error tasks run, TSTARTs lost, macb_tx_restart re-kicks (§G.2) */
  txErrors: number;
  tstartLost: number;
  txRestarts: number;
  /** macb error task: bytes discarded and never reported to BQL (inflated inflight, §I.5) */
  txErrorDiscardedBytes: number;
  ringOccupancy: number;
  dqlInflight: number | null;
  dqlLimit: number | null;
  napiPolls: number;
}

/** /proc/net/softnet_stat-like counters per CPU (§F) */
interface SoftnetStats {
  cpu: number;
  /** net_rx_action runs */
  netRxRuns: number;
  /** column 3: runs that stopped on netdev_budget / netdev_budget_usecs with work left */
  timeSqueeze: number;
}

/** One qdisc's counters as `tc -s qdisc show` prints them (struct gnet_stats_basic / gnet_stats_queue). */
export interface QdiscStats {
  dev: string;
  kind: string;
  /** TC handle (major << 16 | minor) and parent (TC_H_ROOT for a root qdisc) */
  handle: number;
  parent: number;
  /** the one TX queue it feeds (mq child, single-queue root), else -1 */
  txQueue: number;
  sentBytes: number;
  sentPackets: number;
  drops: number;
  requeues: number;
  overlimits: number;
  backlogBytes: number;
  qlen: number;
}

export interface SimResult {
  endNs: number;
  /** every qdisc's counters at endNs */
  qdiscs: QdiscStats[];
  events: number;
  eventCounts: Record<string, number>;
  devices: DeviceStats[];
  queues: QueueStats[];
  watchdogFires: WatchdogFire[];
  /** driver log lines (dmesg) in time order */
  logs: SimLogRecord[];
  softnet: SoftnetStats[];
  /** sender-visible errors (§D.3) */
  enobufs: number;
  enetdown: number;
  qdiscDrops: number;
}

export interface SimOptions {
  /** called for every emitted tracepoint with a reused record */
  onEvent?: TraceConsumer;
  /** check invariants after every action (tests): inflight >= 0, occupancy <= size-1, bytes conserved */
  checkInvariants?: boolean;
  /** stop after this many emitted events (bench) */
  maxEvents?: number;
  /** called for every driver log line (also collected in SimResult.logs) */
  onLog?: (rec: SimLogRecord) => void;
}

interface DevRuntime {
  index: number;
  /** index of queue 0 in the simulator's global queue list */
  gqBase: number;
  nsPerJiffy: number;
  /** try_bulk_dequeue_skb capped by the quota (6.12+ as modelled; see dequeueSkb) */
  bulkCapped: boolean;
  cfg: ResolvedDevice;
  kernel: KernelBehaviour;
  profile: DriverProfile;
  txqs: NetdevQueue[];
  queues: DriverTxQueue[];
  /** txq->qdisc per queue (null: noqueue) */
  qdiscOfQueue: (Qdisc | null)[];
  /** distinct qdiscs of this device */
  qdiscs: Qdisc[];
  hz: number;
  /** jiffies at t=0 */
  jiffies0: number;
  watchdogTimeoJiffies: number;
  /** ns of the armed watchdog timer, -1 when not armed */
  watchdogDueNs: number;
  carrierOk: boolean;
  /** qdisc deactivated (noop) while the link is down */
  deactivated: boolean;
  nsPerByte: number;
  irqCoalesceNs: number;
  stats: DeviceStats;
  /** queues frozen by the frozen_never_unfrozen fault */
  frozenForever: boolean[];
  lostIrqBudget: number[];
  /** igb_watchdog_task timer (ns), -1 when not armed */
  igbTaskDueNs: number;
  /** jiffiesOf cache: the instant it was computed for (-1 none) and its value */
  jiffiesAtNs: number;
  jiffiesCached: number;
  nsPerJiffyIsInteger: boolean;
  /** NETIF_F_LLTX (veth): no xmit lock owner, so txq_trans_update never writes trans_start */
  lltx: boolean;
  /** veth: the peer NAPI thread's task index, run windows and per-packet cost (ns) */
  vethNapiTask: number;
  vethPeriodNs: number;
  vethRunNs: number;
  vethCostNs: number;
  /** qdisc_run_missed: per TX queue, enqueues left whose qdisc_run is lost to the NOLOCK race */
  runMissedBudget: number[];
  /** neigh_unresolved: the next hop's INCOMPLETE entry and its arp_queue (null: resolved) */
  neighQueue: NeighArpQueue | null;
  /** neigh_table_full: __neigh_create fails for this device's next hop */
  neighCreateFail: boolean;
  /** trace_qdisc_enqueue exists (~5.13+, §H.2): a 4.19 kernel has qdisc_dequeue only */
  traceQdiscEnqueue: boolean;
}

interface FaultRuntime {
  cpu: number;
  dev: number;
  queue: number; // -1 = all
  kind: string;
  startNs: number;
  endNs: number; // Infinity
  count: number; // Infinity
}

/** What addDevice resolves once per device and its queue and runtime builders read. */
interface DeviceSetup {
  cfg: ResolvedDevice;
  /** device index in the scenario */
  d: number;
  kernel: KernelBehaviour;
  profile: DriverProfile;
  hz: number;
  /** jiffies at t=0 */
  jiffies0: number;
}

export class Simulator implements DriverHost {
  readonly ev = new SimTraceEvent();
  private readonly heap = new EventHeap(4096);
  private readonly prng: Prng;
  readonly pool = new SkbPool(4096);
  private readonly devs: DevRuntime[] = [];
  private readonly gq: DriverTxQueue[] = [];
  private readonly allQdiscs: Qdisc[] = [];
  private readonly sources: ResolvedSource[];
  private readonly faults: FaultRuntime[] = [];
  /** tasks: 0 = swapper/0, 1..n = sources, then kworker for reset work */
  readonly tasks: { comm: string; pid: number }[] = [{ comm: 'swapper', pid: 0 }];
  private readonly kworkerTask: number;
  private now = 0;
  private curTask = 0;
  private curCpu = 0;
  private events = 0;
  private readonly eventCounts = new Float64Array(16);
  private readonly watchdogFires: WatchdogFire[] = [];
  private readonly logs: SimLogRecord[] = [];
  private readonly onLog: ((rec: SimLogRecord) => void) | null;
  private readonly onEvent: TraceConsumer | null;
  private readonly checkInvariants: boolean;
  private readonly maxEvents: number;
  private readonly endNs: number;
  private readonly softirqDelayNs: number;
  /** bulk dequeue list (skb ids), reused; grows only if an uncapped (old-kernel) bulk needs more */
  private bulk = new Int32Array(4096);
  /** to_free list of one enqueue (fq_codel drops at most drop_batch_size) */
  private readonly toFree = new Int32Array(65536);
  private readonly sourceSent: Float64Array;
  /** per source, precomputed for the send loop: mean inter-arrival (ns), start (ns, unrounded), stop (ns), Poisson? */
  private readonly sourceMeanNs: Float64Array;
  private readonly sourceStartNs: Float64Array;
  private readonly sourceStopNs: Float64Array;
  private readonly sourcePoisson: Uint8Array;
  /** the clock at t=0 (scenario.startOffsetNs) */
  private readonly startOffsetNs: number;
  /** softnet_data per CPU: poll_list (global queue indexes), NET_RX raised, counters (§F net_rx_action) */
  private sdPoll: Int32Array[] = [];
  private readonly sdPollLen = new Int32Array(NR_CPUS);
  private readonly sdRaised = new Uint8Array(NR_CPUS);
  private readonly timeSqueeze = new Float64Array(NR_CPUS);
  private readonly netRxRuns = new Float64Array(NR_CPUS);
  private netRxList = new Int32Array(0);
  private netRxRepoll = new Int32Array(0);
  /** netdev_budget (300) */
  private readonly netdevBudget: number;
  private readonly sourceFlowCursor: Int32Array;
  /** the tracer_lost fault: events the tracer does not record */
  private readonly tracerLoss = new TracerLoss(NR_CPUS);

  constructor(
    readonly scenario: ResolvedScenario,
    opts: SimOptions = {},
  ) {
    this.prng = new Prng(scenario.seed);
    this.onEvent = opts.onEvent ?? null;
    this.onLog = opts.onLog ?? null;
    this.checkInvariants = opts.checkInvariants ?? false;
    this.maxEvents = opts.maxEvents ?? Infinity;
    this.endNs = Math.round(scenario.durationMs * 1e6);
    this.softirqDelayNs = scenario.softirqDelayNs;
    this.sources = scenario.sources;
    for (const s of scenario.sources) this.tasks.push({ comm: s.comm, pid: s.pid });
    this.kworkerTask = this.tasks.length;
    this.tasks.push({ comm: 'kworker/0:1', pid: 31 });
    this.sourceSent = new Float64Array(scenario.sources.length);
    this.sourceFlowCursor = new Int32Array(scenario.sources.length);
    this.sourceMeanNs = Float64Array.from(scenario.sources, (s) => 1e9 / s.ratePps);
    this.sourceStartNs = Float64Array.from(scenario.sources, (s) => s.startMs * 1e6);
    this.sourceStopNs = Float64Array.from(scenario.sources, (s) => Math.round(s.stopMs * 1e6));
    this.sourcePoisson = Uint8Array.from(scenario.sources, (s) => (s.pattern === 'poisson' ? 1 : 0));
    this.startOffsetNs = scenario.startOffsetNs;
    this.netdevBudget = scenario.netdevBudget;
    const lenSource = (): Int32Array => this.pool.lenBytes;
    scenario.devices.forEach((cfg, d) => this.addDevice(cfg, d, lenSource));

    for (let c = 0; c < NR_CPUS; c++) this.sdPoll.push(new Int32Array(this.gq.length + 1));
    this.netRxList = new Int32Array(this.gq.length + 1);
    this.netRxRepoll = new Int32Array(this.gq.length + 1);

    this.scheduleSourcesAndFaults();
  }

  /** The first send and burst of every source, and each fault's start and end, on the event heap. */
  private scheduleSourcesAndFaults(): void {
    const scenario = this.scenario;
    scenario.sources.forEach((s, i) => {
      if (s.ratePps > 0 && s.startMs < s.stopMs) this.heap.push(Math.round(s.startMs * 1e6), A_SEND, i);
      if (s.burst.everyMs > 0 && s.burst.packets > 0)
        this.heap.push(Math.round((s.startMs + s.burst.everyMs) * 1e6), A_BURST, i);
    });
    scenario.faults.forEach((f, i) => {
      const startNs = Math.round(f.startMs * 1e6);
      const endNs = f.durationMs === undefined ? Infinity : startNs + Math.round(f.durationMs * 1e6);
      this.faults.push({
        cpu: f.cpu ?? -1,
        dev: f.dev,
        queue: f.queue ?? -1,
        kind: f.kind,
        startNs,
        endNs,
        count: f.count ?? (f.kind === 'qdisc_run_missed' ? 1 : Infinity),
      });
      this.heap.push(startNs, A_FAULT_START, i);
      if (endNs !== Infinity && !ONE_SHOT_FAULTS.includes(f.kind)) this.heap.push(endNs, A_FAULT_END, i);
    });
  }

  /**
   * One device (register_netdev + dev_open): its TX queues and driver rings, runtime state, qdiscs, then
   * dev_activate (trans_start, dev_watchdog_up) and, for igb, the watchdog task.
   */
  private addDevice(cfg: ResolvedDevice, d: number, lenSource: () => Int32Array): void {
    const kernel = kernelBehaviour(cfg.kernel);
    const profile = DRIVER_PROFILES[cfg.driver];
    const hz = cfg.hz;
    const jiffies0 = Math.floor((this.scenario.startOffsetNs * hz) / 1e9);
    const setup: DeviceSetup = { cfg, d, kernel, profile, hz, jiffies0 };
    const { txqs, queues } = this.addTxQueues(setup);
    const dev = this.newDevRuntime(setup, txqs, queues);
    if (cfg.vethPeer !== null) {
      dev.vethNapiTask = this.tasks.length;
      // backlog: process_backlog runs in NET_RX softirq, deferred to ksoftirqd of the sending CPU (0)
      const backlog = cfg.vethPeer.rxPath === 'backlog';
      this.tasks.push({
        comm: backlog ? 'ksoftirqd/0' : `napi/${cfg.vethPeer.name}-${cfg.vethPeer.napiId}`.slice(0, 15),
        pid: cfg.vethPeer.napiPid,
      });
      for (const tq of queues) tq.vethBacklogRx = backlog;
      dev.vethPeriodNs = Math.round(cfg.vethPeer.napiPeriodMs * 1e6);
      dev.vethRunNs = Math.round(cfg.vethPeer.napiRunMs * 1e6);
      dev.vethCostNs = cfg.vethPeer.napiCostNsPerPacket;
    }
    this.buildQdiscs(dev, d, lenSource);
    this.devs.push(dev);
    // dev_activate: trans_start = 0 on every queue, then netif_trans_update refreshes queue 0 (§C)
    devActivateTransStart(txqs, this.jiffiesOf(dev));
    // dev_activate → dev_watchdog_up, only with ndo_tx_timeout (§E)
    this.watchdogUp(dev);
    // igb_open → schedule_work(watchdog_task): first run now, then every 2 s (§G.1); opt-in (see README)
    if (profile.kind === 'igb' && cfg.igbWatchdogTask) {
      dev.igbTaskDueNs = 0;
      this.heap.push(0, A_IGB_WATCHDOG_TASK, d);
    }
  }

  /** netdev_queue (with its DQL, §A/§B) and driver ring per TX queue, appended to the global queue list. */
  private addTxQueues({ cfg, d, kernel, profile, hz, jiffies0 }: DeviceSetup): {
    txqs: NetdevQueue[];
    queues: DriverTxQueue[];
  } {
    const scenario = this.scenario;
    const txqs: NetdevQueue[] = [];
    const queues: DriverTxQueue[] = [];
    for (let q = 0; q < cfg.numTxQueues; q++) {
      const txq = new NetdevQueue(q, kernel, {
        bql: cfg.bql,
        holdTimeJiffies: Math.round((cfg.bqlHoldTimeMs * hz) / 1000),
        jiffies: jiffies0,
      });
      if (txq.dql !== null && cfg.bqlStallThrsMs > 0) {
        // echo N > byte_queue_limits/stall_thrs (msecs_to_jiffies), 6.9+ only (§A.5)
        try {
          txq.dql.setStallThrs(msecsToJiffies(cfg.bqlStallThrsMs, hz), jiffies0);
        } catch (e) {
          throw new ScenarioError(
            scenario.name,
            `devices[${d}].bqlStallThrsMs`,
            e instanceof Error ? e.message : String(e),
          );
        }
      }
      // echo N > byte_queue_limits/limit_min
      if (txq.dql !== null && cfg.bqlLimitMinBytes > 0) txq.dql.setMinLimit(cfg.bqlLimitMinBytes);
      txqs.push(txq);
      const tq = new DriverTxQueue(d, q, profile, txq, this, {
        ringSize: cfg.ringSize,
        bql: cfg.bql,
        extraDescsPerPacket: cfg.extraDescsPerPacket,
        // igb adapter->tx_timeout_factor: 14 at 10 Mb/s, else 1 (§G.1)
        hangTimeoutJiffies: (cfg.linkRateBps <= 10e6 ? 14 : 1) * hz,
        hasQdisc: cfg.qdisc !== 'noqueue',
        trackTimeStamps: cfg.igbWatchdogTask,
      });
      queues.push(tq);
      tq.globalIndex = this.gq.length;
      this.gq.push(tq);
    }
    return { txqs, queues };
  }

  /** The per-device runtime state: link, watchdog, interrupt coalescing, counters (DevRuntime). */
  private newDevRuntime(
    { cfg, d, kernel, profile, hz, jiffies0 }: DeviceSetup,
    txqs: NetdevQueue[],
    queues: DriverTxQueue[],
  ): DevRuntime {
    const stats: DeviceStats = {
      name: cfg.name,
      queuedBytes: 0,
      queuedPackets: 0,
      sentBytes: 0,
      sentPackets: 0,
      droppedBytes: 0,
      droppedPackets: 0,
      qdiscDrops: 0,
      qdiscOverlimits: 0,
      requeues: 0,
      enobufs: 0,
      enetdown: 0,
      watchdogFires: 0,
    };
    return {
      index: d,
      gqBase: this.gq.length - cfg.numTxQueues,
      nsPerJiffy: 1e9 / hz,
      bulkCapped: kernel.version.major > 6 || (kernel.version.major === 6 && kernel.version.minor >= 12),
      cfg,
      kernel,
      profile,
      txqs,
      queues,
      qdiscOfQueue: [],
      qdiscs: [],
      hz,
      jiffies0,
      watchdogTimeoJiffies: Math.round((cfg.watchdogTimeoMs * hz) / 1000),
      watchdogDueNs: -1,
      carrierOk: true,
      deactivated: false,
      nsPerByte: (8 * 1e9) / cfg.linkRateBps,
      irqCoalesceNs: Math.round(cfg.irqCoalesceUs * 1000),
      stats,
      frozenForever: new Array<boolean>(cfg.numTxQueues).fill(false),
      lostIrqBudget: new Array<number>(cfg.numTxQueues).fill(0),
      igbTaskDueNs: -1,
      jiffiesAtNs: -1,
      jiffiesCached: 0,
      nsPerJiffyIsInteger: Number.isInteger(1e9 / hz),
      lltx: profile.kind === 'veth-like' || profile.kind === 'veth',
      vethNapiTask: 0,
      vethPeriodNs: 0,
      vethRunNs: 0,
      vethCostNs: 0,
      runMissedBudget: new Array<number>(cfg.numTxQueues).fill(0),
      neighQueue: null,
      neighCreateFail: false,
      traceQdiscEnqueue: kernel.version.major > 5 || (kernel.version.major === 5 && kernel.version.minor >= 13),
    };
  }

  private buildQdiscs(dev: DevRuntime, d: number, lenSource: () => Int32Array): void {
    const cfg = dev.cfg;
    const make = (kind: LeafQdiscKind): QdiscDiscipline =>
      kind === 'pfifo_fast'
        ? new PfifoFast(cfg.txqueuelen, lenSource)
        : kind === 'pfifo'
          ? new PFifo(cfg.qdiscLimit, lenSource)
          : kind === 'tbf'
            ? new Tbf(cfg.tbf!, lenSource, () => this.now)
            : kind === 'fq_codel'
              ? new FqCodel(
                  cfg.fqCodel,
                  cfg.mtu,
                  lenSource,
                  () => this.pool.flow,
                  () => this.now,
                )
              : new BFifo(cfg.qdiscLimit, cfg.mtu, lenSource);
    if (cfg.qdisc === 'noqueue') {
      for (let q = 0; q < cfg.numTxQueues; q++) dev.qdiscOfQueue.push(null);
      return;
    }
    if (cfg.qdisc === 'mq') {
      // mq: one child per TX queue, TCQ_F_ONETXQUEUE, parent major:(i+1) (§D.6). Default children have handle 0.
      const major = cfg.qdiscHandle >>> 16;
      for (let q = 0; q < cfg.numTxQueues; q++) {
        const parent = ((major << 16) | (q + 1)) >>> 0;
        const child = new Qdisc(this.allQdiscs.length, d, cfg.ifindex, 0, parent, make(cfg.mqChild), q);
        this.allQdiscs.push(child);
        dev.qdiscs.push(child);
        dev.qdiscOfQueue.push(child);
      }
      return;
    }
    // single root for all queues; ONETXQUEUE only when the device has one TX queue (attach_one_default_qdisc)
    const root = new Qdisc(
      this.allQdiscs.length,
      d,
      cfg.ifindex,
      cfg.qdiscHandle,
      TC_H_ROOT,
      make(cfg.qdisc),
      cfg.numTxQueues === 1 ? 0 : -1,
    );
    this.allQdiscs.push(root);
    dev.qdiscs.push(root);
    for (let q = 0; q < cfg.numTxQueues; q++) dev.qdiscOfQueue.push(root);
  }

  // ---------------------------------------------------------------- clock

  nowNs(): number {
    return this.now;
  }
  private jiffiesOf(dev: DevRuntime): number {
    // several reads per packet at the same instant (BQL, time_stamp, trans_start): computed once per instant
    if (dev.jiffiesAtNs === this.now) return dev.jiffiesCached;
    const t = this.scenario.startOffsetNs + this.now;
    // exact when 1e9/HZ is an integer (HZ 100, 250, 1000); otherwise via t*HZ (exact below 2^53)
    const j = dev.nsPerJiffyIsInteger ? Math.floor(t / dev.nsPerJiffy) : Math.floor((t * dev.hz) / 1e9);
    dev.jiffiesAtNs = this.now;
    dev.jiffiesCached = j;
    return j;
  }
  /** absolute ns (relative to t=0) at which jiffies reaches j */
  private nsOfJiffies(dev: DevRuntime, j: number): number {
    return Math.max(this.now, Math.ceil((j * 1e9) / dev.hz - this.scenario.startOffsetNs));
  }
  private curDev = 0;
  jiffies(): number {
    return this.jiffiesOf(this.devs[this.curDev]!);
  }

  // ---------------------------------------------------------------- run

  run(): SimResult {
    return this.runUntil(this.endNs);
  }

  /**
   * Run up to `untilNs` (at most the scenario's end) and return the state at that moment; a later call goes on
   * from there, so one run can be looked at several times (`tc -s` snapshots: tc-stats-writer.ts).
   */
  runUntil(untilNs: number): SimResult {
    const heap = this.heap;
    const stopNs = Math.min(untilNs, this.endNs);
    while (heap.size > 0) {
      const t = heap.peekTimeNs();
      if (t > stopNs || this.events >= this.maxEvents) break;
      const kind = heap.peekKind();
      const arg = heap.peekArg();
      heap.pop();
      this.now = t;
      this.dispatch(kind, arg);
      if (this.checkInvariants) this.assertInvariants();
    }
    // a snapshot before the end is taken at its own time; the end keeps the last event's time (as before)
    this.now = Math.min(Math.max(this.now, stopNs < this.endNs ? stopNs : 0, 0), this.endNs);
    return this.result();
  }

  private dispatch(kind: number, arg: number): void {
    switch (kind) {
      case A_SEND:
        this.onSourceSend(arg);
        return;
      case A_BURST:
        this.onBurst(arg);
        return;
      case A_HW_DONE:
        this.onHwDone(this.gq[arg]!);
        return;
      case A_IRQ:
        this.onIrq(this.gq[arg]!);
        return;
      case A_NAPI:
        this.onNapiPoll(this.gq[arg]!);
        return;
      case A_NET_TX:
        this.onNetTxAction(this.allQdiscs[arg]!);
        return;
      case A_WATCHDOG:
        this.onWatchdog(arg);
        return;
      case A_RESET:
        this.onResetTask(arg);
        return;
      case A_FAULT_START:
        this.onFault(arg, true);
        return;
      case A_FAULT_END:
        this.onFault(arg, false);
        return;
      case A_CARRIER_ON:
        this.carrierOn(this.devs[arg]!);
        return;
      case A_MACB_TX_ERROR:
        this.onMacbTxErrorTask(this.gq[arg]!);
        return;
      case A_IGB_WATCHDOG_TASK:
        this.onIgbWatchdogTask(arg);
        return;
      case A_QDISC_WATCHDOG:
        this.onQdiscWatchdog(this.allQdiscs[arg]!);
        return;
      case A_NET_RX:
        this.onNetRxAction(arg);
        return;
    }
  }

  // ---------------------------------------------------------------- senders (§D.1)

  private onSourceSend(i: number): void {
    const s = this.sources[i]!;
    this.sendOne(i, s);
    const meanNs = this.sourceMeanNs[i]!;
    const sent = ++this.sourceSent[i]!;
    const next =
      this.sourcePoisson[i] === 1
        ? this.now + this.prng.nextExpNs(meanNs)
        : Math.round(this.sourceStartNs[i]! + sent * meanNs);
    if (next < this.sourceStopNs[i]!) this.heap.push(Math.max(next, this.now), A_SEND, i);
  }

  private onBurst(i: number): void {
    const s = this.sources[i]!;
    for (let k = 0; k < s.burst.packets; k++) this.sendOne(i, s);
    const next = this.now + Math.round(s.burst.everyMs * 1e6);
    if (next < Math.round(s.stopMs * 1e6)) this.heap.push(next, A_BURST, i);
  }

  private sendOne(i: number, s: ResolvedSource): void {
    const d = s.dev;
    const dev = this.devs[d]!;
    this.curDev = d;
    this.curTask = i + 1;
    this.curCpu = s.cpu;
    const cursor = this.sourceFlowCursor[i]!;
    this.sourceFlowCursor[i] = cursor + 1;
    const flow = s.flows > 1 ? cursor % s.flows : 0;
    const queue = s.queueMap[flow % s.queueMap.length]!;
    const priority = s.priority[flow % s.priority.length]!;
    const sizes = s.sizes;
    const len = Array.isArray(sizes)
      ? sizes[(this.sourceSent[i]! + this.sourceFlowCursor[i]!) % sizes.length]!
      : sizes.min + this.prng.nextInt(sizes.max - sizes.min + 1);
    const skb = this.pool.alloc(d, len, queue, priority, i + 1);
    this.pool.flow[skb] = (i << 16) | flow;
    if (this.neighOutput(dev, skb, len)) {
      if (dev.neighCreateFail && s.recverr) dev.stats.enobufs++;
      return;
    }
    dev.stats.queuedBytes += len;
    dev.stats.queuedPackets++;
    const rc = this.devQueueXmit(dev, skb, len, queue);
    // §D.3: net_xmit_errno: positive codes other than CN → -ENOBUFS; IP_RECVERR sockets see it
    if (rc === NET_XMIT_DROP || rc === -ENOBUFS) {
      if (s.recverr) dev.stats.enobufs++;
    } else if (rc === -ENETDOWN) {
      dev.stats.enetdown++;
    }
  }

  /**
   * ip_finish_output2 → neigh_output (§D.3): true when the neighbour layer kept or dropped the skb before
   * __dev_queue_xmit (neigh_table_full: __neigh_create failed, NEIGH_CREATEFAIL and -ENOBUFS; neigh_unresolved:
   * queued on the INCOMPLETE entry by __neigh_event_send, its oldest skbs dropped with NEIGH_QUEUEFULL).
   */
  private neighOutput(dev: DevRuntime, skb: number, len: number): boolean {
    if (dev.neighCreateFail) {
      this.freeBeforeDevice(skb, DropReason.NEIGH_CREATEFAIL, FreeLocation.ipFinishOutput2);
      return true;
    }
    if (dev.neighQueue === null) return false;
    dev.neighQueue.push(skb, skbTruesize(len), (old) =>
      this.freeBeforeDevice(old, DropReason.NEIGH_QUEUEFULL, FreeLocation.neighEventSend),
    );
    return true;
  }

  /** kfree_skb of an skb that never reached __dev_queue_xmit: not in the device's byte accounting */
  private freeBeforeDevice(skb: number, reason: number, location: number): void {
    this.freeEventFor(this.pool.queue[skb]!, skb, location);
    this.ev.reason = reason;
    this.emit(TraceKind.kfreeSkb);
    this.pool.free(skb);
  }

  /** __dev_queue_xmit (§D.1) → __dev_xmit_skb (§D.2) or the noqueue path */
  private devQueueXmit(dev: DevRuntime, skb: number, len: number, queue: number): number {
    const ev = this.ev;
    ev.dev = dev.index;
    ev.skb = skb;
    ev.lenBytes = len;
    this.emit(TraceKind.netDevQueue);
    const q = dev.qdiscOfQueue[queue]!;
    const txq = dev.txqs[queue]!;
    if (dev.deactivated) {
      // noop_qdisc after dev_deactivate: drop, NET_XMIT_CN (not an ENOBUFS)
      this.freeSkbAt(dev, queue, skb, false, DropReason.QDISC_DROP, FreeLocation.devQueueXmit);
      return NET_XMIT_CN;
    }
    if (q === null) {
      // noqueue (§D.1 step 5): xmit if not stopped, else "Virtual device asks to queue packet!" → drop, -ENETDOWN
      if (!txq.xmitStopped()) {
        const rc = this.xmitOne(dev, queue, skb, len, false);
        if (rc !== NETDEV_TX_BUSY) return rc;
      }
      this.freeSkbAt(dev, queue, skb, false, DropReason.NOT_SPECIFIED, FreeLocation.devQueueXmit);
      return -ENETDOWN;
    }
    if (dev.runMissedBudget[queue]! > 0) {
      // the NOLOCK race (qdisc_run_missed): q->enqueue, then qdisc_run_begin()'s spin_trylock(&qdisc->seqlock)
      // fails against a CPU finishing __qdisc_run that already saw the qdisc empty: nobody runs it (4.16–5.13)
      const rc = q.discipline.enqueue(skb, len, this.pool.priority[skb]!);
      if (rc === NET_XMIT_SUCCESS) {
        dev.runMissedBudget[queue]!--;
        this.noteEnqueued(q, skb);
        return rc;
      }
      q.drops++;
      dev.stats.qdiscDrops++;
      this.freeSkbAt(dev, queue, skb, false, DropReason.QDISC_DROP, FreeLocation.devQueueXmit);
      return rc;
    }
    // Bypass (§D.2): TCQ_F_CAN_BYPASS, empty, qdisc_run_begin succeeded (never running at an action boundary here)
    if (q.discipline.canBypass && q.qlen === 0) {
      this.bulk[0] = skb;
      if (this.schDirectXmit(dev, q, 1, queue)) {
        if (q.qlen > 0) this.qdiscRun(dev, q);
      }
      return NET_XMIT_SUCCESS;
    }
    const rc = q.discipline.enqueue(skb, len, this.pool.priority[skb]!);
    const selfDropped = q.discipline.dropped;
    if (selfDropped !== undefined && selfDropped.length > 0)
      return this.enqueueWithToFree(dev, q, skb, rc, queue, selfDropped);
    if (rc === NET_XMIT_SUCCESS) {
      this.noteEnqueued(q, skb);
      this.qdiscRun(dev, q);
      return rc;
    }
    // __dev_xmit_skb: the refused skb sits on to_free while the qdisc runs; kfree_skb_list_reason after the run
    q.drops++;
    dev.stats.qdiscDrops++;
    this.qdiscRun(dev, q);
    this.freeSkbAt(dev, queue, skb, false, DropReason.QDISC_DROP, FreeLocation.devQueueXmit);
    return rc;
  }

  /**
   * An enqueue that dropped other skbs (fq_codel overflow, §D.6): trace_qdisc_enqueue only for NET_XMIT_SUCCESS (a
   * NET_XMIT_CN skb is queued but not traced), run the qdisc, then free the to_free list (kfree_skb QDISC_DROP from
   * __dev_queue_xmit, after the run as in __dev_xmit_skb). CN is success for the sender: no ENOBUFS.
   */
  private enqueueWithToFree(
    dev: DevRuntime,
    q: Qdisc,
    skb: number,
    rc: number,
    queue: number,
    dropped: number[],
  ): number {
    let n = 0;
    for (let i = 0; i < dropped.length; i++) this.toFree[n++] = dropped[i]!;
    dropped.length = 0;
    if (rc === NET_XMIT_SUCCESS) this.noteEnqueued(q, skb);
    this.qdiscRun(dev, q);
    for (let i = 0; i < n; i++) {
      q.drops++;
      dev.stats.qdiscDrops++;
      this.freeSkbAt(dev, queue, this.toFree[i]!, false, DropReason.QDISC_DROP, FreeLocation.devQueueXmit);
    }
    return rc;
  }

  /** an enqueue that returned NET_XMIT_SUCCESS: count it and fire trace_qdisc_enqueue (only then, §D.2) */
  private noteEnqueued(q: Qdisc, skb: number): void {
    q.enqueued++;
    if (!this.devs[q.dev]!.traceQdiscEnqueue) return;
    const ev = this.ev;
    ev.qdiscHandle = q.handle;
    ev.qdiscParent = q.parent;
    ev.skb = skb;
    ev.dev = q.dev;
    this.emit(TraceKind.qdiscEnqueue);
  }

  /** CoDel drops inside q->dequeue (fq_codel drop_func): kfree_skb at once, counted as qdisc drops (not ENOBUFS) */
  private freeDequeueDrops(dev: DevRuntime, q: Qdisc, dropped: number[]): void {
    for (let i = 0; i < dropped.length; i++) {
      const skb = dropped[i]!;
      q.drops++;
      dev.stats.qdiscDrops++;
      this.freeSkbAt(dev, this.pool.queue[skb]!, skb, false, DropReason.NOT_SPECIFIED, FreeLocation.fqCodelDequeue);
    }
    dropped.length = 0;
  }

  // ---------------------------------------------------------------- qdisc run (§D.4)

  /** __qdisc_run: quota dev_tx_weight; on exhaustion defer to NET_TX softirq (§D.4) */
  private qdiscRun(dev: DevRuntime, q: Qdisc): void {
    let quota = DEV_TX_WEIGHT;
    for (;;) {
      const packets = this.qdiscRestart(dev, q, quota);
      if (packets <= 0) return;
      quota -= packets;
      if (quota <= 0) {
        this.netifScheduleQdisc(q);
        return;
      }
    }
  }

  /**
   * qdisc_restart: dequeue_skb, then sch_direct_xmit. Returns the packets dequeued if the loop should continue,
   * 0 if dequeue returned NULL, -1 if sch_direct_xmit returned false.
   */
  private qdiscRestart(dev: DevRuntime, q: Qdisc, budget: number): number {
    const n = this.dequeueSkb(dev, q, budget);
    if (n === 0) return 0;
    const queue = this.pool.queue[this.bulk[0]!]!;
    return this.schDirectXmit(dev, q, n, queue) ? n : -1;
  }

  /** dequeue_skb (§D.4): fills this.bulk, returns the count (0 = NULL) */
  private dequeueSkb(dev: DevRuntime, q: Qdisc, budget: number): number {
    const ev = this.ev;
    // 1. requeue list first, only if its txq is not frozen/stopped
    if (q.requeued.count > 0) {
      const head = q.requeued.peek();
      const hq = this.pool.queue[head]!;
      const htxq = dev.txqs[hq]!;
      let n = 0;
      if (!htxq.xmitFrozenOrStopped()) {
        q.requeued.shift();
        q.requeuedBytes -= this.pool.lenBytes[head]!;
        this.bulk[0] = head;
        n = 1;
      }
      this.traceDequeue(dev, q, htxq, n, n > 0 ? head : -1);
      return n;
    }
    const oneTxq = q.oneTxQueue >= 0 ? dev.txqs[q.oneTxQueue]! : null;
    // 2. TCQ_F_ONETXQUEUE and the txq is frozen or stopped: NULL without a trace event
    if (oneTxq !== null && oneTxq.xmitFrozenOrStopped()) return 0;
    // 3. q->dequeue
    const skb = q.discipline.dequeue();
    const codelDropped = q.discipline.dropped;
    if (codelDropped !== undefined && codelDropped.length > 0) this.freeDequeueDrops(dev, q, codelDropped);
    const traceTxq = oneTxq ?? dev.txqs[0]!;
    if (skb < 0) {
      if (q.discipline.watchdogRequestNs !== undefined) this.qdiscWatchdogSchedule(q);
      this.traceDequeue(dev, q, traceTxq, 0, -1);
      return 0;
    }
    this.bulk[0] = skb;
    let n = 1;
    // 4. bulk (qdisc_may_bulk = ONETXQUEUE), try_bulk_dequeue_skb: byte budget = dql_avail - first len.
    //    Since "net: sched: limit try_bulk_dequeue_skb() batches" (Nov 2025, in 6.18 and stable backports) the
    //    extra skbs are also capped by the remaining quota: `if (++cnt >= budget) break` → at most 1 + budget.
    //    Older kernels (5.15.100) have no cap (dev.bulkCapped false).
    if (oneTxq !== null) {
      let byteLimit = netdevQueueDqlAvail(oneTxq) - this.pool.lenBytes[skb]!;
      let cnt = 0;
      while (byteLimit > 0 && n < this.bulk.length) {
        const nskb = q.discipline.dequeue();
        if (codelDropped !== undefined && codelDropped.length > 0) this.freeDequeueDrops(dev, q, codelDropped);
        if (nskb < 0) {
          if (q.discipline.watchdogRequestNs !== undefined) this.qdiscWatchdogSchedule(q);
          break;
        }
        byteLimit -= this.pool.lenBytes[nskb]!;
        this.bulk[n++] = nskb;
        if (dev.bulkCapped && ++cnt >= budget) break;
      }
    }
    this.traceDequeue(dev, q, traceTxq, n, skb);
    return n;
  }

  private traceDequeue(dev: DevRuntime, q: Qdisc, txq: NetdevQueue, n: number, skb: number): void {
    const ev = this.ev;
    ev.dev = q.dev;
    ev.qdiscHandle = q.handle;
    ev.qdiscParent = q.parent;
    ev.txqState = txq.state;
    // packets for a NULL dequeue: 1 in K6.12, 0 on 6.18 (§D.4)
    ev.packets = skb < 0 ? dev.kernel.nullDequeuePackets : n;
    ev.skb = skb;
    ev.queue = txq.index;
    this.emit(TraceKind.qdiscDequeue);
  }

  /**
   * sch_direct_xmit (§D.4) on this.bulk[0..n): xmit if the txq is not frozen/stopped, else keep the skbs;
   * a non-complete result requeues the rest (dev_requeue_skb: requeues++ per skb, reschedule) and returns false.
   */
  private schDirectXmit(dev: DevRuntime, q: Qdisc, n: number, queue: number): boolean {
    const txq = dev.txqs[queue]!;
    let done = 0;
    let busy = true;
    if (!txq.xmitFrozenOrStopped()) {
      // dev_hard_start_xmit (§D.4)
      busy = false;
      for (let i = 0; i < n; i++) {
        const skb = this.bulk[i]!;
        const more = i < n - 1;
        const rc = this.xmitOne(dev, queue, skb, this.pool.lenBytes[skb]!, more);
        if (rc === NETDEV_TX_BUSY) {
          busy = true;
          break;
        }
        done++;
        q.sentPackets++;
        q.sentBytes += this.pool.lenBytes[skb]!;
        if (more && txq.txqStopped()) {
          // DRV_XOFF mid-list: stop with BUSY so the remainder is requeued
          busy = true;
          break;
        }
      }
    }
    if (!busy) return true;
    // dev_requeue_skb: onto q->gso_skb, requeues++, qlen++, backlog++; then MISSED / __netif_schedule
    for (let i = done; i < n; i++) {
      const skb = this.bulk[i]!;
      q.requeued.push(skb);
      q.requeuedBytes += this.pool.lenBytes[skb]!;
      q.requeues++;
      dev.stats.requeues++;
    }
    if (done < n) this.netifScheduleQdisc(q);
    return false;
  }

  /** xmit_one: net_dev_start_xmit, ndo_start_xmit, net_dev_xmit; txq_trans_update on NETDEV_TX_OK (§C) */
  private xmitOne(dev: DevRuntime, queue: number, skb: number, len: number, more: boolean): number {
    const ev = this.ev;
    const d = dev.index;
    ev.dev = d;
    ev.queue = queue;
    ev.skb = skb;
    ev.lenBytes = len;
    this.emit(TraceKind.netDevStartXmit);
    const prevDev = this.curDev;
    this.curDev = d;
    const rc = dev.queues[queue]!.xmit(skb, len, more);
    this.curDev = prevDev;
    ev.dev = d;
    ev.queue = queue;
    ev.skb = skb;
    ev.lenBytes = len;
    ev.rc = rc;
    this.emit(TraceKind.netDevXmit);
    // txq_trans_update only under the xmit lock: LLTX devices (veth) never update trans_start here
    if (rc === 0 && !dev.lltx) dev.txqs[queue]!.transUpdate(this.jiffiesOf(dev));
    return rc;
  }

  /**
   * qdisc_watchdog_schedule_ns (tbf throttled, §D.6): (re)program the qdisc's hrtimer to the requested expiry
   * (range 0: an already queued timer is kept only if it expires exactly then). Its expiry → __netif_schedule.
   */
  private qdiscWatchdogSchedule(q: Qdisc): void {
    const d = q.discipline as { watchdogRequestNs: number };
    const t = d.watchdogRequestNs;
    if (t < 0) return;
    d.watchdogRequestNs = -1;
    if (q.watchdogDueNs === t) return;
    q.watchdogDueNs = t;
    this.heap.push(Math.max(t, this.now), A_QDISC_WATCHDOG, q.id);
  }

  private onQdiscWatchdog(q: Qdisc): void {
    if (q.watchdogDueNs < 0 || Math.max(q.watchdogDueNs, this.now) !== this.now) return; // reprogrammed
    q.watchdogDueNs = -1;
    if (this.devs[q.dev]!.deactivated) return;
    this.netifScheduleQdisc(q);
  }

  /** __netif_schedule (§D.5): set SCHED once, raise NET_TX softirq */
  private netifScheduleQdisc(q: Qdisc): void {
    if (q.scheduled) return;
    q.scheduled = true;
    this.heap.push(this.now + this.softirqDelayNs, A_NET_TX, q.id);
  }

  /** net_tx_action (§D.5): clear SCHED, qdisc_run */
  private onNetTxAction(q: Qdisc): void {
    q.scheduled = false;
    const dev = this.devs[q.dev]!;
    this.curDev = q.dev;
    this.curTask = 0;
    this.curCpu = 0;
    if (dev.deactivated) return;
    this.qdiscRun(dev, q);
  }

  // ---------------------------------------------------------------- DriverHost

  netifSchedule(d: number, queue: number): void {
    const q = this.devs[d]!.qdiscOfQueue[queue];
    if (q) this.netifScheduleQdisc(q);
  }

  freeSkb(d: number, queue: number, skb: number, consumed: boolean, reason: number, location: number): void {
    this.freeSkbAt(this.devs[d]!, queue, skb, consumed, reason, location);
  }

  /** the fields every skb-free event carries; returns the skb's length */
  private freeEventFor(queue: number, skb: number, location: number): number {
    const ev = this.ev;
    ev.dev = this.pool.dev[skb]!;
    ev.queue = queue;
    ev.skb = skb;
    ev.location = location;
    return this.pool.lenBytes[skb]!;
  }

  private freeSkbAt(
    dev: DevRuntime,
    queue: number,
    skb: number,
    consumed: boolean,
    reason: number,
    location: number,
  ): void {
    const len = this.freeEventFor(queue, skb, location);
    if (consumed) {
      dev.stats.sentBytes += len;
      dev.stats.sentPackets++;
      this.emit(TraceKind.consumeSkb);
    } else {
      dev.stats.droppedBytes += len;
      dev.stats.droppedPackets++;
      this.ev.reason = reason;
      this.emit(TraceKind.kfreeSkb);
    }
    this.pool.free(skb);
  }

  hwKick(tq: DriverTxQueue): void {
    if (tq.isVeth) this.vethNapiSchedule(tq);
    else if (!tq.hwBusy) this.startHw(tq);
  }

  /** __veth_xdp_flush → napi_schedule of the peer rq's NAPI (threaded: wakes napi/<peer>) */
  private vethNapiSchedule(tq: DriverTxQueue): void {
    if (!tq.faultPeerDown && tq.napi.schedulePrep())
      this.heap.push(this.vethNapiRunAt(this.devs[tq.dev]!, this.now + this.softirqDelayNs), A_NAPI, this.gqIndex(tq));
  }

  /** the first instant ≥ t at which the starved NAPI thread has the CPU (always t when not starved) */
  private vethNapiRunAt(dev: DevRuntime, t: number): number {
    const period = dev.vethPeriodNs;
    if (period <= 0) return t;
    const phase = t % period;
    return phase < dev.vethRunNs ? t : t - phase + period;
  }

  discardSkb(d: number, queue: number, skb: number, location: number): void {
    const dev = this.devs[d]!;
    const len = this.freeEventFor(queue, skb, location);
    dev.stats.droppedBytes += len;
    dev.stats.droppedPackets++;
    this.emit(TraceKind.consumeSkb);
    this.pool.free(skb);
  }

  driverLog(d: number, queue: number, text: string): void {
    const kind = text.startsWith('Detected Tx Unit Hang') ? 'igb_tx_unit_hang' : 'driver';
    this.log(this.devs[d]!, queue, kind, text);
  }

  private log(dev: DevRuntime, queue: number, kind: string, text: string): void {
    const rec: SimLogRecord = { tsNs: this.scenario.startOffsetNs + this.now, dev: dev.cfg.name, queue, kind, text };
    this.logs.push(rec);
    if (this.onLog !== null) this.onLog(rec);
  }

  dqlStall(d: number, queue: number, stall: DqlStallEvent): void {
    const ev = this.ev;
    ev.dev = d;
    ev.queue = queue;
    ev.stallThrs = stall.thrs;
    ev.stallLen = stall.len;
    ev.stallLastReap = stall.lastReap;
    ev.stallHistHead = stall.histHead;
    ev.stallNow = stall.now;
    for (let i = 0; i < 4; i++) ev.stallHist[i] = stall.hist[i] ?? 0n;
    this.emit(TraceKind.dqlStallDetected);
  }

  // ---------------------------------------------------------------- hardware, IRQ, NAPI (§F, §G)

  private gqIndex(tq: DriverTxQueue): number {
    return tq.globalIndex;
  }

  private startHw(tq: DriverTxQueue): void {
    const dev = this.devs[tq.dev]!;
    if (tq.faultDmaStuck || tq.hwTxError || !dev.carrierOk) return;
    const len = tq.hwNextLen();
    if (len < 0) return;
    tq.hwBusy = true;
    this.heap.push(
      this.now + Math.max(1, Math.ceil((len + WIRE_OVERHEAD_BYTES) * dev.nsPerByte)),
      A_HW_DONE,
      this.gqIndex(tq),
    );
  }

  private onHwDone(tq: DriverTxQueue): void {
    tq.hwBusy = false;
    if (tq.hwTxError) return; // TUND/RLE/TXERR aborted the frame in progress (§G.2)
    if (tq.hwNextLen() < 0) return; // ring was reset meanwhile
    tq.hwCompleteOne();
    this.raiseIrq(tq);
    this.startHw(tq);
    // macb: the controller stopped at a TX_USED descriptor → TXUBR (same interrupt as the TCOMP just raised):
    // the poll will call macb_tx_restart (§G.2 interrupts)
    if (tq.isMacb && !tq.hwBusy) tq.txubrPending = true;
  }

  private raiseIrq(tq: DriverTxQueue): void {
    if (tq.isVeth) {
      this.vethNapiSchedule(tq);
      return;
    }
    if (tq.irqMasked || tq.irqPending) return;
    tq.irqPending = true;
    this.heap.push(this.now + this.devs[tq.dev]!.irqCoalesceNs, A_IRQ, this.gqIndex(tq));
  }

  /** the interrupt fires: auto-mask, napi_schedule (or lost: the vector stays masked, §I.1) */
  private onIrq(tq: DriverTxQueue): void {
    tq.irqPending = false;
    if (tq.irqMasked) return;
    tq.irqMasked = true;
    const dev = this.devs[tq.dev]!;
    if (tq.faultLostIrq && dev.lostIrqBudget[tq.index]! > 0) {
      dev.lostIrqBudget[tq.index]!--;
      tq.lostIrqs++;
      return;
    }
    tq.irqsHandled++;
    if (tq.napi.schedulePrep()) this.napiScheduleNetRx(tq);
  }

  /** ____napi_schedule: append to this CPU's softnet poll_list, raise NET_RX_SOFTIRQ if not yet raised (§F) */
  private napiScheduleNetRx(tq: DriverTxQueue): void {
    const c = tq.index % NR_CPUS;
    this.sdPoll[c]![this.sdPollLen[c]!++] = this.gqIndex(tq);
    if (this.sdRaised[c] === 0) {
      this.sdRaised[c] = 1;
      this.heap.push(this.now + this.softirqDelayNs, A_NET_RX, c);
    }
  }

  /**
   * net_rx_action (§F): take the poll_list, poll each NAPI once with budget = netdev_budget (300) shared by the run;
   * a NAPI that used its whole weight goes to `repoll` (polled in the next run, not this one). After a poll, if the
   * budget is spent (or netdev_budget_usecs = 2 jiffies are up — never here, software takes no simulated time),
   * time_squeeze++ and stop. Then poll_list = unprocessed + newly scheduled + repoll, and NET_RX is raised again
   * if it is not empty (__do_softirq restarts it at once).
   */
  private onNetRxAction(c: number): void {
    this.sdRaised[c] = 0;
    this.netRxRuns[c]!++;
    const n = this.sdPollLen[c]!;
    const list = this.netRxList;
    const sd = this.sdPoll[c]!;
    for (let i = 0; i < n; i++) list[i] = sd[i]!;
    this.sdPollLen[c] = 0;
    let budget = this.netdevBudget;
    let repollN = 0;
    let i = 0;
    while (i < n) {
      const tq = this.gq[list[i++]!]!;
      if (this.napiPoll(tq)) this.netRxRepoll[repollN++] = this.gqIndex(tq);
      budget -= tq.napi.lastWork;
      if (budget <= 0) {
        this.timeSqueeze[c]!++;
        break;
      }
    }
    // poll_list = list[i..n) + (scheduled during the run: sd[0..len)) + repoll
    const added = this.sdPollLen[c]!;
    const rest = n - i;
    if (rest > 0 || repollN > 0) {
      for (let k = added - 1; k >= 0; k--) sd[rest + k] = sd[k]!;
      for (let k = 0; k < rest; k++) sd[k] = list[i + k]!;
      for (let k = 0; k < repollN; k++) sd[rest + added + k] = this.netRxRepoll[k]!;
      this.sdPollLen[c] = rest + added + repollN;
    }
    if (this.sdPollLen[c]! > 0 && this.sdRaised[c] === 0) {
      this.sdRaised[c] = 1;
      this.heap.push(this.now, A_NET_RX, c);
    }
  }

  /** threaded NAPI (veth peer): its own kthread, not net_rx_action */
  private onNapiPoll(tq: DriverTxQueue): void {
    if (tq.faultPeerDown) return; // veth_napi_del: the peer's NAPI is gone
    this.napiPoll(tq);
  }

  /** one napi_poll; returns true when the instance stays scheduled (work == weight) and must be repolled */
  private napiPoll(tq: DriverTxQueue): boolean {
    this.curDev = tq.dev;
    this.curTask = 0;
    this.curCpu = tq.index % 2;
    const veth = tq.profile.kind === 'veth';
    const dev = this.devs[tq.dev]!;
    if (veth) this.curTask = dev.vethNapiTask;
    const work = tq.poll();
    const ev = this.ev;
    // veth: the poll is the peer device's NAPI ("for device vr0"): perf-script device index nDev + dev
    ev.dev = veth ? this.devs.length + tq.dev : tq.dev;
    ev.queue = tq.index;
    ev.work = work;
    ev.budget = tq.napi.weight;
    this.emit(TraceKind.napiPoll);
    if (tq.napi.afterPoll(work)) {
      if (veth) this.heap.push(this.vethNapiRunAt(dev, this.now + work * dev.vethCostNs), A_NAPI, this.gqIndex(tq));
      return true;
    }
    if (veth) {
      // veth_poll: napi_complete_done, then reschedule if the ring is not empty (rx_notify_masked dance)
      if (tq.hasCompletedPending()) this.vethNapiSchedule(tq);
      return false;
    }
    // napi_complete_done → re-enable the interrupt; a cause latched meanwhile fires now (igb EIMS, macb
    // complete_pending re-check, virtqueue_napi_complete's virtqueue_poll)
    tq.irqMasked = false;
    if (tq.hasCompletedPending() || tq.irqLatched) {
      tq.irqLatched = false;
      this.raiseIrq(tq);
    }
    return false;
  }

  // ---------------------------------------------------------------- watchdog (§E)

  /** dev_activate → dev_watchdog_up → __netdev_watchdog_up: only with ndo_tx_timeout (§E) */
  private watchdogUp(dev: DevRuntime): void {
    const j = netdevWatchdogUp(this.jiffiesOf(dev), dev.watchdogTimeoJiffies, dev.hz, dev.profile.hasTxTimeout);
    if (j !== null) this.armWatchdogJ(dev, dev.index, j);
  }

  private onWatchdog(d: number): void {
    const dev = this.devs[d]!;
    if (dev.watchdogDueNs !== this.now) return; // cancelled or superseded
    dev.watchdogDueNs = -1;
    this.curDev = d;
    this.curTask = 0;
    this.curCpu = 0;
    const j = this.jiffiesOf(dev);
    let timeoutQueue = -1;
    // dev_watchdog (§E): scan, trans_timeout++, freeze → ndo_tx_timeout → unfreeze (or ≤6.8: all under netif_tx_lock)
    const run = devWatchdogRun(dev.txqs, j, dev.watchdogTimeoJiffies, dev.hz, dev.kernel, {
      carrierOk: dev.carrierOk,
      ndoTxTimeout: (queue) => {
        timeoutQueue = queue;
        // igb_tx_timeout schedules reset_task; virtio_net/generic only log (§E driver reactions)
        if (dev.profile.kind === 'igb') this.heap.push(this.now + Math.round(dev.cfg.resetDelayMs * 1e6), A_RESET, d);
      },
    });
    // the frozen_never_unfrozen fault: that queue's FROZEN bit never clears
    for (let q = 0; q < dev.txqs.length; q++) if (dev.frozenForever[q]) dev.txqs[q]!.freeze();
    if (run.timeoutHandled && timeoutQueue >= 0) {
      const ev = this.ev;
      ev.dev = d;
      ev.queue = timeoutQueue;
      this.emit(TraceKind.netDevXmitTimeout);
      dev.stats.watchdogFires++;
      this.watchdogFires.push({ tsNs: this.now, dev: d, queue: timeoutQueue, timedOutMs: run.timedOutMs });
    }
    for (const q of run.scheduledQueues) if (!dev.frozenForever[q]) this.netifSchedule(d, q);
    if (run.nextFireJiffies !== null && !dev.deactivated) this.armWatchdogJ(dev, d, run.nextFireJiffies);
  }

  private armWatchdogJ(dev: DevRuntime, d: number, j: number): void {
    // a timer whose expiry is not in the future runs at the next tick (the timer wheel only runs on ticks)
    const now = this.jiffiesOf(dev);
    const t = this.nsOfJiffies(dev, j > now ? j : now + 1);
    dev.watchdogDueNs = t;
    this.heap.push(t, A_WATCHDOG, d);
  }

  /** igb reset_task (§E): reinit all rings; netdev_tx_reset_queue; start (not wake) the queues */
  private onResetTask(d: number): void {
    const dev = this.devs[d]!;
    this.curDev = d;
    this.curTask = this.kworkerTask;
    this.curCpu = 0;
    for (const tq of dev.queues) tq.resetRing();
    // igb_reinit_locked: igb_down stops the watchdog timer, igb_up schedules watchdog_task at once (new 2 s phase)
    if (dev.cfg.igbWatchdogTask) {
      dev.igbTaskDueNs = this.now;
      this.heap.push(this.now, A_IGB_WATCHDOG_TASK, d);
    }
    // igb_down/igb_up take the link down; copper needs autonegotiation before the carrier is back
    if (dev.cfg.resetLinkDownMs > 0) {
      this.carrierOff(dev);
      this.heap.push(this.now + Math.round(dev.cfg.resetLinkDownMs * 1e6), A_CARRIER_ON, d);
    }
  }

  // ---------------------------------------------------------------- igb_watchdog_task (§G.1)

  /**
   * igb_watchdog_task: with the carrier down and TX work queued, count a tx timeout and schedule the reset (and
   * return: no re-arm); otherwise set IGB_RING_FLAG_TX_DETECT_HANG on every ring, fire a software interrupt on every
   * vector (EICS) so each ring is cleaned (and hang-checked) even without a completion, and re-arm at
   * round_jiffies(jiffies + 2*HZ).
   */
  private onIgbWatchdogTask(d: number): void {
    const dev = this.devs[d]!;
    if (dev.igbTaskDueNs !== this.now) return;
    dev.igbTaskDueNs = -1;
    this.curDev = d;
    this.curTask = this.kworkerTask;
    this.curCpu = 0;
    for (const tq of dev.queues) {
      if (!dev.carrierOk && tq.occupancy > 0) {
        // "We've lost link, so the controller stops DMA, but we've got queued Tx work": reset is imminent
        this.heap.push(this.now + Math.round(dev.cfg.resetDelayMs * 1e6), A_RESET, d);
        return;
      }
      tq.detectHang = true;
    }
    // EICS: a latched cause on a masked vector fires when the vector is re-enabled (never, for a lost MSI-X)
    for (const tq of dev.queues) {
      if (tq.irqMasked) tq.irqLatched = true;
      else this.raiseIrq(tq);
    }
    const j = this.jiffiesOf(dev);
    const next = roundJiffies(j + 2 * dev.hz, dev.hz, j);
    const t = this.nsOfJiffies(dev, next > j ? next : j + 1);
    dev.igbTaskDueNs = t;
    this.heap.push(t, A_IGB_WATCHDOG_TASK, d);
  }

  // ---------------------------------------------------------------- macb TX error task (§G.2)

  /**
   * macb_tx_error_task for one queue: napi_disable (the task runs atomically here), netif_tx_stop_all_queues, halt,
   * walk tail→head (macbTxErrorReset), TBQP to ring start, tx_head = tx_tail = 0, netif_tx_start_all_queues
   * (start, NOT wake: no queue's qdisc is rescheduled, the backlog waits for the next enqueue, §I.4), TSTART,
   * napi_enable. The frees are napi_consume_skb(skb, 0) under spin_lock_irqsave → completion queue → consume_skb
   * from net_tx_action; modelled at the task's instant.
   */
  private onMacbTxErrorTask(tq: DriverTxQueue): void {
    const dev = this.devs[tq.dev]!;
    this.curDev = tq.dev;
    this.curTask = this.kworkerTask;
    this.curCpu = 0;
    for (const q of dev.queues) q.stopFromTask();
    // netdev_vdbg "macb_tx_error_task: q = %u, t = %u, h = %u" (free-running tail/head before the reset)
    const text = `macb_tx_error_task: q = ${tq.index}, t = ${tq.tail >>> 0}, h = ${tq.head >>> 0}`;
    const discarded = tq.macbTxErrorReset();
    this.log(dev, tq.index, 'macb_tx_error', `${text} (${discarded} bytes discarded, not reported to BQL)`);
    for (const q of dev.queues) q.startFromTask();
    this.hwKick(tq);
  }

  // ---------------------------------------------------------------- faults (§I)

  private onFault(i: number, start: boolean): void {
    const f = this.faults[i]!;
    if (f.kind === 'tracer_lost') {
      this.tracerLoss.set(f.cpu, start);
      return;
    }
    const dev = this.devs[f.dev]!;
    if (this.onDeviceFault(f, dev, start)) return;
    this.curDev = f.dev;
    const qs = f.queue >= 0 ? [dev.queues[f.queue]!] : dev.queues;
    for (const tq of qs) {
      switch (f.kind) {
        case 'lost_irq':
          tq.faultLostIrq = start;
          dev.lostIrqBudget[tq.index] = start ? f.count : 0;
          break;
        case 'dma_stuck':
          tq.faultDmaStuck = start;
          if (!start) this.hwKick(tq);
          break;
        case 'lost_wakeup':
          tq.faultLostWakeup = start;
          break;
        case 'tx_busy_while_awake':
          tq.faultTxBusyWhileAwake = start;
          break;
        case 'frozen_never_unfrozen':
          dev.frozenForever[tq.index] = true;
          tq.txq.freeze();
          break;
        case 'link_down':
          tq.carrierOk = !start;
          break;
        case 'lost_tstart':
          tq.faultLostTstart = start;
          break;
        case 'doorbell_skipped':
          tq.faultSkipDoorbell = start;
          break;
        case 'bql_completed_zero':
          tq.faultBqlZeroBytes = start;
          break;
        case 'peer_down':
          if (start) tq.vethPeerClose();
          break;
        case 'macb_tx_error':
          // TUND/RLE/TXERR: the controller halts and aborts the frame in progress; the interrupt handler queues
          // tx_error_task (schedule_work), which runs resetDelayMs later (§G.2)
          if (start && !tq.hwTxError) {
            tq.hwTxError = true;
            this.heap.push(this.now + Math.round(dev.cfg.resetDelayMs * 1e6), A_MACB_TX_ERROR, this.gqIndex(tq));
          }
          break;
      }
    }
    if (f.kind === 'link_down') {
      if (start) this.carrierOff(dev);
      else this.carrierOn(dev);
    }
  }

  /** the faults of a whole device's path (neighbour layer) or of one queue's qdisc run; false for the others */
  private onDeviceFault(f: FaultRuntime, dev: DevRuntime, start: boolean): boolean {
    switch (f.kind) {
      case 'neigh_table_full':
        dev.neighCreateFail = start;
        return true;
      case 'neigh_unresolved':
        if (start) dev.neighQueue ??= new NeighArpQueue();
        else if (dev.neighQueue !== null) {
          // neigh_invalidate: resolution gave up (NUD_FAILED), the queued skbs are freed
          dev.neighQueue.flush((skb) =>
            this.freeBeforeDevice(skb, DropReason.NEIGH_FAILED, FreeLocation.neighInvalidate),
          );
          dev.neighQueue = null;
        }
        return true;
      case 'qdisc_run_missed':
        for (let q = 0; q < dev.runMissedBudget.length; q++)
          if (f.queue < 0 || f.queue === q) dev.runMissedBudget[q] = start ? f.count : 0;
        return true;
    }
    return false;
  }

  /** netif_carrier_off → linkwatch → dev_deactivate: noop qdisc, qdisc_reset frees the backlog, watchdog down */
  private carrierOff(dev: DevRuntime): void {
    dev.carrierOk = false;
    for (const tq of dev.queues) tq.carrierOk = false;
    dev.deactivated = true;
    dev.watchdogDueNs = -1;
    for (const q of dev.qdiscs) {
      const queue = q.oneTxQueue >= 0 ? q.oneTxQueue : 0;
      const drop = (skb: number): void =>
        this.freeSkbAt(dev, queue, skb, false, DropReason.NOT_SPECIFIED, FreeLocation.qdiscReset);
      for (let skb = q.requeued.shift(); skb >= 0; skb = q.requeued.shift()) drop(skb);
      q.requeuedBytes = 0;
      q.discipline.drain(drop);
      q.scheduled = false;
    }
  }

  /** netif_carrier_on → dev_activate: qdisc back, trans_start reset (§C), watchdog up, hardware resumes */
  private carrierOn(dev: DevRuntime): void {
    dev.carrierOk = true;
    for (const tq of dev.queues) tq.carrierOk = true;
    dev.deactivated = false;
    devActivateTransStart(dev.txqs, this.jiffiesOf(dev));
    for (const tq of dev.queues) this.hwKick(tq);
    this.watchdogUp(dev);
  }

  // ---------------------------------------------------------------- events & results

  private emit(kind: TraceKindValue): void {
    const ev = this.ev;
    if (this.tracerLoss.drops(this.curCpu)) return;
    ev.tsNs = this.startOffsetNs + this.now;
    ev.task = this.curTask;
    ev.cpu = this.curCpu;
    const lost = this.tracerLoss.takePending(this.curCpu);
    if (lost > 0) {
      // perf_output_begin: the PERF_RECORD_LOST record goes into the buffer first, with this event's time
      ev.kind = TraceKind.lostEvents;
      ev.lost = lost;
      this.events++;
      this.eventCounts[TraceKind.lostEvents] = this.eventCounts[TraceKind.lostEvents]! + 1;
      if (this.onEvent !== null) this.onEvent(ev);
    }
    ev.kind = kind;
    this.events++;
    this.eventCounts[kind] = this.eventCounts[kind]! + 1;
    if (this.onEvent !== null) this.onEvent(ev);
  }

  /** invariants of the "Done means": throws with a description when one is broken */
  assertInvariants(): void {
    for (const dev of this.devs) {
      let backlog = 0;
      for (const q of dev.qdiscs) backlog += q.backlogBytes;
      for (const tq of dev.queues) {
        const dql = tq.txq.dql;
        if (dql && dql.inflight() < 0)
          throw new Error(`${dev.cfg.name} q${tq.index}: DQL inflight ${dql.inflight()} < 0 at ${this.now} ns`);
        // CIRC_SPACE rings keep one slot empty; a virtqueue (§G.3 num_free) and a ptr_ring (veth) use every entry
        const maxOcc = dev.profile.kind === 'virtio_net' || dev.profile.kind === 'veth' ? tq.ringSize : tq.ringSize - 1;
        if (tq.occupancy < 0 || tq.occupancy > maxOcc)
          throw new Error(
            `${dev.cfg.name} q${tq.index}: ring occupancy ${tq.occupancy} outside 0..${maxOcc} at ${this.now} ns`,
          );
        backlog += tq.ringBytes();
      }
      const s = dev.stats;
      if (s.queuedBytes !== s.sentBytes + s.droppedBytes + backlog) {
        throw new Error(
          `${dev.cfg.name}: bytes not conserved at ${this.now} ns: queued ${s.queuedBytes} != sent ${s.sentBytes} + dropped ${s.droppedBytes} + backlog ${backlog}`,
        );
      }
    }
  }

  /** per-device byte accounting at the current instant */
  byteAccount(d: number): { queued: number; sent: number; dropped: number; backlog: number } {
    const dev = this.devs[d]!;
    let backlog = 0;
    for (const q of dev.qdiscs) backlog += q.backlogBytes;
    for (const tq of dev.queues) backlog += tq.ringBytes();
    return { queued: dev.stats.queuedBytes, sent: dev.stats.sentBytes, dropped: dev.stats.droppedBytes, backlog };
  }

  /** the qdisc attached to a TX queue (null: noqueue) */
  qdiscOf(d: number, queue: number): Qdisc | null {
    return this.devs[d]!.qdiscOfQueue[queue] ?? null;
  }
  driverQueue(d: number, queue: number): DriverTxQueue {
    return this.devs[d]!.queues[queue]!;
  }

  /** every qdisc's `tc -s` counters now */
  private qdiscStats(): QdiscStats[] {
    return this.allQdiscs.map((q) => ({
      dev: this.devs[q.dev]!.cfg.name,
      kind: q.discipline.kind,
      handle: q.handle,
      parent: q.parent,
      txQueue: q.oneTxQueue,
      sentBytes: q.sentBytes,
      sentPackets: q.sentPackets,
      drops: q.drops,
      requeues: q.requeues,
      overlimits: q.discipline.overlimits ?? 0,
      backlogBytes: q.backlogBytes,
      qlen: q.qlen,
    }));
  }

  private result(): SimResult {
    const names = [
      'net_dev_queue',
      'qdisc_enqueue',
      'qdisc_dequeue',
      'net_dev_start_xmit',
      'net_dev_xmit',
      'napi_poll',
      'consume_skb',
      'kfree_skb',
      'net_dev_xmit_timeout',
      'dql_stall_detected',
      'PERF_RECORD_LOST',
    ];
    const eventCounts: Record<string, number> = {};
    names.forEach((n, k) => (eventCounts[n] = this.eventCounts[k]!));
    const queues: QueueStats[] = [];
    for (const dev of this.devs) {
      for (const tq of dev.queues) {
        const dql = tq.txq.dql;
        queues.push({
          dev: dev.cfg.name,
          queue: tq.index,
          state: tq.txq.state,
          stops: tq.stops,
          wakes: tq.wakes,
          xmitBusy: tq.xmitBusy,
          maxStoppedNs: tq.maxStoppedNs,
          stoppedSinceNs: tq.stoppedSinceNs,
          resets: tq.resets,
          lostIrqs: tq.lostIrqs,
          irqsHandled: tq.irqsHandled,
          lostWakeups: tq.lostWakeups,
          txHangs: tq.txHangs,
          txErrors: tq.txErrors,
          tstartLost: tq.tstartLost,
          txRestarts: tq.txRestarts,
          txErrorDiscardedBytes: tq.txErrorDiscardedBytes,
          ringOccupancy: tq.occupancy,
          dqlInflight: dql ? dql.inflight() : null,
          dqlLimit: dql ? dql.limit : null,
          napiPolls: tq.napi.polls,
        });
      }
    }
    for (const d of this.devs)
      d.stats.qdiscOverlimits = d.qdiscs.reduce((a, q) => a + (q.discipline.overlimits ?? 0), 0);
    const devices = this.devs.map((d) => ({ ...d.stats }));
    return {
      endNs: this.now,
      qdiscs: this.qdiscStats(),
      events: this.events,
      eventCounts,
      devices,
      queues,
      watchdogFires: this.watchdogFires.slice(),
      logs: this.logs.slice(),
      softnet: Array.from({ length: NR_CPUS }, (_, cpu) => ({
        cpu,
        netRxRuns: this.netRxRuns[cpu]!,
        timeSqueeze: this.timeSqueeze[cpu]!,
      })),
      enobufs: devices.reduce((a, d) => a + d.enobufs, 0),
      enetdown: devices.reduce((a, d) => a + d.enetdown, 0),
      qdiscDrops: devices.reduce((a, d) => a + d.qdiscDrops, 0),
    };
  }
}

/** Run a resolved scenario to completion. */
function simulate(scenario: ResolvedScenario, opts: SimOptions = {}): SimResult {
  return new Simulator(scenario, opts).run();
}
