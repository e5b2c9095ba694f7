/**
 * The replay pass in step with ingest (streamed diagnose): each record batch is observed once AHEAD_ROWS more rows
 * have been parsed (the look-ahead that binds a qdisc event's ifindex to a device reads a little ahead, and back up
 * to 200 000 rows: observer.ts bindIfindex), and dropped once it lies BACK_ROWS behind the pass.
 * Rows the pass asks for outside that window end the pass (OutsideWindow); so does a row out of time order. The
 * caller then replays the written file instead — the same reconstruction as observeSource on it.
 */
import type { RecordBatch } from 'apache-arrow';
import { TimeBase } from './columns.js';
import { BatchReader, ROW_ACCESS_COLUMNS, RowAccess, type BatchSource } from './input/batches.js';
import { ViewBuilder } from './input/batch-view.js';
import type { SpillFile } from './input/spill.js';
import { OutsideWindow, StreamRowAccess, StreamSource, WINDOW_ROW_COLUMNS } from './input/stream-source.js';
import { Observer, type NameTables } from './observe/observer.js';
import type { Observed } from './observe/records.js';

/** Rows parsed past a batch before it is observed (its look-ahead: two default batches). */
const AHEAD_ROWS = 2 * 65536;
/** Rows kept behind the row being observed: observer.ts bindIfindex searches up to 200 000 rows back. */
const BACK_ROWS = 200_000;
/** Rows per pass range (observeSource's step: each column range is read while it is in the CPU cache). */
const STEP = 8192;

/** The window of rows the pass reads (tests narrow it). */
export interface StreamWindow {
  /** default AHEAD_ROWS */
  aheadRows?: number;
  /** default BACK_ROWS (fewer: look-backs past them make the pass give up) */
  backRows?: number;
  /**
   * where the pass's per-event lists (transmit, completion and poll times) keep all but their newest chunk, so that
   * memory does not grow with the trace (input/spill.ts); none: in memory. The caller closes it after the replay.
   */
  spill?: SpillFile;
  /** the queues keep their series' points (default true; false: the replay draws no series) */
  keepSeries?: boolean;
  /** the rows the stream holds, about (the pass's tables are sized from it; unknown: they grow from their least) */
  sizeRows?: number;
}

export class StreamPass {
  readonly src = new StreamSource();
  private ob: Observer | null = null;
  private rows: StreamRowAccess | null = null;
  private view: ViewBuilder | null = null;
  private names: NameTables | null = null;
  private base: TimeBase | null = null;
  /** next batch to observe */
  private next = 0;
  /** the pass gave up (a row outside the window or out of order): the caller replays the file */
  abandoned = false;
  private readonly aheadRows: number;
  private readonly backRows: number;
  private readonly spill: SpillFile | null;
  private readonly keepSeries: boolean;
  private readonly sizeRows: number;

  constructor(window: StreamWindow = {}) {
    this.sizeRows = window.sizeRows ?? 0;
    this.aheadRows = window.aheadRows ?? AHEAD_ROWS;
    this.backRows = window.backRows ?? BACK_ROWS;
    this.spill = window.spill ?? null;
    this.keepSeries = window.keepSeries ?? true;
  }

  /**
   * One more batch from the stream: observe the batches that now have their look-ahead. `hold`: the stream's
   * `keep` (ingest's streamEvents), to hold the batch in the window rather than copy it.
   */
  push(batch: RecordBatch, hold?: () => (() => void) | null): void {
    if (this.abandoned) return;
    this.src.push(batch, hold);
    if (this.ob === null && batch.numRows > 0) this.start(batch);
    if (this.rows) this.rows.frontier = this.src.numRows;
    const src = this.src;
    while (!this.abandoned && this.ob !== null && src.numRows - src.starts[this.next + 1]! >= this.aheadRows)
      this.observe(this.next++);
    // batches wholly more than backRows behind the next row to observe leave memory
    let keep = this.next;
    while (keep > 0 && src.starts[keep]! > src.starts[this.next]! - this.backRows) keep--;
    src.dropBefore(this.abandoned ? Number.POSITIVE_INFINITY : keep);
  }

  /**
   * The stream has ended and every batch is in `file` (the Arrow file it was written to, opened): observe the rest
   * and return the reconstruction, or null when the pass gave up.
   */
  finish(file: BatchSource): Observed | null {
    if (!this.abandoned && file.starts.join() !== this.src.starts.join()) this.abandoned = true;
    if (this.abandoned) return null;
    this.src.attach(file);
    if (this.ob === null) this.start(null);
    this.names!.n = this.src.numRows;
    this.rows!.frontier = Number.POSITIVE_INFINITY;
    while (!this.abandoned && this.next < this.src.numBatches) this.observe(this.next++);
    if (this.abandoned) return null;
    // the findings read rows anywhere in the trace (and its row count): a RowAccess over the whole stream
    const src = this.src;
    const base = this.base!;
    const readers = [1, 2, 3, 4].map((slot) => new BatchReader(src, slot, base, ROW_ACCESS_COLUMNS));
    const rows = new RowAccess(src.numRows, base.ns, readers, src.starts, null, null, src.names, src);
    return { ...this.ob!.finish(), rows };
  }

  /** Set up the pass at the first row (null: the stream had no rows). */
  private start(first: RecordBatch | null): void {
    const base = new TimeBase();
    // the raw first value, as firstTsNs (batches.ts) takes it
    const ts = first?.getChild('ts_ns')?.data[0]?.values as BigInt64Array | undefined;
    base.set(ts?.[0] ?? 0n);
    this.base = base;
    const src = this.src;
    // the pass's own look-aside reads (bindIfindex): the window holds no evidence-only columns
    const readers = [1, 2, 3, 4].map((slot) => new BatchReader(src, slot, base, WINDOW_ROW_COLUMNS));
    this.rows = new StreamRowAccess(src.numRows, base.ns, readers, src.starts, null, null, src.names, src);
    const nm = src.names;
    // n: the rows of the whole stream, known at its end; until then the look-ahead is bounded by `frontier`
    this.names = {
      n: Number.MAX_SAFE_INTEGER,
      eventNames: nm.event.names,
      devNames: nm.dev.names,
      reasonNames: nm.reason.names,
      driverNames: nm.driver.names,
      sourceNames: nm.source.names,
    };
    this.ob = new Observer(this.rows, this.names, this.spill, this.keepSeries, this.sizeRows);
    this.view = new ViewBuilder(src, 0, base, false);
  }

  private observe(b: number): void {
    const src = this.src;
    const len = src.starts[b + 1]! - src.starts[b]!;
    try {
      for (let from = 0; from < len; from += STEP) {
        const to = Math.min(len, from + STEP);
        if (!this.ob!.run(this.view!.build(b, { from, to }), src.starts[b]! + from)) {
          this.abandoned = true;
          return;
        }
      }
    } catch (e) {
      if (!(e instanceof OutsideWindow)) throw e;
      this.abandoned = true;
    }
  }
}
