/**
 * NET_RX softirq budget (§F net_rx_action): netdev_budget (300) shared by every NAPI polled in one run, each polled
 * at most once per run (a full-weight poll is repolled in the next run), time_squeeze++ when the budget is spent.
 */
import { describe, expect, it } from 'vitest';
import { resolveScenario, type Scenario } from '../src/sim/scenario.js';
import { Simulator } from '../src/sim/simulator.js';
import { TraceKind } from '../src/sim/trace-event.js';

/** `busyQueues` NAPIs on CPU 0 (queues 0, 2, 4 …) whose interrupts fire together with > 64 completions each */
function lockstep(busyQueues: number, netdevBudget?: number): Scenario {
  const queues = Array.from({ length: busyQueues }, (_, k) => 2 * k);
  return {
    durationMs: 20,
    kernel: '6.12.117',
    hz: 250,
    ...(netdevBudget === undefined ? {} : { netdevBudget }),
    devices: [
      {
        name: 'eth0',
        driver: 'generic',
        numTxQueues: 2 * busyQueues,
        ringSize: 1024,
        linkRateBps: 10e9,
        qdisc: 'mq',
        irqCoalesceUs: 2000,
        bql: false,
      },
    ],
    sources: queues.map((q) => ({ name: `s${q}`, device: 'eth0', ratePps: 60000, sizes: 200, queueMap: [q] })),
  };
}

function run(sc: Scenario) {
  const polls: { tsNs: number; work: number; queue: number }[] = [];
  const r = new Simulator(resolveScenario(sc, 'test'), {
    checkInvariants: true,
    onEvent: (ev) => {
      if (ev.kind === TraceKind.napiPoll) polls.push({ tsNs: ev.tsNs, work: ev.work, queue: ev.queue });
    },
  }).run();
  return { r, polls };
}

describe('net_rx_action budget and time_squeeze (§F)', () => {
  it('4 NAPIs × 64 = 256 fit netdev_budget 300: no squeeze; a 5th full poll spends it: time_squeeze++', () => {
    const four = run(lockstep(4));
    expect(four.polls.filter((p) => p.work === 64).length).toBeGreaterThan(8);
    expect(four.r.softnet[0]!.timeSqueeze).toBe(0);
    const five = run(lockstep(5));
    expect(five.polls.filter((p) => p.work === 64).length).toBeGreaterThan(10);
    expect(five.r.softnet[0]!.timeSqueeze).toBeGreaterThan(0);
    // CPU 1 has no NAPI with work here
    expect(five.r.softnet[1]!.timeSqueeze).toBe(0);
  });

  it('netdev_budget is a scenario knob: 2 full polls exceed a budget of 100', () => {
    expect(run(lockstep(2)).r.softnet[0]!.timeSqueeze).toBe(0);
    expect(run(lockstep(2, 100)).r.softnet[0]!.timeSqueeze).toBeGreaterThan(0);
  });

  it('a NAPI is polled at most once per run: a full-weight poll is repolled in a later run, after the others', () => {
    const { polls } = run(lockstep(3));
    // at the first instant with polls, the order is q0, q2, q4, then the repolls q0, q2, q4 (next run)
    const t0 = polls.find((p) => p.work === 64)!.tsNs;
    const atT0 = polls.filter((p) => p.tsNs === t0).map((p) => p.queue);
    expect(atT0.slice(0, 6)).toEqual([0, 2, 4, 0, 2, 4]);
  });
});
