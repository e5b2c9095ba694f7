/**
 * Scenario schema for the simulator (README "Simulation"), its defaults and validation.
 * `parseScenario(text, file)` reports bad input with the file, the JSON line (syntax errors) or the field path.
 */
import { DRIVER_PROFILES, bqlDefault, type DriverKind, type DriverProfile } from '../core/driver/profiles.js';
import { FAULT_KINDS, type FaultKind, type FaultSpec } from './faults.js';

import type { TbfConfig } from '../core/qdisc/tbf.js';
import type { FqCodelConfig } from '../core/qdisc/fq-codel.js';

type QdiscKind = 'pfifo_fast' | 'pfifo' | 'bfifo' | 'tbf' | 'fq_codel' | 'mq' | 'noqueue';
export type LeafQdiscKind = 'pfifo_fast' | 'pfifo' | 'bfifo' | 'tbf' | 'fq_codel';
const LEAF_KINDS: readonly string[] = ['pfifo_fast', 'pfifo', 'bfifo', 'tbf', 'fq_codel'];

interface ScenarioDevice {
  name: string;
  ifindex?: number;
  driver: DriverKind;
  numTxQueues?: number;
  ringSize?: number;
  linkRateBps: number;
  qdisc?: QdiscKind;
  /** mq: the child kind (default pfifo_fast) */
  mqChild?: LeafQdiscKind;
  /** pfifo: packets, bfifo: bytes (defaults: txqueuelen, txqueuelen*mtu) */
  qdiscLimit?: number;
  /** root qdisc handle (default 0 = the kernel's default qdisc) */
  qdiscHandle?: number;
  txqueuelen?: number;
  mtu?: number;
  watchdogTimeoMs?: number;
  /** kernel release, e.g. "6.12.117" (default: the scenario's) */
  kernel?: string;
  /** CONFIG_HZ (default: the scenario's) */
  hz?: number;
  bql?: boolean;
  /** interrupt coalescing delay between a completion and its interrupt */
  irqCoalesceUs?: number;
  /** extra descriptors per packet (igb context descriptor) */
  extraDescsPerPacket?: number;
  /** delay of the driver's reset work after ndo_tx_timeout (igb) */
  resetDelayMs?: number;
  /** carrier-down time of that reset (igb_down → autonegotiation → carrier on); 0 = carrier stays up (default) */
  resetLinkDownMs?: number;
  /** BQL hold_time in ms (default 1000) */
  bqlHoldTimeMs?: number;
  /** byte_queue_limits/limit_min in bytes (default 0) */
  bqlLimitMinBytes?: number;
  /** byte_queue_limits/stall_thrs in ms (6.9+; 0 = off, the default): enables napi:dql_stall_detected (§A.5) */
  bqlStallThrsMs?: number;
  /**
   * igb: run igb_watchdog_task every 2 s (DETECT_HANG + EICS kick → "Detected Tx Unit Hang", §G.1). The kernel always
   * runs it; default false so the shipped seed scenarios keep their exact event streams.
   */
  igbWatchdogTask?: boolean;
  /** tbf parameters (qdisc or mqChild "tbf"): `tc qdisc add … tbf rate <rateBps>bit burst <burstBytes> limit <limitBytes>` */
  tbf?: TbfConfig;
  /** fq_codel parameters (qdisc or mqChild "fq_codel"); kernel defaults when absent */
  fqCodel?: FqCodelConfig;
  /** driver "veth": the peer device whose NAPI consumes the ring (ringSize = its ptr_ring, VETH_RING_SIZE 256) */
  vethPeer?: VethPeerConfig;
}

/**
 * The veth peer's receive NAPI. Threaded NAPI (`napi/<peer>-<pid>`) at nice 19 on the sender's busy CPU gets the CPU
 * only now and then: modelled as run windows of `napiRunMs` every `napiPeriodMs` (0 = always runnable), each poll
 * costing `napiCostNsPerPacket` per consumed packet.
 */
interface VethPeerConfig {
  name?: string;
  ifindex?: number;
  napiPid?: number;
  /** the NAPI id in the thread's name napi/<peer>-<id> */
  napiId?: number;
  napiPeriodMs?: number;
  napiRunMs?: number;
  napiCostNsPerPacket?: number;
  /**
   * "napi" (default): the peer rq's own NAPI (threaded `napi/<peer>-<id>`, GRO or XDP on) drains a ptr_ring.
   * "backlog": no GRO/XDP on the peer, so veth_xmit delivers by netif_rx into the sending CPU's backlog
   * (input_pkt_queue, ringSize = netdev_max_backlog), drained by process_backlog — a NAPI whose napi->dev is NULL,
   * printed `for device (no_device)` — run by ksoftirqd (the napiPeriodMs/napiRunMs windows then starve ksoftirqd).
   */
  rxPath?: 'napi' | 'backlog';
}
interface ResolvedVethPeer {
  name: string;
  ifindex: number;
  napiPid: number;
  napiId: number;
  napiPeriodMs: number;
  napiRunMs: number;
  napiCostNsPerPacket: number;
  rxPath: 'napi' | 'backlog';
}

interface ScenarioSource {
  name: string;
  comm?: string;
  pid?: number;
  cpu?: number;
  device: string;
  ratePps: number;
  startMs?: number;
  stopMs?: number;
  /** packet length in bytes (skb->len): a value, a list to cycle through, or a uniform range */
  sizes?: number | number[] | { min: number; max: number };
  pattern?: 'constant' | 'poisson';
  flows?: number;
  /** flow i → TX queue queueMap[i % len] (default: flow % numTxQueues) */
  queueMap?: number[];
  /** skb->priority per flow (pfifo_fast priomap), a value or a list indexed by flow */
  priority?: number | number[];
  /** extra bursts: `packets` sent back to back every `everyMs` */
  burst?: { everyMs: number; packets: number };
  /** socket has IP_RECVERR (ping-like): a qdisc drop is returned as ENOBUFS (§D.3). Default true. */
  recverr?: boolean;
}

export interface Scenario {
  name?: string;
  seed?: number;
  durationMs: number;
  /** simulated clock at t=0 (ns), so timestamps look like uptime */
  startOffsetNs?: number;
  kernel?: string;
  hz?: number;
  /** delay from raising a softirq (NET_TX, NET_RX) to it running */
  softirqDelayNs?: number;
  /** net.core.netdev_budget: packets per net_rx_action run (default 300, §F) */
  netdevBudget?: number;
  devices: ScenarioDevice[];
  sources: ScenarioSource[];
  faults?: FaultSpec[];
}

export interface ResolvedDevice extends Required<Omit<ScenarioDevice, 'qdiscLimit' | 'tbf' | 'vethPeer' | 'fqCodel'>> {
  fqCodel: FqCodelConfig;
  qdiscLimit: number;
  tbf: TbfConfig | null;
  vethPeer: ResolvedVethPeer | null;
}
export interface ResolvedSource extends Required<Omit<ScenarioSource, 'sizes' | 'priority'>> {
  sizes: number[] | { min: number; max: number };
  priority: number[];
  /** device index */
  dev: number;
  burst: { everyMs: number; packets: number };
}
export interface ResolvedScenario {
  name: string;
  seed: number;
  durationMs: number;
  startOffsetNs: number;
  softirqDelayNs: number;
  netdevBudget: number;
  devices: ResolvedDevice[];
  sources: ResolvedSource[];
  faults: (FaultSpec & { dev: number })[];
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    message: string,
  ) {
    super(`${file}: ${where}: ${message}`);
    this.name = 'ScenarioError';
  }
}

function resolveFqCodel(
  f: FqCodelConfig | undefined,
  where: string,
  num: (v: unknown, where: string, min: number, integer?: boolean) => number,
): FqCodelConfig {
  if (f === undefined) return {};
  const out: FqCodelConfig = {};
  for (const k of [
    'limitPackets',
    'flows',
    'memoryLimitBytes',
    'targetUs',
    'intervalUs',
    'quantumBytes',
    'dropBatchSize',
  ] as const) {
    if (f[k] !== undefined) out[k] = num(f[k], `${where}.${k}`, 1, true);
  }
  if ((out.dropBatchSize ?? 64) > 65536) num(-1, `${where}.dropBatchSize`, 1, true);
  if ((out.flows ?? 1024) > 65536) num(-1, `${where}.flows`, 1, true);
  return out;
}

/** Parse and validate scenario JSON text. */
export function parseScenario(text: string, file = '<scenario>'): ResolvedScenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
    throw new ScenarioError(file, `line ${line}`, `invalid JSON: ${msg}`);
  }
  return resolveScenario(raw as Scenario, file);
}

type Num = (v: unknown, where: string, min: number, integer?: boolean) => number;

/** How a resolver reports a bad field: ScenarioError with the file and the field's path. */
interface Checks {
  fail: (where: string, msg: string) => never;
  num: Num;
}

function checks(file: string): Checks {
  const fail = (where: string, msg: string): never => {
    throw new ScenarioError(file, where, msg);
  };
  const num: Num = (v, where, min, integer = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      fail(where, `expected ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  return { fail, num };
}

export function resolveScenario(s: Scenario, file = '<scenario>'): ResolvedScenario {
  const c = checks(file);
  const { fail, num } = c;
  if (typeof s !== 'object' || s === null) fail('$', 'scenario must be a JSON object');
  const durationMs = num(s.durationMs, 'durationMs', 0);
  const kernel = s.kernel ?? '6.12.117';
  const hz = s.hz ?? 250;
  if (!Array.isArray(s.devices) || s.devices.length === 0) fail('devices', 'at least one device is required');
  const devNames = new Map<string, number>();
  const devices: ResolvedDevice[] = s.devices.map((d, i) => resolveDevice(d, i, c, devNames, kernel, hz));
  if (!Array.isArray(s.sources)) fail('sources', 'required array');
  const sources: ResolvedSource[] = s.sources.map((src, i) => resolveSource(src, i, c, devNames, devices, durationMs));
  const faults = (s.faults ?? []).map((f, i) => resolveFault(f, i, c, devNames, devices));
  return {
    name: s.name ?? 'scenario',
    seed: s.seed ?? 1,
    durationMs,
    startOffsetNs: s.startOffsetNs === undefined ? 0 : num(s.startOffsetNs, 'startOffsetNs', 0, true),
    softirqDelayNs: s.softirqDelayNs === undefined ? 2000 : num(s.softirqDelayNs, 'softirqDelayNs', 0, true),
    netdevBudget: s.netdevBudget === undefined ? 300 : num(s.netdevBudget, 'netdevBudget', 1, true),
    devices,
    sources,
    faults,
  };
}

function resolveDevice(
  d: ScenarioDevice,
  i: number,
  c: Checks,
  devNames: Map<string, number>,
  kernel: string,
  hz: number,
): ResolvedDevice {
  const { fail, num } = c;
  const w = `devices[${i}]`;
  if (typeof d.name !== 'string' || d.name.length === 0) fail(`${w}.name`, 'required string');
  if (devNames.has(d.name)) fail(`${w}.name`, `duplicate device ${d.name}`);
  devNames.set(d.name, i);
  if (!(d.driver in DRIVER_PROFILES))
    fail(`${w}.driver`, `unknown driver ${JSON.stringify(d.driver)} (igb|macb|virtio_net|generic|veth-like|veth)`);
  const profile = DRIVER_PROFILES[d.driver];
  const numTxQueues = d.numTxQueues === undefined ? 1 : num(d.numTxQueues, `${w}.numTxQueues`, 1, true);
  const ringSize = d.ringSize === undefined ? profile.defaultRingSize : num(d.ringSize, `${w}.ringSize`, 8, true);
  if ((ringSize & (ringSize - 1)) !== 0) fail(`${w}.ringSize`, `must be a power of two, got ${ringSize}`);
  const { qdisc, mqChild } = rootQdisc(d, w, c, profile, numTxQueues);
  if (d.vethPeer !== undefined && d.driver !== 'veth') fail(`${w}.vethPeer`, 'only for driver "veth"');
  if (
    d.vethPeer?.napiPeriodMs !== undefined &&
    d.vethPeer.napiPeriodMs > 0 &&
    !((d.vethPeer.napiRunMs ?? 0) > 0 && d.vethPeer.napiRunMs! <= d.vethPeer.napiPeriodMs)
  ) {
    fail(`${w}.vethPeer.napiRunMs`, 'must be > 0 and <= napiPeriodMs when napiPeriodMs is set');
  }
  const { tbf, txqueuelen, mtu, qdiscLimit } = qdiscLimits(d, w, c, qdisc, mqChild);
  const devKernel = d.kernel ?? kernel;
  return {
    name: d.name,
    ifindex: d.ifindex === undefined ? 2 + i : num(d.ifindex, `${w}.ifindex`, 1, true),
    driver: d.driver,
    numTxQueues,
    ringSize,
    linkRateBps: num(d.linkRateBps, `${w}.linkRateBps`, 1000),
    qdisc,
    mqChild,
    qdiscLimit,
    qdiscHandle: d.qdiscHandle === undefined ? 0 : num(d.qdiscHandle, `${w}.qdiscHandle`, 0, true),
    txqueuelen,
    mtu,
    watchdogTimeoMs: d.watchdogTimeoMs === undefined ? 5000 : num(d.watchdogTimeoMs, `${w}.watchdogTimeoMs`, 0),
    kernel: devKernel,
    hz: d.hz === undefined ? hz : num(d.hz, `${w}.hz`, 1, true),
    bql: d.bql ?? bqlDefault(profile, devKernel),
    irqCoalesceUs: d.irqCoalesceUs === undefined ? 0 : num(d.irqCoalesceUs, `${w}.irqCoalesceUs`, 0),
    extraDescsPerPacket:
      d.extraDescsPerPacket === undefined ? 0 : num(d.extraDescsPerPacket, `${w}.extraDescsPerPacket`, 0, true),
    resetDelayMs: d.resetDelayMs === undefined ? 1 : num(d.resetDelayMs, `${w}.resetDelayMs`, 0),
    resetLinkDownMs: d.resetLinkDownMs === undefined ? 0 : num(d.resetLinkDownMs, `${w}.resetLinkDownMs`, 0),
    bqlHoldTimeMs: d.bqlHoldTimeMs === undefined ? 1000 : num(d.bqlHoldTimeMs, `${w}.bqlHoldTimeMs`, 0),
    bqlStallThrsMs: d.bqlStallThrsMs === undefined ? 0 : num(d.bqlStallThrsMs, `${w}.bqlStallThrsMs`, 0),
    bqlLimitMinBytes: d.bqlLimitMinBytes === undefined ? 0 : num(d.bqlLimitMinBytes, `${w}.bqlLimitMinBytes`, 0, true),
    igbWatchdogTask: d.igbWatchdogTask ?? false,
    tbf,
    fqCodel: resolveFqCodel(d.fqCodel, `${w}.fqCodel`, num),
    vethPeer: resolveVethPeer(d, i, w, c),
  };
}

/** The root qdisc: mq (one child per txq) on a multiqueue device, else a leaf or noqueue (§D.6). */
function rootQdisc(
  d: ScenarioDevice,
  w: string,
  c: Checks,
  profile: DriverProfile,
  numTxQueues: number,
): { qdisc: QdiscKind; mqChild: LeafQdiscKind } {
  const { fail } = c;
  const qdisc: QdiscKind =
    d.qdisc ?? (numTxQueues > 1 && profile.defaultQdisc !== 'noqueue' ? 'mq' : profile.defaultQdisc);
  if (!['mq', 'noqueue', ...LEAF_KINDS].includes(qdisc)) fail(`${w}.qdisc`, `unknown qdisc ${JSON.stringify(qdisc)}`);
  const mqChild = d.mqChild ?? 'pfifo_fast';
  if (!LEAF_KINDS.includes(mqChild)) fail(`${w}.mqChild`, `unknown qdisc ${JSON.stringify(mqChild)}`);
  return { qdisc, mqChild };
}

/** The leaf qdisc's parameters: tbf rate/burst, txqueuelen and the packet or byte limit. */
function qdiscLimits(
  d: ScenarioDevice,
  w: string,
  c: Checks,
  qdisc: QdiscKind,
  mqChild: LeafQdiscKind,
): { tbf: TbfConfig | null; txqueuelen: number; mtu: number; qdiscLimit: number } {
  const { fail, num } = c;
  let tbf: TbfConfig | null = null;
  if (qdisc === 'tbf' || (qdisc === 'mq' && mqChild === 'tbf')) {
    if (typeof d.tbf !== 'object' || d.tbf === null)
      fail(`${w}.tbf`, 'required for a tbf qdisc: { rateBps, burstBytes, limitBytes }');
    tbf = {
      rateBps: num(d.tbf!.rateBps, `${w}.tbf.rateBps`, 8),
      burstBytes: num(d.tbf!.burstBytes, `${w}.tbf.burstBytes`, 1, true),
      limitBytes: num(d.tbf!.limitBytes, `${w}.tbf.limitBytes`, 0, true),
    };
  }
  const txqueuelen = d.txqueuelen === undefined ? 1000 : num(d.txqueuelen, `${w}.txqueuelen`, 0, true);
  const mtu = d.mtu === undefined ? 1500 : num(d.mtu, `${w}.mtu`, 68, true);
  const leaf = qdisc === 'mq' ? mqChild : qdisc;
  const qdiscLimit =
    d.qdiscLimit !== undefined
      ? num(d.qdiscLimit, `${w}.qdiscLimit`, 0, true)
      : leaf === 'bfifo'
        ? txqueuelen * mtu
        : Math.max(1, txqueuelen);
  return { tbf, txqueuelen, mtu, qdiscLimit };
}

/** veth: the peer device whose NAPI drains the ptr_ring (§D.1); null for other drivers. */
function resolveVethPeer(d: ScenarioDevice, i: number, w: string, c: Checks): ResolvedVethPeer | null {
  const { num } = c;
  return d.driver !== 'veth'
    ? null
    : {
        name: d.vethPeer?.name ?? `${d.name}p`,
        ifindex:
          d.vethPeer?.ifindex === undefined ? 1000 + i : num(d.vethPeer.ifindex, `${w}.vethPeer.ifindex`, 1, true),
        napiPid:
          d.vethPeer?.napiPid === undefined ? 20000 + i : num(d.vethPeer.napiPid, `${w}.vethPeer.napiPid`, 1, true),
        napiId: d.vethPeer?.napiId === undefined ? 256 + i : num(d.vethPeer.napiId, `${w}.vethPeer.napiId`, 1, true),
        napiPeriodMs:
          d.vethPeer?.napiPeriodMs === undefined ? 0 : num(d.vethPeer.napiPeriodMs, `${w}.vethPeer.napiPeriodMs`, 0),
        napiRunMs: d.vethPeer?.napiRunMs === undefined ? 0 : num(d.vethPeer.napiRunMs, `${w}.vethPeer.napiRunMs`, 0),
        napiCostNsPerPacket:
          d.vethPeer?.napiCostNsPerPacket === undefined
            ? 0
            : num(d.vethPeer.napiCostNsPerPacket, `${w}.vethPeer.napiCostNsPerPacket`, 0, true),
        rxPath: vethRxPath(d.vethPeer?.rxPath, `${w}.vethPeer.rxPath`, c),
      };
}

function vethRxPath(v: unknown, where: string, c: Checks): 'napi' | 'backlog' {
  if (v === undefined || v === 'napi' || v === 'backlog') return v ?? 'napi';
  return c.fail(where, `expected "napi" or "backlog", got ${JSON.stringify(v)}`);
}

function resolveSource(
  src: ScenarioSource,
  i: number,
  c: Checks,
  devNames: Map<string, number>,
  devices: ResolvedDevice[],
  durationMs: number,
): ResolvedSource {
  const { fail, num } = c;
  const w = `sources[${i}]`;
  const dev = devNames.get(src.device);
  if (dev === undefined) fail(`${w}.device`, `unknown device ${JSON.stringify(src.device)}`);
  const d = devices[dev!]!;
  const flows = src.flows === undefined ? 1 : num(src.flows, `${w}.flows`, 1, true);
  const queueMap = src.queueMap ?? Array.from({ length: Math.min(flows, d.numTxQueues) }, (_, q) => q);
  queueMap.forEach((q, k) => {
    if (!Number.isInteger(q) || q < 0 || q >= d.numTxQueues)
      fail(`${w}.queueMap[${k}]`, `queue ${q} out of range 0..${d.numTxQueues - 1}`);
  });
  let sizes: number[] | { min: number; max: number };
  if (src.sizes === undefined) sizes = [1000];
  else if (typeof src.sizes === 'number') sizes = [num(src.sizes, `${w}.sizes`, 14, true)];
  else if (Array.isArray(src.sizes)) sizes = src.sizes.map((v, k) => num(v, `${w}.sizes[${k}]`, 14, true));
  else
    sizes = {
      min: num(src.sizes.min, `${w}.sizes.min`, 14, true),
      max: num(src.sizes.max, `${w}.sizes.max`, 14, true),
    };
  const priority = src.priority === undefined ? [0] : typeof src.priority === 'number' ? [src.priority] : src.priority;
  const pattern = src.pattern ?? 'constant';
  if (pattern !== 'constant' && pattern !== 'poisson') fail(`${w}.pattern`, 'constant|poisson');
  return {
    name: src.name ?? `source${i}`,
    comm: (src.comm ?? src.name ?? 'udpflood').slice(0, 15),
    pid: src.pid === undefined ? 10000 + i : num(src.pid, `${w}.pid`, 1, true),
    cpu: src.cpu === undefined ? 0 : num(src.cpu, `${w}.cpu`, 0, true),
    device: src.device,
    dev: dev!,
    ratePps: num(src.ratePps, `${w}.ratePps`, 0),
    startMs: src.startMs === undefined ? 0 : num(src.startMs, `${w}.startMs`, 0),
    stopMs: src.stopMs === undefined ? durationMs : num(src.stopMs, `${w}.stopMs`, 0),
    sizes,
    pattern,
    flows,
    queueMap,
    priority,
    burst: src.burst ?? { everyMs: 0, packets: 0 },
    recverr: src.recverr ?? true,
  };
}

function resolveFault(
  f: FaultSpec,
  i: number,
  c: Checks,
  devNames: Map<string, number>,
  devices: ResolvedDevice[],
): ResolvedScenario['faults'][number] {
  const { fail, num } = c;
  const w = `faults[${i}]`;
  if (!FAULT_KINDS.includes(f.kind as FaultKind))
    fail(`${w}.kind`, `unknown fault ${JSON.stringify(f.kind)} (${FAULT_KINDS.join('|')})`);
  num(f.startMs, `${w}.startMs`, 0);
  if (f.kind === 'tracer_lost') {
    if (f.cpu !== undefined) num(f.cpu, `${w}.cpu`, 0, true);
    if (f.durationMs !== undefined) num(f.durationMs, `${w}.durationMs`, 0);
    // the tracer's buffers are per CPU, not per device: a device named is checked, none is fine
    if (f.device === undefined) return { ...f, dev: -1 };
  }
  const dev = devNames.get(f.device ?? '');
  if (dev === undefined) fail(`${w}.device`, `unknown device ${JSON.stringify(f.device)}`);
  const d = devices[dev!]!;
  if (f.queue !== undefined && (f.queue < 0 || f.queue >= d.numTxQueues)) fail(`${w}.queue`, `out of range`);
  const why = faultUnfit(f.kind, d);
  if (why !== null) fail(`${w}.kind`, `${f.kind} ${why} (device ${f.device} is ${d.driver}, kernel ${d.kernel})`);
  return { ...f, dev: dev! };
}

/** Why a fault cannot happen on this device (driver, qdisc, kernel), or null. */
function faultUnfit(kind: FaultKind, d: ResolvedDevice): string | null {
  if ((kind === 'macb_tx_error' || kind === 'lost_tstart') && d.driver !== 'macb') return 'is a macb fault';
  if (kind === 'peer_down' && d.driver !== 'veth') return 'is a veth fault';
  if (kind === 'bql_completed_zero' && !d.bql) return 'needs BQL';
  if (kind === 'doorbell_skipped' && !['igb', 'generic', 'virtio_net'].includes(d.driver))
    return 'needs a driver that writes a tail register (igb, generic, virtio_net)';
  if (kind === 'qdisc_run_missed') {
    const leaf = d.qdisc === 'mq' ? d.mqChild : d.qdisc;
    const m = /^(\d+)\.(\d+)/.exec(d.kernel);
    const code = m ? Number(m[1]) * 1000 + Number(m[2]) : 0;
    // TCQ_F_NOLOCK pfifo_fast: 4.16 ("net: sched: make pfifo_fast lockless"); fixed in 5.14 (__QDISC_STATE_MISSED)
    if (leaf !== 'pfifo_fast' || code < 4016 || code >= 5014) return 'needs pfifo_fast on a kernel from 4.16 to 5.13';
  }
  return null;
}
