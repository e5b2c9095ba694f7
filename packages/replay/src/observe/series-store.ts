/**
 * One TX queue's backlog / in-flight series in bounded memory: every change is a point until BUCKETS × 5 points are
 * held (one array write per value, as the unbounded lists were), then they become BUCKETS / 2 buckets of 10 points
 * each, merged pairwise whenever the buckets fill (20, 40… points each), that keep the points where the backlog and
 * the in-flight bytes were lowest and highest and the bucket's last point. A
 * spike is never dropped, every point shown is one the queue really had (both values together), and memory stays
 * ~1 MB per queue whatever the trace length. The one exact number a rule reads from the series — packets enqueued
 * since the last state observation (qdisc_stuck_backlog) — is kept exactly as the points arrive (risesFrom).
 */
import { F64_ZERO } from './f64.js';

/** Buckets held before they are merged pairwise (the series is exact up to 5 × this many points). */
const SERIES_BUCKETS = 8192;
/** Representative points per bucket: lowest / highest backlog, lowest / highest in-flight, last. */
const REPS = 5;
const R_BMIN = 0;
const R_BMAX = 1;
const R_IMIN = 2;
const R_IMAX = 3;
const R_LAST = 4;

/**
 * Arrays a series view is written into: grown as needed, reused by the next view (a long queue's view is ~1 MB of
 * fresh pages, ~250 faults, each time a result's series are drawn; view/series.ts keeps one for all).
 */
export class SeriesScratch {
  ts = new Float64Array(0);
  backlog = new Float64Array(0);
  inflight = new Float64Array(0);
  reserve(cap: number): void {
    if (this.ts.length >= cap) return;
    this.ts = new Float64Array(cap);
    this.backlog = new Float64Array(cap);
    this.inflight = new Float64Array(cap);
  }
}

export class SeriesStore {
  /** the last point: still open to same-time updates (one point per time) */
  private pTs = Number.NaN;
  private pB = 0;
  private pI = F64_ZERO;
  /** the backlog of the point before the open one; NaN when the open point is the first */
  private prevB = Number.NaN;
  /** distinct points so far (the open one included) */
  points = 0;
  // exact: the points (ts, backlog, in-flight) one per slot; then buckets of REPS points each; struct of arrays
  private ts = new Float64Array(64);
  private bl = new Float64Array(64);
  private inf = new Float64Array(64);
  /** points held (exact) or buckets */
  private n = 0;
  /** 1 while exact; then points per full bucket, and points in the last bucket */
  private width = 1;
  private fill = 0;
  // enqueues since the last state observation: backlog rises of the points at or after riseFrom
  private riseFrom = Number.NaN;
  private closedRise = 0;
  // toBuckets' picks of one bucket (indices, then time/backlog/in-flight of each)
  private readonly pickScratch = new Int32Array(REPS);
  private readonly valScratch = new Float64Array(3 * REPS);

  /**
   * `buckets`: points held before merging (even; tests use few). `keepPoints` false: only risesFrom is kept, no point
   * (a replay that draws no series: the text diagnose, ReplayOptions.maxSeriesPoints 0) — the points' arrays and
   * their merging were ~1 MB of fresh pages per busy queue and a tenth of the pass's optimizing compiles.
   */
  constructor(
    private readonly buckets = SERIES_BUCKETS,
    private readonly keepPoints = true,
  ) {}

  /** A change of backlog or in-flight bytes at rel; `stateRel` is the queue's last state observation. */
  push(rel: number, backlog: number, inflight: number, stateRel: number): void {
    if (stateRel !== this.riseFrom) this.markFrom(stateRel);
    if (this.points > 0) {
      if (this.pB === backlog && this.pI === inflight) return;
      if (this.pTs === rel) {
        this.pB = backlog;
        this.pI = inflight;
        return;
      }
      if (this.pTs >= this.riseFrom) this.closedRise += this.openRise();
      if (this.keepPoints) this.commit();
      this.prevB = this.pB;
    }
    this.pTs = rel;
    this.pB = backlog;
    this.pI = inflight;
    this.points++;
  }

  /**
   * Packets the backlog rose by over the points at or after `fromRel` (each rise against the point before it):
   * with no dequeue after fromRel, the enqueues since then.
   */
  risesFrom(fromRel: number): number {
    if (fromRel !== this.riseFrom) this.markFrom(fromRel);
    return this.closedRise + (this.points > 0 && this.pTs >= fromRel ? this.openRise() : 0);
  }

  /** The held points in time order (the open one last): exact while `exact`, else the buckets' representatives. */
  view(into?: SeriesScratch): { ts: Float64Array; backlog: Float64Array; inflight: Float64Array; exact: boolean } {
    const exact = this.width === 1;
    const cap = (exact ? this.n : this.n * REPS) + 1;
    const sc = into ?? new SeriesScratch();
    sc.reserve(cap);
    const { ts, backlog, inflight } = sc;
    let m = 0;
    if (exact) {
      ts.set(this.ts.subarray(0, this.n));
      backlog.set(this.bl.subarray(0, this.n));
      inflight.set(this.inf.subarray(0, this.n));
      m = this.n;
    } else m = this.bucketPoints(ts, backlog, inflight);
    if (this.points > 0) {
      ts[m] = this.pTs;
      backlog[m] = this.pB;
      inflight[m] = this.pI;
      m++;
    }
    return { ts: ts.subarray(0, m), backlog: backlog.subarray(0, m), inflight: inflight.subarray(0, m), exact };
  }

  /** the buckets' representatives in time order, each point once */
  private bucketPoints(ts: Float64Array, backlog: Float64Array, inflight: Float64Array): number {
    let m = 0;
    const order = new Int32Array(REPS);
    const tss = this.ts;
    for (let k = 0; k < this.n; k++) {
      const o = k * REPS;
      // the REPS representatives by (time, rep): an insertion sort in place (Array.sort's comparator calls box
      // the float times, ~20 MB of garbage per 8192 buckets)
      for (let r = 0; r < REPS; r++) {
        let j = r;
        while (j > 0 && tss[o + order[j - 1]!]! > tss[o + r]!) {
          order[j] = order[j - 1]!;
          j--;
        }
        order[j] = r;
      }
      for (let x = 0; x < REPS; x++) {
        const r = order[x]!;
        const t = this.ts[o + r]!;
        if (m > 0 && ts[m - 1] === t) continue;
        ts[m] = t;
        backlog[m] = this.bl[o + r]!;
        inflight[m] = this.inf[o + r]!;
        m++;
      }
    }
    return m;
  }

  /** the open point's rise (0 for the first point: nothing before it) */
  private openRise(): number {
    const prev = this.prevB;
    return prev === prev && this.pB > prev ? this.pB - prev : 0;
  }

  /**
   * A new state observation at fromRel (never earlier than the open point, never later than the next push): every
   * closed point lies before it, so only the open point can count.
   */
  private markFrom(fromRel: number): void {
    this.riseFrom = fromRel;
    this.closedRise = 0;
  }

  /** Add a closed point: to the exact points, the last bucket, or a new one (merging when the buckets are full). */
  private commit(): void {
    // the open point, read here rather than passed: float arguments to a call V8 does not inline are boxed
    const b = this.pB;
    const i = this.pI;
    if (this.width === 1) {
      const n = this.n;
      if (n === this.ts.length) {
        if (n === this.buckets * REPS) this.toBuckets();
        else this.grow();
      }
      if (this.width === 1) {
        this.putOpen(n);
        this.n = n + 1;
        return;
      }
    }
    if (this.fill === this.width) {
      if (this.n === this.buckets) this.mergePairs();
      const o = this.n++ * REPS;
      for (let r = 0; r < REPS; r++) this.putOpen(o + r);
      this.fill = 1;
      return;
    }
    const o = (this.n - 1) * REPS;
    if (b < this.bl[o + R_BMIN]!) this.putOpen(o + R_BMIN);
    if (b > this.bl[o + R_BMAX]!) this.putOpen(o + R_BMAX);
    if (i < this.inf[o + R_IMIN]!) this.putOpen(o + R_IMIN);
    if (i > this.inf[o + R_IMAX]!) this.putOpen(o + R_IMAX);
    this.putOpen(o + R_LAST);
    this.fill++;
  }

  /** The open point into slot `at` (no float arguments: see commit). */
  private putOpen(at: number): void {
    this.ts[at] = this.pTs;
    this.bl[at] = this.pB;
    this.inf[at] = this.pI;
  }

  /**
   * The exact points (buckets × REPS) become buckets / 2 buckets of 2 × REPS points, in place: bucket k's slots
   * [k·REPS, (k+1)·REPS) lie at or before its points [2k·REPS, (2k+2)·REPS), which are read first.
   */
  private toBuckets(): void {
    const w = 2 * REPS;
    const nb = this.n / w;
    for (let k = 0; k < nb; k++) {
      const from = k * w;
      let bMin = from;
      let bMax = from;
      let iMin = from;
      let iMax = from;
      for (let p = from + 1; p < from + w; p++) {
        if (this.bl[p]! < this.bl[bMin]!) bMin = p;
        if (this.bl[p]! > this.bl[bMax]!) bMax = p;
        if (this.inf[p]! < this.inf[iMin]!) iMin = p;
        if (this.inf[p]! > this.inf[iMax]!) iMax = p;
      }
      // read every pick before writing (the bucket's slots may hold its own points)
      const pick = this.pickScratch;
      pick[0] = bMin;
      pick[1] = bMax;
      pick[2] = iMin;
      pick[3] = iMax;
      pick[4] = from + w - 1;
      const vals = this.valScratch;
      for (let r = 0; r < REPS; r++) {
        vals[3 * r] = this.ts[pick[r]!]!;
        vals[3 * r + 1] = this.bl[pick[r]!]!;
        vals[3 * r + 2] = this.inf[pick[r]!]!;
      }
      for (let r = 0; r < REPS; r++) this.setRep(k * REPS + r, vals[3 * r]!, vals[3 * r + 1]!, vals[3 * r + 2]!);
    }
    this.n = nb;
    this.width = w;
    this.fill = w;
  }

  private setRep(at: number, t: number, b: number, i: number): void {
    this.ts[at] = t;
    this.bl[at] = b;
    this.inf[at] = i;
  }

  /**
   * Tenfold, not twofold: each step copies the points into fresh arrays, and fresh pages are dear (a first touch
   * costs ~15 µs on the machines measured). 64 → 640 → 6400 → the cap touches 1.2 MB per busy queue where doubling
   * touched 2.5 MB (the capacity never changes what is kept: toBuckets runs at buckets × REPS points either way).
   */
  private grow(): void {
    const cap = Math.min(this.buckets * REPS, this.ts.length * 10);
    for (const k of ['ts', 'bl', 'inf'] as const) {
      const next = new Float64Array(cap);
      next.set(this[k]);
      this[k] = next;
    }
  }

  /** Buckets 2k and 2k+1 become bucket k (the earlier point wins a tie): width doubles, half the buckets free. */
  private mergePairs(): void {
    const half = this.n >> 1;
    for (let k = 0; k < half; k++) {
      const o = k * REPS;
      const a = 2 * k * REPS;
      const c = a + REPS;
      this.pick(o + R_BMIN, this.bl[c + R_BMIN]! < this.bl[a + R_BMIN]! ? c + R_BMIN : a + R_BMIN);
      this.pick(o + R_BMAX, this.bl[c + R_BMAX]! > this.bl[a + R_BMAX]! ? c + R_BMAX : a + R_BMAX);
      this.pick(o + R_IMIN, this.inf[c + R_IMIN]! < this.inf[a + R_IMIN]! ? c + R_IMIN : a + R_IMIN);
      this.pick(o + R_IMAX, this.inf[c + R_IMAX]! > this.inf[a + R_IMAX]! ? c + R_IMAX : a + R_IMAX);
      this.pick(o + R_LAST, c + R_LAST);
    }
    this.n = half;
    this.width *= 2;
    this.fill = this.width;
  }

  private pick(to: number, from: number): void {
    this.setRep(to, this.ts[from]!, this.bl[from]!, this.inf[from]!);
  }
}

let thinningWarm = false;
/**
 * Run the bucketing paths once per process on throwaway stores of 16 buckets (the fewest the exact arrays' first
 * growth allows), before a long pass. A busy queue of a
 * long trace reaches them only after 40 960 points, when the pass is already optimized without them; the first
 * bucketing then deoptimizes every per-event method `push` is inlined into (sample, xmitOk, qdiscEvent, …: 11 deopts
 * of a first replay of the bench trace, `node --trace-deopt`). Here they run early enough (12 stores, so that each
 * path's function is called often enough for V8 to keep its type feedback) to be compiled in. Times are doubles, as
 * the pass's are.
 */
export function warmThinning(): void {
  if (thinningWarm) return;
  thinningWarm = true;
  for (let k = 0; k < 12; k++) {
    const store = new SeriesStore(16);
    // pseudo-random backlog, in-flight bytes and time steps (some repeated): every branch of push, commit and the
    // merges is taken
    let x = 12345 + k;
    let rel = 1e9 + 0.5;
    for (let i = 0; i < 600; i++) {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      if (x % 3 !== 0) rel += 1000.5;
      store.push(rel, (x >> 3) % 9, ((x >> 7) % 11) * 1500.5, 1e9 + (i >> 4) * 16000.5);
    }
    store.view();
  }
}
