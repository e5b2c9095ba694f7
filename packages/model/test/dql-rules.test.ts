/**
 * DQL rules, one test per rule of the spec (docs/kernel-tx-path.md §A), with values worked
 * out by hand from lib/dynamic_queue_limits.c. The golden replay (dql-golden.test.ts) checks the
 * same code against the kernel itself; these tests pin each rule so a regression names the rule.
 */
import { describe, expect, it } from 'vitest';
import { DQL_MAX_LIMIT, DQL_MAX_OBJECT, Dql, DqlBugError } from '../src/core/dql.js';
import { kernelBehaviour } from '../src/core/kernel.js';
import { prng } from './prng.js';

const K612 = kernelBehaviour('6.12.117');
const K515 = kernelBehaviour('5.15.100');
const UINT_MAX = 0xffffffff;

function freshDql(kernel = K612, hold = 1000, j = 6400): Dql {
  const d = new Dql(kernel);
  d.init(hold, j);
  return d;
}

describe('§A.2 dql_init / dql_reset', () => {
  it('§A.2 dql_init sets max_limit=DQL_MAX_LIMIT, min_limit=0, hold time, then resets', () => {
    const d = freshDql(K612, 250, 4294892296);
    expect(d.maxLimit).toBe(DQL_MAX_LIMIT);
    expect(d.maxLimit).toBe(1879048192);
    expect(d.minLimit).toBe(0);
    expect(d.slackHoldTime).toBe(250);
    expect(d.lowestSlack).toBe(UINT_MAX);
    expect(d.slackStartTime).toBe(4294892296);
    expect(d.lastReap).toBe(4294892296);
    expect(d.historyHead).toBe(Math.floor(4294892296 / 64));
    expect(d.avail()).toBe(0);
  });

  for (const [kernel, expectLimit] of [
    [K612, 4000],
    [K515, 0],
  ] as const) {
    it(`§A.2 dql_reset on ${kernel.label} sets limit to ${expectLimit === 0 ? '0' : 'min_limit'} and leaves adj_limit alone`, () => {
      const d = freshDql(kernel);
      d.setMinLimit(4000);
      d.queued(1500, 6400);
      d.completed(1500, 6401); // starvation: limit 1500 → clamp to min 4000
      expect(d.limit).toBe(4000);
      const adjBefore = d.adjLimit;
      d.reset(6500);
      expect(d.limit).toBe(expectLimit);
      expect(d.numQueued).toBe(0);
      expect(d.numCompleted).toBe(0);
      expect(d.prevOvlimit).toBe(0);
      expect(d.lowestSlack).toBe(UINT_MAX);
      expect(d.slackStartTime).toBe(6500);
      // adj_limit is not touched: dql_avail is the old adj_limit until the next completion
      expect(d.adjLimit).toBe(adjBefore);
      expect(d.avail()).toBe(adjBefore | 0);
    });
  }

  it('§A.2 dql_reset (6.9+) resets last_reap, history_head and history, keeps stall_cnt/stall_max/stall_thrs', () => {
    const d = freshDql(K612, 1000, 6400);
    d.setStallThrs(8, 6400);
    d.queued(1000, 6401);
    expect(d.completed(500, 6408)).not.toBeNull();
    d.reset(7000);
    expect(d.lastReap).toBe(7000);
    expect(d.historyHead).toBe(Math.floor(7000 / 64));
    expect(d.history()).toEqual([0n, 0n, 0n, 0n]);
    expect(d.stallCnt).toBe(1);
    expect(d.stallMax).toBe(7);
    expect(d.stallThrs).toBe(8);
  });
});

describe('§A.3 dql_queued', () => {
  it('§A.3 adds count to num_queued with u32 wrap and records last_obj_cnt', () => {
    const d = freshDql(K612);
    const big = 200_000_000;
    let queued = 0;
    for (let i = 0; i < 25; i++) {
      d.queued(big, 6400 + i);
      queued += big;
      d.completed(big, 6400 + i);
    }
    // 25 * 2e8 = 5e9 wraps once past 2^32
    expect(d.numQueued).toBe(queued - 2 ** 32);
    expect(d.numCompleted).toBe(queued - 2 ** 32);
    expect(d.inflight()).toBe(0);
    expect(d.lastObjCnt).toBe(big);
    // straddle the wrap with bytes in flight: inflight and avail stay right in u32 / int terms
    d.numQueued = 0xffffff00;
    d.numCompleted = 0xffffff00;
    d.prevNumQueued = 0xffffff00;
    d.adjLimit = (d.limit + 0xffffff00) >>> 0;
    d.queued(0x400, 6500);
    expect(d.numQueued).toBe(0x300);
    expect(d.inflight()).toBe(0x400);
    expect(d.avail()).toBe(d.limit - 0x400);
  });

  it('§A.3 count > DQL_MAX_OBJECT: 6.10+ warns and ignores it, 5.15 BUG_ON', () => {
    const d6 = freshDql(K612);
    d6.queued(DQL_MAX_OBJECT + 1, 6400);
    expect(d6.numQueued).toBe(0);
    expect(d6.lastObjCnt).toBe(0);
    d6.queued(DQL_MAX_OBJECT, 6400);
    expect(d6.numQueued).toBe(DQL_MAX_OBJECT);
    const d5 = freshDql(K515);
    expect(() => d5.queued(DQL_MAX_OBJECT + 1, 6400)).toThrow(DqlBugError);
  });

  it('§A.3 dql_avail is (int)(adj_limit - num_queued): negative when over the limit', () => {
    const d = freshDql(K612);
    d.queued(100, 6400);
    expect(d.avail()).toBe(-100);
    d.adjLimit = 0x80000000; // (int) of a large u32 difference is negative
    d.numQueued = 0;
    expect(d.avail()).toBe(-2147483648);
  });
});

describe('§A.4 dql_completed: the limit algorithm', () => {
  it('§A.4 starvation, first clause: over the limit and nothing left in progress', () => {
    const d = freshDql(K612, 1000, 6400);
    d.queued(1500, 6400);
    d.completed(1500, 6405);
    // ovlimit = POSDIFF(1500, 0) = 1500, inprogress = 0 → limit += POSDIFF(1500, 0) + 0
    expect(d.limit).toBe(1500);
    expect(d.adjLimit).toBe(3000);
    expect(d.avail()).toBe(1500);
    expect(d.prevOvlimit).toBe(0); // the limit changed, so ovlimit is cleared
    expect(d.slackStartTime).toBe(6405);
    expect(d.lowestSlack).toBe(UINT_MAX);
  });

  it('§A.4 starvation, second clause: prev_ovlimit and all previous data completed (AFTER_EQ, equality counts)', () => {
    const d = freshDql(K612, 1000, 6400);
    d.setLimit(1000);
    d.queued(3000, 6400);
    d.completed(1000, 6401);
    // ovlimit 2000 with an unchanged limit is remembered
    expect(d.limit).toBe(1000);
    expect(d.prevOvlimit).toBe(2000);
    expect(d.prevNumQueued).toBe(3000);
    d.queued(500, 6402);
    d.completed(2000, 6403);
    // completed = 3000 == prev_num_queued → all_prev_completed; inprogress = 500 (clause 1 false)
    // limit += POSDIFF(3000, 3000) + prev_ovlimit 2000
    expect(d.limit).toBe(3000);
    expect(d.adjLimit).toBe(6000);
    expect(d.prevOvlimit).toBe(0);
  });

  it('§A.4 slack decrease: lowest slack of the interval, applied only strictly after slack_hold_time', () => {
    const d = freshDql(K612, 10, 100);
    d.setLimit(10000);
    d.queued(8000, 100);
    d.completed(2000, 100); // prev_inprogress 0: no adjustment
    expect(d.lowestSlack).toBe(UINT_MAX);
    d.queued(2000, 101);
    d.completed(2000, 101); // busy: slack = POSDIFF(10000, 2*2000) = 6000
    expect(d.lowestSlack).toBe(6000);
    d.queued(2000, 105);
    d.completed(2000, 105);
    d.queued(2000, 110);
    d.completed(2000, 110); // time_after(110, 100 + 10) is false: no decrease yet
    expect(d.limit).toBe(10000);
    expect(d.lowestSlack).toBe(6000);
    d.queued(2000, 111);
    d.completed(1000, 111); // slack 8000 now, but the lowest (6000) is what is subtracted
    expect(d.limit).toBe(4000);
    expect(d.slackStartTime).toBe(111);
    expect(d.lowestSlack).toBe(UINT_MAX);
    expect(d.adjLimit).toBe(4000 + 9000);
    expect(d.avail()).toBe(13000 - 16000);
  });

  it('§A.4 slack uses max(slack, prev_last_obj_cnt - prev_ovlimit) when prev_ovlimit is set', () => {
    const d = freshDql(K612, 1000, 100);
    d.setLimit(1000);
    d.queued(3000, 100);
    d.completed(500, 100); // ovlimit 2000 remembered, prev_last_obj_cnt 3000
    expect(d.prevOvlimit).toBe(2000);
    expect(d.prevLastObjCnt).toBe(3000);
    d.completed(1000, 101);
    // busy: slack = POSDIFF(1000 + 2000, 2*1000) = 1000; last objs = POSDIFF(3000, 2000) = 1000
    expect(d.lowestSlack).toBe(1000);
  });

  it('§A.4 clamp when min_limit > max_limit: v6 (6.x) gives min_limit, v5 (5.15) gives max_limit', () => {
    for (const [kernel, expected] of [
      [K612, 5000],
      [K515, 3000],
    ] as const) {
      const d = freshDql(kernel);
      d.setMinLimit(5000);
      d.setMaxLimit(3000);
      d.queued(1000, 6400);
      d.completed(1000, 6401); // starvation: limit 1000
      expect(d.limit, kernel.label).toBe(expected);
    }
    // and both give max_limit when the limit is at or above it
    for (const kernel of [K612, K515]) {
      const d = freshDql(kernel);
      d.setMinLimit(5000);
      d.setMaxLimit(3000);
      d.queued(4000, 6400);
      d.completed(4000, 6401);
      expect(d.limit, kernel.label).toBe(3000);
    }
  });

  it('§A.4 completing more than is in flight is a BUG_ON', () => {
    const d = freshDql(K612);
    d.queued(100, 6400);
    expect(() => d.completed(101, 6400)).toThrow(DqlBugError);
  });
});

describe('§B sysfs writes', () => {
  it('§B limit write is a plain store: adj_limit (and dql_avail) change only at the next completion', () => {
    const d = freshDql(K612);
    d.setLimit(5000);
    expect(d.limit).toBe(5000);
    expect(d.adjLimit).toBe(0);
    expect(d.avail()).toBe(0);
    d.queued(100, 6400);
    d.completed(100, 6400);
    expect(d.adjLimit).toBe(5100);
  });

  it('§B limit_min / limit_max are plain stores and reject values above DQL_MAX_LIMIT', () => {
    const d = freshDql(K612);
    d.setLimit(100);
    d.setMinLimit(4000);
    expect(d.limit).toBe(100); // not clamped until a completion
    d.setMaxLimit(DQL_MAX_LIMIT);
    expect(() => d.setMaxLimit(DQL_MAX_LIMIT + 1)).toThrow(RangeError);
    expect(() => d.setMinLimit(-1)).toThrow(RangeError);
  });

  it('§A.5 stall_thrs write: 0 or 4..128 jiffies, enabling sets last_reap, re-setting does not', () => {
    const d = freshDql(K612, 1000, 6400);
    expect(() => d.setStallThrs(3, 6400)).toThrow(RangeError);
    expect(() => d.setStallThrs(129, 6400)).toThrow(RangeError);
    d.setStallThrs(128, 6410);
    expect(d.lastReap).toBe(6410);
    d.setStallThrs(10, 6420); // non-zero → non-zero: last_reap untouched
    expect(d.lastReap).toBe(6410);
    d.setStallThrs(0, 6430);
    expect(d.stallThrs).toBe(0);
    expect(d.lastReap).toBe(6410);
    expect(() => freshDql(K515).setStallThrs(8, 0)).toThrow(/6\.9/);
  });

  it('§A.5 stall_max write clears it; hold_time write stores jiffies', () => {
    const d = freshDql(K612, 1000, 6400);
    d.setStallThrs(8, 6400);
    d.queued(1000, 6401);
    d.completed(1000, 6420);
    expect(d.stallMax).toBeGreaterThan(0);
    d.clearStallMax();
    expect(d.stallMax).toBe(0);
    d.setHoldTime(13);
    expect(d.slackHoldTime).toBe(13);
  });
});

describe('§A.5 stall detector (6.9+)', () => {
  const J = 6400; // a multiple of 64: history_head = 100

  it('§A.5 reports a stall when now - last_reap >= thrs and a packet was queued at least thrs/2 ago', () => {
    const d = freshDql(K612, 1000, J);
    d.setStallThrs(8, J);
    d.queued(1000, J + 1);
    const ev = d.completed(500, J + 8);
    expect(ev).not.toBeNull();
    expect(ev?.thrs).toBe(8);
    expect(ev?.len).toBe(7);
    expect(ev?.lastReap).toBe(J);
    expect(ev?.histHead).toBe(100 * 64); // history_head * BITS_PER_LONG, as the tracepoint stores it
    expect(ev?.now).toBe(J + 8);
    expect(ev?.hist).toEqual([1n << 1n, 0n, 0n, 0n]);
    expect(d.stallCnt).toBe(1);
    expect(d.stallMax).toBe(7);
    expect(d.lastReap).toBe(J + 8);
  });

  it('§A.5 threshold: no check when now - last_reap < thrs (last_reap still moves)', () => {
    const d = freshDql(K612, 1000, J);
    d.setStallThrs(8, J);
    d.queued(1000, J + 1);
    expect(d.completed(500, J + 7)).toBeNull();
    expect(d.lastReap).toBe(J + 7);
    expect(d.stallCnt).toBe(0);
  });

  it('§A.5 end = now - thrs/2: a packet queued less than thrs/2 ago is not a stall', () => {
    const d = freshDql(K612, 1000, J);
    d.setStallThrs(8, J);
    d.queued(1000, J + 5); // now - thrs/2 = J + 4 < J + 5
    expect(d.completed(500, J + 8)).toBeNull();
    expect(d.lastReap).toBe(J + 8);
  });

  it('§A.5 search starts after last_reap: packets queued before the last completion do not count', () => {
    const d = freshDql(K612, 1000, J);
    d.setStallThrs(8, J);
    d.queued(1000, J + 1);
    d.completed(100, J + 2); // too early for a check; last_reap = J + 2
    expect(d.completed(100, J + 20)).toBeNull(); // bit J+1 is before last_reap + 1
  });

  it('§A.5 thrs == 0: returns at once without updating last_reap; nothing recorded in the history (6.10+)', () => {
    const d = freshDql(K612, 1000, J);
    d.queued(1000, J + 70);
    expect(d.history()).toEqual([0n, 0n, 0n, 0n]);
    expect(d.historyHead).toBe(100);
    expect(d.completed(1000, J + 500)).toBeNull();
    expect(d.lastReap).toBe(J);
  });

  it('§A.3 history: a move of history_head clears the skipped words, keeps the ones still in the window', () => {
    const d = freshDql(K612, 1000, J);
    d.setStallThrs(8, J);
    d.queued(10, J + 1); // head 100, word 0 bit 1
    d.queued(10, J + 64 + 2); // head 101: clears word 1 only, sets bit 2
    expect(d.historyHead).toBe(101);
    expect(d.history()).toEqual([1n << 1n, 1n << 2n, 0n, 0n]);
    d.queued(10, J + 3 * 64 + 63); // head 103: clears words 2 and 3, sets bit 63 of word 3
    expect(d.history()).toEqual([1n << 1n, 1n << 2n, 0n, 1n << 63n]);
    d.queued(10, J + 4 * 64 + 5); // head 104: word 0 (100) is reused and cleared
    expect(d.history()).toEqual([1n << 5n, 1n << 2n, 0n, 1n << 63n]);
    d.queued(10, J + 9 * 64); // a gap of 5 periods clears all 4 words
    expect(d.historyHead).toBe(109);
    expect(d.history()).toEqual([0n, 1n, 0n, 0n]);
  });

  it('§A.5 the scan crosses history words and finds the oldest queued jiffy', () => {
    const d = freshDql(K612, 1000, J);
    d.setStallThrs(128, J);
    d.queued(1000, J + 60);
    d.queued(1000, J + 70);
    const ev = d.completed(500, J + 200);
    expect(ev?.len).toBe(140); // t = J + 60 (word 0), not J + 70 (word 1)
    expect(ev?.histHead).toBe(101 * 64);
    expect(d.stallMax).toBe(140);
  });

  it('§A.6 5.15 has no stall detector: stall fields stay 0 and no event is returned', () => {
    const d = freshDql(K515, 1000, J);
    d.queued(1000, J + 1);
    expect(d.completed(1000, J + 1000)).toBeNull();
    expect(d.stallCnt).toBe(0);
    expect(d.lastReap).toBe(0);
    expect(d.history()).toEqual([0n, 0n, 0n, 0n]);
  });
});

describe('§A invariants over randomized runs', () => {
  it('inflight equals bytes queued - completed, never negative; limit stays within [min,max]; adj_limit = limit + num_completed', () => {
    for (const kernel of [K612, K515]) {
      for (let seed = 1; seed <= 20; seed++) {
        const rnd = prng(seed);
        const d = freshDql(kernel, 1 + Math.floor(rnd() * 1000), 4294967296 - 3000);
        if (kernel.dqlStallDetection && rnd() < 0.5) d.setStallThrs(4 + Math.floor(rnd() * 125), 4294967296 - 3000);
        let jiffies = 4294967296 - 3000;
        let outstanding = 0; // exact bytes in flight, independent of the u32 counters
        const fail = (msg: string): never => {
          throw new Error(`${kernel.label} seed ${seed}: ${msg}`);
        };
        for (let step = 0; step < 3000; step++) {
          jiffies += Math.floor(rnd() * 3);
          const r = rnd();
          if (r < 0.55) {
            const size = 60 + Math.floor(rnd() * 65476);
            d.queued(size, jiffies);
            outstanding += size;
          } else if (r < 0.98) {
            const done = Math.floor(rnd() * (outstanding + 1));
            d.completed(done, jiffies);
            outstanding -= done;
            if (d.adjLimit !== (d.limit + d.numCompleted) >>> 0)
              fail(`adj_limit ${d.adjLimit} != limit + num_completed`);
            if (d.minLimit <= d.maxLimit && (d.limit < d.minLimit || d.limit > d.maxLimit))
              fail(`limit ${d.limit} outside [${d.minLimit}, ${d.maxLimit}]`);
          } else {
            d.setMinLimit(Math.floor(rnd() * 20000));
          }
          if (outstanding < 0) fail('bytes in flight went negative');
          if (d.inflight() !== outstanding % 2 ** 32) fail(`inflight ${d.inflight()} != ${outstanding}`);
        }
      }
    }
  });
});
