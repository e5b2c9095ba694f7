#!/usr/bin/env node
/**
 * Streamed `txreplay report` benchmark (not a test; `BENCH_REPORT_GB=1 pnpm bench:report` runs it instead of the
 * insert benchmark): generates a large perf-script trace (scripts/gen-perf-trace.mjs, BENCH_REPORT_GB, default 1
 * GB; addresses reused every BENCH_ADDRESS_CYCLE copies, default 40, as bench:diagnose; BENCH_REPORT_TRACE=FILE uses
 * that trace as it is instead, e.g. one generated before), then times, each as a
 * whole process of the built CLI, `txreplay ingest TRACE -o x.arrow` and `txreplay report TRACE` into a fresh
 * embedded store (and, with BENCH_REPORT_SERVER=1, into the ClickHouse server at $TXREPLAY_CLICKHOUSE_URL): wall
 * time, MB/s, CPU and peak RSS (the largest process, and all of its processes together: a streamed report parses and
 * replays in child processes), each report's wall and CPU as a multiple of ingest's (the second ingest: the file is
 * in the page cache for every timed run), with the load average beside each, and each command's RSS curve (the peak
 * of every tenth of its run: flat when memory does not grow with the trace). The report streams (report's
 * stream-report.ts), so its peak RSS stays bounded whatever the trace's size. BENCH_REPORT_ALSO=diagnose,replay
 * times those commands on the same trace after it, the same way.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './gen-perf-trace.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'packages/cli/dist/main.js');
if (!existsSync(main)) throw new Error(`${main} missing: run pnpm build first`);
const dir = mkdtempSync(join(tmpdir(), 'txreplay-bench-report-stream-'));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** VmRSS (MiB) of `pid` and every process below it (a streamed report parses and replays in child processes). */
function treeRssMiB(pid) {
  let kib = 0;
  const walk = (p) => {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      for (const t of readdirSync(`/proc/${p}/task`))
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) walk(c);
    } catch {
      /* gone meanwhile */
    }
  };
  walk(pid);
  return kib / 1024;
}

/**
 * One whole CLI process: wall s, CPU s and peak RSS (MiB) from /usr/bin/time (with children: the largest process's),
 * and the peak of the RSS of all its processes together, sampled every 50 ms.
 */
async function cli(args) {
  const t0 = process.hrtime.bigint();
  const before = load();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M cpu=%U+%S', process.execPath, main, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let treeMiB = 0;
  const samples = [];
  const sample = setInterval(() => {
    if (!existsSync(`/proc/${child.pid}`)) return;
    const v = treeRssMiB(child.pid) - treeRssMiB0(child.pid);
    treeMiB = Math.max(treeMiB, v);
    samples.push(v);
  }, 50);
  const status = await new Promise((resolve) => child.on('close', resolve));
  clearInterval(sample);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  // report exits 1 when it has findings
  if (status === null || status > 1) throw new Error(`txreplay ${args.join(' ')}: exit ${status}\n${stderr}`);
  const rss = Number(/maxrss=(\d+)/.exec(stderr)[1]) / 1024;
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(stderr);
  const curve = tenths(samples);
  return {
    s,
    cpuS: Number(cpu[1]) + Number(cpu[2]),
    rssMiB: rss,
    treeMiB,
    curve,
    stdout,
    load: `${before} → ${load()}`,
  };
}

/**
 * The peak of each tenth of the run (MiB, all processes): memory that grows with the trace shows as a rising curve
 * where the overall peak alone does not (a streamed command reads the trace at a steady rate, so a tenth of the run
 * is about a tenth of the trace; a report's phases — parse, replay, store — each take their share).
 */
function tenths(samples) {
  const out = [];
  for (let k = 0; k < 10; k++) {
    const part = samples.slice(Math.floor((k * samples.length) / 10), Math.floor(((k + 1) * samples.length) / 10));
    out.push(part.length > 0 ? Math.max(...part).toFixed(0) : '-');
  }
  return out.join(' ');
}

/** Bytes of the regular files under `d` */
function dirBytes(d) {
  let n = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/** /usr/bin/time's own VmRSS (not the command's) */
function treeRssMiB0(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

try {
  const given = process.env.BENCH_REPORT_TRACE;
  const trace = given ?? join(dir, 'bench.perf-script.txt');
  // a copy's kernel addresses come back 40 copies later, as in bench:diagnose (BENCH_ADDRESS_CYCLE; 4096: new ones per
  // copy, whose never-freed GRO skbs stay live to the end and grow the replay's lifecycle pool ~12 MiB per GB)
  const addressCycle = Number(process.env.BENCH_ADDRESS_CYCLE ?? 40);
  const bytes = Number(process.env.BENCH_REPORT_GB ?? 1) * 1e9;
  const lines = given ? 'its' : (await generate(trace, bytes, undefined, { addressCycle })).lines;
  const mb = statSync(trace).size / 1e6;
  console.log(
    `input: ${mb.toFixed(0)} MB perf script (${given ?? 'generated'}), ${lines} lines; ${availableParallelism()} CPUs`,
  );
  let ingest = null;
  // wall and CPU beside ingest's of the same file (the measure: within 1.5× of ingest alone)
  const vs = (r) =>
    ingest ? `  = ${(r.s / ingest.s).toFixed(1)}× ingest's wall, ${(r.cpuS / ingest.cpuS).toFixed(1)}× its CPU` : '';
  const row = (name, r) =>
    `${name.padEnd(16)} ${r.s.toFixed(1).padStart(7)} s ${(mb / r.s).toFixed(1).padStart(6)} MB/s  CPU ${r.cpuS.toFixed(1)} s  peak RSS ${r.rssMiB.toFixed(0)} MiB (all processes ${r.treeMiB.toFixed(0)})${vs(r)}  (load ${r.load})\n${''.padEnd(16)} all processes' peak by tenth of the run: ${r.curve} MiB`;
  const out = join(dir, 'bench.arrow');
  console.log(row('ingest', await cli(['ingest', trace, '-o', out])));
  rmSync(out, { force: true });
  ingest = await cli(['ingest', trace, '-o', out]);
  console.log(row('ingest (again)', ingest));
  rmSync(out, { force: true });
  const rep = await cli(['report', trace, '--db', join(dir, 'db'), '--json']);
  const stored = JSON.parse(rep.stdout).stored;
  console.log(row('report (chDB)', rep));
  // the embedded store keeps a streamed run's events and lifecycles as files (report's event-files.ts): its size
  console.log(
    `  stored run ${stored.runId}: ${stored.events} events, ${stored.packets} packets; store ${(dirBytes(join(dir, 'db')) / 1e6).toFixed(0)} MB on disk`,
  );
  rmSync(join(dir, 'db'), { recursive: true, force: true });
  // BENCH_REPORT_ALSO=diagnose,replay: those commands on the same trace (they stream too: replay in step with the parse)
  for (const command of (process.env.BENCH_REPORT_ALSO ?? '').split(',').filter(Boolean))
    console.log(row(command, await cli([command, trace, '--json'])));
  if (process.env.BENCH_REPORT_SERVER && process.env.TXREPLAY_CLICKHOUSE_URL) {
    const args = ['--clickhouse-url', process.env.TXREPLAY_CLICKHOUSE_URL, '--database', `bench_rs_${process.pid}`];
    console.log(row('report (server)', await cli(['report', trace, ...args, '--json'])));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
