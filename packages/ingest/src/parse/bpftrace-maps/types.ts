/**
 * bpftrace aggregates: what `bpftrace` prints for its maps at exit (or on `print(@m)`), in text or `-f json`.
 * They are counts without timestamps: evidence that something happened, never when or for how long.
 */

/** One histogram bucket: [lo, hi] inclusive as bpftrace's JSON gives it; null = unbounded on that side. */
export interface HistBucket {
  lo: number | null;
  hi: number | null;
  count: number;
}

/** count()/sum()/min()/max()/avg() and plain assignments print one number per key. */
interface ValueAggregate {
  kind: 'value';
  value: number;
}

/** hist() (power-of-2 buckets) or lhist() (linear buckets): the same shape in both outputs. */
export interface HistAggregate {
  kind: 'hist';
  buckets: HistBucket[];
}

/** stats(): count, average and total. */
interface StatsAggregate {
  kind: 'stats';
  count: number;
  average: number;
  total: number;
}

export type AggregateValue = ValueAggregate | HistAggregate | StatsAggregate;

/** One map entry: `@name[key…]` and its value, with the line it was read from (1-based). */
export type BpftraceAggregate = AggregateValue & {
  /** the map's name with its `@` (`@` alone for the anonymous map) */
  map: string;
  /** the key's parts (`@rc[lo, 0]` → ["lo", "0"]); empty for a map without a key */
  key: string[];
  line: number;
};

export interface BpftraceAggregates {
  output: 'json' | 'text';
  entries: BpftraceAggregate[];
  /** lines that were neither an aggregate, a bucket, a bpftrace banner nor blank: counted, first ones shown */
  skipped: number;
  firstSkipped: { line: number; text: string }[];
  /** `lost_events` records / "Lost N events" lines: the maps themselves are complete, printed events were lost */
  lostEvents: number;
}
