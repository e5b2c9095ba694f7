/**
 * Observed reconstruction: one pass over the time-ordered events that rebuilds, per device and TX
 * queue, what really happened (docs/kernel-tx-path.md §C, §D, §F). No model here: only what the
 * events prove, plus where the evidence is missing (lost events = unknown, not quiet).
 *
 * Per-packet lifecycle is keyed by skbaddr: net_dev_queue → qdisc_enqueue → qdisc_dequeue →
 * net_dev_start_xmit → net_dev_xmit(rc) → consume_skb/kfree_skb. A new net_dev_queue on an address
 * that is still live means the old skb was freed without an event we saw (e.g. GRO's stolen heads
 * are freed without a tracepoint), so the old lifecycle ends there ("implicit free").
 * ftrace hashes pointers, but consistently within one file, so matching works inside a file.
 */
import { TimeBase, type TraceColumns } from '../columns.js';
import {
  BatchReader,
  firstTsNs,
  REPLAY_COLUMNS,
  ROW_ACCESS_COLUMNS,
  RowAccess,
  type BatchSource,
} from '../input/batches.js';
import { gatherSorted, ViewBuilder } from '../input/batch-view.js';
import type { SpillFile } from '../input/spill.js';
import type { Observed } from './records.js';
import { Observer } from './observer.js';
import { warmThinning } from './series-store.js';
import { warmMerging } from './stamp-counts.js';

/** What the pass's ViewBuilder (no evidence columns) reads of every row range. */
const PASS_COLUMNS = REPLAY_COLUMNS.filter(
  (c) => c !== 'source' && c !== 'line' && c !== 'location' && c !== 'net_cookie',
);

/**
 * Traces from this many rows first run the bounded stores' later paths on throwaway stores (series-store.ts
 * warmThinning, stamp-counts.ts warmMerging): a long pass reaches them only when it is already optimized without
 * them, and each first use deoptimized the per-event methods (first replay of the bench trace 57 → 17 deopts, second
 * 38 → 13, `node --trace-deopt`). A throwaway observer over the first range (for what a pass does once, in its first
 * events, before V8 allocates the functions' feedback vectors) took the second replay's remaining deopts of `run` too,
 * but cost a one-shot diagnose ~1–10 % of its pass's CPU for a gain only a second replay in the process sees: not kept.
 */
const WARM_UP_MIN_ROWS = 1 << 17;

/**
 * Whole-table form (rows in any order, `order` = time order): the legacy entry point and the fallback for
 * unsorted inputs. Same reconstruction as observeSource.
 */
export function observe(cols: TraceColumns, order: Uint32Array, keepSeries = true): Observed {
  const { sorted, view } = gatherSorted(cols, order);
  // rows are positions in time order from here on: evidence reads the sorted columns
  const rows = new RowAccess(cols.n, cols.baseNs, null, null, sorted, null, null);
  const ob = new Observer(rows, cols, null, keepSeries);
  if (!ob.run(view, 0)) throw new Error('observe: rows not in time order after sorting');
  return ob.finish();
}

/**
 * Batch by batch over a source whose rows are already in (ts_ns, line) order (the common case: perf
 * script and ftrace print in time order, ingest keeps file order). Returns null as soon as a row is out of
 * order: the caller then sorts the whole table and uses observe(). `spill`: where the per-event lists keep all but
 * their newest chunk (input/spill.ts; the caller closes it once the result is assembled), else in memory.
 * `keepSeries` false: the queues keep no series points (a replay that draws none, SeriesStore keepPoints).
 */
export function observeSource(src: BatchSource, spill: SpillFile | null = null, keepSeries = true): Observed | null {
  const base = new TimeBase();
  base.set(firstTsNs(src));
  const main = new ViewBuilder(src, 0, base, false);
  const readers = [1, 2, 3, 4].map((slot) => new BatchReader(src, slot, base, ROW_ACCESS_COLUMNS));
  const rows = new RowAccess(src.numRows, base.ns, readers, src.starts, null, null, src.names, src);
  const nm = src.names;
  const names = {
    n: src.numRows,
    eventNames: nm.event.names,
    devNames: nm.dev.names,
    reasonNames: nm.reason.names,
    driverNames: nm.driver.names,
    sourceNames: nm.source.names,
  };
  // row ranges of ~8k rows: the pass reads each column range right after it was copied in, while
  // it is still in the CPU cache (a whole 64k-row batch of ~20 columns is several MB)
  const step = 8192;
  src.readAhead?.(0, step, PASS_COLUMNS, base.ns);
  if (src.numRows >= WARM_UP_MIN_ROWS) {
    if (keepSeries) warmThinning();
    warmMerging();
  }
  const ob = new Observer(rows, names, spill, keepSeries);
  for (let b = 0; b + 1 < src.starts.length; b++) {
    const len = src.starts[b + 1]! - src.starts[b]!;
    for (let from = 0; from < len; from += step) {
      const to = Math.min(len, from + step);
      if (!ob.run(main.build(b, { from, to }), src.starts[b]! + from)) return null;
    }
  }
  return ob.finish();
}
