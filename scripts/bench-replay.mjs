#!/usr/bin/env node
// Replay/diagnose throughput: events/s of `diagnose` (load .arrow + replay + findings) on a large trace.
// The .arrow is made once by ingesting the multiqueue perf-script fixture repeated N times with shifted
// timestamps and skb addresses (ingestToArrow), cached under $TMPDIR/txreplay-bench/.
// Usage (after pnpm build): node scripts/bench-replay.mjs [minEvents=5000000] [runs=3] [--compare-table]
//   [--base DIR]  also replay with the build in checkout DIR (e.g. main's), alternately in the same process, and
//                 print this build / base CPU ratios (a loaded machine moves both sides alike)
//   [--one-shot N]  also N fresh processes per side (scripts/lib/replay-once.mjs), alternated: the first pass of a
//                 one-shot `txreplay diagnose x.arrow`, which the in-process runs after the first do not show (no code
//                 optimized, no memory touched before it); its pass figures and the process's faults and peak RSS;
//                 with --text as the text `txreplay diagnose` runs it (no series drawn: maxSeriesPoints 0), else as --json
//   [--cli]       with --one-shot: also N whole `txreplay diagnose x.arrow --json` processes per side (the CLI bundle,
//                 as a user runs it: its module loads included, which replay's dist index has made before the pass
//                 replay-once.mjs times), alternated; wall, main-thread CPU, CPU, faults, peak RSS (scripts/lib/exit-stats.cjs)
//   BENCH_RECORD=1 appends the figures to bench/history.jsonl (scripts/lib/bench-history.mjs)
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestToArrow } from '../packages/ingest/dist/index.js';
import { loadForReplay, replayArrowFile, replayTable } from '../packages/replay/dist/index.js';
import { compareAndRecord } from './lib/bench-history.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared');
const fixture = path.join(shared, 'traces', 'multiqueue', 'perf-script.txt');
const baseDir = process.argv.indexOf('--base') > 0 ? process.argv[process.argv.indexOf('--base') + 1] : null;
const oneShotAt = process.argv.indexOf('--one-shot');
const oneShotArg = oneShotAt > 0 ? process.argv[oneShotAt + 1] : null;
const oneShots = oneShotArg === null ? 0 : Number(oneShotArg);
const args = process.argv.slice(2).filter((a, i) => !a.startsWith('--') && a !== baseDir && i + 2 !== oneShotAt + 1);
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

// --base DIR: another checkout's build (e.g. main's), replayed alternately with this one in the same process
const baseAt = process.argv.indexOf('--base');
const sides = [{ name: 'this build', replay: replayArrowFile, dir: repoRoot }];
if (baseAt > 0) {
  const dir = path.resolve(process.argv[baseAt + 1]);
  const mod = await import(path.join(dir, 'packages/replay/dist/index.js'));
  sides.push({ name: `base ${dir}`, replay: mod.replayArrowFile, dir });
}
const load1 = () => loadavg()[0].toFixed(1);

/** One diagnose from .arrow as the CLI runs it (record batch by record batch, only the needed column buffers read). */
async function once(side) {
  const c0 = process.cpuUsage();
  const f0 = process.resourceUsage().minorPageFault;
  const m0 = threadCpuS();
  const t0 = performance.now();
  const r = await side.replay(arrowPath, { maxSeriesPoints: 500 });
  const wallS = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const m1 = threadCpuS();
  const minflt = process.resourceUsage().minorPageFault - f0;
  const cpuS = (cu.user + cu.system) / 1e6;
  const mainS = m0 === null || m1 === null ? null : m1 - m0;
  return { wallS, cpuS, mainS, minflt, events: r.trace.events, findings: r.findings.length };
}

const results = sides.map(() => []);
for (let i = 0; i < runs; i++) {
  // alternate the order each round: neither side always runs right after the other's garbage
  const order = i % 2 === 0 ? sides.map((_, k) => k) : sides.map((_, k) => k).reverse();
  for (const k of order) {
    const x = await once(sides[k]);
    results[k].push(x);
    const main = x.mainS === null ? 'n/a' : `${x.mainS.toFixed(2)} s`;
    console.log(
      `${sides.length > 1 ? `[${sides[k].name}] ` : ''}run ${i + 1}: ${x.events} events in ${x.wallS.toFixed(2)} s wall (${x.cpuS.toFixed(2)} s CPU: main thread ${main}, other threads ${x.mainS === null ? 'n/a' : `${(x.cpuS - x.mainS).toFixed(2)} s`}; ${x.minflt} minor faults) → ${(x.events / x.wallS / 1e6).toFixed(2)} M events/s (${x.findings} findings; load ${load1()})`,
    );
  }
}
const best = (xs, key) => Math.min(...xs.map((x) => x[key] ?? Infinity));
const median = (xs, key) => {
  const v = xs.map((x) => x[key] ?? Infinity).sort((a, b) => a - b);
  return v[v.length >> 1];
};
const events = results[0][0].events;
for (let k = 0; k < sides.length; k++) {
  const rs = results[k];
  console.log(
    `${sides.length > 1 ? `[${sides[k].name}] ` : ''}diagnose from .arrow: ${(events / best(rs, 'wallS') / 1e6).toFixed(2)} M events/s end to end (best of ${runs} wall); main thread ${(events / best(rs, 'mainS') / 1e6).toFixed(2)} M events per CPU-second (best; median ${(events / median(rs, 'mainS') / 1e6).toFixed(2)}, median after the first run ${rs.length > 1 ? (events / median(rs.slice(1), 'mainS') / 1e6).toFixed(2) : 'n/a'}); other threads best ${best(
      rs.map((x) => ({ o: x.cpuS - (x.mainS ?? 0) })),
      'o',
    ).toFixed(
      2,
    )} s CPU; ${(events / best(rs, 'cpuS') / 1e6).toFixed(2)} M events per CPU-second overall; minor faults median ${median(rs, 'minflt')} (the first run's ${rs[0].minflt}); load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}; ${events} events, ${(statSync(arrowPath).size / 1e6).toFixed(0)} MB arrow`,
  );
}
if (sides.length > 1)
  console.log(
    `this build / base, same process, alternated: main-thread CPU median ${(median(results[0], 'mainS') / median(results[1], 'mainS')).toFixed(3)}×, best ${(best(results[0], 'mainS') / best(results[1], 'mainS')).toFixed(3)}×; total CPU median ${(median(results[0], 'cpuS') / median(results[1], 'cpuS')).toFixed(3)}×`,
  );
compareAndRecord('replay', {
  'diagnose from .arrow, end to end (best wall)': {
    value: events / best(results[0], 'wallS') / 1e6,
    unit: 'M events/s',
    better: 'higher',
  },
  'main thread (best)': {
    value: events / best(results[0], 'mainS') / 1e6,
    unit: 'M events per CPU-s',
    better: 'higher',
  },
  'all threads (best)': {
    value: events / best(results[0], 'cpuS') / 1e6,
    unit: 'M events per CPU-s',
    better: 'higher',
  },
});
if (oneShots > 0) {
  // fresh processes, the sides alternated (and the order swapped each round): the pass as a one-shot diagnose runs it
  const once = path.join(repoRoot, 'scripts/lib/replay-once.mjs');
  const shots = sides.map(() => []);
  for (let i = 0; i < oneShots; i++) {
    const order = i % 2 === 0 ? sides.map((_, k) => k) : sides.map((_, k) => k).reverse();
    for (const k of order) {
      const t0 = performance.now();
      const points = process.argv.includes('--text') ? '0' : '500';
      const out = execFileSync(process.execPath, [once, sides[k].dir, arrowPath, points], { encoding: 'utf8' });
      const x = { ...JSON.parse(out.trim().split('\n').at(-1)), processWallS: (performance.now() - t0) / 1000 };
      shots[k].push(x);
      console.log(
        `${sides.length > 1 ? `[${sides[k].name}] ` : ''}one-shot ${i + 1}: pass ${x.wallS.toFixed(2)} s wall (main thread ${x.mainS?.toFixed(2) ?? 'n/a'} s CPU, all threads ${x.cpuS.toFixed(2)} s, ${x.minflt} minor faults) → ${(x.events / x.wallS / 1e6).toFixed(2)} M events/s; process ${x.processWallS.toFixed(2)} s wall, ${x.processCpuS.toFixed(2)} s CPU, ${x.processMinflt} minor faults, peak RSS ${x.maxRssMB.toFixed(0)} MB (load ${load1()})`,
      );
    }
  }
  for (let k = 0; k < sides.length; k++) {
    const rs = shots[k];
    console.log(
      `${sides.length > 1 ? `[${sides[k].name}] ` : ''}one-shot pass (fresh process, ${oneShots} runs${process.argv.includes('--text') ? ', as the text diagnose' : ''}): ${(events / best(rs, 'wallS') / 1e6).toFixed(2)} M events/s best wall (median ${(events / median(rs, 'wallS') / 1e6).toFixed(2)}); main thread ${(events / best(rs, 'mainS') / 1e6).toFixed(2)} M events per CPU-second best (median ${(events / median(rs, 'mainS') / 1e6).toFixed(2)}); pass minor faults median ${median(rs, 'minflt')}, process median ${median(rs, 'processMinflt')}; process wall median ${median(rs, 'processWallS').toFixed(2)} s; load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
  }
  if (sides.length > 1)
    console.log(
      `one-shot this build / base: main-thread CPU median ${(median(shots[0], 'mainS') / median(shots[1], 'mainS')).toFixed(3)}×, pass wall median ${(median(shots[0], 'wallS') / median(shots[1], 'wallS')).toFixed(3)}×, pass faults median ${(median(shots[0], 'minflt') / median(shots[1], 'minflt')).toFixed(3)}×`,
    );
  compareAndRecord('replay-one-shot', {
    'one-shot pass, fresh process (best wall)': {
      value: events / best(shots[0], 'wallS') / 1e6,
      unit: 'M events/s',
      better: 'higher',
    },
    'one-shot pass, main thread (median)': {
      value: events / median(shots[0], 'mainS') / 1e6,
      unit: 'M events per CPU-s',
      better: 'higher',
    },
    'one-shot pass minor faults (median)': { value: median(shots[0], 'minflt'), unit: 'faults', better: 'lower' },
  });
}
if (oneShots > 0 && process.argv.includes('--cli')) {
  // whole CLI processes, the sides alternated: what a user of `txreplay diagnose x.arrow` waits for
  const { spawnSync } = await import('node:child_process');
  const { rmSync } = await import('node:fs');
  const statsFile = path.join(dir, `exit-stats-${process.pid}.jsonl`);
  const runs = sides.map(() => []);
  for (let i = 0; i < oneShots; i++) {
    const order = i % 2 === 0 ? sides.map((_, k) => k) : sides.map((_, k) => k).reverse();
    for (const k of order) {
      rmSync(statsFile, { force: true });
      const cli = path.join(sides[k].dir, 'packages/cli/dist/main.cjs');
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        ['-r', path.join(repoRoot, 'scripts/lib/exit-stats.cjs'), cli, 'diagnose', arrowPath, '--json'],
        { env: { ...process.env, TXREPLAY_EXIT_STATS: statsFile }, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      const x = { wallS: (performance.now() - t0) / 1000, ...JSON.parse(readFileSync(statsFile, 'utf8').trim()) };
      if (r.status === null || r.status > 2) throw new Error(`${cli} diagnose exited ${r.status ?? r.signal}`);
      runs[k].push(x);
      console.log(
        `${sides.length > 1 ? `[${sides[k].name}] ` : ''}CLI ${i + 1}: ${x.wallS.toFixed(2)} s wall, main thread ${x.mainS?.toFixed(2) ?? 'n/a'} s CPU, process ${x.cpuS.toFixed(2)} s CPU, ${x.minflt} minor faults, peak RSS ${x.maxRssMB.toFixed(0)} MB (load ${load1()})`,
      );
    }
  }
  rmSync(statsFile, { force: true });
  for (let k = 0; k < sides.length; k++) {
    const rs = runs[k];
    console.log(
      `${sides.length > 1 ? `[${sides[k].name}] ` : ''}whole \`txreplay diagnose x.arrow --json\` (${oneShots} processes): ${(events / best(rs, 'wallS') / 1e6).toFixed(2)} M events/s best wall (median ${(events / median(rs, 'wallS') / 1e6).toFixed(2)}); main thread ${best(rs, 'mainS').toFixed(3)} s CPU best (median ${median(rs, 'mainS').toFixed(3)}), process CPU median ${median(rs, 'cpuS').toFixed(2)} s, minor faults median ${median(rs, 'minflt')}, peak RSS median ${median(rs, 'maxRssMB').toFixed(0)} MB; load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
  }
  if (sides.length > 1)
    console.log(
      `CLI this build / base: main-thread CPU median ${(median(runs[0], 'mainS') / median(runs[1], 'mainS')).toFixed(3)}×, process CPU median ${(median(runs[0], 'cpuS') / median(runs[1], 'cpuS')).toFixed(3)}×, wall median ${(median(runs[0], 'wallS') / median(runs[1], 'wallS')).toFixed(3)}×`,
    );
}
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
