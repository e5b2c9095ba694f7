#!/usr/bin/env node
// `pnpm bench:bulk`: a generated fleet of trace files (the ../shared perf-script and ftrace captures, each copy with
// its timestamps shifted and under its own host directory), stored with `txreplay bulk --jobs 1` and `--jobs 2`
// into a fresh embedded chDB store and a fresh database of the ClickHouse server ($TXREPLAY_CLICKHOUSE_URL, or a
// throw-away one from scripts/clickhouse-test-server.sh). Prints files/s, MB/s, the speed-up of 2 jobs over 1,
// the load average beside every figure (the machine may be shared), txreplay's CPU time (user + system, all its
// threads), the time the one writer thread spent, and the active parts and partitions per table afterwards (a fleet
// must not leave one part per run).
//   BENCH_BULK_MB=100 (size of the generated fleet of whole captures)
//   BENCH_BULK_FILES=1000 (instead: this many small files, each the first BENCH_BULK_FILE_KB=40 KB of a capture)
//   BENCH_BULK_REPS=1 (rounds; each round runs --jobs 1, 2, 2, 1 so a drifting load hits both alike)
//   BENCH_BULK_DIR (reuse a generated fleet), BENCH_BULK_PLACEMENTS=chdb,server
//   --base DIR: also run the build in checkout DIR (e.g. main's), alternately with this one (this/base ratios)
// CPU per thread (Linux): the replay threads (their own count, per file), the main thread (the writer, and start-up),
// chDB's pool threads, and the rest (V8's compiler and GC helpers, libuv's pool where chDB's queries run), sampled
// from /proc every 50 ms.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(root, '../shared');
const baseAt = process.argv.indexOf('--base');
const sides = [{ name: 'this', main: path.join(root, 'packages/cli/dist/main.js') }];
if (baseAt > 0) sides.push({ name: 'base', main: path.resolve(process.argv[baseAt + 1], 'packages/cli/dist/main.js') });
const main = sides[0].main;
const targetMb = Number(process.env.BENCH_BULK_MB ?? 100);
const smallFiles = Number(process.env.BENCH_BULK_FILES ?? 0);
const smallBytes = Number(process.env.BENCH_BULK_FILE_KB ?? 40) * 1024;
const reps = Number(process.env.BENCH_BULK_REPS ?? 1);
const placements = (process.env.BENCH_BULK_PLACEMENTS ?? 'chdb,server').split(',');
const work = mkdtempSync(path.join(tmpdir(), 'txreplay-bench-bulk-'));

const SOURCES = ['multiqueue', 'veth-peer-down', 'veth-stall-napi-starved', 'veth-stall-tbf', 'eth0-normal'].flatMap(
  (s) => ['perf-script.txt', 'ftrace.txt'].map((f) => path.join(shared, 'traces', s, f)),
);

/** Shift every `<sec>.<frac>:` timestamp (perf script and ftrace both print them so) by `shiftSec`. */
function shifted(text, shiftSec) {
  return text.replace(/(\s)(\d+)\.(\d{6,9}):/g, (_m, sp, sec, frac) => `${sp}${Number(sec) + shiftSec}.${frac}:`);
}

/** The first `bytes` of a capture, cut after a whole line (its header included). */
function head(text, bytes) {
  const nl = text.indexOf('\n', bytes);
  return nl < 0 ? text : text.slice(0, nl + 1);
}

function generate(dir) {
  let texts = SOURCES.map((p) => readFileSync(p, 'utf8'));
  if (smallFiles > 0) texts = texts.map((t) => head(t, smallBytes));
  let bytes = 0;
  let i = 0;
  const month = 30 * 86400;
  const more = () => (smallFiles > 0 ? i < smallFiles : bytes < targetMb * 1e6);
  for (; more(); i++) {
    const src = i % SOURCES.length;
    const host = `host-${String(i % 40).padStart(3, '0')}`;
    const name = `${String(i).padStart(5, '0')}-${path.basename(path.dirname(SOURCES[src]))}-${path.basename(SOURCES[src])}`;
    const file = path.join(dir, host, name);
    mkdirSync(path.dirname(file), { recursive: true });
    const body = shifted(texts[src], 1000 * (i + 1));
    writeFileSync(file, body);
    // the wall clock of a capture is its file's mtime: spread the fleet over three months
    const t = Date.UTC(2026, 8, 1) / 1000 + (i % 3) * month + i * 60;
    utimesSync(file, t, t);
    bytes += Buffer.byteLength(body);
  }
  return { files: i, bytes };
}

function measure(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else {
        bytes += statSync(path.join(d, e.name)).size;
        files++;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

function serverUrl() {
  if (process.env.TXREPLAY_CLICKHOUSE_URL)
    return { url: process.env.TXREPLAY_CLICKHOUSE_URL, pid: null, stop: () => {} };
  const env = { ...process.env, TMPDIR: work };
  const out = execFileSync(path.join(root, 'scripts/clickhouse-test-server.sh'), ['start'], { encoding: 'utf8', env });
  const url = /TXREPLAY_CLICKHOUSE_URL=(\S+)/.exec(out)[1];
  const pidFile = /TXREPLAY_CLICKHOUSE_PID_FILE=(\S+)/.exec(out)?.[1];
  const pid = pidFile ? Number(readFileSync(pidFile, 'utf8')) : null;
  return {
    url,
    pid,
    stop: () => execFileSync(path.join(root, 'scripts/clickhouse-test-server.sh'), ['stop'], { env }),
  };
}

const load = () => loadavg()[0].toFixed(2);

/** CPU seconds (user + system) of this process's waited-for children: /proc/self/stat cutime + cstime. */
function childrenCpuS() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** CPU seconds of every thread of `pid` by thread id (utime + stime from /proc/<pid>/task/<tid>/stat). */
function threadCpu(pid, into) {
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      into.set(tid, { comm, s: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {}
  }
}

/** CPU seconds (user + system) of process `pid` so far (the server this bench started; it shares the cores). */
function processCpuS(pid) {
  if (!pid) return 0;
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** One `txreplay bulk` process; its --json summary gives the writer's time and the replay threads' CPU per file. */
async function run(cli, dir, jobs, storeArgs, serverPid) {
  const before = load();
  const cpu0 = childrenCpuS();
  const server0 = processCpuS(serverPid);
  const t0 = performance.now();
  const args = [cli, 'bulk', dir, '--jobs', String(jobs), '--host-from-dir', '--json', ...storeArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const threads = new Map();
  const timer = setInterval(() => threadCpu(child.pid, threads), 50);
  const status = await new Promise((r) => child.on('close', r));
  clearInterval(timer);
  const s = (performance.now() - t0) / 1000;
  if (status !== 0) throw new Error(`bulk --jobs ${jobs} exited ${status}: ${stderr.slice(-2000)}`);
  const out = JSON.parse(stdout);
  const sum = (k) => out.files.reduce((a, f) => a + (f[k] ?? 0), 0) / 1000;
  const cpuS = childrenCpuS() - cpu0;
  const all = [...threads];
  const mainS = all.filter(([tid]) => Number(tid) === child.pid).reduce((a, [, t]) => a + t.s, 0);
  const chdbS = all.filter(([, t]) => t.comm === 'ThreadPool').reduce((a, [, t]) => a + t.s, 0);
  const replayS = sum('replayCpuMs');
  const serverS = serverPid ? `; the server ${(processCpuS(serverPid) - server0).toFixed(1)} s` : '';
  const perThread = `main ${mainS.toFixed(1)}, replay ${replayS.toFixed(1)}, chDB pool ${chdbS.toFixed(1)}, rest ${(cpuS - mainS - chdbS - replayS).toFixed(1)}${serverS}`;
  return { s, cpuS, writerS: sum('writerMs'), stored: out.stored, load: `${before} → ${load()}`, perThread };
}

function query(sql, storeArgs) {
  const r = spawnSync(process.execPath, [main, 'query', sql, ...storeArgs, '--format', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`query exited ${r.status}: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Active parts / partitions per table of the fleet's database. */
function parts(storeArgs, database) {
  const rows = query(
    `SELECT table, toString(count()) AS parts, toString(uniqExact(partition)) AS partitions FROM system.parts WHERE database = '${database}' AND active GROUP BY table ORDER BY table`,
    storeArgs,
  );
  return rows.map((r) => `${r.table} ${r.parts}/${r.partitions}`).join(', ');
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const dir = process.env.BENCH_BULK_DIR ?? path.join(work, 'fleet');
const fleet = process.env.BENCH_BULK_DIR ? measure(dir) : generate(dir);
const mb = fleet.bytes / 1e6;
process.stdout.write(
  `fleet: ${fleet.files} files, ${mb.toFixed(1)} MB in ${dir}; ${cpus().length} cores; load ${load()}\n`,
);

const server = placements.includes('server') ? serverUrl() : null;
let n = 0;
/** the order of one round: each side at --jobs 1 and 2, mirrored every other round so a drifting load hits all alike */
function round(rep) {
  const order = sides.flatMap((side) => [1, 2].map((jobs) => ({ side, jobs })));
  return rep % 2 ? order.reverse() : order;
}
try {
  for (const placement of placements) {
    const times = new Map(sides.map((side) => [side.name, { 1: [], 2: [], cpu1: [], cpu2: [] }]));
    for (let rep = 0; rep < reps; rep++) {
      for (const { side, jobs } of round(rep)) {
        const database = placement === 'chdb' ? 'txreplay' : `bench_bulk_${process.pid}_${n}`;
        const storeArgs =
          placement === 'chdb'
            ? ['--db', path.join(work, `chdb-${n}`)]
            : ['--clickhouse-url', server.url, '--database', database];
        n++;
        const r = await run(side.main, dir, jobs, storeArgs, placement === 'server' ? server.pid : null);
        const t = times.get(side.name);
        t[jobs].push(r.s);
        t[`cpu${jobs}`].push(r.cpuS);
        process.stdout.write(
          `${sides.length > 1 ? `${side.name} ` : ''}${placement} --jobs ${jobs}: ${r.s.toFixed(1)} s, ${(fleet.files / r.s).toFixed(2)} files/s, ${(mb / r.s).toFixed(2)} MB/s, ` +
            `txreplay CPU ${r.cpuS.toFixed(1)} s (${r.perThread}), writer ${r.writerS.toFixed(1)} s, ${r.stored} stored (load ${r.load})\n` +
            `  active parts/partitions: ${parts(storeArgs, database)}\n`,
        );
        if (placement === 'chdb') rmSync(storeArgs[1], { recursive: true, force: true });
      }
    }
    for (const side of sides) {
      const t = times.get(side.name);
      const j1 = median(t[1]);
      const j2 = median(t[2]);
      process.stdout.write(
        `${sides.length > 1 ? `${side.name} ` : ''}${placement} speed-up --jobs 2 / --jobs 1: ${(j1 / j2).toFixed(2)}× (median ${j1.toFixed(1)} s / ${j2.toFixed(1)} s of ${t[1].length}; CPU ${median(t.cpu1).toFixed(1)} s / ${median(t.cpu2).toFixed(1)} s; load now ${load()})\n`,
      );
    }
    if (sides.length > 1) {
      const [a, b] = sides.map((side) => times.get(side.name));
      process.stdout.write(
        `${placement} this / base, medians: --jobs 1 wall ${(median(a[1]) / median(b[1])).toFixed(2)}×, CPU ${(median(a.cpu1) / median(b.cpu1)).toFixed(2)}×; --jobs 2 wall ${(median(a[2]) / median(b[2])).toFixed(2)}×, CPU ${(median(a.cpu2) / median(b.cpu2)).toFixed(2)}×\n`,
      );
    }
  }
} finally {
  server?.stop();
  rmSync(work, { recursive: true, force: true });
}
