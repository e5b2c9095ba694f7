/** A bounded FIFO of skb ids over a preallocated ring (the skb_array / sk_buff_head stand-in). */
export class SkbFifo {
  private ring: Int32Array;
  private head = 0;
  count = 0;

  constructor(capacity: number) {
    this.ring = new Int32Array(Math.max(1, capacity));
  }

  get capacity(): number {
    return this.ring.length;
  }

  isFull(): boolean {
    return this.count === this.ring.length;
  }

  /** append; grows when unbounded use (requeue list) needs it */
  push(skb: number): void {
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = skb;
    this.count++;
  }

  /** remove the head, -1 when empty */
  shift(): number {
    if (this.count === 0) return -1;
    const skb = this.ring[this.head]!;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    return skb;
  }

  peek(): number {
    return this.count === 0 ? -1 : this.ring[this.head]!;
  }

  private grow(): void {
    const n = new Int32Array(this.ring.length * 2);
    for (let i = 0; i < this.count; i++) n[i] = this.ring[(this.head + i) % this.ring.length]!;
    this.ring = n;
    this.head = 0;
  }
}
