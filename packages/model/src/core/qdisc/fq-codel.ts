/**
 * fq_codel (net/sched/sch_fq_codel.c, include/net/codel_impl.h), §D.6.
 *
 * - Defaults: limit 10240 packets, 1024 flows, memory_limit 32 MiB, target 5 ms, interval 100 ms,
 *   quantum = psched_mtu (MTU + 14), drop_batch_size 64. No TCQ_F_CAN_BYPASS.
 * - enqueue: the skb joins its flow (hash of the 5-tuple → one of `flows` buckets; here the simulator's flow id);
 *   an idle flow goes to the tail of new_flows with deficit = quantum. If qlen > limit (or memory over the limit),
 *   fq_codel_drop frees up to drop_batch_size packets from the head of the *fattest* flow (until half its backlog is
 *   gone) and returns NET_XMIT_CN when that flow is the new skb's own flow, else NET_XMIT_SUCCESS. Neither is a
 *   NET_XMIT_DROP, so **overflow never produces ENOBUFS** (§D.3, §I.6). Dropped skbs go to the caller's to_free list
 *   (`takeDropped`), freed after the qdisc run as kfree_skb.
 * - dequeue: deficit round robin over new_flows then old_flows; per flow, CoDel (codel_dequeue with codel_should_drop,
 *   codel_Newton_step, codel_control_law in 1024-ns codel time units, u32 arithmetic): sojourn above target for an
 *   interval → drop at the head (kfree_skb from fq_codel_dequeue, counted as qdisc drops) with the control law
 *   spacing interval/sqrt(count). ECN marking and ce_threshold are not modelled (no ECN-capable traffic).
 */
import { NET_XMIT_CN, NET_XMIT_SUCCESS, type QdiscDiscipline } from './disciplines.js';

export interface FqCodelConfig {
  limitPackets?: number;
  flows?: number;
  memoryLimitBytes?: number;
  targetUs?: number;
  intervalUs?: number;
  quantumBytes?: number;
  dropBatchSize?: number;
}

const CODEL_SHIFT = 10;
const REC_INV_SQRT_SHIFT = 16;
/** skb->truesize stand-in: data rounded to the kmalloc size class plus struct sk_buff + skb_shared_info */
function truesize(len: number): number {
  let n = 512;
  while (n < len + 64) n *= 2;
  return n + 576;
}
const u32 = (x: number): number => x >>> 0;
/** codel_time_after(a, b): (s32)(a - b) > 0 */
const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;
const afterEq = (a: number, b: number): boolean => ((a - b) | 0) >= 0;
const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;

export class FqCodel implements QdiscDiscipline {
  readonly kind = 'fq_codel' as const;
  readonly canBypass = false;
  readonly nolock = false;
  qlen = 0;
  backlogBytes = 0;
  memoryUsage = 0;
  readonly limit: number;
  readonly flowsCnt: number;
  readonly memoryLimit: number;
  readonly quantum: number;
  readonly dropBatchSize: number;
  /** codel params in codel time (ns >> 10) */
  readonly target: number;
  readonly interval: number;
  readonly mtu: number;
  /** `tc -s` counters */
  drops = 0;
  dropOverlimit = 0;
  dropOvermemory = 0;
  codelDrops = 0;
  newFlowCount = 0;
  // per flow: skb FIFO (head, tail), backlog, deficit, list membership (0 none, 1 new, 2 old) and links
  private readonly fHead: Int32Array;
  private readonly fTail: Int32Array;
  private readonly fBacklog: Float64Array;
  private readonly fDeficit: Float64Array;
  private readonly fList: Uint8Array;
  private readonly fNext: Int32Array;
  // CoDel vars per flow
  private readonly cCount: Float64Array;
  private readonly cLastCount: Float64Array;
  private readonly cDropping: Uint8Array;
  private readonly cRecInvSqrt: Int32Array;
  private readonly cFirstAbove: Float64Array;
  private readonly cDropNext: Float64Array;
  // new_flows / old_flows: singly linked FIFO lists of flow indexes
  private newHead = -1;
  private newTail = -1;
  private oldHead = -1;
  private oldTail = -1;
  // per skb: next in its flow, enqueue time (codel time), truesize
  private skbNext = new Int32Array(4096);
  private skbTime = new Float64Array(4096);
  private skbMem = new Int32Array(4096);
  /** skbs the last enqueue/dequeue dropped (the to_free list); read with takeDropped */
  readonly dropped: number[] = [];

  constructor(
    cfg: FqCodelConfig,
    mtu: number,
    private readonly lenSource: () => Int32Array,
    private readonly flowSource: () => Int32Array,
    private readonly nowNs: () => number,
  ) {
    this.limit = cfg.limitPackets ?? 10240;
    this.flowsCnt = cfg.flows ?? 1024;
    this.memoryLimit = cfg.memoryLimitBytes ?? 32 << 20;
    this.quantum = cfg.quantumBytes ?? mtu + 14;
    this.dropBatchSize = cfg.dropBatchSize ?? 64;
    this.target = Math.floor(((cfg.targetUs ?? 5000) * 1000) / 1024);
    this.interval = Math.floor(((cfg.intervalUs ?? 100000) * 1000) / 1024);
    this.mtu = mtu + 14; // psched_mtu: mtu + hard_header_len
    const n = this.flowsCnt;
    this.fHead = new Int32Array(n).fill(-1);
    this.fTail = new Int32Array(n).fill(-1);
    this.fBacklog = new Float64Array(n);
    this.fDeficit = new Float64Array(n);
    this.fList = new Uint8Array(n);
    this.fNext = new Int32Array(n).fill(-1);
    this.cCount = new Float64Array(n);
    this.cLastCount = new Float64Array(n);
    this.cDropping = new Uint8Array(n);
    this.cRecInvSqrt = new Int32Array(n);
    this.cFirstAbove = new Float64Array(n);
    this.cDropNext = new Float64Array(n);
  }

  /** fq_codel_classify: reciprocal_scale(skb_get_hash(skb), flows_cnt); the hash is a mix of the flow id */
  classify(skb: number): number {
    let h = Math.imul(this.flowSource()[skb]! ^ 0x9e3779b9, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return Math.floor(((h >>> 0) * this.flowsCnt) / 4294967296);
  }

  private codelNow(): number {
    return u32(Math.floor(this.nowNs() / 1024));
  }

  private ensure(skb: number): void {
    if (skb < this.skbNext.length) return;
    let n = this.skbNext.length;
    while (n <= skb) n *= 2;
    const a = new Int32Array(n);
    a.set(this.skbNext);
    this.skbNext = a;
    const t = new Float64Array(n);
    t.set(this.skbTime);
    this.skbTime = t;
    const m = new Int32Array(n);
    m.set(this.skbMem);
    this.skbMem = m;
  }

  enqueue(skb: number, lenBytes: number): number {
    this.ensure(skb);
    const idx = this.classify(skb);
    // flow_queue_add
    this.skbNext[skb] = -1;
    if (this.fHead[idx]! < 0) this.fHead[idx] = skb;
    else this.skbNext[this.fTail[idx]!] = skb;
    this.fTail[idx] = skb;
    this.fBacklog[idx] = this.fBacklog[idx]! + lenBytes;
    this.backlogBytes += lenBytes;
    this.skbTime[skb] = this.codelNow();
    if (this.fList[idx] === 0) {
      this.listAppend(idx, 1);
      this.newFlowCount++;
      this.fDeficit[idx] = this.quantum;
    }
    const mem = truesize(lenBytes);
    this.skbMem[skb] = mem;
    this.memoryUsage += mem;
    const memoryLimited = this.memoryUsage > this.memoryLimit;
    if (++this.qlen <= this.limit && !memoryLimited) return NET_XMIT_SUCCESS;
    const prevQlen = this.qlen;
    const ret = this.fqCodelDrop(this.dropBatchSize);
    const dropped = prevQlen - this.qlen;
    this.dropOverlimit += dropped;
    if (memoryLimited) this.dropOvermemory += dropped;
    return ret === idx ? NET_XMIT_CN : NET_XMIT_SUCCESS;
  }

  /** fq_codel_drop: the fattest flow loses up to maxPackets from its head, until half its backlog is gone */
  private fqCodelDrop(maxPackets: number): number {
    let maxBacklog = 0;
    let idx = 0;
    for (let i = 0; i < this.flowsCnt; i++) {
      if (this.fBacklog[i]! > maxBacklog) {
        maxBacklog = this.fBacklog[i]!;
        idx = i;
      }
    }
    const threshold = Math.floor(maxBacklog / 2);
    let len = 0;
    let i = 0;
    do {
      const skb = this.dequeueHead(idx);
      len += this.lenSource()[skb]!;
      this.dropped.push(skb);
      this.drops++;
    } while (++i < maxPackets && len < threshold);
    return idx;
  }

  /** dequeue_head + the accounting of dequeue_func / fq_codel_drop (backlogs, memory, qlen) */
  private dequeueHead(idx: number): number {
    const skb = this.fHead[idx]!;
    const nxt = this.skbNext[skb]!;
    this.fHead[idx] = nxt;
    if (nxt < 0) this.fTail[idx] = -1;
    const len = this.lenSource()[skb]!;
    this.fBacklog[idx] = this.fBacklog[idx]! - len;
    this.backlogBytes -= len;
    this.memoryUsage -= this.skbMem[skb]!;
    this.qlen--;
    return skb;
  }

  private listAppend(idx: number, list: 1 | 2): void {
    this.fList[idx] = list;
    this.fNext[idx] = -1;
    if (list === 1) {
      if (this.newTail < 0) this.newHead = idx;
      else this.fNext[this.newTail] = idx;
      this.newTail = idx;
    } else {
      if (this.oldTail < 0) this.oldHead = idx;
      else this.fNext[this.oldTail] = idx;
      this.oldTail = idx;
    }
  }

  /** remove the head of list 1 or 2 (the flow being served is always a list head) */
  private listPopHead(list: 1 | 2): number {
    if (list === 1) {
      const idx = this.newHead;
      this.newHead = this.fNext[idx]!;
      if (this.newHead < 0) this.newTail = -1;
      this.fList[idx] = 0;
      return idx;
    }
    const idx = this.oldHead;
    this.oldHead = this.fNext[idx]!;
    if (this.oldHead < 0) this.oldTail = -1;
    this.fList[idx] = 0;
    return idx;
  }

  dequeue(): number {
    for (;;) {
      let list: 1 | 2 = 1;
      let idx = this.newHead;
      if (idx < 0) {
        list = 2;
        idx = this.oldHead;
        if (idx < 0) return -1;
      }
      if (this.fDeficit[idx]! <= 0) {
        this.fDeficit[idx] = this.fDeficit[idx]! + this.quantum;
        this.listPopHead(list);
        this.listAppend(idx, 2);
        continue;
      }
      const skb = this.codelDequeue(idx);
      if (skb < 0) {
        // force a pass through old_flows to prevent starvation
        this.listPopHead(list);
        if (list === 1 && this.oldHead >= 0) this.listAppend(idx, 2);
        continue;
      }
      this.fDeficit[idx] = this.fDeficit[idx]! - this.lenSource()[skb]!;
      return skb;
    }
  }

  private shouldDrop(idx: number, skb: number, now: number): boolean {
    if (skb < 0) {
      this.cFirstAbove[idx] = 0;
      return false;
    }
    const ldelay = u32(now - this.skbTime[skb]!);
    if (before(ldelay, this.target) || this.backlogBytes <= this.mtu) {
      this.cFirstAbove[idx] = 0;
      return false;
    }
    if (this.cFirstAbove[idx] === 0) {
      this.cFirstAbove[idx] = u32(now + this.interval);
      return false;
    }
    return after(now, this.cFirstAbove[idx]!);
  }

  private newtonStep(idx: number): void {
    const invsqrt = BigInt(u32(this.cRecInvSqrt[idx]! << REC_INV_SQRT_SHIFT));
    const invsqrt2 = (invsqrt * invsqrt) >> 32n;
    let val = (3n << 32n) - ((BigInt(this.cCount[idx]!) * invsqrt2) & 0xffffffffffffffffn);
    val = BigInt.asUintN(64, val) >> 2n;
    val = (val * invsqrt) >> BigInt(32 - 2 + 1);
    this.cRecInvSqrt[idx] = Number((val >> BigInt(REC_INV_SQRT_SHIFT)) & 0xffffn);
  }

  private controlLaw(t: number, idx: number): number {
    // t + reciprocal_scale(interval, rec_inv_sqrt << 16)
    const ep = BigInt(u32(this.cRecInvSqrt[idx]! << REC_INV_SQRT_SHIFT));
    return u32(t + Number((BigInt(this.interval) * ep) >> 32n));
  }

  private dropAtDequeue(skb: number): void {
    this.dropped.push(skb);
    this.drops++;
    this.codelDrops++;
  }

  /** codel_dequeue for flow idx */
  private codelDequeue(idx: number): number {
    if (this.fHead[idx]! < 0) {
      this.cDropping[idx] = 0;
      return -1;
    }
    let skb = this.dequeueHead(idx);
    const now = this.codelNow();
    let drop = this.shouldDrop(idx, skb, now);
    if (this.cDropping[idx]) {
      if (!drop) {
        this.cDropping[idx] = 0;
      } else if (afterEq(now, this.cDropNext[idx]!)) {
        while (this.cDropping[idx] && afterEq(now, this.cDropNext[idx]!)) {
          this.cCount[idx] = u32(this.cCount[idx]! + 1);
          this.newtonStep(idx);
          this.dropAtDequeue(skb);
          skb = this.fHead[idx]! >= 0 ? this.dequeueHead(idx) : -1;
          if (!this.shouldDrop(idx, skb, now)) this.cDropping[idx] = 0;
          else this.cDropNext[idx] = this.controlLaw(this.cDropNext[idx]!, idx);
        }
      }
    } else if (drop) {
      this.dropAtDequeue(skb);
      skb = this.fHead[idx]! >= 0 ? this.dequeueHead(idx) : -1;
      drop = this.shouldDrop(idx, skb, now);
      this.cDropping[idx] = 1;
      const delta = u32(this.cCount[idx]! - this.cLastCount[idx]!);
      if (delta > 1 && before(u32(now - this.cDropNext[idx]!), 16 * this.interval)) {
        this.cCount[idx] = delta;
        this.newtonStep(idx);
      } else {
        this.cCount[idx] = 1;
        this.cRecInvSqrt[idx] = 0xffffffff >>> REC_INV_SQRT_SHIFT;
      }
      this.cLastCount[idx] = this.cCount[idx]!;
      this.cDropNext[idx] = this.controlLaw(now, idx);
    }
    return skb;
  }

  /** the to_free list of the last operations (cleared) */
  takeDropped(out: (skb: number) => void): void {
    for (let i = 0; i < this.dropped.length; i++) out(this.dropped[i]!);
    this.dropped.length = 0;
  }

  drain(onSkb: (skb: number) => void): void {
    this.takeDropped(onSkb);
    for (let idx = 0; idx < this.flowsCnt; idx++) while (this.fHead[idx]! >= 0) onSkb(this.dequeueHead(idx));
    this.newHead = this.newTail = this.oldHead = this.oldTail = -1;
    this.fList.fill(0);
  }
}
