/**
 * Preallocated sk_buff stand-ins: struct-of-arrays indexed by skb id, with a free list so ids (and therefore the
 * printed skbaddr) are recycled the way the slab recycles them. Grows by doubling; never allocates per packet otherwise.
 */
export class SkbPool {
  lenBytes: Int32Array;
  /** TX queue chosen by netdev_core_pick_tx */
  queue: Int16Array;
  /** skb->priority & 15, for pfifo_fast's priomap */
  priority: Uint8Array;
  /** traffic source that sent it (task for trace attribution) */
  source: Int16Array;
  /** device index */
  dev: Int16Array;
  /** flow id (source · 65536 + flow), the stand-in for skb_get_hash's input (fq_codel classification) */
  flow: Int32Array;
  private freeIds: Int32Array;
  private freeCount = 0;
  private capacity = 0;
  live = 0;

  constructor(initialCapacity = 4096) {
    this.lenBytes = new Int32Array(0);
    this.queue = new Int16Array(0);
    this.priority = new Uint8Array(0);
    this.source = new Int16Array(0);
    this.dev = new Int16Array(0);
    this.flow = new Int32Array(0);
    this.freeIds = new Int32Array(0);
    this.grow(initialCapacity);
  }

  alloc(dev: number, lenBytes: number, queue: number, priority: number, source: number): number {
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    // lowest ids are reused first (stack), which keeps skbaddrs compact and deterministic
    const id = this.freeIds[--this.freeCount]!;
    this.lenBytes[id] = lenBytes;
    this.queue[id] = queue;
    this.priority[id] = priority;
    this.source[id] = source;
    this.dev[id] = dev;
    this.live++;
    return id;
  }

  free(id: number): void {
    this.freeIds[this.freeCount++] = id;
    this.live--;
  }

  private grow(newCapacity: number): void {
    const old = this.capacity;
    const copy = <T extends Int32Array | Int16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(newCapacity);
      b.set(a);
      return b;
    };
    this.lenBytes = copy(this.lenBytes, (n) => new Int32Array(n));
    this.queue = copy(this.queue, (n) => new Int16Array(n));
    this.priority = copy(this.priority, (n) => new Uint8Array(n));
    this.source = copy(this.source, (n) => new Int16Array(n));
    this.dev = copy(this.dev, (n) => new Int16Array(n));
    this.flow = copy(this.flow, (n) => new Int32Array(n));
    const f = new Int32Array(newCapacity);
    f.set(this.freeIds.subarray(0, this.freeCount));
    // push new ids so that the smallest new id is popped first
    let c = this.freeCount;
    for (let id = newCapacity - 1; id >= old; id--) f[c++] = id;
    this.freeIds = f;
    this.freeCount = c;
    this.capacity = newCapacity;
  }
}
