/**
 * One TX queue's qdisc drop times in bounded memory: every drop is a stamp until STAMP_BUCKETS are held, then
 * adjacent stamps merge pairwise into (first time, count) buckets — the counts always add up to the queue's
 * qdiscDrops. The one exact number a rule reads — drops at or after the last state observation
 * (qdisc_stuck_backlog) — is counted as the drops arrive (countFrom).
 */

/** Stamps held before they are merged pairwise (every drop its own stamp up to this many). */
const STAMP_BUCKETS = 8192;

export class StampCounts {
  private ts = new Float64Array(16);
  private counts = new Float64Array(16);
  private n = 0;
  /** drops per full bucket (a power of two) and in the last bucket */
  private width = 1;
  private fill = 0;
  /** drops so far and those at the last drop's time */
  total = 0;
  private lastTs = Number.NaN;
  private atLastTs = 0;
  private from = Number.NaN;
  private sinceFrom = 0;

  /** `buckets`: stamps held before merging (even; tests use few) */
  constructor(private readonly buckets = STAMP_BUCKETS) {}

  /** A drop at rel; `stateRel` is the queue's last state observation (never later than rel). */
  push(rel: number, stateRel: number): void {
    if (stateRel !== this.from) this.markFrom(stateRel);
    this.total++;
    this.sinceFrom++;
    this.atLastTs = rel === this.lastTs ? this.atLastTs + 1 : 1;
    this.lastTs = rel;
    if (this.n > 0 && this.fill < this.width) {
      this.counts[this.n - 1]!++;
      this.fill++;
      return;
    }
    if (this.n === this.buckets) this.mergePairs();
    else if (this.n === this.ts.length) this.grow();
    this.ts[this.n] = rel;
    this.counts[this.n++] = 1;
    this.fill = 1;
  }

  /** Drops at or after `fromRel` (the queue's last state observation, or any time since the last drop). */
  countFrom(fromRel: number): number {
    if (fromRel !== this.from) this.markFrom(fromRel);
    return this.sinceFrom;
  }

  /** The stamps in time order and how many drops each stands for (all 1 while `exact`). */
  view(): { ts: Float64Array; counts: Float64Array; exact: boolean } {
    return { ts: this.ts.subarray(0, this.n), counts: this.counts.subarray(0, this.n), exact: this.width === 1 };
  }

  /** every drop so far is at or before fromRel: only those at fromRel itself count */
  private markFrom(fromRel: number): void {
    this.from = fromRel;
    this.sinceFrom = this.lastTs === fromRel ? this.atLastTs : 0;
  }

  private grow(): void {
    const cap = Math.min(this.buckets, this.ts.length * 2);
    const ts = new Float64Array(cap);
    ts.set(this.ts);
    const counts = new Float64Array(cap);
    counts.set(this.counts);
    this.ts = ts;
    this.counts = counts;
  }

  /** stamps 2k and 2k+1 become stamp k (its first time, their counts summed) */
  private mergePairs(): void {
    const half = this.n >> 1;
    for (let k = 0; k < half; k++) {
      this.ts[k] = this.ts[2 * k]!;
      this.counts[k] = this.counts[2 * k]! + this.counts[2 * k + 1]!;
    }
    this.n = half;
    this.width *= 2;
    this.fill = this.width;
  }
}

let mergingWarm = false;
/**
 * StampCounts' growing and merging paths once per process on throwaway stores, before a long pass (as series-store.ts
 * warmThinning: a queue merges only after 8 192 drops, and its first merge would deoptimize qdiscDrop).
 */
export function warmMerging(): void {
  if (mergingWarm) return;
  mergingWarm = true;
  for (let k = 0; k < 12; k++) {
    const store = new StampCounts(32);
    for (let i = 0; i < 200; i++) store.push(1e9 + i * 1000.5, 1e9 + (i >> 4) * 16000.5);
    store.countFrom(1e9 + 0.5);
  }
}
