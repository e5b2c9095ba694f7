#!/usr/bin/env node
/**
 * Start-up cost of the `txreplay` command beside bare node, and against the figures recorded last time
 * (bench/history.jsonl, bench "startup": scripts/lib/bench-history.mjs), so a regression shows. Cases: `node -e 0`, `txreplay --version`, `txreplay --help`,
 * `txreplay diagnose` (the bin of packages/cli/package.json) of a small text trace (../shared eth0-normal perf script, 2,989 lines) and of the bundled
 * example (examples/multiqueue.perf-script.txt.gz, 29,484 lines).
 *
 * Method: the cases are run round-robin (one warm-up round first), so a change in the machine's load hits them
 * alike; per case the median of N wall times, of N CPU times (user + system, from /usr/bin/time when installed), of
 * the peak RSS and of the minor page faults; "over node" is the case's median minus bare node's median of the same rounds. The load average is
 * printed beside every figure (the mean of the 1-minute load at each of the case's runs). The number of modules a
 * case loads (an ESM resolve hook, packages/cli/test/fixtures/record-imports.mjs) does not depend on the load at all.
 * Run after `pnpm build`:
 *   node scripts/bench-startup.mjs [--runs N] [--trace FILE] [--record] [--against DIR] [--no-code-cache-case]
 * --record (or BENCH_RECORD=1; --save is the old name) appends this run's figures to bench/history.jsonl (the next
 * runs compare against them). --against
 * DIR adds the txreplay cases of another built checkout (e.g. an older commit's), run in the same rounds: a
 * before/after that the load cannot skew. The small diagnose also runs with TXREPLAY_CODE_CACHE=0 (the program
 * compiled without its V8 code cache: packages/cli/src/cold-start.ts) unless --no-code-cache-case. Nothing is
 * asserted: the delta is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareAndRecord, readHistory } from './lib/bench-history.mjs';

/** the table's columns kept in the history, and their units */
const COLUMNS = [
  ['wallMs', 'ms'],
  ['overNodeMs', 'ms'],
  ['cpuMs', 'ms'],
  ['cpuOverNodeMs', 'ms'],
  ['peakRssMiB', 'MiB'],
  ['minorFaults', 'faults'],
  ['modules', 'modules'],
];

/** The last recorded start-up run, as the table's cells per case (null: none recorded). */
function previousStartup() {
  const last = readHistory()
    .filter((h) => h.bench === 'startup')
    .at(-1);
  if (!last) return null;
  const cases = {};
  for (const [name, f] of Object.entries(last.figures)) {
    const cut = name.lastIndexOf(': ');
    (cases[name.slice(0, cut)] ??= {})[name.slice(cut + 2)] = f.value;
  }
  return { measured: last.date.slice(0, 16), commit: last.commit, load: last.load.join(' '), cases };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** a checkout's `txreplay` bin (packages/cli/package.json), the file the README puts on PATH */
const binOf = (dir) =>
  path.join(
    dir,
    'packages/cli',
    JSON.parse(readFileSync(path.join(dir, 'packages/cli/package.json'), 'utf8')).bin.txreplay,
  );
const main = binOf(root);
const hook = path.join(root, 'packages/cli/test/fixtures/record-imports.mjs');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(opt('--runs', '11'));
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(root, '../shared');
const trace = opt('--trace', path.join(shared, 'traces/eth0-normal/perf-script.txt'));
const example = path.join(root, 'examples/multiqueue.perf-script.txt.gz');
if (!existsSync(main)) throw new Error(`${main} missing: run pnpm build first`);
if (!existsSync(trace)) throw new Error(`${trace} missing: pass --trace FILE`);
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const rel = (f) => `${path.basename(path.dirname(f))}/${path.basename(f)}`;

const cliCases = (label, cli) => [
  [`${label} --version`, [cli, '--version']],
  [`${label} --help`, [cli, '--help']],
  [`${label} diagnose ${rel(trace)}`, [cli, 'diagnose', trace]],
  [`${label} diagnose ${rel(example)}`, [cli, 'diagnose', example]],
];
/** the small diagnose again with the program compiled without its code cache (packages/cli/src/cold-start.ts) */
const noCodeCache = [
  `txreplay diagnose ${rel(trace)}, no code cache`,
  [main, 'diagnose', trace],
  { TXREPLAY_CODE_CACHE: '0' },
];
const against = opt('--against', null);
const cases = [
  ['node -e 0', ['-e', '0']],
  ...cliCases('txreplay', main),
  ...(args.includes('--no-code-cache-case') ? [] : [noCodeCache]),
  ...(against ? cliCases('against', binOf(path.resolve(against))) : []),
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * One run: wall ms, and CPU ms, peak RSS in KiB and minor page faults when /usr/bin/time is there (%U/%S: user/system
 * s, %M: max RSS, %R: minor faults — a count the load does not move, and on a VM each fault of fresh memory is
 * expensive: ~14 µs on the bench machine, packages/cli/README.md "Start-up").
 */
function once(argv, env) {
  const cmd = timeBin ? timeBin : process.execPath;
  const full = timeBin ? ['-f', 'maxrss=%M cpu=%U+%S minflt=%R', process.execPath, ...argv] : argv;
  const load1 = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, full, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // diagnose exits 1 when it has findings: any documented outcome is a run, a crash is not
  if (r.status === null || r.status > 1) throw new Error(`${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const rss = /maxrss=(\d+)/.exec(r.stderr ?? '');
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null;
  const faults = /minflt=(\d+)/.exec(r.stderr ?? '');
  return { ms, load1, rssKiB: rss ? Number(rss[1]) : null, cpuMs, faults: faults ? Number(faults[1]) : null };
}

/** code-cache verdicts seen by modulesOf (`<script URL>#code-cache=accepted|rejected`), printed under the table */
const codeCache = new Set();

/**
 * How many modules (files, node: builtins, the bundled program's script) a case loads: independent of the
 * machine's load. The record hook also says whether V8 took the program's code cache.
 */
function modulesOf(argv, env) {
  if (argv[0] === '-e') return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-bench-startup-'));
  try {
    const log = path.join(dir, 'imports.log');
    spawnSync(process.execPath, ['--import', hook, ...argv], {
      env: { ...process.env, ...env, TXREPLAY_IMPORT_LOG: log },
    });
    if (!existsSync(log)) return null;
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    for (const l of lines.filter((l) => l.includes('#code-cache='))) codeCache.add(l.replace(/^.*\/packages\//, ''));
    return new Set(lines.filter((l) => !l.includes('#code-cache='))).size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const startLoad = load();
for (const [, argv, env] of cases) once(argv, env); // warm-up round (page cache, compiled code caches)
const samples = cases.map(() => []);
for (let r = 0; r < runs; r++) cases.forEach(([, argv, env], i) => samples[i].push(once(argv, env)));

const figures = {};
const baseMs = median(samples[0].map((s) => s.ms));
const baseCpu = timeBin ? median(samples[0].map((s) => s.cpuMs)) : null;
cases.forEach(([label, argv, env], i) => {
  const s = samples[i];
  const ms = median(s.map((x) => x.ms));
  const cpuMs = timeBin ? median(s.map((x) => x.cpuMs)) : null;
  figures[label] = {
    wallMs: Math.round(ms),
    overNodeMs: Math.round(ms - baseMs),
    cpuMs: cpuMs === null ? null : Math.round(cpuMs),
    cpuOverNodeMs: cpuMs === null ? null : Math.round(cpuMs - baseCpu),
    peakRssMiB: timeBin ? Number((median(s.map((x) => x.rssKiB)) / 1024).toFixed(1)) : null,
    minorFaults: timeBin ? Math.round(median(s.map((x) => x.faults))) : null,
    modules: modulesOf(argv, env),
    load1: Number(mean(s.map((x) => x.load1)).toFixed(2)),
  };
});

if (against) console.log(`against: ${path.resolve(against)}`);
const previous = previousStartup();
const delta = (now, before) => {
  if (before === undefined || before === null || now === null) return '';
  const d = now - before;
  return ` (${d >= 0 ? '+' : ''}${d})`;
};
console.log(
  `start-up: median of ${runs} rounds (cases round-robin, one warm-up round); ${cpus().length} CPUs, node ${process.version}; load average ${startLoad} before, ${load()} after${timeBin ? '' : '; no /usr/bin/time: no CPU time or RSS'}`,
);
if (previous)
  console.log(
    `(in parentheses: the change from the last recorded run in bench/history.jsonl, ${previous.measured} at commit ${previous.commit}, load ${previous.load})`,
  );
console.log(
  `${'case'.padEnd(52)} ${'wall ms'.padStart(12)} ${'over node'.padStart(12)} ${'CPU ms'.padStart(11)} ${'CPU over node'.padStart(14)} ${'RSS MiB'.padStart(8)} ${'faults'.padStart(7)} ${'modules'.padStart(9)}  load`,
);
for (const [label] of cases) {
  const f = figures[label];
  const p = previous?.cases?.[label] ?? {};
  const cell = (v, pv, w) => `${v ?? '-'}${delta(v, pv)}`.padStart(w);
  console.log(
    `${label.padEnd(52)} ${cell(f.wallMs, p.wallMs, 12)} ${cell(f.overNodeMs, p.overNodeMs, 12)} ${cell(f.cpuMs, p.cpuMs, 11)} ${cell(f.cpuOverNodeMs, p.cpuOverNodeMs, 14)} ${cell(f.peakRssMiB, undefined, 8)} ${cell(f.minorFaults, undefined, 7)} ${cell(f.modules, p.modules, 9)}  ${f.load1.toFixed(2)}`,
  );
}
if (codeCache.size > 0) console.log(`V8 code cache of the bundled program: ${[...codeCache].join(', ')}`);
/** The figures of the table, flat, as bench/history.jsonl keeps them (`<case>: <column>`). */
const flat = {};
for (const [label, f] of Object.entries(figures)) {
  for (const [key, unit] of COLUMNS) {
    if (f[key] !== null && f[key] !== undefined && !(label === 'node -e 0' && key.endsWith('OverNodeMs')))
      flat[`${label}: ${key}`] = { value: f[key], unit, better: 'lower' };
  }
}
if (args.includes('--save')) process.argv.push('--record');
compareAndRecord('startup', flat);
