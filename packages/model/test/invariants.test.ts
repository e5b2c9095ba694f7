/**
 * Invariants over randomized seeded runs, every driver: checked after every simulator action
 * (Simulator checkInvariants): DQL inflight never negative, ring occupancy within size-1 (a virtqueue may use all
 * entries), bytes conserved (queued = sent + dropped + qdisc backlog + ring). Plus: a stopped queue is eventually
 * woken unless a fault prevents it.
 */
import { describe, expect, it } from 'vitest';
import { Prng, resolveScenario, Simulator, type DriverKind, type Scenario, type FaultSpec } from '../src/index.js';

const DRIVERS: DriverKind[] = ['igb', 'macb', 'virtio_net', 'generic', 'veth-like'];
const QDISCS = ['pfifo_fast', 'pfifo', 'bfifo', 'mq'] as const;

function randomScenario(seed: number, driver: DriverKind, withFaults: boolean): Scenario {
  const r = new Prng(seed);
  const numTxQueues = 1 + r.nextInt(3);
  const qdisc = driver === 'veth-like' ? 'noqueue' : QDISCS[r.nextInt(QDISCS.length)]!;
  const ringSize = [64, 128, 256][r.nextInt(3)]!;
  const faults: FaultSpec[] = [];
  if (withFaults) {
    const kinds = ['lost_irq', 'dma_stuck', 'lost_wakeup', 'tx_busy_while_awake', 'frozen_never_unfrozen', 'link_down'] as const;
    const kind = kinds[r.nextInt(kinds.length)]!;
    faults.push({ kind, device: 'eth0', queue: r.nextInt(numTxQueues), startMs: 5 + r.nextInt(20), durationMs: kind === 'tx_busy_while_awake' ? 0.2 : 5 + r.nextInt(20) });
  }
  return {
    seed,
    durationMs: 60,
    kernel: ['6.12.117', '5.15.100', '6.18.44'][r.nextInt(3)]!,
    hz: [250, 1000][r.nextInt(2)]!,
    devices: [
      {
        name: 'eth0',
        driver,
        numTxQueues,
        ringSize,
        linkRateBps: [1e8, 1e9, 1e10][r.nextInt(3)]!,
        qdisc,
        mqChild: (['pfifo_fast', 'pfifo', 'bfifo'] as const)[r.nextInt(3)]!,
        txqueuelen: 20 + r.nextInt(500),
        irqCoalesceUs: r.nextInt(100),
        // BQL off on some seeds, so that rings really fill and DRV_XOFF stop/wake cycles happen
        ...(r.nextInt(2) === 0 ? { bql: false } : {}),
        watchdogTimeoMs: 20,
      },
    ],
    sources: [
      {
        name: 'a',
        device: 'eth0',
        ratePps: 2000 + r.nextInt(60000),
        sizes: { min: 60, max: 1500 },
        pattern: 'poisson',
        flows: 1 + r.nextInt(8),
        priority: [0, 6, 2, 7],
        burst: { everyMs: 3 + r.nextInt(10), packets: 50 + r.nextInt(500) },
      },
    ],
    faults,
  };
}

describe('randomized invariants (all drivers, several seeds)', () => {
  for (const driver of DRIVERS) {
    it(`${driver}: inflight >= 0, occupancy in range, bytes conserved after every action; no stuck queue without a fault`, () => {
      let runs = 0;
      let stopsSeen = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const sc = resolveScenario(randomScenario(seed * 7919 + driver.length, driver, false), `seed ${seed}`);
        const sim = new Simulator(sc, { checkInvariants: true });
        const r = sim.run();
        runs++;
        const acct = sim.byteAccount(0);
        expect(acct.queued).toBe(acct.sent + acct.dropped + acct.backlog);
        for (const q of r.queues) {
          stopsSeen += q.stops;
          // without faults every stop ends with a wake: at the end a queue is either running or stopped only briefly
          if (q.stoppedSinceNs >= 0) expect(r.endNs - q.stoppedSinceNs, `${driver} seed ${seed} q${q.queue}`).toBeLessThan(5e6);
          if (q.dqlInflight !== null) expect(q.dqlInflight).toBeGreaterThanOrEqual(0);
        }
        expect(r.watchdogFires).toHaveLength(0);
      }
      expect(runs).toBe(6);
      if (driver !== 'veth-like') expect(stopsSeen).toBeGreaterThan(0);
    });
    it(`${driver}: invariants also hold with a random fault`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const sc = resolveScenario(randomScenario(seed * 104729 + driver.length, driver, true), `seed ${seed}`);
        const sim = new Simulator(sc, { checkInvariants: true });
        sim.run();
        const acct = sim.byteAccount(0);
        expect(acct.queued).toBe(acct.sent + acct.dropped + acct.backlog);
      }
    });
  }
});
