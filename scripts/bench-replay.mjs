#!/usr/bin/env node
// Replay/diagnose throughput: events/s of `diagnose` (load .arrow + replay + findings) on a large trace.
// The .arrow is made once by ingesting the multiqueue perf-script fixture repeated N times with shifted
// timestamps and skb addresses (ingestToArrow), cached under $TMPDIR/txreplay-bench/.
// Usage (after pnpm build): node scripts/bench-replay.mjs [minEvents=5000000] [runs=3] [--compare-table]
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestToArrow } from '../packages/ingest/dist/index.js';
import { loadForReplay, replayArrowFile, replayTable } from '../packages/replay/dist/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared');
const fixture = path.join(shared, 'traces', 'multiqueue', 'perf-script.txt');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const minEvents = Number(args[0] ?? 5_000_000);
const runs = Number(args[1] ?? 3);
const FIXTURE_EVENTS = 29484; // README event counts, perf-script.txt
const copies = Math.ceil(minEvents / FIXTURE_EVENTS);
const dir = path.join(tmpdir(), 'txreplay-bench');
mkdirSync(dir, { recursive: true });
const text = path.join(dir, `multiqueue-x${copies}.perf-script.txt`);
const arrowPath = path.join(dir, `multiqueue-x${copies}.arrow`);

async function makeText() {
  const lines = [];
  const rl = createInterface({ input: createReadStream(fixture), crlfDelay: Infinity });
  for await (const l of rl) lines.push(l);
  const out = createWriteStream(text + '.tmp');
  const tsRe = /(\s)(\d+)\.(\d{6}):/;
  const spanS = 12; // the fixture spans 11.6 s: copies follow each other
  for (let k = 0; k < copies; k++) {
    const addr = `0xffff${(0x888 + k).toString(16)}`;
    let chunk = '';
    for (const l of lines) {
      const shifted = l
        .replace(tsRe, (_m, sp, s, us) => `${sp}${Number(s) + k * spanS}.${us}:`)
        .replaceAll('0xffff888', addr);
      chunk += shifted + '\n';
    }
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  const { renameSync } = await import('node:fs');
  renameSync(text + '.tmp', text);
}

if (!existsSync(arrowPath)) {
  if (!existsSync(text)) {
    process.stderr.write(`writing ${copies} shifted copies of ${fixture} …\n`);
    await makeText();
  }
  process.stderr.write(`ingesting ${(statSync(text).size / 1e6).toFixed(0)} MB to ${arrowPath} …\n`);
  const t0 = performance.now();
  const s = await ingestToArrow([text], arrowPath);
  process.stderr.write(`ingested ${s.events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

/** this thread's CPU time, s (Linux schedstat; null elsewhere): the replay pass's own core, whatever the load */
function threadCpuS() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null;
  }
}

let best = Infinity;
let bestCpu = Infinity;
let bestMain = Infinity;
let events = 0;
let findings = 0;
// diagnose from .arrow as the CLI runs it: record batch by record batch, only the needed column buffers read
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const m0 = threadCpuS();
  const t0 = performance.now();
  const r = await replayArrowFile(arrowPath, { maxSeriesPoints: 500 });
  const s = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const m1 = threadCpuS();
  const mainS = m0 === null || m1 === null ? null : m1 - m0;
  if (mainS !== null) bestMain = Math.min(bestMain, mainS);
  const cpuS = (cu.user + cu.system) / 1e6;
  events = r.trace.events;
  findings = r.findings.length;
  best = Math.min(best, s);
  bestCpu = Math.min(bestCpu, cpuS);
  console.log(
    `run ${i + 1}: ${events} events in ${s.toFixed(2)} s wall (${cpuS.toFixed(2)} s CPU, main thread ${mainS === null ? 'n/a' : `${mainS.toFixed(2)} s`}) → ${(events / s / 1e6).toFixed(2)} M events/s (${findings} findings; load ${(await import('node:os')).loadavg()[0].toFixed(1)})`,
  );
}
const load = (await import('node:os')).loadavg()[0].toFixed(1);
console.log(
  `diagnose from .arrow: ${(events / best / 1e6).toFixed(2)} M events/s end to end (best of ${runs} wall; ${(events / bestCpu / 1e6).toFixed(2)} M events per CPU-second; load average ${load}; ${events} events, ${(statSync(arrowPath).size / 1e6).toFixed(0)} MB arrow)`,
);
if (process.argv.includes('--compare-table')) {
  // the whole-table path (tableFromIPC + replayTable) for comparison
  const t0 = performance.now();
  const { table } = await loadForReplay([arrowPath]);
  const t1 = performance.now();
  const r = replayTable(table, { maxSeriesPoints: 500 });
  const t2 = performance.now();
  console.log(
    `whole-table path: load ${((t1 - t0) / 1000).toFixed(2)} s + replay ${((t2 - t1) / 1000).toFixed(2)} s → ${(r.trace.events / ((t2 - t0) / 1000) / 1e6).toFixed(2)} M events/s`,
  );
}
