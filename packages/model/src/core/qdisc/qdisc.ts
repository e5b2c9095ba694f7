/**
 * A qdisc instance as the run loop sees it (§D.4): the discipline, the requeue list (`q->gso_skb`), flags,
 * the scheduling bit and the counters `tc -s qdisc` shows.
 */
import type { QdiscDiscipline } from './disciplines.js';
import { SkbFifo } from './skb-fifo.js';

export const TC_H_ROOT = 0xffffffff;

export class Qdisc {
  /** `q->gso_skb`: skbs put back by dev_requeue_skb, retried before anything else (§D.4) */
  readonly requeued = new SkbFifo(8);
  requeuedBytes = 0;
  /** __QDISC_STATE_SCHED: on the softnet output_queue, NET_TX softirq pending (§D.5) */
  scheduled = false;
  /** qdisc watchdog hrtimer expiry (absolute simulated ns), -1 when not armed (tbf, §D.6) */
  watchdogDueNs = -1;
  /** counters as in `tc -s qdisc` */
  requeues = 0;
  drops = 0;
  enqueued = 0;
  sentPackets = 0;
  sentBytes = 0;

  constructor(
    readonly id: number,
    readonly dev: number,
    readonly ifindex: number,
    readonly handle: number,
    readonly parent: number,
    readonly discipline: QdiscDiscipline,
    /** TCQ_F_ONETXQUEUE: feeds exactly one txq (mq child, or single-queue root) — its index, else -1 */
    readonly oneTxQueue: number,
  ) {}

  /** qdisc_qlen: discipline + requeue list */
  get qlen(): number {
    return this.discipline.qlen + this.requeued.count;
  }
  get backlogBytes(): number {
    return this.discipline.backlogBytes + this.requeuedBytes;
  }
}
