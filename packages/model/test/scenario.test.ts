/**
 * The shipped example scenarios (examples/scenarios) produce what the kernel would (§E, §G, §I).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../src/sim/scenario.js';
import { Simulator } from '../src/sim/simulator.js';
import { TraceKind, type SimTraceEvent } from '../src/sim/trace-event.js';
import { repoRoot } from './golden-dir.js';
import { copyEvent, type Rec } from './sim-harness.js';

const scenarioPath = (name: string): string => path.join(repoRoot, 'examples', 'scenarios', `${name}.json`);

function runExample(name: string, onEvent?: (ev: SimTraceEvent, sim: Simulator) => void) {
  const file = scenarioPath(name);
  const sc = parseScenario(readFileSync(file, 'utf8'), file);
  const events: Rec[] = [];
  let sim: Simulator | null = null;
  sim = new Simulator(sc, {
    checkInvariants: true,
    onEvent: (ev) => {
      events.push(copyEvent(ev));
      onEvent?.(ev, sim!);
    },
  });
  const result = sim.run();
  return { sc, sim, result, events };
}

describe('igb-lost-irq.json (§I.1 → §E)', () => {
  it('the watchdog fires once per watchdog_timeo after the queue stopped, and igb resets the ring', () => {
    // record when the txq becomes xmit-stopped (DRV_XOFF or STACK_XOFF): the watchdog's clock starts there (6.x)
    const stopStarts: number[] = [];
    let wasStopped = false;
    const { result, sc } = runExample('igb-lost-irq', (ev, sim) => {
      const stopped = sim.driverQueue(0, 0).txq.xmitStopped();
      if (stopped && !wasStopped) stopStarts.push(ev.tsNs);
      wasStopped = stopped;
    });
    const timeoNs = sc.devices[0]!.watchdogTimeoMs * 1e6;
    const fires = result.watchdogFires.map((f) => f.tsNs + sc.startOffsetNs);
    expect(fires.length).toBe(3);
    expect(result.eventCounts.net_dev_xmit_timeout).toBe(3);
    for (const fire of fires) {
      // the stop that this timeout refers to: the last stop before fire - timeo
      const stop = stopStarts.filter((s) => s <= fire - timeoNs).at(-1)!;
      expect(stop).toBeDefined();
      // fires after trans_start + timeo (time_after), at the latest one round_jiffies second + one tick later
      expect(fire).toBeGreaterThan(stop + timeoNs - 4e6);
      expect(fire).toBeLessThanOrEqual(stop + timeoNs + 1e9 + 8e6);
    }
    for (let i = 1; i < fires.length; i++) expect(fires[i]! - fires[i - 1]!).toBeGreaterThanOrEqual(timeoNs);
    // ndo_tx_timeout → igb reset_task → ring reinit with netdev_tx_reset_queue
    expect(result.queues[0]!.resets).toBe(3);
    expect(result.queues[0]!.lostIrqs).toBeGreaterThanOrEqual(3);
    for (const f of result.watchdogFires) expect(f.timedOutMs).toBeGreaterThan(5000);
  });
});

describe('frozen-queue-enobufs.json (§I.7, §I.6)', () => {
  it('ENOBUFS count equals the qdisc drops; FROZEN alone never trips the watchdog', () => {
    const { result, events } = runExample('frozen-queue-enobufs');
    expect(result.qdiscDrops).toBeGreaterThan(1000);
    expect(result.enobufs).toBe(result.qdiscDrops);
    expect(events.filter((e) => e.kind === TraceKind.kfreeSkb).length).toBe(result.qdiscDrops);
    expect(result.eventCounts.net_dev_xmit_timeout).toBe(0);
    expect(result.queues[0]!.state).toBe(0x4);
    // pfifo_fast per-band limit: txqueuelen (100) in band 1, plus one requeued skb from the bypass attempt
    expect(result.eventCounts.qdisc_enqueue).toBe(100);
  });
});

describe('macb-stuck-head.json (§G.2, §I.2)', () => {
  it('the ring head stops moving, the queue stays stopped, and there is no net_dev_xmit_timeout (macb has no ndo_tx_timeout)', () => {
    const { result, events } = runExample('macb-stuck-head');
    const q = result.queues[0]!;
    expect(q.state & 0x1).toBe(0x1);
    expect(q.ringOccupancy).toBe(63); // full 64-entry ring (one slot empty)
    expect(q.stoppedSinceNs).toBeGreaterThan(0);
    expect(result.eventCounts.net_dev_xmit_timeout).toBe(0);
    expect(result.watchdogFires).toHaveLength(0);
    // no completion after the fault
    expect(events.filter((e) => e.kind === TraceKind.consumeSkb && e.tsNs > 1000e9 + 1001e6)).toHaveLength(0);
    expect(result.enobufs).toBe(result.qdiscDrops);
  });
});

describe('healthy-igb.json', () => {
  it('no stop lasts more than a few ms, no drops, no timeouts, everything sent', () => {
    const { result } = runExample('healthy-igb');
    const q = result.queues[0]!;
    expect(q.maxStoppedNs).toBeLessThan(3e6);
    expect(result.qdiscDrops).toBe(0);
    expect(result.devices[0]!.droppedPackets).toBe(0);
    expect(result.eventCounts.net_dev_xmit_timeout).toBe(0);
    expect(result.eventCounts.kfree_skb).toBe(0);
    const d = result.devices[0]!;
    expect(d.queuedPackets - d.sentPackets).toBeLessThanOrEqual(q.ringOccupancy + 64);
  });
});

describe('scenario validation', () => {
  it('reports the file and the JSON line of a syntax error', () => {
    expect(() => parseScenario('{\n  "durationMs": 10,\n  oops\n}', 'bad.json')).toThrowError(
      /bad\.json: line 3: invalid JSON/,
    );
  });
  it('reports the field path of a bad value', () => {
    const s = { durationMs: 10, devices: [{ name: 'e', driver: 'igb', linkRateBps: 1e9, ringSize: 100 }], sources: [] };
    expect(() => parseScenario(JSON.stringify(s), 'x.json')).toThrowError(ScenarioError);
    expect(() => parseScenario(JSON.stringify(s), 'x.json')).toThrowError(
      /x\.json: devices\[0\]\.ringSize: must be a power of two/,
    );
    const f = {
      ...s,
      devices: [{ name: 'e', driver: 'igb', linkRateBps: 1e9 }],
      faults: [{ kind: 'meteor', device: 'e', startMs: 0 }],
    };
    expect(() => parseScenario(JSON.stringify(f), 'x.json')).toThrowError(/faults\[0\]\.kind: unknown fault "meteor"/);
  });
  it('every shipped example parses', () => {
    for (const n of ['healthy-igb', 'igb-lost-irq', 'macb-stuck-head', 'frozen-queue-enobufs']) {
      expect(parseScenario(readFileSync(scenarioPath(n), 'utf8'), n).devices.length).toBe(1);
    }
  });
});

describe('lost wake-up (§I.4)', () => {
  it('the ring drains below the wake threshold but the queue stays stopped until the watchdog (igb reset restarts it)', async () => {
    const { resolveScenario } = await import('../src/sim/scenario.js');
    const sc = resolveScenario(
      {
        durationMs: 8000,
        hz: 250,
        kernel: '6.12.117',
        devices: [{ name: 'eth0', driver: 'igb', ringSize: 64, linkRateBps: 1e8, bql: false, watchdogTimeoMs: 2000 }],
        sources: [{ name: 'u', device: 'eth0', ratePps: 20000, sizes: 1000 }],
        faults: [{ kind: 'lost_wakeup', device: 'eth0', startMs: 100, durationMs: 10 }],
      },
      'lost-wakeup',
    );
    const sim = new Simulator(sc, { checkInvariants: true });
    const r = sim.run();
    const q = r.queues[0]!;
    expect(q.lostWakeups).toBeGreaterThan(0);
    expect(r.watchdogFires.length).toBe(1);
    // stopped at ~0.1 s (stop within one jiffy of the fault start) with an empty ring; fired ≥ 2 s later (round_jiffies), reset, traffic resumed
    expect(r.watchdogFires[0]!.tsNs).toBeGreaterThan(2.05e9);
    expect(r.watchdogFires[0]!.tsNs).toBeLessThan(3.2e9);
    expect(q.resets).toBe(1);
    expect(q.maxStoppedNs).toBeGreaterThan(2e9);
    expect(r.devices[0]!.sentPackets).toBeGreaterThan(50000); // ~12 kpps line rate for ~6 s after the reset
  });
});

describe('dql_stall_detected (§A.5) in a simulation', () => {
  it('with stall_thrs set (6.9+), a completion after a 300 ms DMA stall fires the event with len = the stall in jiffies', async () => {
    const { resolveScenario } = await import('../src/sim/scenario.js');
    const { TraceKind: K } = await import('../src/sim/trace-event.js');
    const mk = (kernel: string) =>
      resolveScenario(
        {
          durationMs: 1000,
          kernel,
          hz: 250,
          devices: [{ name: 'eth0', driver: 'igb', linkRateBps: 1e9, bqlStallThrsMs: 40 }],
          sources: [{ name: 'u', device: 'eth0', ratePps: 2000, sizes: 1000 }],
          faults: [{ kind: 'dma_stuck', device: 'eth0', startMs: 200, durationMs: 300 }],
        },
        'stall',
      );
    const stalls: { len: number; thrs: number; tsNs: number }[] = [];
    const sim = new Simulator(mk('6.12.117'), {
      onEvent: (ev) => {
        if (ev.kind === K.dqlStallDetected) stalls.push({ len: ev.stallLen, thrs: ev.stallThrs, tsNs: ev.tsNs });
      },
    });
    sim.run();
    expect(stalls).toHaveLength(1);
    expect(stalls[0]!.thrs).toBe(10); // msecs_to_jiffies(40) at HZ=250
    expect(stalls[0]!.len).toBe(75); // 300 ms at HZ=250
    expect(stalls[0]!.tsNs).toBeGreaterThanOrEqual(500e6);
    expect(stalls[0]!.tsNs).toBeLessThan(501e6);
    // 5.15 has no stall detector: the scenario is refused with the field path
    expect(() => new Simulator(mk('5.15.100'))).toThrowError(/devices\[0\]\.bqlStallThrsMs: .*before 6\.9/);
  });
});

describe('watchdog per kernel version in a simulation (§E)', () => {
  it('5.15 runs dev_watchdog under netif_tx_lock: every run schedules every queue (a NULL qdisc_dequeue each period); 6.12 does not', async () => {
    const { resolveScenario } = await import('../src/sim/scenario.js');
    const { TraceKind: K } = await import('../src/sim/trace-event.js');
    const nullDequeues = (kernel: string) => {
      const sc = resolveScenario(
        {
          durationMs: 21000,
          kernel,
          hz: 250,
          devices: [{ name: 'eth0', driver: 'igb', linkRateBps: 1e9, qdisc: 'pfifo', watchdogTimeoMs: 5000 }],
          // sparse traffic: the qdisc is always empty, packets take the bypass
          sources: [{ name: 'u', device: 'eth0', ratePps: 1, sizes: 100, startMs: 500 }],
        },
        'wd',
      );
      const ts: number[] = [];
      new Simulator(sc, { onEvent: (ev) => void (ev.kind === K.qdiscDequeue && ev.skb < 0 && ts.push(ev.tsNs)) }).run();
      // the sends themselves (one per second, at x.5 s) cause one NULL dequeue each through BQL's STACK_XOFF →
      // completion → netif_schedule_queue; keep only dequeues that no send explains (not within 1 ms of x.5 s)
      return ts.filter((t) => Math.abs((t % 1e9) - 500e6) > 1e6);
    };
    const old = nullDequeues('5.15.100');
    // runs at 5, 10, 15, 20 s (round_jiffies to whole seconds), each followed by net_tx_action 2 µs later
    expect(old.map((t) => Math.round(t / 1e6))).toEqual([5000, 10000, 15000, 20000]);
    expect(nullDequeues('6.12.117')).toEqual([]);
  });

  it('an igb reset that takes the carrier down flushes the qdisc (noop drops are NET_XMIT_CN, no ENOBUFS) and re-arms the watchdog on carrier on', async () => {
    const { resolveScenario } = await import('../src/sim/scenario.js');
    const sc = resolveScenario(
      {
        durationMs: 12000,
        kernel: '6.12.117',
        hz: 250,
        devices: [
          {
            name: 'eth0',
            driver: 'igb',
            linkRateBps: 1e9,
            ringSize: 64,
            bql: false,
            watchdogTimeoMs: 2000,
            resetLinkDownMs: 3000,
          },
        ],
        sources: [{ name: 'u', device: 'eth0', ratePps: 500, sizes: 1000 }],
        faults: [{ kind: 'lost_irq', device: 'eth0', startMs: 100, count: 1 }],
      },
      'reset-link',
    );
    const r = new Simulator(sc, { checkInvariants: true }).run();
    expect(r.watchdogFires).toHaveLength(1);
    const d = r.devices[0]!;
    // while the carrier is down (3 s at 500 pps) sends are dropped by the noop qdisc: CN, not ENOBUFS
    expect(d.droppedPackets).toBeGreaterThan(1400);
    expect(d.enobufs).toBe(d.qdiscDrops);
    expect(r.queues[0]!.resets).toBe(1);
    expect(r.queues[0]!.state).toBe(0);
    expect(d.sentPackets).toBeGreaterThan(3000); // traffic flows again after the carrier returns
  });
});
