/**
 * Formats simulator tracepoints exactly as `perf script` prints them by default (§H.3):
 * `comm(16, right-aligned) pid(5) [cpu(3)] secs(5).usecs(6): sys:event(24, right-aligned): fields`, raw pointers
 * (`0xffff…`, `(nil)` for NULL) and `%pS` locations without size. Field formats are those of §H.1 (6.12+/6.18).
 */
import {
  DROP_REASON_NAMES,
  FREE_LOCATION_NAMES,
  SKBADDR_HI,
  SimTraceEvent,
  TRACE_EVENT_NAMES,
  TraceKind,
  skbaddrLo,
} from './trace-event.js';

export interface PerfScriptContext {
  /** per device: name, driver name, ifindex */
  devices: readonly { name: string; driver: string; ifindex: number }[];
  /** task table of the simulator (index = SimTraceEvent.task) */
  tasks: readonly { comm: string; pid: number }[];
}

const HI = SKBADDR_HI.toString(16);

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** skb ids are recycled (slab-like), so their few distinct addresses are formatted once */
const skbaddrCache: string[] = [];
function skbaddr(skb: number): string {
  if (skb < 0) return '(nil)';
  let s = skbaddrCache[skb];
  if (s === undefined) {
    s = `0x${HI}${hex8(skbaddrLo(skb))}`;
    skbaddrCache[skb] = s;
  }
  return s;
}

function upperHex(n: number): string {
  return (n >>> 0).toString(16).toUpperCase();
}

/** the part of the line after `sys:event: ` */
function formatPerfScriptFields(ev: SimTraceEvent, ctx: PerfScriptContext): string {
  const dev = ctx.devices[ev.dev];
  const name = dev?.name ?? `dev${ev.dev}`;
  switch (ev.kind) {
    case TraceKind.netDevQueue:
      return `dev=${name} skbaddr=${skbaddr(ev.skb)} len=${ev.lenBytes}`;
    case TraceKind.qdiscEnqueue:
      return `enqueue ifindex=${dev?.ifindex ?? 0} qdisc handle=0x${upperHex(ev.qdiscHandle)} parent=0x${upperHex(ev.qdiscParent)} skbaddr=${skbaddr(ev.skb)}`;
    case TraceKind.qdiscDequeue:
      return `dequeue ifindex=${dev?.ifindex ?? 0} qdisc handle=0x${upperHex(ev.qdiscHandle)} parent=0x${upperHex(ev.qdiscParent)} txq_state=0x${upperHex(ev.txqState)} packets=${ev.packets} skbaddr=${skbaddr(ev.skb)}`;
    case TraceKind.netDevStartXmit:
      return (
        `dev=${name} queue_mapping=${ev.queue} skbaddr=${skbaddr(ev.skb)} vlan_tagged=0 vlan_proto=0x0000 vlan_tci=0x0000 ` +
        `protocol=0x${ev.protocol.toString(16).padStart(4, '0')} ip_summed=3 len=${ev.lenBytes} data_len=0 network_offset=14 ` +
        `transport_offset_valid=1 transport_offset=34 tx_flags=0 gso_size=0 gso_segs=0 gso_type=0`
      );
    case TraceKind.netDevXmit:
      return `dev=${name} skbaddr=${skbaddr(ev.skb)} len=${ev.lenBytes} rc=${ev.rc}`;
    case TraceKind.napiPoll:
      return `napi poll on napi struct 0xffff8881${hex8(0x24e1ac0 + 0x1000 * (ev.dev * 64 + ev.queue))} for device ${name} work ${ev.work} budget ${ev.budget}`;
    case TraceKind.consumeSkb:
      return `skbaddr=${skbaddr(ev.skb)} location=${FREE_LOCATION_NAMES[ev.location] ?? 'unknown'}`;
    case TraceKind.kfreeSkb:
      return `skbaddr=${skbaddr(ev.skb)} rx_sk=(nil) protocol=${ev.protocol} location=${FREE_LOCATION_NAMES[ev.location] ?? 'unknown'} reason: ${DROP_REASON_NAMES[ev.reason] ?? 'NOT_SPECIFIED'}`;
    case TraceKind.netDevXmitTimeout:
      return `dev=${name} driver=${dev?.driver ?? 'unknown'} queue=${ev.queue}`;
    case TraceKind.dqlStallDetected: {
      const h = ev.stallHist.map((x) => x.toString(16).padStart(16, '0')).join(' ');
      return `thrs ${ev.stallThrs}  len ${ev.stallLen}  last_reap ${ev.stallLastReap}  hist_head ${ev.stallHistHead}  now ${ev.stallNow}  hist ${h}`;
    }
  }
  return '';
}

/** `secs.usecs` as perf prints it (microseconds, truncated) */
export function perfTimestamp(tsNs: number): string {
  const secs = Math.floor(tsNs / 1e9);
  const usecs = Math.floor((tsNs - secs * 1e9) / 1000);
  return `${String(secs).padStart(5)}.${String(usecs).padStart(6, '0')}`;
}

/** one full perf-script line, without the newline */
function formatPerfScriptLine(ev: SimTraceEvent, ctx: PerfScriptContext): string {
  const task = ctx.tasks[ev.task] ?? { comm: 'swapper', pid: 0 };
  const head = `${task.comm.slice(0, 15).padStart(16)} ${String(task.pid).padStart(5)} [${String(ev.cpu).padStart(3, '0')}] ${perfTimestamp(ev.tsNs)}: `;
  if (ev.kind === TraceKind.lostEvents) return `${head}PERF_RECORD_LOST lost ${ev.lost}`;
  return `${head}${TRACE_EVENT_NAMES[ev.kind]!.padStart(24)}: ${formatPerfScriptFields(ev, ctx)}`;
}

/**
 * The same text as formatPerfScriptLine, with the repeated parts cached (task/cpu prefix, timestamp of the
 * previous event, padded event names): the CLI's output path.
 */
export class PerfScriptLineFormatter {
  private readonly prefixes = new Map<number, string>();
  private readonly names = TRACE_EVENT_NAMES.map((n) => n.padStart(24));
  private lastTsNs = -1;
  private lastTs = '';

  constructor(private readonly ctx: PerfScriptContext) {}

  format(ev: SimTraceEvent): string {
    const key = ev.task * 4096 + ev.cpu;
    let prefix = this.prefixes.get(key);
    if (prefix === undefined) {
      const task = this.ctx.tasks[ev.task] ?? { comm: 'swapper', pid: 0 };
      prefix = `${task.comm.slice(0, 15).padStart(16)} ${String(task.pid).padStart(5)} [${String(ev.cpu).padStart(3, '0')}] `;
      this.prefixes.set(key, prefix);
    }
    if (ev.tsNs !== this.lastTsNs) {
      this.lastTsNs = ev.tsNs;
      this.lastTs = perfTimestamp(ev.tsNs);
    }
    // perf_event__fprintf: a side-band record prints as `PERF_RECORD_LOST lost N`, no event-name column
    if (ev.kind === TraceKind.lostEvents) return `${prefix}${this.lastTs}: PERF_RECORD_LOST lost ${ev.lost}`;
    return `${prefix}${this.lastTs}: ${this.names[ev.kind]}: ${formatPerfScriptFields(ev, this.ctx)}`;
  }
}

/**
 * Collects perf-script text in chunks (joined once at the end), so a long run does not build one huge string
 * incrementally. `consumer` is the simulator's onEvent callback.
 */
export class PerfScriptWriter {
  private chunks: string[] = [];
  private cur: string[] = [];
  lines = 0;

  private readonly formatter: PerfScriptLineFormatter;

  constructor(ctx: PerfScriptContext) {
    this.formatter = new PerfScriptLineFormatter(ctx);
  }

  readonly consumer = (ev: SimTraceEvent): void => {
    this.cur.push(this.formatter.format(ev));
    this.lines++;
    if (this.cur.length >= 4096) this.flushChunk();
  };

  private flushChunk(): void {
    if (this.cur.length > 0) this.chunks.push(this.cur.join('\n') + '\n');
    this.cur = [];
  }

  /** take the accumulated chunks (for streaming to a file) */
  drainChunks(): string[] {
    this.flushChunk();
    const c = this.chunks;
    this.chunks = [];
    return c;
  }

  text(): string {
    return this.drainChunks().join('');
  }
}

/** The writer context for a scenario run by a simulator (device names, driver names, ifindexes, tasks). */
export function perfScriptContextFor(
  scenario: {
    devices: readonly {
      name: string;
      driver: string;
      ifindex: number;
      vethPeer?: { name: string; ifindex: number; rxPath?: string } | null;
    }[];
  },
  tasks: readonly { comm: string; pid: number }[],
): PerfScriptContext {
  const devices = scenario.devices.map((d) => ({
    name: d.name,
    driver: d.driver === 'veth-like' ? 'veth' : d.driver,
    ifindex: d.ifindex,
  }));
  // device index nDev + d: the veth peer of device d (its NAPI polls print "for device <peer>"); a peer without
  // GRO/XDP is drained by the CPU's backlog NAPI, whose napi->dev is NULL: trace_napi_poll prints "(no_device)"
  for (const d of scenario.devices) {
    const name = d.vethPeer?.rxPath === 'backlog' ? '(no_device)' : (d.vethPeer?.name ?? `${d.name}-peer`);
    devices.push({ name, driver: 'veth', ifindex: d.vethPeer?.ifindex ?? 0 });
  }
  return { devices, tasks };
}
