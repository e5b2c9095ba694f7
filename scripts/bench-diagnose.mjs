#!/usr/bin/env node
/**
 * Streamed diagnose benchmark (not a test): generates a large perf-script trace (scripts/gen-perf-trace.mjs; 10 GB
 * by default, less when the disk has not room for the trace and the Arrow files, about 0.8× its size, twice), then
 * times, each as a whole process of the built CLI, `txreplay ingest TRACE -o x.arrow` and `txreplay diagnose TRACE`
 * (which streams text traces: replay in step with the parse, no table in memory), and prints wall time, MB/s and
 * peak RSS of each and the ratio diagnose/ingest (goal: at most 1.5, with peak RSS under 512 MB).
 * Env: BENCH_GB (default 10), BENCH_DIR (default a temp dir; removed afterwards unless BENCH_KEEP=1), BENCH_TRACE (an
 * existing perf-script file instead of a generated one; kept), BENCH_ADDRESS_CYCLE (default 40: copy k reuses the
 * kernel addresses of copy k - 40 — the same capture, as 40 is a multiple of the 5 captures — as slab reuse does in a
 * real trace, so skbs freed without a tracepoint end by address reuse; 4096: every copy's addresses new, as before
 * 2026-12-06 15:00, and such skbs stay live to the end), BENCH_ROUNDS (default 1: ingest then diagnose, repeated
 * alternately; the ratio is of each side's best wall time). Every row prints the 1-minute load average at its end:
 * other processes on the machine slow both sides, the ratio of runs made side by side less so.
 * Run after `pnpm build` (pnpm bench:diagnose does both).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './gen-perf-trace.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'packages/cli/dist/main.js');
if (!existsSync(main)) throw new Error(`${main} missing: run pnpm build first`);
const benchDir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'txreplay-bench-diagnose-'));
mkdirSync(benchDir, { recursive: true });
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** The trace size: BENCH_GB, or what a third of the free space holds (trace + two Arrow files of ~0.8× it). */
function traceBytes() {
  const want = Number(process.env.BENCH_GB ?? 10) * 1e9;
  const fs = statfsSync(benchDir);
  const room = Math.floor((fs.bavail * fs.bsize) / 3);
  if (room < want) console.log(`disk: ${(room / 1e9).toFixed(1)} GB per file free, not ${(want / 1e9).toFixed(1)}`);
  return Math.min(want, room);
}

/** One whole process of the CLI: wall seconds, CPU seconds (user + system) and peak RSS (MiB) from /usr/bin/time. */
function cli(args) {
  const cmd = timeBin ?? process.execPath;
  const argv = timeBin ? ['-f', 'maxrss=%M cpu=%U+%S', process.execPath, main, ...args] : [main, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  // diagnose exits 1 when it has findings
  if (r.status === null || r.status > 1) throw new Error(`txreplay ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const rss = /maxrss=(\d+)/.exec(r.stderr ?? '');
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  return {
    s,
    cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : null,
    rssMiB: rss ? Number(rss[1]) / 1024 : null,
    stdout: r.stdout,
  };
}

const fmtRss = (x) => (x === null ? 'n/a' : `${x.toFixed(0)} MiB`);
try {
  const given = process.env.BENCH_TRACE;
  const trace = given ?? join(benchDir, 'bench.perf-script.txt');
  const addressCycle = Number(process.env.BENCH_ADDRESS_CYCLE ?? 40);
  const gen = given ? null : await generate(trace, traceBytes(), undefined, { addressCycle });
  const mb = statSync(trace).size / 1e6;
  console.log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; ${availableParallelism()} CPUs`,
  );
  console.log(
    `input: ${mb.toFixed(0)} MB perf script${gen ? `, ${gen.lines} lines (${gen.copies} shifted copies of the captures, addresses reused every ${addressCycle} copies)` : ''}`,
  );
  const out = join(benchDir, 'bench.arrow');
  const load1 = () => loadavg()[0].toFixed(1);
  const row = (name, r, events) =>
    `${name.padEnd(10)} ${r.s.toFixed(2).padStart(8)} s ${(mb / r.s).toFixed(0).padStart(6)} MB/s ${(events / r.s / 1e6).toFixed(2).padStart(6)} M events/s  CPU ${r.cpuS === null ? 'n/a' : `${r.cpuS.toFixed(1)} s`}  peak RSS ${fmtRss(r.rssMiB)}  load ${r.load}`;
  const best = { ingest: null, diagnose: null };
  let events = 0;
  for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 1); round++) {
    const ingest = { ...cli(['ingest', trace, '-o', out]), load: load1() };
    rmSync(out, { force: true }); // room for diagnose's own temporary Arrow file
    const diagnose = { ...cli(['diagnose', trace, '--json']), load: load1() };
    events = JSON.parse(diagnose.stdout).trace.events;
    console.log(row('ingest', ingest, events));
    console.log(row('diagnose', diagnose, events));
    if (!best.ingest || ingest.s < best.ingest.s) best.ingest = ingest;
    if (!best.diagnose || diagnose.s < best.diagnose.s) best.diagnose = diagnose;
  }
  console.log(`${events} events`);
  console.log(
    `diagnose / ingest (wall, best of each): ${(best.diagnose.s / best.ingest.s).toFixed(2)} (goal ≤ 1.5); CPU ${best.diagnose.cpuS !== null && best.ingest.cpuS !== null ? (best.diagnose.cpuS / best.ingest.cpuS).toFixed(2) : 'n/a'}`,
  );
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} finally {
  if (!process.env.BENCH_KEEP) rmSync(benchDir, { recursive: true, force: true });
}
