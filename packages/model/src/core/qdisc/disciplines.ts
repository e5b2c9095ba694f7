/**
 * Queueing disciplines of §D.6: pfifo_fast, pfifo, bfifo. (mq is structural: one child per TX queue, built by the
 * simulator; noqueue has no discipline at all, §D.1 step 5.)
 */
import { SkbFifo } from './skb-fifo.js';

/** §D.2 return codes */
export const NET_XMIT_SUCCESS = 0x00;
export const NET_XMIT_DROP = 0x01;
export const NET_XMIT_CN = 0x02;
const NET_XMIT_MASK = 0x0f;

export interface QdiscDiscipline {
  readonly kind: 'pfifo_fast' | 'pfifo' | 'bfifo' | 'tbf' | 'fq_codel';
  /** packets held (excluding the requeue list, which the Qdisc wrapper owns) */
  readonly qlen: number;
  readonly backlogBytes: number;
  /** `q->enqueue`: NET_XMIT_SUCCESS or NET_XMIT_DROP (the caller frees dropped skbs, §D.2 to_free) */
  enqueue(skb: number, lenBytes: number, priority: number): number;
  /** `q->dequeue`: skb id or -1 */
  dequeue(): number;
  /** TCQ_F_CAN_BYPASS (§D.2, §D.6) */
  readonly canBypass: boolean;
  /** TCQ_F_NOLOCK (pfifo_fast, lockless since ~4.16) */
  readonly nolock: boolean;
  /** remove everything (qdisc_reset); calls back per skb */
  drain(onSkb: (skb: number) => void): void;
  /** shaping qdiscs (tbf): absolute ns a throttled dequeue asked the qdisc watchdog for (-1: none) */
  readonly watchdogRequestNs?: number;
  /** `tc -s` overlimits (tbf) */
  readonly overlimits?: number;
  /**
   * fq_codel: skbs the discipline dropped itself (the kernel's to_free list at enqueue, CoDel drops at dequeue);
   * the simulator frees and clears them. Absent for disciplines that only refuse the skb being enqueued.
   */
  readonly dropped?: number[];
}

/** `sch_default_prio2band` (§D.6) */
export const PFIFO_FAST_PRIOMAP: readonly number[] = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

/**
 * pfifo_fast (§D.6): 3 bands, band 0 first; each band is a ring of `txqueuelen` entries, so the limit is per band.
 * A full band → qdisc_drop → NET_XMIT_DROP.
 */
export class PfifoFast implements QdiscDiscipline {
  readonly kind = 'pfifo_fast' as const;
  readonly canBypass = true;
  readonly nolock = true;
  readonly bands: [SkbFifo, SkbFifo, SkbFifo];
  private bandBytes = new Float64Array(3);
  qlen = 0;
  backlogBytes = 0;

  constructor(
    readonly txqueuelen: number,
    private readonly lenSource: () => Int32Array,
  ) {
    const perBand = Math.max(1, txqueuelen);
    this.bands = [new SkbFifo(perBand), new SkbFifo(perBand), new SkbFifo(perBand)];
  }

  /** band for skb->priority (priomap indexed by priority & TC_PRIO_MAX) */
  static band(priority: number): number {
    return PFIFO_FAST_PRIOMAP[priority & 15]!;
  }

  enqueue(skb: number, lenBytes: number, priority: number): number {
    const b = PFIFO_FAST_PRIOMAP[priority & 15]!;
    const band = this.bands[b]!;
    if (band.isFull()) return NET_XMIT_DROP;
    band.push(skb);
    this.bandBytes[b] = this.bandBytes[b]! + lenBytes;
    this.qlen++;
    this.backlogBytes += lenBytes;
    return NET_XMIT_SUCCESS;
  }

  dequeue(): number {
    for (let b = 0; b < 3; b++) {
      const band = this.bands[b]!;
      if (band.count > 0) {
        const skb = band.shift();
        const len = this.lenSource()[skb]!;
        this.bandBytes[b] = this.bandBytes[b]! - len;
        this.qlen--;
        this.backlogBytes -= len;
        return skb;
      }
    }
    return -1;
  }

  drain(onSkb: (skb: number) => void): void {
    for (let skb = this.dequeue(); skb >= 0; skb = this.dequeue()) onSkb(skb);
  }
}

/** pfifo / bfifo: one FIFO of skbs; the subclass decides the limit test (§D.6). */
abstract class SimpleFifo {
  readonly nolock = false;
  backlogBytes = 0;

  constructor(
    protected readonly q: SkbFifo,
    private readonly lenSource: () => Int32Array,
  ) {}
  get qlen(): number {
    return this.q.count;
  }
  protected push(skb: number, lenBytes: number): number {
    this.q.push(skb);
    this.backlogBytes += lenBytes;
    return NET_XMIT_SUCCESS;
  }
  dequeue(): number {
    const skb = this.q.shift();
    if (skb >= 0) this.backlogBytes -= this.lenSource()[skb]!;
    return skb;
  }
  drain(onSkb: (skb: number) => void): void {
    for (let skb = this.dequeue(); skb >= 0; skb = this.dequeue()) onSkb(skb);
  }
}

/** pfifo (§D.6): limit in packets (default txqueuelen, minimum 1). Over → NET_XMIT_DROP. */
export class PFifo extends SimpleFifo implements QdiscDiscipline {
  readonly kind = 'pfifo' as const;
  readonly canBypass: boolean;

  constructor(
    readonly limitPackets: number,
    lenSource: () => Int32Array,
  ) {
    super(new SkbFifo(Math.max(1, limitPackets)), lenSource);
    this.canBypass = limitPackets >= 1;
  }
  enqueue(skb: number, lenBytes: number): number {
    if (this.q.count >= this.limitPackets) return NET_XMIT_DROP;
    return this.push(skb, lenBytes);
  }
}

/** bfifo (§D.6): limit in bytes (default txqueuelen * mtu). Over → NET_XMIT_DROP. */
export class BFifo extends SimpleFifo implements QdiscDiscipline {
  readonly kind = 'bfifo' as const;
  readonly canBypass: boolean;

  constructor(
    readonly limitBytes: number,
    mtu: number,
    lenSource: () => Int32Array,
  ) {
    super(new SkbFifo(Math.max(16, Math.ceil(limitBytes / 64))), lenSource);
    this.canBypass = limitBytes >= mtu;
  }
  enqueue(skb: number, lenBytes: number): number {
    // bfifo_enqueue: if (likely(sch->qstats.backlog + qdisc_pkt_len(skb) <= READ_ONCE(sch->limit)))
    if (this.backlogBytes + lenBytes > this.limitBytes) return NET_XMIT_DROP;
    return this.push(skb, lenBytes);
  }
}
