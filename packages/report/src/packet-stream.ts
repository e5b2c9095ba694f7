/**
 * Per-skb lifecycles of a streamed `report` in bounded memory. The lifecycle state machine (packets.ts) must see the
 * candidate events in (ts_ns, line) order, and timestamps are not monotonic across CPUs, so the whole-table path
 * sorts every candidate first. Here a reorder window does it: candidates wait in a window ordered (ts_ns, line,
 * arrival) (slot-window.ts) and the smallest goes to the machine once the window holds more than WINDOW of them. That is the sorted
 * order exactly unless a candidate arrives older than one already handed on — detected, and then the stream gives
 * up (`abandoned`) and the caller derives the lifecycles from the written Arrow file the whole-table way (same rows).
 * Closed lifecycles go to a spill file (packet-spill.ts), idle open ones to a file of their own (open-evict.ts); what
 * stays in memory is the window, the open skbs in use and an index of the idle ones.
 */
import type { RecordBatch } from 'apache-arrow';
import { CandidateReader, LifecycleMachine } from './packets.js';
import { PacketSpill, type SpillIndex } from './packet-spill.js';
import { PacketNative } from './packet-native.js';
import type { ServerCaps } from './caps.js';
import type { TsvValue } from './tsv.js';
import type { PacketWall } from './packet-tsv.js';
import { SlotWindow } from './slot-window.js';

/** Candidates held back for reordering (perf script and ftrace text are merged in time order already) */
const WINDOW = 1 << 16;

/** The lifecycles of a stream of record batches, spilled to `spillFile` as they close. */
export class PacketStream {
  /** a candidate came out of order beyond the window: derive from the Arrow file instead (derivePackets) */
  abandoned = false;
  private readonly reader = new CandidateReader();
  private readonly spill: PacketSpill;
  private readonly machine: LifecycleMachine;
  private readonly window: SlotWindow;
  private arrivals = 0;
  /** ts and line of the last candidate handed to the machine */
  private lastTs = Number.NEGATIVE_INFINITY;
  private lastLine = 0;

  private readonly windowRows: number;

  constructor(spillFile: string, opts: { windowRows?: number; chunkRows?: number; openCap?: number } = {}) {
    const c = this.reader.c;
    this.windowRows = opts.windowRows ?? WINDOW;
    this.spill = new PacketSpill(spillFile, opts.chunkRows);
    // idle open lifecycles go to a file beside the spill (open-evict.ts: skbs whose free the trace never shows)
    const evict = { file: `${spillFile}.open`, openCap: opts.openCap };
    this.machine = new LifecycleMachine(c, (p) => this.spill.add(p), evict);
    this.window = new SlotWindow();
  }

  /** One more batch, in stream order (copied: the batch may be reused once this returns). */
  push(batch: RecordBatch): void {
    if (this.abandoned) return;
    const c = this.reader.c;
    this.reader.read(batch, (x) => {
      if (this.abandoned) return c.release(x);
      const ts = c.ts[x]!;
      // older than a candidate the machine has seen: the window was too small for this trace's disorder
      if (ts < this.lastTs || (ts === this.lastTs && c.line[x]! < this.lastLine)) {
        this.abandoned = true;
        return c.release(x);
      }
      this.window.push(x, ts, c.line[x]!, this.arrivals++);
      if (this.window.size > this.windowRows) this.step(this.window.pop());
    });
  }

  private step(x: number): void {
    const c = this.reader.c;
    this.lastTs = c.ts[x]!;
    this.lastLine = c.line[x]!;
    this.machine.step(x);
    this.reader.c.release(x);
  }

  /** The stream ended: the rest of the window, then the lifecycles still open. Null when abandoned. */
  finish(): StreamedPackets | null {
    const done = this.finishSpill();
    return done && spilledPackets(this.spill, done.baseNs, done.strings);
  }

  /**
   * The stream ended (finish without the reader, for the derivation thread): the spill file is complete; its layout,
   * time base and interned strings, or null when abandoned.
   */
  finishSpill(): SpilledLifecycles | null {
    if (!this.abandoned) {
      while (this.window.size > 0) this.step(this.window.pop());
      this.machine.end();
    }
    this.spill.close();
    if (this.abandoned) return null;
    return { index: this.spill.index(), baseNs: this.reader.baseNs ?? 0n, strings: this.reader.c.strings };
  }
}

/** A complete spill file's layout, time base and strings (what its rows need to be read back, on any thread). */
export interface SpilledLifecycles {
  index: SpillIndex;
  baseNs: bigint;
  strings: readonly string[];
}

/** The rows of a complete spill file, as TSV or Native blocks. */
export function spilledPackets(spill: PacketSpill, baseNs: bigint, strings: readonly string[]): StreamedPackets {
  return {
    count: spill.count,
    tsv: (k, wall) => spill.tsv(k, wall, baseNs, strings),
    native: PacketNative.exact(baseNs)
      ? (k, caps, offsetNs, reuse, blockRows) =>
          spill.native(new PacketNative(k, caps, offsetNs, baseNs, strings, reuse), blockRows)
      : undefined,
  };
}

/** A run's per-skb lifecycles, however derived: how many, and their `packets` rows as TSV (re-iterable). */
export interface StreamedPackets {
  count: number;
  /** the rows after the run's key columns `k`, the time column on `wall` */
  tsv: (k: TsvValue[], wall: PacketWall) => Iterable<Buffer>;
  /**
   * the same rows as Native blocks (when its times are exact in doubles): `k` the run's constant columns, time =
   * queued_ns + `offsetNs`; `reuseBlocks`: each block is written out before the next is asked for (one buffer for all);
   * `blockRows`: rows per block (default 16,384; tests make it small)
   */
  native?: (
    k: readonly string[],
    caps: ServerCaps,
    offsetNs: bigint,
    reuseBlocks: boolean,
    blockRows?: number,
  ) => Iterable<Buffer>;
}
