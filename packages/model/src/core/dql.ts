/**
 * DQL: Dynamic Queue Limits — `struct dql` and its functions, exact to the kernel
 * (lib/dynamic_queue_limits.c, include/linux/dynamic_queue_limits.h; spec §A).
 *
 * Arithmetic: every `unsigned int` field is kept as a JS number in [0, 2^32) and every
 * operation on it is wrapped with `>>> 0`; the `(int)` casts of POSDIFF / AFTER_EQ / dql_avail
 * are `| 0`. `unsigned long` jiffies values are plain numbers (< 2^53), compared with the
 * time_after family from jiffies.ts. The history bitmap (4 × 64-bit words) is stored as eight
 * u32 halves in a Uint32Array, little-endian by word: u32[2k] = low half of history[k]. Bit
 * `t % 256` of the 256-bit ring therefore sits at u32 index `(t % 256) >> 5`, bit `t & 31`.
 *
 * Hot path: queued()/completed() allocate nothing and use no bigint while the stall detector
 * is off; with it on they allocate only when a stall event fires.
 */
import type { KernelBehaviour } from './kernel.js';
import { timeAfter, timeAfterEq, timeBefore, timeBeforeEq } from './jiffies.js';

/** DQL_MAX_OBJECT = UINT_MAX / 16 */
export const DQL_MAX_OBJECT = 268435455;
/** DQL_MAX_LIMIT = UINT_MAX / 2 - DQL_MAX_OBJECT; the sysfs limit_max default */
export const DQL_MAX_LIMIT = 1879048192;
/** DQL_HIST_LEN: history words (6.9+) */
const DQL_HIST_LEN = 4;
/** BITS_PER_LONG on the modelled (64-bit) machines */
const BITS_PER_LONG = 64;
const UINT_MAX = 0xffffffff;
/** history ring length in jiffies: DQL_HIST_LEN * BITS_PER_LONG */
const HIST_BITS = DQL_HIST_LEN * BITS_PER_LONG;

/** Arguments of the `napi:dql_stall_detected` tracepoint (6.9+, §A.5). */
export interface DqlStallEvent {
  /** dql->stall_thrs (u16) */
  thrs: number;
  /** now - t: the measured stall in jiffies (unsigned int) */
  len: number;
  /** dql->last_reap before this completion */
  lastReap: number;
  /** history_head * BITS_PER_LONG, as TP_fast_assign stores it (not the raw field) */
  histHead: number;
  now: number;
  hist: [bigint, bigint, bigint, bigint];
}

/** Thrown where the kernel would BUG_ON (the machine would oops). */
export class DqlBugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DqlBugError';
  }
}

/** POSDIFF(A, B): `((int)((A) - (B)) > 0 ? (A) - (B) : 0)` on unsigned ints. */
function posdiff(a: number, b: number): number {
  const d = (a - b) | 0;
  return d > 0 ? d : 0;
}

export class Dql {
  // Fields accessed in the enqueue path (dql_queued)
  /** Total bytes ever queued (u32, wraps) */
  numQueued = 0;
  /** limit + num_completed, set at the last completion (u32) */
  adjLimit = 0;
  /** count passed to the last dql_queued (u32) */
  lastObjCnt = 0;
  // Fields accessed only by the completion path (dql_completed)
  /** current limit (u32) */
  limit = 0;
  /** total bytes ever completed (u32, wraps) */
  numCompleted = 0;
  /** over-limit amount at the previous completion (u32) */
  prevOvlimit = 0;
  /** num_queued at the previous completion (u32) */
  prevNumQueued = 0;
  /** last_obj_cnt at the previous completion (u32) */
  prevLastObjCnt = 0;
  /** lowest slack seen in the current hold interval; UINT_MAX = none (u32) */
  lowestSlack = 0;
  /** jiffies when the current slack interval started (unsigned long) */
  slackStartTime = 0;
  // Configuration
  maxLimit = 0;
  minLimit = 0;
  /** slack interval in jiffies (u32) */
  slackHoldTime = 0;
  // 6.9+ stall detector (kept at 0 when the kernel has none)
  /** stall threshold in jiffies, 0 = off (u16) */
  stallThrs = 0;
  /** jiffies / BITS_PER_LONG of the newest history word (unsigned long) */
  historyHead = 0;
  /** longest stall seen, jiffies (u16) */
  stallMax = 0;
  /** jiffies of the last dql_completed while the detector was on (unsigned long) */
  lastReap = 0;
  /** stalls detected (unsigned long) */
  stallCnt = 0;

  /** history[4] as 8 u32 halves, see the file comment */
  private readonly hist32 = new Uint32Array(DQL_HIST_LEN * 2);
  private readonly resetToMinLimit: boolean;
  private readonly clampV6: boolean;
  private readonly stallDetection: boolean;
  private readonly historyAlways: boolean;
  private readonly oversizeBug: boolean;

  constructor(kernel: KernelBehaviour) {
    this.resetToMinLimit = kernel.dqlResetSetsLimitTo === 'min_limit';
    this.clampV6 = kernel.dqlClamp === 'v6';
    this.stallDetection = kernel.dqlStallDetection;
    this.historyAlways = kernel.dqlStallDetection && kernel.dqlStallHistoryAlways === true;
    this.oversizeBug = kernel.dqlQueuedOversize !== 'warn_return';
  }

  /**
   * dql_init (§A.2): max_limit = DQL_MAX_LIMIT, min_limit = 0, slack_hold_time = hold_time,
   * stall_thrs = 0 (6.9+), then dql_reset. It does not zero stall_cnt/stall_max: the netdev
   * core relies on the queue struct being zero-allocated (a new Dql starts all-zero).
   */
  init(holdTimeJiffies: number, jiffies: number): void {
    this.maxLimit = DQL_MAX_LIMIT;
    this.minLimit = 0;
    this.slackHoldTime = holdTimeJiffies >>> 0;
    if (this.stallDetection) this.stallThrs = 0;
    this.reset(jiffies);
  }

  /**
   * dql_reset (§A.2). limit = min_limit (6.15+/backports) or 0. adj_limit is NOT touched, so
   * dql_avail() is the old adj_limit until the next completion. 6.9+: last_reap, history_head
   * and the history are reset; stall_cnt/stall_max/stall_thrs are not.
   */
  reset(jiffies: number): void {
    this.limit = this.resetToMinLimit ? this.minLimit : 0;
    this.numQueued = 0;
    this.numCompleted = 0;
    this.lastObjCnt = 0;
    this.prevNumQueued = 0;
    this.prevLastObjCnt = 0;
    this.prevOvlimit = 0;
    this.lowestSlack = UINT_MAX;
    this.slackStartTime = jiffies;
    if (this.stallDetection) {
      this.lastReap = jiffies;
      this.historyHead = Math.floor(jiffies / BITS_PER_LONG);
      this.hist32.fill(0);
    }
  }

  /**
   * dql_queued (§A.3). count > DQL_MAX_OBJECT: BUG_ON (≤ 6.9, thrown as DqlBugError) or
   * WARN_ON_ONCE and return without accounting (6.10+).
   */
  queued(count: number, jiffies: number): void {
    count = count >>> 0;
    if (count > DQL_MAX_OBJECT) {
      if (this.oversizeBug) throw new DqlBugError(`dql_queued: BUG_ON(count ${count} > DQL_MAX_OBJECT)`);
      return;
    }
    this.lastObjCnt = count;
    this.numQueued = (this.numQueued + count) >>> 0;
    if (this.stallDetection && (this.stallThrs !== 0 || this.historyAlways)) this.queueStall(jiffies);
  }

  /**
   * dql_queue_stall (§A.3 step 3): clear the history words of the periods skipped since
   * history_head, move history_head to now/64, set bit now%64 of word (now/64)%4.
   */
  private queueStall(now: number): void {
    const nowHi = Math.floor(now / BITS_PER_LONG);
    const head = this.historyHead;
    if (nowHi !== head) {
      // "Multiplication masks high bits": now_hi*64 == (head+i)*64 mod 2^64; with jiffies < 2^53
      // the products are exact, so this is plain equality.
      for (let i = 0; i < DQL_HIST_LEN; i++) {
        if (nowHi === head + i) break;
        const w = (head + i + 1) % DQL_HIST_LEN;
        this.hist32[2 * w] = 0;
        this.hist32[2 * w + 1] = 0;
      }
      this.historyHead = nowHi;
    }
    const bit = now % HIST_BITS; // = (now_hi % 4) * 64 + now % 64
    this.hist32[bit >>> 5] = (this.hist32[bit >>> 5] as number) | (1 << (bit & 31));
  }

  /** dql_avail (§A.3): `(int)(adj_limit - num_queued)`; negative = over the limit. */
  avail(): number {
    return (this.adjLimit - this.numQueued) | 0;
  }

  /** num_queued - num_completed (u32): sysfs byte_queue_limits/inflight. */
  inflight(): number {
    return (this.numQueued - this.numCompleted) >>> 0;
  }

  /**
   * dql_completed (§A.4) followed by dql_check_stall (§A.5, 6.9+). Returns the
   * napi:dql_stall_detected arguments when a stall is detected, else null.
   * count > inflight: BUG_ON in the kernel, thrown as DqlBugError.
   */
  completed(count: number, jiffies: number): DqlStallEvent | null {
    count = count >>> 0;
    const numQueued = this.numQueued; // READ_ONCE, read once
    const stallThrs = this.stallThrs; // 6.12+: read up front, passed to dql_check_stall
    const numCompleted = this.numCompleted;
    if (count > (numQueued - numCompleted) >>> 0) {
      throw new DqlBugError(
        `dql_completed: BUG_ON(count ${count} > num_queued - num_completed ${(numQueued - numCompleted) >>> 0})`,
      );
    }
    const completed = (numCompleted + count) >>> 0;
    let limit = this.limit;
    let ovlimit = posdiff((numQueued - numCompleted) >>> 0, limit);
    const inprogress = (numQueued - completed) >>> 0;
    const prevInprogress = (this.prevNumQueued - numCompleted) >>> 0;
    const allPrevCompleted = ((completed - this.prevNumQueued) | 0) >= 0; // AFTER_EQ

    if ((ovlimit !== 0 && inprogress === 0) || (this.prevOvlimit !== 0 && allPrevCompleted)) {
      // Starved: over the limit and drained, or over the limit last time and everything queued
      // by then is done. Grow by what was sent and completed in the interval plus the old overshoot.
      limit = (limit + posdiff(completed, this.prevNumQueued) + this.prevOvlimit) >>> 0;
      this.slackStartTime = jiffies;
      this.lowestSlack = UINT_MAX;
    } else if (inprogress !== 0 && prevInprogress !== 0 && !allPrevCompleted) {
      // Busy for the whole interval: track the smallest slack, shrink once per slack_hold_time.
      let slack = posdiff((limit + this.prevOvlimit) >>> 0, (2 * ((completed - numCompleted) >>> 0)) >>> 0);
      const slackLastObjs = this.prevOvlimit !== 0 ? posdiff(this.prevLastObjCnt, this.prevOvlimit) : 0;
      if (slackLastObjs > slack) slack = slackLastObjs;
      if (slack < this.lowestSlack) this.lowestSlack = slack;
      if (timeAfter(jiffies, this.slackStartTime + this.slackHoldTime)) {
        limit = posdiff(limit, this.lowestSlack);
        this.slackStartTime = jiffies;
        this.lowestSlack = UINT_MAX;
      }
    }

    // Enforce bounds: clamp(limit, min_limit, max_limit); the flavours differ only when min > max.
    const lo = this.minLimit;
    const hi = this.maxLimit;
    if (this.clampV6) {
      limit = limit >= hi ? hi : limit <= lo ? lo : limit;
    } else {
      if (limit < lo) limit = lo;
      if (limit > hi) limit = hi;
    }

    if (limit !== this.limit) {
      this.limit = limit;
      ovlimit = 0;
    }
    this.adjLimit = (limit + completed) >>> 0;
    this.prevOvlimit = ovlimit;
    this.prevLastObjCnt = this.lastObjCnt;
    this.numCompleted = completed;
    this.prevNumQueued = numQueued;

    if (!this.stallDetection) return null;
    return this.checkStall(stallThrs, jiffies);
  }

  private testHistBit(t: number): boolean {
    let bit = t % HIST_BITS;
    if (bit < 0) bit += HIST_BITS; // unsigned long wrap: 2^64 is a multiple of 256
    return (((this.hist32[bit >>> 5] as number) >>> (bit & 31)) & 1) !== 0;
  }

  /**
   * dql_check_stall (§A.5). thrs == 0: return at once, last_reap NOT updated. Otherwise, if at
   * least thrs jiffies passed since the last completion, look for a queue time t in
   * [max(oldest tracked jiffy, last_reap + 1), min(newest tracked jiffy, now - thrs/2)];
   * if one is found, that is a stall of now - t jiffies. Then last_reap = now.
   */
  private checkStall(stallThrs: number, now: number): DqlStallEvent | null {
    if (stallThrs === 0) return null;
    let event: DqlStallEvent | null = null;
    if (timeAfterEq(now, this.lastReap + stallThrs)) {
      const histHead = this.historyHead;
      let start = (histHead - DQL_HIST_LEN + 1) * BITS_PER_LONG;
      if (timeBefore(start, this.lastReap + 1)) start = this.lastReap + 1;
      let end = histHead * BITS_PER_LONG + (BITS_PER_LONG - 1);
      const half = stallThrs >>> 1;
      if (timeBefore(now, end + half)) end = now - half;
      let t = start;
      for (; timeBeforeEq(t, end); t++) if (this.testHistBit(t)) break;
      if (timeBeforeEq(t, end)) {
        // (The kernel retries if history_head moved meanwhile; single-threaded it cannot.)
        this.stallCnt++;
        const len16 = (now - t) & 0xffff; // max_t(unsigned short, ...)
        if (len16 > this.stallMax) this.stallMax = len16;
        event = {
          thrs: this.stallThrs,
          len: (now - t) >>> 0,
          lastReap: this.lastReap,
          histHead: histHead * BITS_PER_LONG,
          now,
          hist: this.history(),
        };
      }
    }
    this.lastReap = now;
    return event;
  }

  /** history[0..3] as 64-bit values. */
  history(): [bigint, bigint, bigint, bigint] {
    const h = this.hist32;
    const w = (k: number): bigint => (BigInt(h[2 * k + 1] as number) << 32n) | BigInt(h[2 * k] as number);
    return [w(0), w(1), w(2), w(3)];
  }

  // ---- sysfs writes (net/core/net-sysfs.c, byte_queue_limits; §B) ----

  private static checkLimitValue(name: string, v: number): number {
    if (!Number.isInteger(v) || v < 0 || v > DQL_MAX_LIMIT) {
      throw new RangeError(`byte_queue_limits/${name}: ${v} is not in 0..${DQL_MAX_LIMIT} (kernel returns -EINVAL)`);
    }
    return v;
  }

  /** sysfs limit_min: plain store. */
  setMinLimit(v: number): void {
    this.minLimit = Dql.checkLimitValue('limit_min', v);
  }

  /** sysfs limit_max: plain store. */
  setMaxLimit(v: number): void {
    this.maxLimit = Dql.checkLimitValue('limit_max', v);
  }

  /** sysfs limit: plain store; adj_limit (and so dql_avail) changes only at the next completion. */
  setLimit(v: number): void {
    this.limit = Dql.checkLimitValue('limit', v);
  }

  /** sysfs hold_time (already converted from ms): slack_hold_time = v. */
  setHoldTime(jiffies: number): void {
    this.slackHoldTime = jiffies >>> 0;
  }

  /**
   * sysfs stall_thrs (6.9+; value already converted with msecs_to_jiffies). 0 or 4..128
   * (bql_set_stall_thrs: `value < 4 || value > 4 / 2 * BITS_PER_LONG` → -ERANGE).
   * Enabling (0 → non-zero) sets last_reap = jiffies so the first check measures from now.
   */
  setStallThrs(jiffiesValue: number, jiffies: number): void {
    if (!this.stallDetection) throw new Error('byte_queue_limits/stall_thrs does not exist before 6.9');
    if (!Number.isInteger(jiffiesValue) || (jiffiesValue !== 0 && (jiffiesValue < 4 || jiffiesValue > HIST_BITS / 2))) {
      throw new RangeError(
        `byte_queue_limits/stall_thrs: ${jiffiesValue} jiffies is not 0 or 4..${HIST_BITS / 2} (kernel returns -ERANGE)`,
      );
    }
    if (this.stallThrs === 0 && jiffiesValue !== 0) this.lastReap = jiffies;
    this.stallThrs = jiffiesValue;
  }

  /** sysfs stall_max: any write zeroes it. */
  clearStallMax(): void {
    this.stallMax = 0;
  }
}
