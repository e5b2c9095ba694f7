/**
 * The neighbour layer in front of __dev_queue_xmit (§D.3): an INCOMPLETE entry's unresolved queue. The simulator
 * keeps one per device for the neigh_unresolved fault (sim/faults.ts).
 */

/** NEIGH_VAR(parms, QUEUE_LEN_BYTES): net.ipv4.neigh.default.unres_qlen_bytes = SK_WMEM_MAX (212992) */
const UNRES_QLEN_BYTES = 212992;

/**
 * skb->truesize of a socket's skb with `len` bytes of packet: SKB_TRUESIZE(kmalloc size of the data) — the data
 * area (len + headroom + skb_shared_info, 320 bytes on x86-64) rounded up to its kmalloc size class (a power of two
 * up to 8 KiB), plus the sk_buff itself (256 after SKB_DATA_ALIGN). 2304 for a 1042-byte UDP packet, as the real
 * captures show; approximate for other sizes (the allocator's exact classes are not modelled).
 */
export function skbTruesize(len: number): number {
  const data = len + 64 + 320;
  let size = 512;
  while (size < data) size *= 2;
  return size + 256;
}

/**
 * neigh->arp_queue of an INCOMPLETE entry: __neigh_event_send queues each skb at the tail and, while the queue's
 * truesize plus the new skb's exceeds unres_qlen_bytes, drops the oldest (kfree_skb_reason NEIGH_QUEUEFULL).
 */
export class NeighArpQueue {
  private readonly skbs: number[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limitBytes = UNRES_QLEN_BYTES) {}

  /** queue `skb`; `dropOldest` is called for each skb pushed out first */
  push(skb: number, truesize: number, dropOldest: (skb: number) => void): void {
    while (this.bytes + truesize > this.limitBytes && this.head < this.skbs.length) {
      this.bytes -= this.sizes[this.head]!;
      dropOldest(this.skbs[this.head++]!);
    }
    this.skbs.push(skb);
    this.sizes.push(truesize);
    this.bytes += truesize;
  }

  /** neigh_invalidate: hand every queued skb to `free` (NEIGH_FAILED) and empty the queue */
  flush(free: (skb: number) => void): void {
    for (let i = this.head; i < this.skbs.length; i++) free(this.skbs[i]!);
    this.skbs.length = 0;
    this.sizes.length = 0;
    this.head = 0;
    this.bytes = 0;
  }
}
