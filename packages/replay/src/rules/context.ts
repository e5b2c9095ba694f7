/**
 * What every rule reads: the options, the per-device and per-queue facts the rules share, the list the
 * findings go to (in the order the rules run: replay.ts then sorts by severity and time, stably), and the
 * small searches over the observed time lists.
 */
import type { Evidence, Finding, FindingKind, Severity } from '../types.js';
import { countIn, lowerBound, type F64List } from '../input/growable.js';
import { completedByPeerNapi, hasTxWatchdog, profileFor, type DeviceProfile, type DeviceProfiles } from '../profile.js';
import type { QueueExpectation } from '../expected-dql.js';
import { K } from '../observe/kinds.js';
import type { DevObs, Observed, ObservedInterval, QueueObs } from '../observe/records.js';

export interface FindingOptions {
  profile: DeviceProfile;
  /** per-device overrides of `profile` */
  deviceProfiles?: DeviceProfiles;
  hz: number;
  /** a stopped queue or stuck in-flight data counts as stalled after this long (ns) */
  stallNs: number;
  /** diagnose the loopback device too (default false: lo has no ring or driver to fault; its qdiscs are test setups) */
  includeLoopback?: boolean;
  /** the model's expected BQL per queue (expected-dql.ts): §I.8 checks */
  expected?: Map<QueueObs, QueueExpectation>;
}

const NS_PER_MS = 1e6;
export const fmtMs = (ns: number): string => `${(ns / NS_PER_MS).toFixed(ns < 10 * NS_PER_MS ? 3 : 1)} ms`;

function evidenceOf(o: Observed, row: number, note: string): Evidence {
  const r = o.rows;
  return { tsNs: r.tsNs(row), event: r.eventName(row), source: r.sourceName(row), line: r.line(row), note };
}

/** Devices whose NAPI polls can complete `d`'s transmissions: its own, else the peer's (veth: the
 * receiving end's NAPI drains the ptr_ring and wakes the sender's txq). */
function completionDevices(o: Observed, d: DevObs): DevObs[] {
  if (d.napiPollTs.length > 0) return [d];
  return o.devices.filter((x) => x !== d && x.napiPollTs.length > 0);
}

/** A device that transmits without NAPI of its own but next to another device's NAPI: veth-like (§D.1). */
function isPeerDriven(o: Observed, d: DevObs, profile: DeviceProfile): boolean {
  if (profile.driver) return completedByPeerNapi(profile.driver);
  return d.napiPollTs.length === 0 && completionDevices(o, d).length > 0;
}

export function sumIn(lists: F64List[], from: number, to: number): number {
  let n = 0;
  for (const l of lists) n += countIn(l, from, to);
  return n;
}

function firstIn(
  lists: F64List[],
  rowsOf: ((d: number) => F64List) | null,
  from: number,
  to: number,
): { rel: number; at: number; list: number } | null {
  let best: { rel: number; at: number; list: number } | null = null;
  lists.forEach((l, li) => {
    const k = lowerBound(l, from);
    if (k < l.length && l.get(k) < to && (!best || l.get(k) < best.rel)) best = { rel: l.get(k), at: k, list: li };
  });
  void rowsOf;
  return best;
}

/** Largest gap between consecutive events of `lists` inside [from, to], counting the edges. */
export function maxGap(lists: F64List[], from: number, to: number): number {
  const ts: number[] = [];
  for (const l of lists) for (let k = lowerBound(l, from); k < l.length && l.get(k) <= to; k++) ts.push(l.get(k));
  ts.sort((a, b) => a - b);
  let prev = from;
  let g = 0;
  for (const t of ts) {
    g = Math.max(g, t - prev);
    prev = t;
  }
  return Math.max(g, to - prev);
}

export function findRowAt(o: Observed, rel: number, event: string, dev: string): number {
  const r = o.rows;
  // binary search on the time-ordered positions, then a short scan
  let lo = 0;
  let hi = r.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r.tsRel(r.rowAt(mid)) < rel) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < r.n && k < lo + 64; k++) {
    const i = r.rowAt(k);
    if (r.eventName(i) === event && r.devName(i) === dev) return i;
  }
  return -1;
}

/**
 * The evidence a rule needs. `events`: every entry is required; an entry that is a list is met by any one of its
 * tracepoints. A rule whose events the input lacks does not run: its kind is listed as not judged
 * (Coverage.cannotJudge) instead of passing silently. `signals`: what the rule reads from those events (documentation).
 */
export interface Needs {
  events: readonly (string | readonly string[])[];
  /**
   * tracepoints that fire only on the fault itself (net_dev_xmit_timeout, dql_stall_detected): their absence is what a
   * healthy capture shows, so it never makes the kind unjudgeable
   */
  alarms?: readonly string[];
  signals?: readonly string[];
}

/** The `events` entries of `needs` that `have` does not meet, each as "a" or "a or b". */
export function missingEvidence(needs: Needs, have: (tracepoint: string) => boolean): string[] {
  const out: string[] = [];
  for (const e of needs.events) {
    const any = typeof e === 'string' ? [e] : e;
    if (!any.some(have)) out.push(any.join(' or '));
  }
  return out;
}

/** Transmit completions show as frees of transmitted skbs: napi_consume_skb / dev_consume_skb_any (§D.7). */
export const FREES = ['skb:consume_skb', 'skb:kfree_skb'] as const;
/** A stop shows in qdisc_dequeue's txq_state, or as NETDEV_TX_BUSY (rc=16) from the driver (§C, §D.4). */
export const STOP_SEEN = ['qdisc:qdisc_dequeue', 'net:net_dev_xmit'] as const;

export type AddFinding = (
  kind: FindingKind,
  severity: Severity,
  dev: string,
  queue: number | null,
  startRel: number,
  endRel: number,
  title: string,
  explanation: string,
  evidence: Evidence[],
  nextSteps: string[],
) => Finding;

/** The findings of one replay, in the order the rules add them. */
export class FindingSink {
  readonly out: Finding[] = [];
  constructor(private readonly o: Observed) {}
  readonly rel2ns = (rel: number): bigint => this.o.baseNs + BigInt(Math.round(rel));
  readonly ev = (row: number, note: string): Evidence => evidenceOf(this.o, row, note);
  readonly add: AddFinding = (
    kind,
    severity,
    dev,
    queue,
    startRel,
    endRel,
    title,
    explanation,
    evidence,
    nextSteps,
  ) => {
    const f: Finding = {
      kind,
      severity,
      dev,
      queue,
      startNs: this.rel2ns(startRel),
      endNs: this.rel2ns(endRel),
      title,
      explanation,
      evidence,
      nextSteps,
    };
    this.out.push(f);
    return f;
  };
}

/**
 * Stall findings of one queue. DRV_XOFF and STACK_XOFF intervals of one stall classify alike and start at
 * the same oldest never-completed transmit: one finding, the longer window and both stops.
 */
export class StallFindings {
  readonly list: Finding[] = [];
  constructor(private readonly out: Finding[]) {}
  push(f: Finding): void {
    const same = this.list.find((x) => x.kind === f.kind && x.startNs === f.startNs);
    if (!same) {
      this.list.push(f);
      return;
    }
    this.out.splice(this.out.indexOf(f), 1);
    if (f.endNs > same.endNs) same.endNs = f.endNs;
    for (const e of f.evidence)
      if (!same.evidence.some((x) => x.line === e.line && x.source === e.source)) same.evidence.push(e);
  }
  get length(): number {
    return this.list.length;
  }
  some(p: (f: Finding) => boolean): boolean {
    return this.list.some(p);
  }
}

/** One device as the rules see it: its profile and the NAPI instances that complete its transmits. */
export interface DeviceCtx {
  o: Observed;
  opt: FindingOptions;
  d: DevObs;
  prof: DeviceProfile;
  watchdogNs: number;
  peerDriven: boolean;
  compDevs: DevObs[];
  pollLists: F64List[];
  idleLists: F64List[];
  fullLists: F64List[];
  napiWho: string;
  watchdog: boolean | null;
  /** netdev_budget_usecs = 2*USEC_PER_SEC/HZ (§F): a NAPI that waits longer than this to run is being starved */
  budgetNs: number;
  out: Finding[];
  add: AddFinding;
  ev: (row: number, note: string) => Evidence;
  rel2ns: (rel: number) => bigint;
}

export function deviceCtx(o: Observed, opt: FindingOptions, d: DevObs, sink: FindingSink): DeviceCtx {
  // this device's profile: the global one overridden by its --device-profile / "devices" entry
  const prof = profileFor(opt.profile, opt.deviceProfiles, d.name);
  const watchdogNs = ((prof.watchdogTimeoJiffies ?? 5 * opt.hz) * 1e9) / opt.hz;
  const peerDriven = isPeerDriven(o, d, prof);
  const compDevs = completionDevices(o, d);
  const pollLists = compDevs.map((x) => x.napiPollTs);
  const idleLists = compDevs.map((x) => x.napiIdleTs);
  const fullLists = compDevs.map((x) => x.napiFullTs);
  const napiWho = compDevs.length === 0 ? 'no NAPI instance' : compDevs.map((x) => x.name).join(', ');
  const watchdog = prof.driver ? hasTxWatchdog(prof.driver) : peerDriven ? false : null;
  const budgetNs = (2 * 1e9) / opt.hz;
  return {
    o,
    opt,
    d,
    prof,
    watchdogNs,
    peerDriven,
    compDevs,
    pollLists,
    idleLists,
    fullLists,
    napiWho,
    watchdog,
    budgetNs,
    out: sink.out,
    add: sink.add,
    ev: sink.ev,
    rel2ns: sink.rel2ns,
  };
}

/** One TX queue of a device, with the stall findings made for it so far. */
export interface QueueCtx extends DeviceCtx {
  q: QueueObs;
  stallFindings: StallFindings;
}

/** What the completion side did during one long stop (§I.1, §I.2, §I.4, §I.5, §I.7). */
export interface StopFacts {
  iv: ObservedInterval;
  open: boolean;
  endRel: number;
  dur: number;
  firstTimeout: number | undefined;
  comps: number;
  polls: number;
  idle: { rel: number; at: number; list: number } | null;
  bql: boolean;
  stallStartRel: number;
  drained: boolean;
  backlogNote: string;
  stopEv: Evidence;
  lastEv: Evidence;
}

/** A stop longer than the stall threshold, with its facts; null for a shorter one. */
export function stopFacts(c: QueueCtx, iv: ObservedInterval): StopFacts | null {
  const { o, opt, d, q, pollLists, idleLists, peerDriven, ev } = c;
  const open = iv.endRel !== iv.endRel;
  const endRel = open ? o.lastRel : iv.endRel;
  const dur = endRel - iv.startRel;
  if (dur < opt.stallNs) return null;
  // DRV_XOFF or STACK_XOFF. A watchdog reset inside the stop frees the ring (igb reset_task):
  // those frees are recovery, not completions, so look only up to the first timeout.
  const firstTimeout = d.timeoutRows.map((r) => o.rows.tsRel(r)).find((t) => t > iv.startRel && t < endRel);
  const lookEnd = firstTimeout ?? endRel;
  const comps = countIn(q.completionTs, iv.startRel, lookEnd);
  const polls = sumIn(pollLists, iv.startRel, lookEnd);
  const idle = firstIn(idleLists, null, iv.startRel, lookEnd);
  const bql = iv.state === 'STACK_XOFF';
  // when completions stopped: the first transmit after the last completion before the stop is the
  // oldest packet the device never gave back — the stall began there, before the ring filled
  const lastCompK = lowerBound(q.completionTs, iv.startRel) - 1;
  const lastCompRel = lastCompK >= 0 ? q.completionTs.get(lastCompK) : -Infinity;
  const stuckK = lowerBound(q.xmitTs, lastCompRel);
  const stallStartRel =
    stuckK < q.xmitTs.length && q.xmitTs.get(stuckK) < iv.startRel ? q.xmitTs.get(stuckK) : iv.startRel;
  // the ring drained: completions ran. An idle NAPI poll (work < budget) proves it only for a peer's
  // ring (veth: the peer NAPI consumed its ptr_ring) or when the trace has no free events to show
  // completions; a device's own poll that cleans nothing is what a stuck ring looks like (§I.2)
  const tracedFrees = o.kindCounts[K.consume]! + o.kindCounts[K.kfree]! > 0;
  const drained = comps > 0 || (idle !== null && (peerDriven || !tracedFrees));
  const backlogNote = q.backlog > 0 && open ? `; ${q.backlog} packet(s) stuck in the qdisc` : '';
  const stopEv = ev(
    iv.startRow,
    iv.openedByBusy
      ? 'driver returned NETDEV_TX_BUSY: queue stopped (last stop)'
      : `first dequeue that saw ${iv.state}`,
  );
  const lastEv = ev(
    iv.lastSeenRow,
    `last qdisc_dequeue still seeing ${iv.state} (txq_state=0x${bql ? 2 : 1}), nothing dequeued`,
  );
  return {
    iv,
    open,
    endRel,
    dur,
    firstTimeout,
    comps,
    polls,
    idle,
    bql,
    stallStartRel,
    drained,
    backlogNote,
    stopEv,
    lastEv,
  };
}

/** A rule for one long stop: the first rule (in rules/index.ts order) whose `when` holds reports it. */
export interface StopRule {
  kind: FindingKind;
  needs: Needs;
  when(c: QueueCtx, s: StopFacts): boolean;
  report(c: QueueCtx, s: StopFacts): void;
}

/** A rule run once per TX queue, after its stops. */
export interface QueueRule {
  kind: FindingKind;
  needs: Needs;
  run(c: QueueCtx): void;
}

/** A rule run once per device, after its queues. */
export interface DeviceRule {
  kind: FindingKind;
  needs: Needs;
  run(c: DeviceCtx): void;
}
