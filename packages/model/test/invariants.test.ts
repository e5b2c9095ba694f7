/**
 * Invariants over randomized seeded runs, every driver: checked after every simulator action
 * (Simulator checkInvariants): DQL inflight never negative, ring occupancy within size-1 (a virtqueue may use all
 * entries), bytes conserved (queued = sent + dropped + qdisc backlog + ring). Plus: a stopped queue is eventually
 * woken unless a fault prevents it.
 */
import { describe, expect, it } from 'vitest';
import { type DriverKind } from '../src/core/driver/profiles.js';
import { FAULT_KINDS, type FaultSpec } from '../src/sim/faults.js';
import { Prng } from '../src/sim/prng.js';
import { resolveScenario, type Scenario } from '../src/sim/scenario.js';
import { Simulator } from '../src/sim/simulator.js';

const DRIVERS: DriverKind[] = ['igb', 'macb', 'virtio_net', 'generic', 'veth-like'];
const QDISCS = ['pfifo_fast', 'pfifo', 'bfifo', 'mq'] as const;
const ANY_DRIVER_FAULTS: readonly string[] = [
  'lost_irq',
  'dma_stuck',
  'lost_wakeup',
  'tx_busy_while_awake',
  'frozen_never_unfrozen',
  'link_down',
];

function randomScenario(seed: number, driver: DriverKind, withFaults: boolean): Scenario {
  const r = new Prng(seed);
  const numTxQueues = 1 + r.nextInt(3);
  const qdisc = driver === 'veth-like' ? 'noqueue' : QDISCS[r.nextInt(QDISCS.length)]!;
  const ringSize = [64, 128, 256][r.nextInt(3)]!;
  const faults: FaultSpec[] = [];
  if (withFaults) {
    // the faults any driver can have, in FAULT_KINDS order (the later, device-specific ones have their own tests)
    const kinds = FAULT_KINDS.filter((k) => ANY_DRIVER_FAULTS.includes(k));
    const kind = kinds[r.nextInt(kinds.length)]!;
    faults.push({
      kind,
      device: 'eth0',
      queue: r.nextInt(numTxQueues),
      startMs: 5 + r.nextInt(20),
      durationMs: kind === 'tx_busy_while_awake' ? 0.2 : 5 + r.nextInt(20),
    });
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
          if (q.stoppedSinceNs >= 0)
            expect(r.endNs - q.stoppedSinceNs, `${driver} seed ${seed} q${q.queue}`).toBeLessThan(5e6);
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

/** Second-pass paths: veth with the peer ring (starved or not, any qdisc), tbf roots/children, macb error/TSTART faults, igb hang check. */
function secondPassScenario(seed: number, kind: 'veth' | 'tbf' | 'fq_codel' | 'macb-faults' | 'igb-hang'): Scenario {
  const r = new Prng(seed);
  const numTxQueues = kind === 'veth' ? 1 : 1 + r.nextInt(3);
  const driver: DriverKind =
    kind === 'veth'
      ? 'veth'
      : kind === 'macb-faults'
        ? 'macb'
        : kind === 'igb-hang'
          ? 'igb'
          : (['igb', 'virtio_net', 'generic'] as const)[r.nextInt(3)]!;
  const faults: FaultSpec[] = [];
  if (kind === 'macb-faults') {
    faults.push({ kind: 'lost_tstart', device: 'eth0', startMs: 1 + r.nextInt(10), durationMs: 10 + r.nextInt(20) });
    faults.push({ kind: 'macb_tx_error', device: 'eth0', queue: r.nextInt(numTxQueues), startMs: 5 + r.nextInt(40) });
  }
  if (kind === 'fq_codel' && r.nextInt(2) === 0)
    faults.push({ kind: 'frozen_never_unfrozen', device: 'eth0', queue: 0, startMs: 5 });
  if (kind === 'igb-hang')
    faults.push({
      kind: 'dma_stuck',
      device: 'eth0',
      queue: 0,
      startMs: 100 + r.nextInt(800),
      durationMs: 2500 + r.nextInt(1000),
    });
  const qdisc =
    kind === 'fq_codel'
      ? r.nextInt(2) === 0
        ? 'fq_codel'
        : 'mq'
      : kind === 'tbf'
        ? r.nextInt(2) === 0
          ? 'tbf'
          : 'mq'
        : kind === 'veth'
          ? (['noqueue', 'pfifo', 'pfifo_fast', 'tbf'] as const)[r.nextInt(4)]!
          : 'pfifo_fast';
  return {
    seed,
    durationMs: kind === 'igb-hang' ? 5000 : 60,
    kernel:
      kind === 'macb-faults'
        ? (['6.12.117', '6.18.44'] as const)[r.nextInt(2)]!
        : (['6.12.117', '5.15.100', '6.18.44'] as const)[r.nextInt(3)]!,
    hz: 250,
    devices: [
      {
        name: 'eth0',
        driver,
        numTxQueues,
        ringSize: [64, 128, 256][r.nextInt(3)]!,
        linkRateBps: [1e8, 1e9][r.nextInt(2)]!,
        qdisc,
        mqChild: kind === 'fq_codel' ? 'fq_codel' : 'tbf',
        fqCodel: { limitPackets: 50 + r.nextInt(500), flows: 1 + r.nextInt(64) },
        txqueuelen: 20 + r.nextInt(500),
        tbf: {
          rateBps: 1e6 * (1 + r.nextInt(200)),
          burstBytes: 1600 + r.nextInt(20000),
          limitBytes: 3000 + r.nextInt(60000),
        },
        igbWatchdogTask: kind === 'igb-hang',
        ...(kind === 'veth'
          ? {
              vethPeer:
                r.nextInt(2) === 0
                  ? {}
                  : { napiPeriodMs: 1 + r.nextInt(10), napiRunMs: 0.05, napiCostNsPerPacket: 500 },
            }
          : {}),
      },
    ],
    sources: [
      {
        name: 'a',
        device: 'eth0',
        ratePps: kind === 'igb-hang' ? 2000 : 2000 + r.nextInt(60000),
        sizes: { min: 60, max: 1500 },
        pattern: 'poisson',
        flows: 1 + r.nextInt(8),
        burst: { everyMs: 3 + r.nextInt(10), packets: 50 + r.nextInt(300) },
      },
    ],
    faults,
  };
}

describe('randomized invariants, second-pass paths (veth ptr_ring, tbf, macb error task / lost TSTART, igb hang check)', () => {
  for (const kind of ['veth', 'tbf', 'fq_codel', 'macb-faults', 'igb-hang'] as const) {
    it(`${kind}: inflight >= 0, occupancy in range, bytes conserved after every action`, () => {
      for (let seed = 1; seed <= (kind === 'igb-hang' ? 2 : 6); seed++) {
        const sc = resolveScenario(secondPassScenario(seed * 7349 + kind.length, kind), `${kind} seed ${seed}`);
        const sim = new Simulator(sc, { checkInvariants: true });
        const r = sim.run();
        const acct = sim.byteAccount(0);
        expect(acct.queued).toBe(acct.sent + acct.dropped + acct.backlog);
        if (kind === 'macb-faults') expect(r.queues.reduce((a, q) => a + q.txErrors, 0)).toBe(1);
        if (kind === 'igb-hang') expect(r.logs.length).toBeGreaterThan(0);
        // the veth peer NAPI keeps draining: no queue is left stopped for long without a fault
        if (kind === 'fq_codel') expect(r.enobufs).toBe(0);
        if (kind === 'veth' || kind === 'tbf' || kind === 'fq_codel')
          for (const q of r.queues) if (q.stoppedSinceNs >= 0) expect(r.endNs - q.stoppedSinceNs).toBeLessThan(11e6);
      }
    });
  }
});
