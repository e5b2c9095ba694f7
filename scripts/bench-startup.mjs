#!/usr/bin/env node
/**
 * Start-up cost of the `txreplay` command beside bare node: median wall time of N runs (default 10), and the
 * median CPU time (user + system) and peak RSS (from /usr/bin/time, when installed) of `node -e 0`,
 * `txreplay --version` and `txreplay diagnose <small trace>`. On a shared machine the wall time follows the load;
 * the CPU time much less: both are printed, with the load average. Run after `pnpm build`:
 *   node scripts/bench-startup.mjs [--runs N] [--trace FILE]
 * Prints numbers only; nothing is asserted (the machine's load decides the absolute values).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'packages/cli/dist/main.js');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(opt('--runs', '10'));
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(root, '../shared');
const trace = opt('--trace', path.join(shared, 'traces/eth0-normal/perf-script.txt'));
if (!existsSync(main)) throw new Error(`${main} missing: run pnpm build first`);
if (!existsSync(trace)) throw new Error(`${trace} missing: pass --trace FILE`);
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const cases = [
  ['node -e 0', ['-e', '0']],
  ['txreplay --version', [main, '--version']],
  [`txreplay diagnose ${path.basename(path.dirname(trace))}/${path.basename(trace)}`, [main, 'diagnose', trace]],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One run: wall ms, and CPU ms and peak RSS in KiB when /usr/bin/time is there (%U/%S: user/system s, %M: max RSS). */
function once(argv) {
  const cmd = timeBin ? timeBin : process.execPath;
  const full = timeBin ? ['-f', 'maxrss=%M cpu=%U+%S', process.execPath, ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, full, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // diagnose exits 1 when it has findings: any documented outcome is a run, a crash is not
  if (r.status === null || r.status > 1) throw new Error(`${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const rss = /maxrss=(\d+)/.exec(r.stderr ?? '');
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  return { ms, rssKiB: rss ? Number(rss[1]) : null, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null };
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
console.log(
  `start-up, median of ${runs} runs (one warm-up run each); load average ${load()}${timeBin ? '' : '; no /usr/bin/time, so no CPU time or RSS'}`,
);
let baseMs = null;
for (const [label, argv] of cases) {
  once(argv);
  const samples = Array.from({ length: runs }, () => once(argv));
  const ms = median(samples.map((s) => s.ms));
  baseMs ??= ms;
  const rss = timeBin
    ? `  CPU ${median(samples.map((s) => s.cpuMs))
        .toFixed(0)
        .padStart(4)} ms  peak RSS ${(median(samples.map((s) => s.rssKiB)) / 1024).toFixed(1)} MiB`
    : '';
  const extra = label === 'node -e 0' ? '' : `  (+${(ms - baseMs).toFixed(1)} ms over bare node)`;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms${rss}${extra}`);
}
console.log(`load average after: ${load()}`);
