/** Shared helpers for the simulation tests: run a scenario and keep a copy of every emitted tracepoint. */
import { type DqlStallEvent } from '../src/core/dql.js';
import { DRIVER_PROFILES, type DriverKind } from '../src/core/driver/profiles.js';
import { DriverTxQueue, type DriverHost } from '../src/core/driver/tx-queue.js';
import { kernelBehaviour } from '../src/core/kernel.js';
import { NetdevQueue } from '../src/core/netdev-queue.js';
import { resolveScenario, type Scenario } from '../src/sim/scenario.js';
import { Simulator, type SimResult } from '../src/sim/simulator.js';
import { type SimTraceEvent } from '../src/sim/trace-event.js';

export interface Rec {
  kind: number;
  tsNs: number;
  task: number;
  dev: number;
  queue: number;
  skb: number;
  lenBytes: number;
  rc: number;
  txqState: number;
  packets: number;
  work: number;
  budget: number;
  reason: number;
  location: number;
}

export function copyEvent(ev: SimTraceEvent): Rec {
  return {
    kind: ev.kind,
    tsNs: ev.tsNs,
    task: ev.task,
    dev: ev.dev,
    queue: ev.queue,
    skb: ev.skb,
    lenBytes: ev.lenBytes,
    rc: ev.rc,
    txqState: ev.txqState,
    packets: ev.packets,
    work: ev.work,
    budget: ev.budget,
    reason: ev.reason,
    location: ev.location,
  };
}

export function runScenario(
  s: Scenario,
  opts: { checkInvariants?: boolean; onEvent?: (ev: SimTraceEvent, sim: Simulator) => void } = {},
): { result: SimResult; events: Rec[]; sim: Simulator } {
  const events: Rec[] = [];
  let simRef: Simulator | null = null;
  const sim = new Simulator(resolveScenario(s, 'test'), {
    checkInvariants: opts.checkInvariants ?? true,
    onEvent: (ev) => {
      events.push(copyEvent(ev));
      opts.onEvent?.(ev, simRef!);
    },
  });
  simRef = sim;
  const result = sim.run();
  return { result, events, sim };
}

/** A lone driver TX queue with a recording host (the kernel services around a driver). */
export function driverHarness(
  kind: DriverKind,
  ringSize: number,
  bql = false,
  release = '6.12.117',
  hangTimeoutJiffies = 250,
) {
  const kernel = kernelBehaviour(release);
  const txq = new NetdevQueue(0, kernel, { bql, jiffies: 0 });
  const log = {
    schedules: 0,
    consumed: 0,
    freedDropped: 0,
    discarded: 0,
    kicks: 0,
    stalls: [] as DqlStallEvent[],
    lines: [] as string[],
  };
  let nowNs = 0;
  const host: DriverHost = {
    jiffies: () => Math.floor(nowNs / 4e6),
    nowNs: () => nowNs,
    netifSchedule: () => void log.schedules++,
    freeSkb: (_d, _q, _skb, consumed) => void (consumed ? log.consumed++ : log.freedDropped++),
    hwKick: () => void log.kicks++,
    dqlStall: (_d, _q, s) => void log.stalls.push(s),
    discardSkb: () => void log.discarded++,
    driverLog: (_d, _q, text) => void log.lines.push(text),
  };
  const tq = new DriverTxQueue(0, 0, DRIVER_PROFILES[kind], txq, host, {
    ringSize,
    bql,
    extraDescsPerPacket: 0,
    hangTimeoutJiffies,
  });
  let nextSkb = 0;
  return {
    tq,
    txq,
    log,
    advance(ns: number) {
      nowNs += ns;
    },
    /** ndo_start_xmit of a new skb */
    xmit(len = 1000, xmitMore = false): number {
      return tq.xmit(nextSkb++, len, xmitMore);
    },
    /** the hardware finishes n posted packets (DD / TX_USED set) */
    hwComplete(n: number): void {
      for (let i = 0; i < n; i++) {
        if (tq.hwNext === tq.head) throw new Error('hardware has nothing posted');
        // the harness completes everything posted, regardless of the doorbell
        tq.hwCompleteOne();
      }
    },
  };
}

/** a one-device scenario skeleton */
export function oneDevice(
  dev: Partial<Scenario['devices'][number]> & { driver: DriverKind },
  sources: Partial<Scenario['sources'][number]>[],
  extra: Partial<Scenario> = {},
): Scenario {
  return {
    durationMs: 100,
    kernel: '6.12.117',
    hz: 250,
    seed: 1,
    devices: [{ name: 'eth0', linkRateBps: 1e9, ...dev }],
    sources: sources.map((s, i) => ({ name: `src${i}`, device: 'eth0', ratePps: 1000, ...s })),
    faults: [],
    ...extra,
  };
}
