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

/** Binary min-heap of candidate slots ordered by (ts, line, arrival). */
class SlotHeap {
  size = 0;
  private heap = new Int32Array(1024);
  private seq = new Float64Array(1024);

  constructor(
    private readonly ts: () => Float64Array,
    private readonly line: () => Uint32Array,
  ) {}

  /** a before b */
  less(a: number, b: number): boolean {
    const ts = this.ts();
    const d = ts[a]! - ts[b]!;
    if (d !== 0) return d < 0;
    const line = this.line();
    const l = line[a]! - line[b]!;
    return l !== 0 ? l < 0 : this.seq[a]! < this.seq[b]!;
  }

  push(x: number, arrival: number): void {
    if (x >= this.seq.length) {
      const s = new Float64Array(Math.max(x + 1, this.seq.length * 2));
      s.set(this.seq);
      this.seq = s;
    }
    this.seq[x] = arrival;
    if (this.size >= this.heap.length) {
      const h = new Int32Array(this.heap.length * 2);
      h.set(this.heap);
      this.heap = h;
    }
    const h = this.heap;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(x, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = x;
  }

  pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h[--this.size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.less(h[child + 1]!, h[child]!)) child++;
      if (!this.less(h[child]!, last)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
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
    this.heap = new SlotHeap(
      () => c.ts,
      () => c.line,
    );
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
      this.heap.push(x, this.arrivals++);
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
        ? (k, caps, offsetNs) => spill.native(new PacketNative(k, caps, offsetNs, baseNs, reader.c.strings))
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
   * queued_ns + `offsetNs`
   */
  native?: (k: readonly string[], caps: ServerCaps, offsetNs: bigint) => Iterable<Buffer>;
}
