#!/usr/bin/env node
// Simulated TX-path events per second on one core (pnpm bench:model).
// A 4-queue igb with mq/pfifo_fast at 10 Gbit/s fed by four UDP-like senders; the run stops after 10 M emitted
// tracepoints. The consumer only counts (formatting text is I/O-edge work, measured separately below).
import { PerformanceObserver } from 'node:perf_hooks';
import { resolveScenario, Simulator, PerfScriptWriter, perfScriptContextFor } from '../packages/model/dist/index.js';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);

const scenario = resolveScenario(
  {
    name: 'bench-igb-mq',
    seed: 1,
    durationMs: 1e9,
    startOffsetNs: 1000e9,
    kernel: '6.12.117',
    hz: 250,
    devices: [
      { name: 'eth0', driver: 'igb', numTxQueues: 4, ringSize: 1024, linkRateBps: 10e9, qdisc: 'mq', txqueuelen: 1000, irqCoalesceUs: 50 },
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

let counted = 0;
let gcs = 0;
const obs = new PerformanceObserver((list) => void (gcs += list.getEntries().length));
obs.observe({ entryTypes: ['gc'] });
const heapBefore = process.memoryUsage().heapUsed;
const sim = new Simulator(scenario, { maxEvents: TARGET_EVENTS, onEvent: () => void counted++ });
const t0 = process.hrtime.bigint();
const r = sim.run();
const t1 = process.hrtime.bigint();
const heapAfter = process.memoryUsage().heapUsed;
await new Promise((r) => setTimeout(r, 10)); // let the GC observer deliver
obs.disconnect();
const secs = Number(t1 - t0) / 1e9;
console.log(`simulated ${r.events.toLocaleString('en-US')} events (${(r.endNs / 1e6).toFixed(1)} ms of simulated time) in ${secs.toFixed(3)} s`);
console.log(`  ${(r.events / secs / 1e6).toFixed(2)} M events/s (one core, counting consumer)`);
console.log(`  heap used before ${mb(heapBefore)}, after ${mb(heapAfter)} (delta ${mb(heapAfter - heapBefore)}); ${gcs} garbage collections during the run`);
console.log(`  counts: ${Object.entries(r.eventCounts).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(' ')}`);
if (counted !== r.events) throw new Error(`consumer saw ${counted} of ${r.events} events`);

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
console.log(`  with perf-script text: ${(N / s2 / 1e6).toFixed(2)} M events/s, ${(bytes / s2 / 1e6).toFixed(0)} MB/s of text`);
