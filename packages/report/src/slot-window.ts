/**
 * The reorder window of a streamed lifecycle derivation (packet-stream.ts): candidate slots ordered by (ts, line,
 * arrival), the smallest taken first. perf script and ftrace text come in time order nearly always, so the window
 * is kept as a sorted run — a candidate in order is appended, one a little out of order is placed by a short scan
 * from the end, the smallest is taken from the front: O(1) each instead of a binary heap's 16 levels of sifting for a
 * window of 65,536 (1.2 s of the main thread per GB of text, measured). A candidate that would move more than
 * MAX_SHIFT entries turns the run into a binary min-heap for the rest of the stream (a sorted run is a heap already):
 * every key is distinct (arrival breaks ties), so both give the same order.
 */

/** Entries a sorted-run insertion may move before the window becomes a heap (bpftrace's per-CPU runs: hundreds) */
const MAX_SHIFT = 4096;

export class SlotWindow {
  size = 0;
  /** the entries are [head, head + size) while sorted, [0, size) once a heap */
  private head = 0;
  private heap = false;
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

  /** entries [a, b) to [to, to + b − a) (overlapping ranges copy as memmove) */
  private shift(a: number, b: number, to: number): void {
    this.slot.copyWithin(to, a, b);
    this.ts.copyWithin(to, a, b);
    this.line.copyWithin(to, a, b);
    this.seq.copyWithin(to, a, b);
  }

  /** room for one more entry at head + size and the scratch entry at the end */
  private reserve(): void {
    if (this.head + this.size + 2 < this.slot.length) return;
    if (this.head > this.size) {
      // the taken front is larger than what is left: move the run down (amortised: once per `size` takes)
      this.shift(this.head, this.head + this.size, 0);
      this.head = 0;
      return;
    }
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
    this.reserve();
    const t = this.slot.length - 1; // the scratch entry: the one being placed
    this.slot[t] = x;
    this.ts[t] = ts;
    this.line[t] = line;
    this.seq[t] = arrival;
    if (!this.heap) {
      const end = this.head + this.size;
      let at = end;
      while (at > this.head && end - at < MAX_SHIFT && this.less(t, at - 1)) at--;
      if (at === this.head || end - at < MAX_SHIFT || !this.less(t, at - 1)) {
        if (at < end) this.shift(at, end, at + 1);
        this.move(t, at);
        this.size++;
        return;
      }
      this.toHeap();
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(t, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.move(t, i);
  }

  /** The smallest entry's slot, taken out (size > 0). */
  pop(): number {
    if (!this.heap) {
      const top = this.slot[this.head]!;
      this.size--;
      this.head = this.size === 0 ? 0 : this.head + 1;
      return top;
    }
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

  /** The sorted run as a binary heap from index 0 (ascending order satisfies the heap property). */
  private toHeap(): void {
    if (this.head > 0) this.shift(this.head, this.head + this.size, 0);
    this.head = 0;
    this.heap = true;
  }
}
