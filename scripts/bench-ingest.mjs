#!/usr/bin/env node
/**
 * Ingest benchmark (not a test): builds a >= 500 MB perf-script file by repeating a real capture with shifted
 * timestamps and skb addresses, then times, each in its own process,
 *   (a) txreplay ingest of all fields into an Arrow IPC file, and
 *   (b) chdb: SELECT over file(…, 'LineAsString') with regex extraction of ts, event, dev, len,
 * and prints MB/s, events/s, peak RSS and the throughput ratio a/b.
 * Env: BENCH_DIR (where the big file goes; default a temp dir), BENCH_MB (default 500), BENCH_KEEP=1 keeps files,
 *      BENCH_FIXTURE (default shared multiqueue perf-script.txt), TXREPLAY_INGEST_WORKERS (parse worker threads;
 *      default one per core), BENCH_SINGLE=1 also times (a) with 0 workers (parsing in the main thread).
 * Run after `pnpm build` (pnpm bench:ingest does both).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TXREPLAY_SHARED ?? resolve(root, '../shared');
const fixture = process.env.BENCH_FIXTURE ?? join(shared, 'traces/multiqueue/perf-script.txt');
const targetBytes = Number(process.env.BENCH_MB ?? 500) * 1e6;
const benchDir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'txreplay-bench-'));
import { mkdirSync } from 'node:fs';
mkdirSync(benchDir, { recursive: true });
const big = join(benchDir, 'bench.perf-script.txt');
const arrowOut = join(benchDir, 'bench.arrow');

async function buildInput() {
  if (existsSync(big) && statSync(big).size >= targetBytes) return;
  const lines = [];
  for await (const l of createInterface({ input: createReadStream(fixture) })) lines.push(l);
  // time span of the fixture, to shift each copy past the previous one
  const tsOf = (l) => Number(/\]\s+(\d+)\.\d+:/.exec(l)?.[1] ?? 0);
  const span = tsOf(lines[lines.length - 1]) - tsOf(lines[0]) + 1;
  const out = createWriteStream(big);
  let written = 0;
  for (let copy = 0; written < targetBytes; copy++) {
    const dSec = copy * span;
    const addrTag = (copy % 4096).toString(16).padStart(3, '0');
    const chunk = [];
    for (const l of lines) {
      const s = l
        .replace(/\]\s+(\d+)(\.\d+):/, (m, sec, frac) => m.replace(`${sec}${frac}:`, `${Number(sec) + dSec}${frac}:`))
        .replace(/0xffff888(\w{3})/g, `0xffff888$1`.replace('$1', addrTag));
      chunk.push(s);
    }
    const text = chunk.join('\n') + '\n';
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

function runChild(code, args) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, ...args], {
    cwd: join(root, 'packages/ingest'),
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const INGEST = `
import { rmSync } from 'node:fs';
import { ingestToArrow } from '@txreplay/ingest';
const [input, out, workers] = process.argv.slice(1);
// a fresh output each time: replacing an earlier 360 MB file makes the rename free its blocks (~0.2 s)
rmSync(out, { force: true });
const t0 = performance.now();
const s = await ingestToArrow([input], out, workers === '' ? {} : { workers: Number(workers) });
const ms = performance.now() - t0;
const u = process.resourceUsage();
console.log(JSON.stringify({ ms, events: s.events, skipped: s.skipped, maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
`;

const CHDB = `
import chdb from 'chdb';
const [input] = process.argv.slice(1);
const sql = \`SELECT count() AS n, max(ts) AS maxts, uniqExact(ev) AS events, uniqExact(dev) AS devs, sum(len) AS bytes FROM (
  SELECT toDecimal64OrZero(extract(line, '\\\\]\\\\s+(\\\\d+\\\\.\\\\d+):'), 6) AS ts,
         extract(line, ':\\\\s+(\\\\w+:\\\\w+):') AS ev,
         extract(line, '\\\\bdev=(\\\\S+)') AS dev,
         toUInt64OrZero(extract(line, '\\\\slen=(\\\\d+)')) AS len
  FROM file('\${input}', 'LineAsString'))\`;
const t0 = performance.now();
const res = chdb.query(sql, 'JSONEachRow');
const ms = performance.now() - t0;
const u = process.resourceUsage();
console.log(JSON.stringify({ ms, result: JSON.parse(res), maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
`;

await buildInput();
const bytes = statSync(big).size;
const mb = bytes / 1e6;
console.log(
  `load average before: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(`input: ${big} ${mb.toFixed(0)} MB (repeats of ${fixture}); ${cpus().length} CPUs`);
const a = runChild(INGEST, [big, arrowOut, '']);
const a0 = process.env.BENCH_SINGLE ? runChild(INGEST, [big, arrowOut, '0']) : null;
const b = runChild(CHDB, [big]);
const aMBs = mb / (a.ms / 1000);
const bMBs = mb / (b.ms / 1000);
console.log(
  `(a) txreplay ingest → Arrow: ${(a.ms / 1000).toFixed(2)} s, ${aMBs.toFixed(1)} MB/s, ` +
    `${(((a.events / a.ms) * 1000) / 1e6).toFixed(2)} M events/s (${a.events} events, ${a.skipped} skipped), ` +
    `peak RSS ${(a.maxRssKb / 1024).toFixed(0)} MB, CPU ${(a.cpuMs / 1000).toFixed(1)} s, workers ${process.env.TXREPLAY_INGEST_WORKERS ?? 'default'}, output ${(statSync(arrowOut).size / 1e6).toFixed(0)} MB`,
);
if (a0) {
  console.log(
    `(a, 0 workers) txreplay ingest → Arrow in the main thread: ${(a0.ms / 1000).toFixed(2)} s, ` +
      `${(mb / (a0.ms / 1000)).toFixed(1)} MB/s, ${(((a0.events / a0.ms) * 1000) / 1e6).toFixed(2)} M events/s, ` +
      `peak RSS ${(a0.maxRssKb / 1024).toFixed(0)} MB, CPU ${(a0.cpuMs / 1000).toFixed(1)} s`,
  );
}
console.log(
  `(b) chdb LineAsString + regex (ts, event, dev, len): ${(b.ms / 1000).toFixed(2)} s, ${bMBs.toFixed(1)} MB/s, ` +
    `${(((b.result.n / b.ms) * 1000) / 1e6).toFixed(2)} M lines/s, peak RSS ${(b.maxRssKb / 1024).toFixed(0)} MB, CPU ${(b.cpuMs / 1000).toFixed(1)} s`,
);
console.log(`ratio a/b (throughput): ${(aMBs / bMBs).toFixed(2)}`);
if (!process.env.BENCH_KEEP && !process.env.BENCH_DIR) rmSync(benchDir, { recursive: true, force: true });
