/**
 * Per-skb lifecycles of a streamed `report` in bounded memory. The lifecycle state machine (packets.ts) must see the
 * candidate events in (ts_ns, line) order, and timestamps are not monotonic across CPUs, so the whole-table path
 * sorts every candidate first. Here a reorder window does it: candidates wait in a min-heap keyed (ts_ns, line,
 * arrival) and the smallest goes to the machine once the heap holds more than WINDOW of them. That is the sorted
 * order exactly unless a candidate arrives older than one already handed on — detected, and then the stream gives
 * up (`abandoned`) and the caller derives the lifecycles from the written Arrow file the whole-table way (same rows).
 * Closed lifecycles go to a spill file (packet-spill.ts); what stays in memory is the window and the open skbs.
 */
import type { RecordBatch } from 'apache-arrow';
import { CandidateReader, LifecycleMachine } from './packets.js';
import { PacketSpill } from './packet-spill.js';
import { PacketNative } from './packet-native.js';
import type { ServerCaps } from './caps.js';
import type { TsvValue } from './tsv.js';
import type { PacketWall } from './packet-tsv.js';

/** Candidates held back for reordering (perf script and ftrace text are merged in time order already) */
const WINDOW = 1 << 16;

/**
 * Binary min-heap of candidate slots ordered by (ts, line, arrival). The keys live beside the slots in the heap's own
 * arrays (no lookup through the candidate arrays per comparison: half the cost of a window of 65,536).
 */
class SlotHeap {
  size = 0;
  private slot = new Int32Array(1024);
  private ts = new Float64Array(1024);
  private line = new Float64Array(1024);
  private seq = new Float64Array(1024);

  /** entry i before entry j */
  private less(i: number, j: number): boolean {
    const d = this.ts[i]! - this.ts[j]!;
    if (d !== 0) return d < 0;
    const l = this.line[i]! - this.line[j]!;
    return l !== 0 ? l < 0 : this.seq[i]! < this.seq[j]!;
  }

  private move(from: number, to: number): void {
    this.slot[to] = this.slot[from]!;
    this.ts[to] = this.ts[from]!;
    this.line[to] = this.line[from]!;
    this.seq[to] = this.seq[from]!;
  }

  private grow(): void {
    const n = this.slot.length * 2;
    const slot = new Int32Array(n);
    slot.set(this.slot);
    this.slot = slot;
    for (const k of ['ts', 'line', 'seq'] as const) {
      const a = new Float64Array(n);
      a.set(this[k]);
      this[k] = a;
    }
  }

  push(x: number, ts: number, line: number, arrival: number): void {
    // one spare entry past the heap: the scratch place of the entry being sifted
    if (this.size + 1 >= this.slot.length) this.grow();
    const t = this.slot.length - 1;
    this.slot[t] = x;
    this.ts[t] = ts;
    this.line[t] = line;
    this.seq[t] = arrival;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(t, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.move(t, i);
  }

  pop(): number {
    const top = this.slot[0]!;
    const t = this.slot.length - 1;
    this.move(--this.size, t);
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.less(child + 1, child)) child++;
      if (!this.less(child, t)) break;
      this.move(child, i);
      i = child;
    }
    this.move(t, i);
    return top;
  }
}

/** The lifecycles of a stream of record batches, spilled to `spillFile` as they close. */
export class PacketStream {
  /** a candidate came out of order beyond the window: derive from the Arrow file instead (derivePackets) */
  abandoned = false;
  private readonly reader = new CandidateReader();
  private readonly spill: PacketSpill;
  private readonly machine: LifecycleMachine;
  private readonly heap: SlotHeap;
  private arrivals = 0;
  /** ts and line of the last candidate handed to the machine */
  private lastTs = Number.NEGATIVE_INFINITY;
  private lastLine = 0;

  private readonly windowRows: number;

  constructor(spillFile: string, opts: { windowRows?: number; chunkRows?: number } = {}) {
    const c = this.reader.c;
    this.windowRows = opts.windowRows ?? WINDOW;
    this.spill = new PacketSpill(spillFile, opts.chunkRows);
    this.machine = new LifecycleMachine(c, (p) => this.spill.add(p));
    this.heap = new SlotHeap();
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
      this.heap.push(x, ts, c.line[x]!, this.arrivals++);
      if (this.heap.size > this.windowRows) this.step(this.heap.pop());
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
    if (!this.abandoned) {
      while (this.heap.size > 0) this.step(this.heap.pop());
      this.machine.end();
    }
    this.spill.close();
    if (this.abandoned) return null;
    const { spill, reader } = this;
    const baseNs = reader.baseNs ?? 0n;
    return {
      count: spill.count,
      tsv: (k, wall) => spill.tsv(k, wall, baseNs, reader.c.strings),
      native: PacketNative.exact(baseNs)
        ? (k, caps, offsetNs, reuse) =>
            spill.native(new PacketNative(k, caps, offsetNs, baseNs, reader.c.strings, reuse))
        : undefined,
    };
  }
}

/** A run's per-skb lifecycles, however derived: how many, and their `packets` rows as TSV (re-iterable). */
export interface StreamedPackets {
  count: number;
  /** the rows after the run's key columns `k`, the time column on `wall` */
  tsv: (k: TsvValue[], wall: PacketWall) => Iterable<Buffer>;
  /**
   * the same rows as Native blocks (when its times are exact in doubles): `k` the run's constant columns, time =
   * queued_ns + `offsetNs`; `reuseBlocks`: each block is written out before the next is asked for (one buffer for all)
   */
  native?: (k: readonly string[], caps: ServerCaps, offsetNs: bigint, reuseBlocks: boolean) => Iterable<Buffer>;
}
