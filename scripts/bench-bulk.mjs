#!/usr/bin/env node
// `pnpm bench:bulk`: a generated fleet of trace files (the ../shared perf-script and ftrace captures, each copy with
// its timestamps shifted and under its own host directory), stored with `txreplay bulk --jobs 1` and `--jobs 2`
// into a fresh embedded chDB store and a fresh database of the ClickHouse server ($TXREPLAY_CLICKHOUSE_URL, or a
// throw-away one from scripts/clickhouse-test-server.sh). Prints files/s, MB/s, the speed-up of 2 jobs over 1,
// the load average around each run (the machine may be shared), and the partitions the fleet made.
//   BENCH_BULK_MB=300 (size of the generated fleet), BENCH_BULK_DIR (reuse a generated fleet), BENCH_BULK_PLACEMENTS=chdb,server
import { execFileSync, spawnSync } from 'node:child_process';
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
const main = path.join(root, 'packages/cli/dist/main.js');
const targetMb = Number(process.env.BENCH_BULK_MB ?? 300);
const placements = (process.env.BENCH_BULK_PLACEMENTS ?? 'chdb,server').split(',');
const work = mkdtempSync(path.join(tmpdir(), 'txreplay-bench-bulk-'));

const SOURCES = ['multiqueue', 'veth-peer-down', 'veth-stall-napi-starved', 'veth-stall-tbf', 'eth0-normal'].flatMap(
  (s) => ['perf-script.txt', 'ftrace.txt'].map((f) => path.join(shared, 'traces', s, f)),
);

/** Shift every `<sec>.<frac>:` timestamp (perf script and ftrace both print them so) by `shiftSec`. */
function shifted(text, shiftSec) {
  return text.replace(/(\s)(\d+)\.(\d{6,9}):/g, (_m, sp, sec, frac) => `${sp}${Number(sec) + shiftSec}.${frac}:`);
}

function generate(dir) {
  const texts = SOURCES.map((p) => readFileSync(p, 'utf8'));
  let bytes = 0;
  let i = 0;
  const month = 30 * 86400;
  for (; bytes < targetMb * 1e6; i++) {
    const src = i % SOURCES.length;
    const host = `host-${String(i % 40).padStart(3, '0')}`;
    const file = path.join(
      dir,
      host,
      `${String(i).padStart(5, '0')}-${path.basename(path.dirname(SOURCES[src]))}-${path.basename(SOURCES[src])}`,
    );
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

function serverUrl() {
  if (process.env.TXREPLAY_CLICKHOUSE_URL) return { url: process.env.TXREPLAY_CLICKHOUSE_URL, stop: () => {} };
  const env = { ...process.env, TMPDIR: work };
  const out = execFileSync(path.join(root, 'scripts/clickhouse-test-server.sh'), ['start'], { encoding: 'utf8', env });
  const url = /TXREPLAY_CLICKHOUSE_URL=(\S+)/.exec(out)[1];
  return { url, stop: () => execFileSync(path.join(root, 'scripts/clickhouse-test-server.sh'), ['stop'], { env }) };
}

function run(dir, jobs, storeArgs) {
  const before = loadavg()[0];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [main, 'bulk', dir, '--jobs', String(jobs), '--host-from-dir', ...storeArgs], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bulk --jobs ${jobs} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const last = r.stdout.trim().split('\n').pop();
  return { s, last, loadBefore: before, loadAfter: loadavg()[0] };
}

/** Where the time went: ingest+replay (the workers, in parallel) vs the one writer, summed over the runs. */
function stages(storeArgs) {
  const q = `SELECT round(sum(ingest_ms + replay_ms) / 1000, 1) AS ingest_replay_s, round(sum(write_ms) / 1000, 1) AS write_s FROM runs`;
  const r = spawnSync(process.execPath, [main, 'query', q, ...storeArgs, '--format', 'json'], { encoding: 'utf8' });
  return r.stdout.trim();
}

function partitions(storeArgs) {
  const q = `SELECT count() AS parts, uniqExact(partition) AS partitions FROM system.parts WHERE database = 'txreplay' AND table = 'events' AND active`;
  const r = spawnSync(process.execPath, [main, 'query', q, ...storeArgs, '--format', 'json'], { encoding: 'utf8' });
  return r.stdout.trim();
}

const dir = process.env.BENCH_BULK_DIR ?? path.join(work, 'fleet');
let fleet;
if (process.env.BENCH_BULK_DIR) {
  let bytes = 0;
  let files = 0;
  const walk = (d) =>
    readdirSync(d, { withFileTypes: true }).forEach((e) =>
      e.isDirectory() ? walk(path.join(d, e.name)) : ((bytes += statSync(path.join(d, e.name)).size), files++),
    );
  walk(dir);
  fleet = { files, bytes };
} else fleet = generate(dir);
const mb = fleet.bytes / 1e6;
process.stdout.write(`fleet: ${fleet.files} files, ${mb.toFixed(1)} MB in ${dir}; ${cpus().length} cores\n`);

const server = placements.includes('server') ? serverUrl() : null;
try {
  for (const placement of placements) {
    const rows = [];
    for (const jobs of [1, 2]) {
      const storeArgs =
        placement === 'chdb'
          ? ['--db', path.join(work, `chdb-j${jobs}`)]
          : ['--clickhouse-url', server.url, '--database', `bench_bulk_${process.pid}_j${jobs}`];
      const r = run(dir, jobs, storeArgs);
      rows.push({ jobs, ...r });
      process.stdout.write(
        `${placement} --jobs ${jobs}: ${r.s.toFixed(1)} s, ${(fleet.files / r.s).toFixed(2)} files/s, ${(mb / r.s).toFixed(2)} MB/s ` +
          `(load ${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)}); ${r.last}\n`,
      );
      process.stdout.write(`  summed stage times: ${stages(storeArgs)}\n`);
      if (placement === 'chdb' && jobs === 2)
        process.stdout.write(`  events parts/partitions: ${partitions(storeArgs)}\n`);
    }
    process.stdout.write(`${placement} speed-up --jobs 2 / --jobs 1: ${(rows[0].s / rows[1].s).toFixed(2)}×\n`);
  }
} finally {
  server?.stop();
  rmSync(work, { recursive: true, force: true });
}
