/**
 * Findings: where the observed TX path parts from what the kernel rules say must happen
 * (docs/kernel-tx-path.md §I). One finding kind per file; each rule declares the evidence it needs. The
 * lists below fix the order rules run in, which is the order findings come out (replay.ts sorts them by
 * severity and time, stably): per device, per queue, its long stops (the first stop rule that applies
 * classifies each), then the queue rules, then the device rules; trace gaps last.
 */
import type { CannotJudge, Finding, FindingKind } from '../types.js';
import { EVENT_KIND, K } from '../observe/kinds.js';
import type { Observed } from '../observe/records.js';
import {
  deviceCtx,
  FindingSink,
  missingEvidence,
  StallFindings,
  stopFacts,
  type DeviceCtx,
  type DeviceRule,
  type FindingOptions,
  type QueueCtx,
  type QueueRule,
  type StopRule,
} from './context.js';
import { frozenQueue } from './frozen-queue.js';
import { guardUnknownTime } from './unknown-time.js';
import { bqlInflightLeak, dqlLimitCollapsed } from './dql-limit-collapse.js';
import { stackXoffStuck } from './stack-xoff-stuck.js';
import { lostWakeup } from './lost-wakeup.js';
import { lostInterruptDuringStop, lostInterruptInflight } from './lost-interrupt.js';
import { macbHeadStuck, ringNotDraining, ringNotDrainingInflight } from './stuck-dma.js';
import { napiStarvedDuringBackpressure, peerNapiNotDraining } from './napi-starvation.js';
import { ringBackpressure } from './ring-backpressure.js';
import { txBusyWhileAwake } from './tx-busy-while-awake.js';
import { txBusyLoop } from './tx-busy-loop.js';
import { qdiscThrottled } from './qdisc-throttled.js';
import { qdiscDropsEnobufs } from './qdisc-drops-enobufs.js';
import { qdiscStuckBacklog } from './qdisc-stuck-backlog.js';
import { qdiscStuckSkb } from './qdisc-stuck-skb.js';
import { oversizeBulkDequeue } from './oversize-bulk-dequeue.js';
import { doorbellNotRung } from './doorbell-not-rung.js';
import { watchdogTimeoutOnQueue, watchdogTimeoutUnseenQueue } from './watchdog-timeout.js';
import { peerDown } from './peer-down.js';
import { dqlStall, dqlStallsUnattributed } from './dql-stall.js';
import { traceGaps } from './trace-gap.js';
import { deviceDrops } from './device-drops.js';
import { neighDrops } from './neigh-drops.js';
import { napiPollGap, napiPollGaps } from './napi-poll-gap.js';

export type { FindingOptions } from './context.js';

/** How a long stop is classified by what the completion side did meanwhile (§I.1, §I.2, §I.4, §I.5, §I.7). */
const STOP_RULES: readonly StopRule[] = [
  frozenQueue,
  bqlInflightLeak,
  stackXoffStuck,
  lostWakeup,
  macbHeadStuck,
  lostInterruptDuringStop,
  ringNotDraining,
  peerNapiNotDraining,
];

const QUEUE_RULES: readonly QueueRule[] = [
  dqlLimitCollapsed,
  ringBackpressure,
  napiStarvedDuringBackpressure,
  txBusyWhileAwake,
  txBusyLoop,
  qdiscThrottled,
  qdiscDropsEnobufs,
  qdiscStuckBacklog,
  qdiscStuckSkb,
  oversizeBulkDequeue,
  doorbellNotRung,
  lostInterruptInflight,
  ringNotDrainingInflight,
  watchdogTimeoutOnQueue,
];

const DEVICE_RULES: readonly DeviceRule[] = [watchdogTimeoutUnseenQueue, peerDown, dqlStall];

/** The findings of a replay and the finding kinds its input could not support (Coverage.cannotJudge). */
export interface Judged {
  findings: Finding[];
  cannotJudge: CannotJudge[];
}

type AnyRule = StopRule | QueueRule | DeviceRule;

export function makeFindings(o: Observed, opt: FindingOptions): Judged {
  const sink = new FindingSink(o);
  const unjudged = new Unjudged(o);
  for (const d of o.devices) {
    if (d.name === 'lo' && !opt.includeLoopback) continue;
    const dc = deviceCtx(o, opt, d, sink);
    // a rule runs only on the evidence it needs: without it, its silence would read as "nothing wrong"
    const can = unjudged.forDevice(dc, d.queues.size > 0);
    const stopRules = STOP_RULES.filter(can);
    const queueRules = QUEUE_RULES.filter(can);
    for (const q of [...d.queues.values()].sort((a, b) => a.queue - b.queue)) {
      const c: QueueCtx = { ...dc, q, stallFindings: new StallFindings(sink.out) };
      for (const iv of q.intervals) {
        const s = stopFacts(c, iv);
        if (s) stopRules.find((r) => r.when(c, s))?.report(c, s);
      }
      for (const r of queueRules) r.run(c);
    }
    for (const r of DEVICE_RULES) if (can(r)) r.run(dc);
  }
  // without net_dev_start_xmit (queue_mapping) and qdisc events, the TX queue of a transmit is unknown:
  // say so (device-wide findings) rather than pretend everything happened on txq 0
  if (o.kindCounts[K.startXmit] === 0 && o.kindCounts[K.dequeue] === 0 && o.kindCounts[K.enqueue] === 0) {
    for (const f of sink.out) if (f.kind !== 'watchdog_timeout') f.queue = null;
  }

  neighDrops(o, sink);
  deviceDrops(o, sink);
  // the kernel's dql_stall_detected names no device: judged once for the trace
  dqlStallsUnattributed(o, sink, (d) => d.name !== 'lo' || opt.includeLoopback === true);
  // NAPI instances known only by pointer belong to no device: judged once for the trace
  napiPollGaps(o, opt, sink);
  traceGaps(o, sink);
  guardUnknownTime(sink.out, o.gaps, o.baseNs);
  return { findings: sink.out, cannotJudge: unjudged.list() };
}

/** the rules run per device, and every rule (napi_poll_gap judges NAPIs that belong to no device) */
const DEVICE_SCOPED: readonly KindNeeds[] = [...STOP_RULES, ...QUEUE_RULES, ...DEVICE_RULES];
const ALL_RULES: readonly KindNeeds[] = [...DEVICE_SCOPED, napiPollGap];

type KindNeeds = Pick<AnyRule, 'kind' | 'needs'>;

/**
 * Which finding kinds the input cannot support. A kind is judged when at least one of its rules has the evidence it
 * needs; otherwise it is listed with the smallest set of tracepoints that would let one of its rules run. Evidence
 * the whole trace lacks is listed once (dev null); NAPI polls are per device: a device none of whose completions a
 * traced NAPI could run (its own NAPI, or a peer's for veth, §F) is listed by name.
 */
class Unjudged {
  /** kind -> missing tracepoints, for the whole trace */
  private readonly global = new Map<FindingKind, string[]>();
  private readonly perDevice: CannotJudge[] = [];
  private readonly seen = this.traceHas.bind(this);
  constructor(private readonly o: Observed) {
    for (const [kind, missing] of smallestMissing(ALL_RULES, this.seen)) this.global.set(kind, missing);
  }

  private traceHas(tp: string): boolean {
    const k = EVENT_KIND[tp];
    return k !== undefined && (this.o.kindCounts[k] ?? 0) > 0;
  }

  /** The rule filter for one device; a device that transmits has its per-device gaps listed. */
  forDevice(dc: DeviceCtx, transmits: boolean): (r: AnyRule) => boolean {
    const have = (tp: string): boolean => (tp === 'napi:napi_poll' ? dc.compDevs.length > 0 : this.seen(tp));
    if (transmits && this.o.events > 0)
      for (const [kind, missing] of smallestMissing(DEVICE_SCOPED, have))
        if (!this.global.has(kind)) this.perDevice.push({ kind, dev: dc.d.name, missing });
    return (r) => missingEvidence(r.needs, have).length === 0;
  }

  list(): CannotJudge[] {
    // an input with no TX-path event at all is `unknown` as a whole (verdict.ts): no per-kind list
    if (TX_PATH_KINDS.every((k) => (this.o.kindCounts[k] ?? 0) === 0)) return [];
    return [...[...this.global].map(([kind, missing]) => ({ kind, dev: null, missing })), ...this.perDevice];
  }
}

const TX_PATH_KINDS = [
  K.netDevQueue,
  K.startXmit,
  K.xmit,
  K.xmitTimeout,
  K.enqueue,
  K.dequeue,
  K.napiPoll,
  K.dqlStall,
  K.consume,
  K.kfree,
];

/** Per kind none of whose rules can run: the shortest missing list among its rules. */
function smallestMissing(rules: readonly KindNeeds[], have: (tp: string) => boolean): Map<FindingKind, string[]> {
  const best = new Map<FindingKind, string[] | null>();
  for (const r of rules) {
    const m = missingEvidence(r.needs, have);
    const prev = best.get(r.kind);
    if (prev === null) continue; // some rule of this kind can run
    if (m.length === 0) best.set(r.kind, null);
    else if (prev === undefined || m.length < prev.length) best.set(r.kind, m);
  }
  const out = new Map<FindingKind, string[]>();
  for (const [k, m] of best) if (m) out.set(k, m);
  return out;
}
