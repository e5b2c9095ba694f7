/**
 * replay(table): observed reconstruction + model expectations + findings → ReplayResult (types.ts).
 */
import type { Table } from 'apache-arrow';
import { META } from '@txreplay/ingest';
import { readColumns, timeOrder } from './columns.js';
import { tableChunksAligned, tableSource, type BatchSource } from './input/batches.js';
import { observe, observeSource } from './observe/observe.js';
import { K } from './observe/kinds.js';
import type { Observed, QueueObs } from './observe/records.js';
import { makeFindings } from './rules/index.js';
import { DEFAULT_HZ, DEFAULT_KERNEL, profileFor, type DeviceProfile, type DeviceProfiles } from './profile.js';
import { expectQueue, jiffiesMapper, type QueueExpectation } from './expected-dql.js';
import type { Interval, QueueSeries, QueueSummary, ReplayResult, Severity } from './types.js';

export interface ReplayOptions {
  profile?: DeviceProfile;
  /** per-device overrides of `profile` (keyed by device name) */
  deviceProfiles?: DeviceProfiles;
  /** a stop or stuck in-flight data longer than this is a stall (ns); default 500 ms */
  stallNs?: number;
  /** cap on points per queue series (evenly thinned, first/last kept); default: all */
  maxSeriesPoints?: number;
  /** jiffies at a known ts (e.g. from a BQL snapshot) so the DQL model runs on the kernel's jiffies */
  jiffiesAnchor?: { tsNs: bigint; jiffies: number };
  /** also make findings for the loopback device `lo` (default false; its counts are always summarised) */
  includeLoopback?: boolean;
}

/** Severity order for verdicts and exit codes. */
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function replayTable(table: Table, opts: ReplayOptions = {}): ReplayResult {
  const src = tableChunksAligned(table) ? tableSource(table) : null;
  return replaySource(src, table.schema.metadata, () => table, opts);
}

/**
 * Replay a batch source (rows in time order: one pass, batch by batch, no whole-table copy); when the
 * source is out of order (or absent) the whole table is loaded, sorted and replayed in one piece.
 */
export function replaySource(src: BatchSource | null, metadata: Map<string, string>, wholeTable: () => Table, opts: ReplayOptions = {}): ReplayResult {
  let obs = src ? observeSource(src) : null;
  if (!obs) {
    const cols = readColumns(wholeTable());
    obs = observe(cols, timeOrder(cols));
  }
  const kernelMeta = metadata.get(META.kernel) || '';
  const profile: DeviceProfile = { ...opts.profile };
  if (!profile.kernel) profile.kernel = kernelMeta || DEFAULT_KERNEL;
  const hz = profile.hz ?? DEFAULT_HZ;
  const sources = sourcesOf(metadata, obs);
  return assemble(obs, { ...opts, profile }, hz, sources);
}

function sourcesOf(metadata: Map<string, string>, obs: Observed): string[] {
  const raw = metadata.get(META.sources);
  if (raw) {
    try {
      const arr = JSON.parse(raw) as { path?: string }[];
      const paths = arr.map((s) => s.path).filter((p): p is string => typeof p === 'string');
      if (paths.length > 0) return paths;
    } catch {
      /* fall through to the column */
    }
  }
  return [...obs.rows.sourceNames()];
}

function thin(n: number, max: number | undefined): number[] {
  if (max === undefined || n <= max || max < 2) return Array.from({ length: n }, (_, i) => i);
  const idx: number[] = [];
  for (let k = 0; k < max; k++) idx.push(Math.round((k * (n - 1)) / (max - 1)));
  return idx;
}

function assemble(obs: Observed, opts: ReplayOptions & { profile: DeviceProfile }, hz: number, sources: string[]): ReplayResult {
  const base = obs.baseNs;
  const ns = (rel: number): bigint => base + BigInt(Math.round(rel));
  const stallNs = opts.stallNs ?? 500e6;
  const jiffiesOf = jiffiesMapper(hz, base, opts.jiffiesAnchor);
  // expected BQL per queue (the model's DQL fed with the observed stream): series and §I.8 checks
  const expected = new Map<QueueObs, QueueExpectation>();
  for (const d of obs.devices) {
    const kernel = profileFor(opts.profile, opts.deviceProfiles, d.name).kernel ?? DEFAULT_KERNEL;
    for (const q of d.queues.values()) expected.set(q, expectQueue(q, kernel, hz, jiffiesOf, obs.firstRel));
  }
  const findings = makeFindings(obs, { profile: opts.profile, deviceProfiles: opts.deviceProfiles, hz, stallNs, includeLoopback: opts.includeLoopback ?? false, expected });

  const queues: QueueSummary[] = [];
  const series: QueueSeries[] = [];
  const unknown: Interval[] = obs.gaps.map((g) => ({ startNs: ns(g.startRel), endNs: ns(g.endRel), state: 'UNKNOWN' }));
  const qs: QueueObs[] = [];
  for (const d of obs.devices) for (const q of [...d.queues.values()].sort((a, b) => a.queue - b.queue)) qs.push(q);
  for (const q of qs) {
    const d = q.dev;
    const stopped: Interval[] = q.intervals.map((iv) => ({
      startNs: ns(iv.startRel),
      endNs: ns(iv.endRel === iv.endRel ? iv.endRel : obs.lastRel),
      state: iv.state,
    }));
    queues.push({
      dev: d.name,
      ifindex: d.ifindex,
      queue: q.queue,
      qdiscHandle: q.qdiscHandle,
      qdiscParent: q.qdiscParent,
      netDevQueue: q.netDevQueue,
      enqueued: q.enqueued,
      dequeued: q.dequeued,
      xmitOk: q.xmitOk,
      txBusy: q.txBusy,
      requeues: q.requeues,
      xmitOtherRc: q.xmitOtherRc,
      qdiscDrops: q.qdiscDrops,
      completions: q.completions,
      bytesSent: q.bytesSent,
      stoppedIntervals: [...stopped, ...unknown].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0)),
      backlogAtEnd: q.backlog,
      dropsWhileStopped: q.dropsWhileStopped,
      bql: bqlStops(q, expected.get(q)!, obs.lastRel),
      implicitFrees: q.implicitFrees,
      latency: {
        qdiscMeanNs: q.qdiscTimeCount > 0 ? Math.round(q.qdiscTimeSumNs / q.qdiscTimeCount) : null,
        qdiscMaxNs: q.qdiscTimeCount > 0 ? q.qdiscTimeMaxNs : null,
        driverMeanNs: q.driverTimeCount > 0 ? Math.round(q.driverTimeSumNs / q.driverTimeCount) : null,
        driverMaxNs: q.driverTimeCount > 0 ? q.driverTimeMaxNs : null,
      },
    });

    // expected DQL limit along the same time axis: the model fed with this queue's BQL stream
    const ex = expected.get(q)!;
    const expRel = ex.limitRel;
    const expLimit = ex.limit;
    const idx = thin(q.sTs.length, opts.maxSeriesPoints);
    let ek = 0;
    let lastLimit: number | null = null;
    const s: QueueSeries = { dev: d.name, queue: q.queue, tsNs: [], backlogPackets: [], inflightBytes: [], dqlLimitObserved: [], dqlLimitExpected: [] };
    for (const k of idx) {
      const rel = q.sTs.get(k);
      while (ek < expRel.length && expRel.get(ek) <= rel) lastLimit = expLimit.get(ek++);
      s.tsNs.push(ns(rel));
      s.backlogPackets.push(q.sBacklog.get(k));
      s.inflightBytes.push(Math.max(0, q.sInflight.get(k)));
      // no tracepoint carries struct dql: the observed limit is unknown from events alone
      s.dqlLimitObserved.push(null);
      s.dqlLimitExpected.push(q.dqlQueuedTs.length > 0 ? lastLimit : null);
    }
    series.push(s);
  }

  return {
    trace: {
      sources,
      events: obs.events,
      firstNs: ns(obs.firstRel),
      lastNs: ns(obs.lastRel),
      lostEvents: obs.lostEvents,
    },
    queues,
    series,
    findings: findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0)),
    captureAdvice: captureAdvice(obs),
    napi: obs.napis.map((x) => ({
      dev: x.dev.name,
      napi: pointerHex(x.napi),
      polls: x.polls,
      fullPolls: x.fullPolls,
      firstNs: ns(x.firstRel),
      lastNs: ns(x.lastRel),
      maxGapNs: Math.round(x.maxGap),
      maxGapStartNs: x.maxGapStartRel === x.maxGapStartRel ? ns(x.maxGapStartRel) : null,
    })),
  };
}

/** What the trace lacks, and what each missing tracepoint would let replay tell (§D.7). */
function captureAdvice(obs: Observed): string[] {
  const c = obs.kindCounts;
  const out: string[] = [];
  const miss = (kind: number, tp: string, why: string): void => {
    if (c[kind] === 0) out.push(`capture ${tp}: ${why}`);
  };
  miss(K.dequeue, 'qdisc:qdisc_dequeue', 'txq_state samples (DRV_XOFF/STACK_XOFF/FROZEN) show when queues are stopped and how long; without it stops are inferred only from NETDEV_TX_BUSY');
  miss(K.enqueue, 'qdisc:qdisc_enqueue', 'qdisc backlog (packets waiting behind a stopped queue)');
  miss(K.kfree, 'skb:kfree_skb', 'drop reasons (QDISC_DROP → ENOBUFS) and their queue');
  miss(K.consume, 'skb:consume_skb', 'TX completions per skb: in-flight bytes, time in the driver, the BQL completion stream');
  miss(K.netDevQueue, 'net:net_dev_queue', 'per-packet lifecycle start and qdisc drop attribution');
  miss(K.startXmit, 'net:net_dev_start_xmit', 'the TX queue of each transmit (queue_mapping)');
  miss(K.xmit, 'net:net_dev_xmit', 'driver return codes (NETDEV_TX_BUSY, NET_XMIT_DROP) and BQL bytes queued');
  miss(K.napiPoll, 'napi:napi_poll', 'NAPI cadence: tells a lost interrupt (no polls) from a stuck ring (polls, no completions)');
  if (obs.numericReasons.size > 0) {
    const parts = [...obs.numericReasons].map(([num, r]) => `${num}: ${r.frees} frees, ${r.asQdiscDrop} read as qdisc drops${num === '64' ? ' (64 = QDISC_DROP on 6.18)' : ''}`);
    out.push(
      `kfree_skb reasons are numbers here (bpftrace): ${parts.join('; ')}. The enum skb_drop_reason numbering changes between kernels (§H.1), so a numbered free counts as a qdisc drop only when it freed an skb after net_dev_queue and before any qdisc_enqueue (§D.2: refused at enqueue); drops from inside a qdisc are missed. Print the symbolic reason in the bpftrace script to count them all`,
    );
  }
  if (obs.hashedPointers) out.push('ftrace printed hashed pointers: lifecycles match within this file only; set /proc/sys/kernel/kptr_restrict or use the no_hash_pointers boot option to join with other captures');
  if (obs.lostEvents > 0) out.push(`the tracer lost ${obs.lostEvents} events: use larger buffers (perf -m, BPFTRACE_PERF_RB_PAGES) or fewer tracepoints`);
  return out;
}

/** A 53-bit pointer key back to kernel hex: canonical kernel addresses have bits 53..63 set like bit 52. */
function pointerHex(key: number): string {
  let v = BigInt(key);
  if (key >= 2 ** 52) v |= 0xffe0000000000000n;
  return `0x${v.toString(16)}`;
}

function bqlStops(q: QueueObs, e: QueueExpectation, lastRel: number): QueueSummary['bql'] {
  if (q.xmitTs.length === 0) return null;
  const xoff = q.intervals.filter((iv) => iv.state === 'STACK_XOFF');
  return {
    expectedStops: e.stops,
    expectedStoppedNs: Math.round(e.stoppedNs),
    observedStops: xoff.length,
    observedStoppedNs: Math.round(xoff.reduce((s, iv) => s + ((iv.endRel === iv.endRel ? iv.endRel : lastRel) - iv.startRel), 0)),
  };
}
