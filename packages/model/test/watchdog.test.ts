/**
 * TX watchdog (spec §E, net/sched/sch_generic.c dev_watchdog; kernel/time/timer.c round_jiffies).
 */
import { describe, expect, it } from 'vitest';
import { kernelBehaviour } from '../src/core/kernel.js';
import { NetdevQueue, QUEUE_STATE_FROZEN, QUEUE_STATE_STACK_XOFF } from '../src/core/netdev-queue.js';
import {
  devActivateTransStart,
  devWatchdogCheck,
  devWatchdogRun,
  netdevWatchdogUp,
  roundJiffies,
  watchdogLogLine,
} from '../src/core/watchdog.js';

const K612 = kernelBehaviour('6.12.117');
const K515 = kernelBehaviour('5.15.100');
const HZ = 1000;
const TIMEO = 5 * HZ;

function queues(kernel = K612, n = 4): NetdevQueue[] {
  return Array.from({ length: n }, (_, i) => new NetdevQueue(i, kernel, { hz: HZ }));
}

describe('§E round_jiffies', () => {
  it('§E rounds to a whole second: down when less than HZ/4 past it, else up', () => {
    expect(roundJiffies(10_100, 1000)).toBe(10_000);
    expect(roundJiffies(10_249, 1000)).toBe(10_000);
    expect(roundJiffies(10_250, 1000)).toBe(11_000);
    expect(roundJiffies(10_000, 1000)).toBe(10_000);
    expect(roundJiffies(1_061, 250)).toBe(1_000); // HZ/4 = 62: rem < 62 rounds down
    expect(roundJiffies(1_062, 250)).toBe(1_250);
  });

  it('§E skews by 3 jiffies per CPU, and returns the unrounded value if the rounded one is not in the future', () => {
    expect(roundJiffies(10_997, 1000, undefined, 1)).toBe(10_997); // 11000 - 3
    expect(roundJiffies(10_100, 1000, 10_050)).toBe(10_100); // 10000 is in the past
    expect(roundJiffies(10_100, 1000, 9_000)).toBe(10_000);
  });

  it('§E watchdog arming: only with ndo_tx_timeout; timeo <= 0 means 5*HZ', () => {
    expect(netdevWatchdogUp(4_294_667_296, 0, 1000, true)).toBe(roundJiffies(4_294_667_296 + 5000, 1000));
    expect(netdevWatchdogUp(1000, TIMEO, 1000, false)).toBeNull(); // macb
  });
});

describe('§E dev_watchdog check', () => {
  it('§E FROZEN alone does not count; DRV_XOFF and STACK_XOFF do', () => {
    const qs = queues();
    const q0 = qs[0] as NetdevQueue;
    q0.state = QUEUE_STATE_FROZEN;
    q0.transStart = 0;
    expect(devWatchdogCheck(qs, 100_000, TIMEO, HZ, K612).timedOutQueue).toBeNull();
    q0.state = QUEUE_STATE_STACK_XOFF;
    expect(devWatchdogCheck(qs, 100_000, TIMEO, HZ, K612).timedOutQueue).toBe(0);
  });

  it('§E times out only strictly after trans_start + watchdog_timeo (time_after)', () => {
    const qs = queues();
    (qs[2] as NetdevQueue).stop(10_000);
    expect(devWatchdogCheck(qs, 15_000, TIMEO, HZ, K612).timedOutQueue).toBeNull();
    const hit = devWatchdogCheck(qs, 15_001, TIMEO, HZ, K612);
    expect(hit.timedOutQueue).toBe(2);
    expect(hit.timedOutMs).toBe(5001);
    expect(devWatchdogCheck(queues(), 15_001, 5 * 250, 250, K612).timedOutMs).toBe(0);
    const q250 = queues(K612, 1);
    (q250[0] as NetdevQueue).stop(1000);
    expect(devWatchdogCheck(q250, 2251, 1250, 250, K612).timedOutMs).toBe(1251 * 4); // 4 ms per jiffy at HZ=250
  });

  it('§E stops at the first timed-out queue; trans_timeout counts only that queue', () => {
    const qs = queues();
    (qs[1] as NetdevQueue).stop(1000);
    (qs[3] as NetdevQueue).stop(1000);
    const run = devWatchdogRun(qs, 20_000, TIMEO, HZ, K612);
    expect(run.timedOutQueue).toBe(1);
    expect(qs.map((q) => q.transTimeout)).toEqual([0, 1, 0, 0]);
  });

  it('§E re-arm 6.x: round_jiffies(oldest trans_start of the stopped queues scanned + timeo)', () => {
    const qs = queues();
    (qs[1] as NetdevQueue).stop(12_300);
    (qs[2] as NetdevQueue).stop(13_700);
    const c = devWatchdogCheck(qs, 14_000, TIMEO, HZ, K612);
    expect(c.timedOutQueue).toBeNull();
    expect(c.nextFireJiffies).toBe(roundJiffies(12_300 + TIMEO, HZ, 14_000));
    expect(c.nextFireJiffies).toBe(18_000); // 17300: 300 >= HZ/4, rounded up
    // nothing stopped: oldest_start = now
    expect(devWatchdogCheck(queues(), 14_000, TIMEO, HZ, K612).nextFireJiffies).toBe(19_000);
  });

  it('§E re-arm 6.x: the timed-out queue and the queues after it are not part of oldest_start', () => {
    const qs = queues();
    (qs[0] as NetdevQueue).stop(1_000); // times out, scan stops here
    (qs[1] as NetdevQueue).stop(500);
    const c = devWatchdogCheck(qs, 20_000, TIMEO, HZ, K612);
    expect(c.timedOutQueue).toBe(0);
    expect(c.nextFireJiffies).toBe(25_000); // oldest_start stayed = jiffies
  });

  it('§E re-arm 5.15: round_jiffies(jiffies + timeo) whatever the queues', () => {
    const qs = queues(K515);
    (qs[1] as NetdevQueue).stop(12_300);
    qs[1]!.transStart = 12_300;
    expect(devWatchdogCheck(qs, 14_000, TIMEO, HZ, K515).nextFireJiffies).toBe(19_000);
  });

  it('§E carrier down: no check and no re-arm', () => {
    const qs = queues();
    (qs[0] as NetdevQueue).stop(0);
    expect(devWatchdogCheck(qs, 100_000, TIMEO, HZ, K612, false)).toEqual({
      timedOutQueue: null,
      timedOutMs: 0,
      nextFireJiffies: null,
    });
  });
});

describe('§E dev_watchdog run: freeze, ndo_tx_timeout, unfreeze', () => {
  it('§E 6.x: on a timeout all queues are FROZEN around ndo_tx_timeout, then unfrozen and scheduled', () => {
    const qs = queues();
    (qs[2] as NetdevQueue).stop(0);
    const frozenDuring: number[] = [];
    const run = devWatchdogRun(qs, 10_000, TIMEO, HZ, K612, {
      ndoTxTimeout: () => qs.forEach((q) => frozenDuring.push(q.state & QUEUE_STATE_FROZEN)),
    });
    expect(run.timeoutHandled).toBe(true);
    expect(frozenDuring).toEqual([4, 4, 4, 4]);
    expect(qs.every((q) => (q.state & QUEUE_STATE_FROZEN) === 0)).toBe(true);
    expect(run.scheduledQueues).toEqual([0, 1, 3]); // queue 2 is still stopped
    // without a timeout nothing is frozen or scheduled
    expect(devWatchdogRun(queues(), 10_000, TIMEO, HZ, K612).scheduledQueues).toEqual([]);
  });

  it('§E 5.15: every run holds netif_tx_lock, so every run unfreezes and schedules the queues', () => {
    const qs = queues(K515);
    const frozenAtTimeout: number[] = [];
    const run = devWatchdogRun(qs, 10_000, TIMEO, HZ, K515, { ndoTxTimeout: () => frozenAtTimeout.push(1) });
    expect(run.timedOutQueue).toBeNull();
    expect(frozenAtTimeout).toEqual([]);
    expect(run.scheduledQueues).toEqual([0, 1, 2, 3]);
  });

  it('§E log line per version', () => {
    expect(watchdogLogLine(K612, 'eth0', 'igb', 2, 5001, 1)).toBe(
      'NETDEV WATCHDOG: CPU: 1: transmit queue 2 timed out 5001 ms',
    );
    expect(watchdogLogLine(K515, 'eth0', 'igb', 2, 5001)).toBe(
      'NETDEV WATCHDOG: eth0 (igb): transmit queue 2 timed out',
    );
  });
});

describe('§E a queue stopped for good (lost interrupt): the watchdog fires once per watchdog_timeo', () => {
  for (const kernel of [K612, K515]) {
    it(`§E ${kernel.label}: first hit after the stop + timeo, then one hit per period`, () => {
      const hz = 250;
      const timeo = 5 * hz;
      const start = 4_294_967_296 - 300 * hz; // INITIAL_JIFFIES
      const qs = Array.from({ length: 2 }, (_, i) => new NetdevQueue(i, kernel, { hz, jiffies: start }));
      devActivateTransStart(qs, start);
      let timer = netdevWatchdogUp(start, timeo, hz, true) as number;
      const stopAt = start + 3 * hz + 17;
      const q1 = qs[1] as NetdevQueue;
      q1.transUpdate(stopAt); // last good xmit
      q1.stop(stopAt); // ring full, completion interrupt lost: never woken
      const hits: number[] = [];
      while (timer < stopAt + 40 * hz) {
        const run = devWatchdogRun(qs, timer, timeo, hz, kernel, { ndoTxTimeout: () => undefined });
        if (run.timeoutHandled) hits.push(timer);
        expect(run.nextFireJiffies).not.toBeNull();
        timer = run.nextFireJiffies as number;
      }
      expect(hits.length).toBeGreaterThanOrEqual(6);
      expect(hits[0]! - stopAt).toBeGreaterThan(timeo); // never before trans_start + timeo
      // 6.x re-arms from the oldest stopped trans_start, so the first hit comes within a second of
      // stop + timeo; 5.15 re-arms from "now", so the timer's phase ignores the stop: up to ~2*timeo.
      const firstHitBound = kernel.watchdogRearm === 'oldest_start' ? timeo + hz + hz / 4 : 2 * timeo + hz / 4;
      expect(hits[0]! - stopAt).toBeLessThanOrEqual(firstHitBound);
      for (let i = 1; i < hits.length; i++) {
        const gap = hits[i]! - hits[i - 1]!;
        expect(gap).toBeGreaterThanOrEqual(timeo);
        expect(gap).toBeLessThanOrEqual(timeo + hz / 4);
      }
      expect(q1.transTimeout).toBe(hits.length);
    });
  }
});
