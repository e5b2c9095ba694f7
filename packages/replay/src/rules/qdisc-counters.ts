/**
 * What `tc -s qdisc show` snapshots say about the TX path (pure): the qdisc counters (gnet_stats_basic: bytes,
 * packets; gnet_stats_queue: drops, requeues, overlimits, backlog) of the same qdisc taken twice give what
 * happened between the two. One snapshot holds totals since the qdisc was created: they cannot say whether the
 * queue moves now, so they are summarised and not judged.
 */
import type { QdiscSnapshot, TcStatsRead } from '@txreplay/ingest/plain';
import type { Finding, QdiscCounterSummary, Severity } from '../types.js';
import { devName, inSequence, intervalOf } from './snapshot-sequence.js';

/** A qdisc block with the input it came from. */
interface SourcedSnapshot extends QdiscSnapshot {
  source: string;
}

/** Every input's qdisc blocks in the order given: `tc-before.txt tc-after.txt` are two snapshots of one qdisc. */
export interface CounterSnapshots {
  qdiscs: SourcedSnapshot[];
  /** seconds between consecutive snapshots when a paste shows it (`sleep 1`), else null */
  intervalSec: number | null;
}

/**
 * The blocks of several inputs as one sequence: a qdisc's `snapshot` counts its appearances across all of them
 * (each input numbers its own from 0). The interval is kept only when a single input gave it.
 */
export function combineTcStats(reads: readonly { read: TcStatsRead; source: string }[]): CounterSnapshots {
  const qdiscs = inSequence(
    reads.map(({ read, source }) => ({ blocks: read.qdiscs, source })),
    (q) => `${q.dev ?? ''}|${q.handle}|${q.parent}`,
  );
  return { qdiscs, intervalSec: intervalOf(reads) };
}

/** Qdiscs that never hold packets for a device's TX (noqueue: virtual devices; ingress/clsact: receive side). */
const NOT_TX = new Set(['noqueue', 'ingress', 'clsact']);
/** Shaping qdiscs: overlimits count packets held back by the rate (tbf_dequeue, htb_dequeue…), not faults. */
const SHAPERS = new Set(['tbf', 'htb', 'hfsc', 'cake', 'cbq', 'cbs', 'taprio', 'etf']);
/** AQM qdiscs: their drops are the algorithm's (NET_XMIT_CN to the sender), not a full queue's NET_XMIT_DROP. */
const AQM = new Set(['fq_codel', 'codel', 'cake', 'pie', 'fq_pie', 'red', 'choke', 'sfq', 'fq']);
/** Requeues above this share of the packets sent are more than an occasional full ring. */
const REQUEUE_WARN_SHARE = 0.01;

interface Series {
  dev: string | null;
  queue: number | null;
  snaps: SourcedSnapshot[];
}

/** The TX queue an mq/mqprio child serves: its parent class minor (hex) minus one (mq_attach: TC_H_MAKE(…, i + 1)). */
function queueOf(s: QdiscSnapshot, all: readonly QdiscSnapshot[]): number | null {
  if (s.parent === 'root') return null;
  const [major, minor] = s.parent.split(':');
  const root = all.find((r) => r.dev === s.dev && r.parent === 'root' && (r.kind === 'mq' || r.kind === 'mqprio'));
  if (!root || (major !== '' && `${major}:` !== root.handle) || !minor) return null;
  const q = Number.parseInt(minor, 16) - 1;
  return Number.isFinite(q) && q >= 0 ? q : null;
}

/** One series per qdisc (device, handle, parent), its snapshots in input order. */
function seriesOf(read: CounterSnapshots): Series[] {
  const byKey = new Map<string, Series>();
  for (const s of read.qdiscs) {
    const key = `${s.dev ?? ''}|${s.handle}|${s.parent}`;
    let series = byKey.get(key);
    if (!series) {
      series = { dev: s.dev, queue: queueOf(s, read.qdiscs), snaps: [] };
      byKey.set(key, series);
    }
    series.snaps.push(s);
  }
  return [...byKey.values()];
}

/** A root mq/mqprio whose children are listed: the children tell the story per queue, the root only sums them. */
function judged(series: readonly Series[]): Series[] {
  return series.filter((x) => {
    const s = x.snaps[0]!;
    if (NOT_TX.has(s.kind)) return false;
    const multiqueueRoot = s.parent === 'root' && (s.kind === 'mq' || s.kind === 'mqprio');
    return !(multiqueueRoot && series.some((c) => c !== x && c.dev === x.dev && c.queue !== null));
  });
}

const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : 'n/a');

function summaryOf(x: Series, intervalSec: number | null): QdiscCounterSummary {
  const first = x.snaps[0]!;
  const last = x.snaps[x.snaps.length - 1]!;
  const many = x.snaps.length > 1;
  return {
    source: first.source,
    line: first.line,
    dev: devName(first),
    queue: x.queue,
    qdisc: `${first.kind} ${first.handle}`,
    parent: first.parent,
    snapshots: x.snaps.length,
    intervalSec: many ? intervalSec : null,
    sentPkts: last.sentPkts,
    dropped: last.dropped,
    requeues: last.requeues,
    overlimits: last.overlimits,
    backlogPkts: last.backlogPkts,
    ...(many
      ? {
          delta: {
            sentPkts: last.sentPkts - first.sentPkts,
            dropped: last.dropped - first.dropped,
            requeues: last.requeues - first.requeues,
            overlimits: last.overlimits - first.overlimits,
          },
        }
      : {}),
  };
}

/** Per-qdisc summaries (every qdisc that carries TX, in input order). */
export function summarizeTcStats(read: CounterSnapshots): QdiscCounterSummary[] {
  return judged(seriesOf(read)).map((x) => summaryOf(x, read.intervalSec));
}

interface Step {
  x: Series;
  a: SourcedSnapshot;
  b: SourcedSnapshot;
  /** "in 1 s" / "between two snapshots" */
  span: string;
  /** seconds between the two snapshots, null: not given */
  interval: number | null;
  /** a shaping qdisc elsewhere on the device (an htb root above this leaf), in the later snapshot */
  devShaper: QdiscSnapshot | null;
  perSec: (n: number) => string;
}

function base(
  st: Step,
  kind: Finding['kind'],
  severity: Severity,
): Omit<Finding, 'title' | 'explanation' | 'nextSteps'> {
  const evidence = [st.a, st.b].map((s) => ({
    tsNs: 0n,
    event: 'tc:qdisc_stats',
    source: s.source,
    line: s.line,
    note: `qdisc ${s.kind} ${s.handle} ${s.parent}: ${s.sentText} backlog ${s.backlogPkts ?? '?'}p`,
  }));
  return { kind, severity, dev: devName(st.a), queue: st.x.queue, startNs: 0n, endNs: 0n, evidence };
}

/**
 * Why a shaper's backlog may sit still: its dequeue found no tokens (overlimits grew), or its rate cannot send one
 * of the waiting packets in the time between the snapshots (tbf at 8bit/s needs 1042 s for a 1042-byte packet).
 * Null when the shaper should have sent something: then the queue behind it is stopped.
 */
function shaperHolds(st: Step, shaper: QdiscSnapshot): string | null {
  const { a, b } = st;
  if (b.overlimits > a.overlimits) return `the shaper counted ${b.overlimits - a.overlimits} overlimits`;
  const rate = shaper.rateBitsPerSec;
  const pktBytes = b.backlogBytes !== null && b.backlogPkts ? b.backlogBytes / b.backlogPkts : null;
  if (rate === null || pktBytes === null)
    return st.interval === null ? 'its rate or the time between snapshots is not given' : null;
  const secsPerPkt = (pktBytes * 8) / rate;
  if (st.interval === null || secsPerPkt > st.interval)
    return `at ${shaper.kind}'s rate of ${rate} bit/s one ${Math.round(pktBytes)}-byte packet takes ${secsPerPkt.toFixed(secsPerPkt < 10 ? 2 : 0)} s`;
  return null;
}

/** Packets waited in the qdisc and none left it between the snapshots: the queue is not being served. */
function stalled(st: Step): Finding | null {
  const { a, b } = st;
  if (b.sentPkts !== a.sentPkts || !(a.backlogPkts ?? 0) || !(b.backlogPkts ?? 0)) return null;
  const where = `${devName(a)}${st.x.queue !== null ? ` txq ${st.x.queue}` : ''} (qdisc ${a.kind} ${a.handle})`;
  const shaper = SHAPERS.has(a.kind) ? a : st.devShaper;
  const held = shaper ? shaperHolds(st, shaper) : null;
  if (shaper && held !== null)
    return {
      ...base(st, 'qdisc_throttled', 'warning'),
      title: `${where}: ${b.backlogPkts} packets held and none sent ${st.span}: ${held}`,
      explanation: `The ${shaper.kind} qdisc ${shaper.handle} shapes this device: its dequeue hands qdisc_run() nothing until it has tokens, so a backlog that does not move is the configured rate at work, not a driver fault — unless the rate is far below what the link should carry.`,
      nextSteps: [`check the shaper's rate: tc -d qdisc show dev ${devName(a)} (and tc -s class show for htb classes)`],
    };
  return {
    ...base(st, 'qdisc_stuck_backlog', 'critical'),
    title: `${where}: ${b.backlogPkts} packets waited and not one was sent ${st.span}`,
    explanation:
      `Sent stayed at ${b.sentPkts} packets while the backlog held ${a.backlogPkts} then ${b.backlogPkts}: __qdisc_run() handed nothing to the driver. ` +
      'qdisc_run() does not dequeue for a TX queue that is stopped (__QUEUE_STATE_DRV_XOFF: the driver stopped it, ring full, and no TX completion woke it — a lost interrupt, a stuck DMA engine or a lost wake-up) or frozen. ' +
      `${shaper ? `The ${shaper.kind} shaper on this device should have sent packets in that time. ` : ''}Counters cannot say which; the NETDEV WATCHDOG line in the kernel log and a trace of the stall can.`,
    nextSteps: [
      `look for "NETDEV WATCHDOG: ${devName(a)}" in dmesg around the snapshots`,
      `record the TX path through the stall: txreplay capture --seconds 10 --dev ${devName(a)} -o stall.txt, and diagnose it with the log`,
    ],
  };
}

/** dev_requeue_skb() ran: the driver said NETDEV_TX_BUSY, or the txq stopped behind a bulk dequeue. */
function requeued(st: Step): Finding | null {
  const n = st.b.requeues - st.a.requeues;
  if (n <= 0) return null;
  const sent = st.b.sentPkts - st.a.sentPkts;
  const share = sent > 0 ? n / sent : 1;
  return {
    ...base(st, 'ring_backpressure', share >= REQUEUE_WARN_SHARE ? 'warning' : 'info'),
    title: `${devName(st.a)}${st.x.queue !== null ? ` txq ${st.x.queue}` : ''}: ${n} requeues ${st.span}${st.perSec(n)} against ${sent} packets sent (${pct(n, sent)})`,
    explanation:
      "Each requeue is dev_requeue_skb() (net/sched/sch_generic.c): sch_direct_xmit() got NETDEV_TX_BUSY from the driver, or found the txq stopped or frozen after dequeueing — with bulk dequeue (try_bulk_dequeue_skb) a whole batch taken beyond the ring's free descriptors goes back. " +
      `${share >= REQUEUE_WARN_SHARE ? 'At this share the TX ring is full most of the time: the driver stops the queue and the qdisc keeps re-offering packets it cannot take.' : 'At this share it is the occasional full ring of a busy link.'}`,
    nextSteps: [
      `compare the ring size with the traffic: ethtool -g ${devName(st.a)} (a larger TX ring, or BQL's limit in /sys/class/net/${devName(st.a)}/queues/tx-*/byte_queue_limits)`,
      'a trace of net:net_dev_xmit (rc=16) and qdisc:qdisc_dequeue shows whether the driver returns BUSY while awake (a driver bug) or only when the ring is full',
    ],
  };
}

/** Drops counted by the qdisc between the snapshots. */
function dropped(st: Step): Finding | null {
  const n = st.b.dropped - st.a.dropped;
  if (n <= 0) return null;
  const sent = st.b.sentPkts - st.a.sentPkts;
  const aqm = AQM.has(st.a.kind);
  return {
    ...base(st, 'qdisc_drops_enobufs', 'warning'),
    title: `${devName(st.a)}${st.x.queue !== null ? ` txq ${st.x.queue}` : ''}: qdisc ${st.a.kind} ${st.a.handle} dropped ${n} packets ${st.span}${st.perSec(n)} (${pct(n, n + sent)} of those offered)`,
    explanation: aqm
      ? `${st.a.kind} drops by its own algorithm (or at its limit) and returns NET_XMIT_CN for most of them: senders see congestion, not ENOBUFS. Sustained drops still mean the queue fills faster than the device drains it.`
      : `The ${st.a.kind} qdisc was full at enqueue (qdisc_drop): NET_XMIT_DROP goes back to the sender, which sees ENOBUFS ("No buffer space available") on a socket with IP_RECVERR (ping, UDP) or loses the packet silently. The device drained slower than packets arrived — a slow or stopped TX queue behind it.`,
    nextSteps: [
      'capture skb:kfree_skb (reason QDISC_DROP) with qdisc:qdisc_dequeue (txq_state) to see whether the txq was stopped while the qdisc filled',
    ],
  };
}

/** Findings from the qdiscs seen in two or more snapshots: each consecutive pair judged on its own. */
export function findingsFromTcStats(read: CounterSnapshots): Finding[] {
  const out: Finding[] = [];
  for (const x of judged(seriesOf(read))) {
    for (let i = 1; i < x.snaps.length; i++) {
      const sec = read.intervalSec;
      const st: Step = {
        x,
        a: x.snaps[i - 1]!,
        b: x.snaps[i]!,
        span: sec !== null ? `in ${sec} s` : 'between two snapshots',
        interval: sec,
        devShaper:
          read.qdiscs.find((q) => q.dev === x.dev && q.snapshot === i && SHAPERS.has(q.kind) && q !== x.snaps[i]) ??
          null,
        perSec: (n) => (sec !== null && sec > 0 ? ` (${Math.round(n / sec)}/s)` : ''),
      };
      for (const rule of [stalled, requeued, dropped]) {
        const f = rule(st);
        if (f) out.push(f);
      }
    }
  }
  return out;
}
