#!/usr/bin/env node
// One replay of an .arrow in a fresh process, as a one-shot `txreplay diagnose x.arrow` does it: the pass's first (and
// only) run, with no code optimized and no memory touched before it. Prints one JSON line: the pass's wall, this
// thread's CPU, all threads' CPU and minor faults during the pass, and the whole process's so far.
// Usage: node scripts/lib/replay-once.mjs CHECKOUT FILE.arrow [maxSeriesPoints=500]   (scripts/bench-replay.mjs --one-shot)
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [checkout, arrowPath, msp] = process.argv.slice(2);
/** this thread's CPU time, s (Linux schedstat; null elsewhere) */
function threadCpuS() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null;
  }
}
const { replayArrowFile } = await import(path.join(path.resolve(checkout), 'packages/replay/dist/index.js'));
const r0 = process.resourceUsage();
const m0 = threadCpuS();
const t0 = performance.now();
const r = await replayArrowFile(arrowPath, { maxSeriesPoints: Number(msp ?? 500) });
const wallS = (performance.now() - t0) / 1000;
const m1 = threadCpuS();
const r1 = process.resourceUsage();
const cpu = (u) => (u.userCPUTime + u.systemCPUTime) / 1e6;
console.log(
  JSON.stringify({
    events: r.trace.events,
    findings: r.findings.length,
    wallS,
    mainS: m0 === null || m1 === null ? null : m1 - m0,
    cpuS: cpu(r1) - cpu(r0),
    minflt: r1.minorPageFault - r0.minorPageFault,
    processCpuS: cpu(r1),
    processMinflt: r1.minorPageFault,
    maxRssMB: r1.maxRSS / 1024,
  }),
);
