/**
 * The file chunks a perf.data reader reads its data section into, used again once nothing points into them. A new
 * 1 MiB buffer per chunk cost more than reading it: every page of it is faulted in fresh (~0.1 CPU-s of kernel
 * time per 55 MB file on this VM, ingest README "Speed") and the garbage drives V8's external-memory collections.
 *
 * A queued sample points into its chunk until it is emitted (the round queue, ../perf-data/order.ts), so each chunk
 * counts its queued samples: hold() when one is queued, release() when it is emitted. A chunk goes back to the
 * free list when no sample holds it and the cursor has moved on to a later chunk. Chunk ids live in a ring; when
 * more chunks are in flight than the ring holds, a new chunk is simply not tracked (never reused: freed by GC).
 * Only for a sink that copies what it keeps (the row builder): a record's bytes may be overwritten once emitted.
 */
const RING = 64;

export class ChunkPool {
  private readonly free: Buffer[] = [];
  /** per ring slot: the chunk's buffer while it is the current one or held */
  private readonly bufs: (Buffer | undefined)[] = new Array<Buffer | undefined>(RING).fill(undefined);
  private readonly live = new Int32Array(RING);
  /** the ring slot of the chunk being read; -1: not tracked */
  private current = -1;
  private nextId = 0;
  private stopped = false;

  /** @param size bytes of a pooled buffer: a chunk and the longest rest of a record carried over */
  constructor(private readonly size: number) {}

  /** A free buffer of the pool's size, not yet the current chunk (./readAhead.ts reads the next chunk into it). */
  spare(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** A spare() buffer that was not used after all. */
  giveSpare(buf: Buffer): void {
    if (buf.length === this.size && !this.stopped) this.free.push(buf);
  }

  /** `buf` is the chunk being read from now on; returns the previous chunk's slot, for retire(). */
  adopt(buf: Buffer): number {
    const previous = this.current;
    const slot = this.nextId++ % RING;
    if (!this.stopped && this.bufs[slot] === undefined) {
      this.bufs[slot] = buf;
      this.live[slot] = 0;
      this.current = slot;
    } else this.current = -1;
    return previous;
  }

  /** A chunk the pool does not track (never reused) is the one being read from now on; the previous one's slot. */
  adoptUntracked(): number {
    const previous = this.current;
    this.current = -1;
    return previous;
  }

  /** The chunk at `slot` is no longer the one being read: free now if nothing holds it. */
  retire(slot: number): void {
    if (slot >= 0 && this.live[slot] === 0) this.give(slot);
  }

  /** A sample in the current chunk is queued: its slot (-1: the chunk is not tracked). */
  hold(): number {
    const c = this.current;
    if (c >= 0) this.live[c]!++;
    return c;
  }

  /** A sample queued by hold() was emitted. */
  release(slot: number): void {
    if (slot >= 0 && --this.live[slot]! === 0 && slot !== this.current) this.give(slot);
  }

  private give(slot: number): void {
    const buf = this.bufs[slot]!;
    this.bufs[slot] = undefined;
    if (buf.length === this.size && !this.stopped) this.free.push(buf);
  }

  /** From now on no chunk is reused (a zstd stream may keep views of the chunks it was fed). */
  stop(): void {
    this.stopped = true;
    this.current = -1;
    this.free.length = 0;
  }
}
