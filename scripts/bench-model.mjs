#!/usr/bin/env node
// Simulated TX-path events per second on one core (pnpm bench:model).
// A 4-queue igb with mq/pfifo_fast at 10 Gbit/s fed by four UDP-like senders; the run stops after 10 M emitted
// tracepoints. The consumer only counts (formatting text is I/O-edge work, measured separately below).
import { compareAndRecord } from './lib/bench-history.mjs';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { resolveScenario, Simulator, PerfScriptWriter, perfScriptContextFor } from '../packages/model/dist/index.js';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

const scenario = resolveScenario(
  {
    name: 'bench-igb-mq',
    seed: 1,
    durationMs: 1e9,
    startOffsetNs: 1000e9,
    kernel: '6.12.117',
    hz: 250,
    devices: [
      {
        name: 'eth0',
        driver: 'igb',
        numTxQueues: 4,
        ringSize: 1024,
        linkRateBps: 10e9,
        qdisc: 'mq',
        txqueuelen: 1000,
        irqCoalesceUs: 50,
      },
    ],
    sources: [0, 1, 2, 3].map((i) => ({
      name: `udp${i}`,
      comm: 'udpflood',
      pid: 4000 + i,
      cpu: i,
      device: 'eth0',
      ratePps: 200000,
      sizes: [64, 576, 1500],
      pattern: 'poisson',
      queueMap: [i],
      burst: { everyMs: 2, packets: 64 },
    })),
  },
  'bench',
);

function mb(n) {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

// warm-up (JIT) on a short run
new Simulator(scenario, { maxEvents: 300_000, onEvent: () => {} }).run();
globalThis.gc?.();

// The machine is shared: besides wall-clock events/s, report events per second of this process's own CPU time
// (process.cpuUsage, user + system), which other processes' load disturbs much less.
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${REPEATS} runs of ${TARGET_EVENTS.toLocaleString('en-US')} events`,
);
const wallRates = [];
const cpuRates = [];
let last = null;
for (let rep = 0; rep < REPEATS; rep++) {
  let counted = 0;
  let gcs = 0;
  const obs = new PerformanceObserver((list) => void (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const heapBefore = process.memoryUsage().heapUsed;
  const sim = new Simulator(scenario, { maxEvents: TARGET_EVENTS, onEvent: () => void counted++ });
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = sim.run();
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  const heapAfter = process.memoryUsage().heapUsed;
  await new Promise((res) => setTimeout(res, 10)); // let the GC observer deliver
  obs.disconnect();
  const secs = Number(t1 - t0) / 1e9;
  const cpuSecs = (c1.user + c1.system) / 1e6;
  wallRates.push(r.events / secs / 1e6);
  cpuRates.push(r.events / cpuSecs / 1e6);
  console.log(
    `  run ${rep + 1}: ${r.events.toLocaleString('en-US')} events (${(r.endNs / 1e6).toFixed(1)} ms simulated) in ${secs.toFixed(3)} s wall, ` +
      `${cpuSecs.toFixed(3)} s CPU: ${(r.events / secs / 1e6).toFixed(2)} M events/s wall, ${(r.events / cpuSecs / 1e6).toFixed(2)} M events/s CPU; ` +
      `heap ${mb(heapBefore)} → ${mb(heapAfter)}, ${gcs} GCs`,
  );
  if (counted !== r.events) throw new Error(`consumer saw ${counted} of ${r.events} events`);
  last = r;
}
const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
console.log(
  `  ${range(wallRates)} M events/s wall, ${range(cpuRates)} M events/s per CPU-second (one core, counting consumer)`,
);
const r = last;
console.log(
  `  counts: ${Object.entries(r.eventCounts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ')}`,
);

// perf-script formatting throughput (string building; the CLI's output path)
const N = Math.min(1_000_000, TARGET_EVENTS);
let w = null;
const sim2 = new Simulator(scenario, { maxEvents: N, onEvent: (ev) => w.consumer(ev) });
w = new PerfScriptWriter(perfScriptContextFor(scenario, sim2.tasks));
const t2 = process.hrtime.bigint();
sim2.run();
let bytes = 0;
for (const c of w.drainChunks()) bytes += c.length;
const t3 = process.hrtime.bigint();
const s2 = Number(t3 - t2) / 1e9;
console.log(
  `  with perf-script text: ${(N / s2 / 1e6).toFixed(2)} M events/s, ${(bytes / s2 / 1e6).toFixed(0)} MB/s of text`,
);

compareAndRecord('model', {
  'simulated events/s (best, wall)': { value: Math.max(...wallRates), unit: 'M events/s', better: 'higher' },
  'simulated events/s (best, per CPU-second)': { value: Math.max(...cpuRates), unit: 'M events/s', better: 'higher' },
  'with perf-script text': { value: N / s2 / 1e6, unit: 'M events/s', better: 'higher' },
});
