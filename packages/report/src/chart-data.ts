/**
 * The numbers behind a device's timeline: one shared time axis (seconds since the trace's first event) for
 * all TX queues of the device, per queue the state lane (awake / stopped by BQL or the driver / frozen /
 * trace gap), qdisc backlog, bytes in flight and the DQL limit where the device has them (device-facts.ts),
 * and the cumulative qdisc drops (the same drops the queue table counts). Long series are reduced per pixel
 * column to first/min/max/last so spikes and the value held afterwards both survive.
 */
import type { Finding, Interval, QueueSeries } from '@txreplay/replay';
import type { DeviceFacts } from './device-facts.js';

/** State codes, higher wins where intervals overlap (§C netdev_queue state bits; UNKNOWN = trace gap). */
export const STATES = [
  { name: 'awake', color: '' },
  { name: 'stopped by BQL (STACK_XOFF)', color: '#f5a524' },
  { name: 'stopped by the driver (DRV_XOFF)', color: '#e5484d' },
  { name: 'frozen (FROZEN)', color: '#8e4ec6' },
  { name: 'unknown (trace gap)', color: '#9aa0a6' },
] as const;
const STATE_CODE: Record<string, number> = { STACK_XOFF: 1, DRV_XOFF: 2, FROZEN: 3, UNKNOWN: 4 };

export interface QueueChartData {
  queue: number;
  /** seconds since the trace's first event */
  x: number[];
  state: number[];
  backlog: number[];
  /** null: the device does not complete its own transmissions (veth), so "in flight" means nothing */
  inflight: number[] | null;
  /** null: no BQL on this device */
  dql: (number | null)[] | null;
  /** qdisc drops so far; ends at the queue table's count */
  drops: number[];
  totalDrops: number;
  /** [x0, x1, state code] */
  bands: [number, number, number][];
}

export interface WindowMark {
  /** the finding's number in the post-mortem (1 = worst) */
  n: number;
  queue: number | null;
  x0: number;
  x1: number;
  label: string;
  severity: string;
}

export interface DeviceChartData {
  dev: string;
  /** DOM id part: safe characters only */
  id: string;
  spanS: number;
  queues: QueueChartData[];
  windows: WindowMark[];
  /** what is not drawn and why (no BQL, peer-completed) */
  notes: string[];
  /** series were reduced to this many columns (null: every sample drawn) */
  columns: number | null;
}

/** Most points one queue keeps before it is reduced per column (3 points a column). */
const MAX_POINTS = 6000;

export const sec = (firstNs: bigint, ns: bigint): number => Number(ns - firstNs) / 1e9;

/** Held values at each moment something changed, columnar (dql NaN = none). */
interface Samples {
  n: number;
  x: Float64Array;
  state: Uint8Array;
  backlog: Float64Array;
  inflight: Float64Array;
  dql: Float64Array;
  drops: Float64Array;
}

function allocSamples(cap: number): Samples {
  return {
    n: 0,
    x: new Float64Array(cap),
    state: new Uint8Array(cap),
    backlog: new Float64Array(cap),
    inflight: new Float64Array(cap),
    dql: new Float64Array(cap).fill(Number.NaN),
    drops: new Float64Array(cap),
  };
}

/**
 * Interval boundaries as a sorted list of (x, code, +1 start / -1 end). An interval that reaches the trace's
 * end never ended (still stopped when the capture stopped): it has no end boundary.
 */
function boundaries(firstNs: bigint, lastNs: bigint, intervals: Interval[]): { x: number; code: number; d: number }[] {
  const b: { x: number; code: number; d: number }[] = [];
  for (const iv of intervals) {
    const code = STATE_CODE[iv.state] ?? 4;
    b.push({ x: sec(firstNs, iv.startNs), code, d: 1 });
    if (iv.endNs < lastNs) b.push({ x: sec(firstNs, iv.endNs), code, d: -1 });
  }
  return b.sort((a, c) => a.x - c.x || c.d - a.d);
}

/** ns stamps → seconds since firstNs (a plain loop: Float64Array.from with a map function is ~6× slower). */
function secondsOf(firstNs: bigint, ts: bigint[]): Float64Array {
  const out = new Float64Array(ts.length);
  for (let i = 0; i < ts.length; i++) out[i] = Number(ts[i]! - firstNs) / 1e9;
  return out;
}

/** Merge series samples, drop stamps and state boundaries into one time-ordered list of held values. */
function mergeSamples(firstNs: bigint, lastNs: bigint, s: QueueSeries | null, intervals: Interval[]): Samples {
  const sx = secondsOf(firstNs, s?.tsNs ?? []);
  const drops = secondsOf(firstNs, s?.qdiscDropTsNs ?? []).sort();
  const bounds = boundaries(firstNs, lastNs, intervals);
  const out = allocSamples(sx.length + drops.length + bounds.length);
  const active = [0, 0, 0, 0, 0];
  const bl = s?.backlogPackets ?? [];
  const inf = s?.inflightBytes ?? [];
  const lim = s?.dqlLimitExpected ?? [];
  let backlog = 0;
  let inflight = 0;
  let dql = Number.NaN;
  let nDrops = 0;
  let i = 0;
  let d = 0;
  let b = 0;
  const INF = Number.POSITIVE_INFINITY;
  while (i < sx.length || d < drops.length || b < bounds.length) {
    let x = i < sx.length ? sx[i]! : INF;
    if (d < drops.length && drops[d]! < x) x = drops[d]!;
    if (b < bounds.length && bounds[b]!.x < x) x = bounds[b]!.x;
    while (b < bounds.length && bounds[b]!.x === x) active[bounds[b]!.code]! += bounds[b++]!.d;
    while (d < drops.length && drops[d] === x) {
      nDrops++;
      d++;
    }
    while (i < sx.length && sx[i] === x) {
      backlog = bl[i]!;
      inflight = inf[i]!;
      dql = lim[i] ?? Number.NaN;
      i++;
    }
    let st = 0;
    for (let c = 4; c > 0 && st === 0; c--) if (active[c]! > 0) st = c;
    const k = out.n++;
    out.x[k] = x;
    out.state[k] = st;
    out.backlog[k] = backlog;
    out.inflight[k] = inflight;
    out.dql[k] = dql;
    out.drops[k] = nDrops;
  }
  return out;
}

/** Copy sample j of `from` to the end of `to`, at time x. */
function pushSample(to: Samples, from: Samples, j: number, x = from.x[j]!): number {
  const k = to.n++;
  to.x[k] = x;
  to.state[k] = from.state[j]!;
  to.backlog[k] = from.backlog[j]!;
  to.inflight[k] = from.inflight[j]!;
  to.dql[k] = from.dql[j]!;
  to.drops[k] = from.drops[j]!;
  return k;
}

/** Per column: the first sample (as min), the max, and the last sample, so a held value stays right. */
function reduce(sm: Samples, spanS: number, columns: number): Samples {
  const out = allocSamples(columns * 3 + 3);
  const w = spanS / columns;
  let k = 0;
  while (k < sm.n) {
    const col = Math.floor(sm.x[k]! / w);
    let end = k;
    while (end + 1 < sm.n && Math.floor(sm.x[end + 1]! / w) === col) end++;
    if (end - k < 3) {
      for (let j = k; j <= end; j++) pushSample(out, sm, j);
    } else {
      const lo = pushSample(out, sm, k);
      const hi = pushSample(out, sm, k, (sm.x[k]! + sm.x[end]!) / 2);
      for (let j = k; j <= end; j++) {
        out.backlog[lo] = Math.min(out.backlog[lo]!, sm.backlog[j]!);
        out.inflight[lo] = Math.min(out.inflight[lo]!, sm.inflight[j]!);
        out.backlog[hi] = Math.max(out.backlog[hi]!, sm.backlog[j]!);
        out.inflight[hi] = Math.max(out.inflight[hi]!, sm.inflight[j]!);
        out.state[hi] = Math.max(out.state[hi]!, sm.state[j]!);
        // NaN (no limit yet) loses to any limit: Math.min/max would spread it
        if (!Number.isNaN(sm.dql[j]!)) {
          out.dql[lo] = Number.isNaN(out.dql[lo]!) ? sm.dql[j]! : Math.min(out.dql[lo]!, sm.dql[j]!);
          out.dql[hi] = Number.isNaN(out.dql[hi]!) ? sm.dql[j]! : Math.max(out.dql[hi]!, sm.dql[j]!);
        }
      }
      out.drops[hi] = sm.drops[end]!;
      pushSample(out, sm, end);
    }
    k = end + 1;
  }
  return out;
}

/** Bands of one state closer than a column apart are one band (past 2,000 bands): a million stops draw in one pass. */
function bandsOf(firstNs: bigint, intervals: Interval[], minGapS: number): [number, number, number][] {
  const sorted = intervals
    .map((iv): [number, number, number] => [
      sec(firstNs, iv.startNs),
      sec(firstNs, iv.endNs),
      STATE_CODE[iv.state] ?? 4,
    ])
    .sort((a, b) => a[0] - b[0]);
  if (sorted.length <= 2000) return sorted;
  const out: [number, number, number][] = [];
  const lastOf: ([number, number, number] | undefined)[] = [];
  for (const b of sorted) {
    const last = lastOf[b[2]];
    if (last && b[0] - last[1] <= minGapS) last[1] = Math.max(last[1], b[1]);
    else {
      out.push(b);
      lastOf[b[2]] = b;
    }
  }
  return out;
}

export function queueChartData(
  firstNs: bigint,
  lastNs: bigint,
  queue: number,
  s: QueueSeries | null,
  intervals: Interval[],
  facts: DeviceFacts,
): { data: QueueChartData; columns: number | null } {
  const spanS = sec(firstNs, lastNs);
  let sm = mergeSamples(firstNs, lastNs, s, intervals);
  const totalDrops = sm.n ? sm.drops[sm.n - 1]! : 0;
  const columns = sm.n > MAX_POINTS ? Math.floor(MAX_POINTS / 3) : null;
  if (columns !== null) sm = reduce(sm, spanS || 1, columns);
  const showDql = facts.bql === true || (facts.bql === null && (s?.dqlLimitExpected.some((v) => v !== null) ?? false));
  const col = <T>(a: ArrayLike<number>, f: (v: number) => T): T[] => Array.from({ length: sm.n }, (_, k) => f(a[k]!));
  const id = (v: number): number => v;
  const data: QueueChartData = {
    queue,
    x: col(sm.x, id),
    state: col(sm.state, id),
    backlog: col(sm.backlog, id),
    inflight: facts.completedByPeer ? null : col(sm.inflight, id),
    dql: showDql ? col(sm.dql, (v) => (Number.isNaN(v) ? null : v)) : null,
    drops: col(sm.drops, id),
    totalDrops,
    bands: bandsOf(firstNs, intervals, (spanS || 1) / 4000),
  };
  return { data, columns };
}

/** A finding's window on its device's axis, labelled with the finding itself. */
export function windowMark(firstNs: bigint, f: Finding, n: number): WindowMark {
  return {
    n,
    queue: f.queue,
    x0: sec(firstNs, f.startNs),
    x1: sec(firstNs, f.endNs),
    label: `#${n} ${f.title}`,
    severity: f.severity,
  };
}

/** DOM-safe id for a device name (any bytes): letters and digits kept, the rest hex-coded. */
export function domId(dev: string): string {
  return `d-${[...dev].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}`)).join('')}`;
}

export function deviceNotes(facts: DeviceFacts): string[] {
  const notes: string[] = [];
  const how =
    facts.driverFrom === 'given'
      ? 'as given'
      : facts.driver === 'loopback'
        ? 'the loopback device'
        : 'inferred: it transmits with no NAPI of its own';
  if (facts.bql === false)
    notes.push(`no DQL limit: ${facts.driver} (${how}) does not run BQL (netdev_tx_sent_queue, §B)`);
  if (facts.completedByPeer)
    notes.push(
      `no in-flight bytes: ${facts.driver}'s peer NAPI drains its ring (veth_poll, §D.1); its frees are not this device's completions`,
    );
  return notes;
}
