/**
 * tbf (net/sched/sch_tbf.c), §D.6: a token bucket in nanoseconds of transmit time in front of a bfifo child.
 *
 * - rate: `psched_ratecfg_precompute` → mult/shift so that `psched_l2t_ns(len) = (len * mult) >> shift`
 *   (≈ len·10⁹/rate_bytes_ps).
 * - burst → `buffer` (tc's tc_calc_xmittime, in 64 ns psched ticks); `max_size` = the first length whose l2t exceeds
 *   the buffer (the kernel's loop; a packet of exactly max_size is accepted).
 * - enqueue: `len > max_size` → qdisc_drop (NET_XMIT_DROP; GSO would be segmented, not modelled); then the child
 *   bfifo (`limit` bytes): over the limit → NET_XMIT_DROP → the sender sees ENOBUFS (§D.3). No TCQ_F_CAN_BYPASS.
 * - dequeue: peek; toks = min(now − t_c, buffer) + tokens, capped at buffer, minus l2t(len); if ≥ 0 the skb goes
 *   (t_c = now, tokens = toks); else `qdisc_watchdog_schedule_ns(now + (−toks))`, `overlimits++`, NULL.
 *   The qdisc watchdog (hrtimer) then calls `__netif_schedule` (the simulator runs the timer).
 * Peak rate (`peakrate`/`mtu`) is not modelled.
 */
import { SkbFifo } from './skb-fifo.js';
import { NET_XMIT_DROP, NET_XMIT_SUCCESS, type QdiscDiscipline } from './disciplines.js';

export interface TbfConfig {
  /** rate in bits per second (tc "rate 400kbit" = 400000) */
  rateBps: number;
  /** bucket size in bytes (tc "burst") */
  burstBytes: number;
  /** bfifo child limit in bytes (tc "limit") */
  limitBytes: number;
}

/** psched_ratecfg_precompute (rate in bytes/s): mult, shift with mult ≥ 2^31 or factor's top bit reached */
export function pschedRatecfgPrecompute(rateBytesPs: number): { mult: number; shift: number } {
  let shift = 0;
  let mult = 1n;
  const rate = BigInt(Math.floor(rateBytesPs));
  if (rate > 0n) {
    let factor = 1_000_000_000n;
    for (;;) {
      mult = factor / rate;
      if (mult & (1n << 31n) || factor & (1n << 63n)) break;
      factor <<= 1n;
      shift++;
    }
  }
  return { mult: Number(mult), shift };
}

export class Tbf implements QdiscDiscipline {
  readonly kind = 'tbf' as const;
  readonly canBypass = false;
  readonly nolock = false;
  private readonly q: SkbFifo;
  backlogBytes = 0;
  /** q->tokens, q->t_c (ns) */
  tokensNs: number;
  tcNs: number;
  readonly bufferNs: number;
  readonly maxSizeBytes: number;
  readonly limitBytes: number;
  private readonly mult: number;
  private readonly pow2Shift: number;
  /** `tc -s` overlimits: dequeues refused for lack of tokens */
  overlimits = 0;
  /** the expiry the last throttled dequeue asked the qdisc watchdog for (absolute ns), -1 none */
  watchdogRequestNs = -1;

  constructor(
    cfg: TbfConfig,
    private readonly lenSource: () => Int32Array,
    private readonly nowNs: () => number,
  ) {
    const r = pschedRatecfgPrecompute(cfg.rateBps / 8);
    this.mult = r.mult;
    this.pow2Shift = 2 ** r.shift;
    // tc: buffer = tc_calc_xmittime(rate, burst) in psched ticks (tick_in_usec 15.625 with /proc/net/psched
    // "000003e8 00000040 000f4240 3b9aca00"), truncated to an integer; the kernel: PSCHED_TICKS2NS = ticks << 6
    const ticks = Math.floor(((1e6 * cfg.burstBytes) / (cfg.rateBps / 8)) * 15.625);
    this.bufferNs = ticks * 64;
    // tbf_change: for (n = 0; n < 65536; n++) if (psched_l2t_ns(&rate, n) > buffer) break; max_size = n;
    let n = 0;
    while (n < 65536 && this.l2tNs(n) <= this.bufferNs) n++;
    this.maxSizeBytes = n;
    this.limitBytes = cfg.limitBytes;
    this.q = new SkbFifo(Math.max(16, Math.ceil(cfg.limitBytes / 64)));
    this.tokensNs = this.bufferNs;
    this.tcNs = nowNs();
  }

  /** psched_l2t_ns: (len * mult) >> shift (exact: len·mult < 2^53 for len < 2^21) */
  l2tNs(lenBytes: number): number {
    return Math.floor((lenBytes * this.mult) / this.pow2Shift);
  }

  get qlen(): number {
    return this.q.count;
  }

  enqueue(skb: number, lenBytes: number): number {
    if (lenBytes > this.maxSizeBytes) return NET_XMIT_DROP;
    // child bfifo_enqueue: backlog + len <= limit
    if (this.backlogBytes + lenBytes > this.limitBytes) return NET_XMIT_DROP;
    this.q.push(skb);
    this.backlogBytes += lenBytes;
    return NET_XMIT_SUCCESS;
  }

  dequeue(): number {
    const skb = this.q.peek();
    if (skb < 0) return -1;
    const len = this.lenSource()[skb]!;
    const now = this.nowNs();
    let toks = Math.min(now - this.tcNs, this.bufferNs) + this.tokensNs;
    if (toks > this.bufferNs) toks = this.bufferNs;
    toks -= this.l2tNs(len);
    if (toks >= 0) {
      this.q.shift();
      this.backlogBytes -= len;
      this.tcNs = now;
      this.tokensNs = toks;
      return skb;
    }
    this.watchdogRequestNs = now - toks;
    this.overlimits++;
    return -1;
  }

  drain(onSkb: (skb: number) => void): void {
    for (let skb = this.q.shift(); skb >= 0; skb = this.q.shift()) {
      this.backlogBytes -= this.lenSource()[skb]!;
      onSkb(skb);
    }
  }
}
