/**
 * Binary min-heap of timed simulator actions over preallocated typed arrays (no per-event allocation).
 * Order: time in integer ns, then insertion sequence, so equal-time actions run FIFO and the run is deterministic.
 * An action is (kind, arg): small integers interpreted by the simulator.
 */
export class EventHeap {
  private timeNs: Float64Array;
  private seq: Float64Array;
  private kind: Uint8Array;
  private arg: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.timeNs = new Float64Array(initialCapacity);
    this.seq = new Float64Array(initialCapacity);
    this.kind = new Uint8Array(initialCapacity);
    this.arg = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.n;
  }

  /** time of the earliest action; Infinity when empty */
  peekTimeNs(): number {
    return this.n > 0 ? this.timeNs[0]! : Infinity;
  }
  peekKind(): number {
    return this.kind[0]!;
  }
  peekArg(): number {
    return this.arg[0]!;
  }

  push(timeNs: number, kind: number, arg: number): void {
    if (this.n === this.timeNs.length) this.grow();
    const s = this.nextSeq++;
    let i = this.n++;
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.timeNs[p]!;
      if (pt < timeNs || (pt === timeNs && this.seq[p]! < s)) break;
      this.timeNs[i] = pt;
      this.seq[i] = this.seq[p]!;
      this.kind[i] = this.kind[p]!;
      this.arg[i] = this.arg[p]!;
      i = p;
    }
    this.timeNs[i] = timeNs;
    this.seq[i] = s;
    this.kind[i] = kind;
    this.arg[i] = arg;
  }

  /** remove the earliest action (read it with peek* first) */
  pop(): void {
    const last = --this.n;
    if (last <= 0) return;
    const t = this.timeNs[last]!;
    const s = this.seq[last]!;
    const k = this.kind[last]!;
    const a = this.arg[last]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      const r = c + 1;
      if (
        r < last &&
        (this.timeNs[r]! < this.timeNs[c]! || (this.timeNs[r] === this.timeNs[c] && this.seq[r]! < this.seq[c]!))
      )
        c = r;
      const ct = this.timeNs[c]!;
      if (t < ct || (t === ct && s < this.seq[c]!)) break;
      this.timeNs[i] = ct;
      this.seq[i] = this.seq[c]!;
      this.kind[i] = this.kind[c]!;
      this.arg[i] = this.arg[c]!;
      i = c;
    }
    this.timeNs[i] = t;
    this.seq[i] = s;
    this.kind[i] = k;
    this.arg[i] = a;
  }

  private grow(): void {
    const cap = this.timeNs.length * 2;
    const t = new Float64Array(cap);
    t.set(this.timeNs);
    this.timeNs = t;
    const s = new Float64Array(cap);
    s.set(this.seq);
    this.seq = s;
    const k = new Uint8Array(cap);
    k.set(this.kind);
    this.kind = k;
    const a = new Int32Array(cap);
    a.set(this.arg);
    this.arg = a;
  }
}
