#!/usr/bin/env node
/**
 * Binary-reader benchmark (not a test): on the same real captures, times
 *   (a) the perf.data / trace.dat readers of packages/ingest (decode every event to a plain object),
 *   (b) the tool rendering the same file as text (`perf script`, `trace-cmd report`) when installed, and
 *   (c) ingest's text parser (loadEvents, parsing in this thread) on that text, as the capture kit ships it,
 * and prints MB/s (of the binary file as read: gzip'd inputs count decompressed bytes) and events/s.
 * Each measurement repeats until it has run >= BENCH_SECONDS (default 2) and reports the best pass.
 * Args: optional paths of perf.data / trace.dat files (default: the shared traces and fixtures/captured).
 * Run after `pnpm build`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'packages/ingest/dist');
if (!existsSync(join(dist, 'parse/perf-data/index.js'))) {
  console.error('packages/ingest/dist is missing the binary readers: run `pnpm build` first');
  process.exit(1);
}
const { readPerfData } = await import(join(dist, 'parse/perf-data/index.js'));
const { readTraceDat } = await import(join(dist, 'parse/trace-dat/index.js'));
const { loadEvents } = await import(join(dist, 'index.js'));

const shared = process.env.TXREPLAY_SHARED ?? resolve(root, '../shared');
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const defaults = [
  join(shared, 'traces/multiqueue/perf.data'),
  join(shared, 'traces/veth-backpressure/perf.data.gz'),
  join(root, 'fixtures/captured/requeue-bulk-tracecmd/trace.dat'),
  join(root, 'fixtures/captured/htb-shaped/trace.dat'),
];
const inputs = (process.argv.length > 2 ? process.argv.slice(2) : defaults).filter((p) => existsSync(p));

async function best(fn) {
  let bestMs = Infinity;
  let result;
  const start = performance.now();
  do {
    const t0 = performance.now();
    result = await fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  } while (performance.now() - start < seconds * 1000);
  return { ms: bestMs, result };
}

const fmt = (n, d = 1) => n.toFixed(d).padStart(8);
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'txreplay-bench-binary-'));
const rows = [];
try {
  for (const path of inputs) {
    const isPerf = /perf[^/]*\.data(\.gz)?$/.test(path);
    const read = isPerf ? readPerfData : readTraceDat;
    const bin = await best(async () => {
      const r = read(path);
      let n = 0;
      for await (const rec of r) if (rec.kind === 'event') n++;
      return { events: n, bytes: r.stats.bytes || statSync(path).size };
    });
    const { events, bytes } = bin.result;
    const name = path.replace(`${root}/`, '').replace(`${shared}/`, 'shared/');
    rows.push([name, 'binary reader', bin.ms, bytes, events]);

    // The tool's own text rendering of the same file (decompressed copy for .gz: the tools want a file).
    let plain = path;
    if (path.endsWith('.gz')) {
      plain = join(tmp, 'input.data');
      writeFileSync(plain, spawnSync('gzip', ['-dc', path], { maxBuffer: 1 << 30 }).stdout);
    }
    const tool = isPerf ? 'perf' : 'trace-cmd';
    const textPath = join(tmp, 'out.txt');
    if (has(tool)) {
      const args = isPerf ? ['script', '-i', plain] : ['report', '-i', plain];
      const run = await best(async () => {
        const r = spawnSync(tool, args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
        return r.stdout;
      });
      writeFileSync(textPath, run.result);
      rows.push([name, `${tool} ${args[0]}`, run.ms, bytes, events]);
      const text = await best(async () => (await loadEvents([textPath], { workers: 0 })).table.numRows);
      rows.push([name, 'text parse of that output', text.ms, statSync(textPath).size, text.result]);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(
  `${'capture'.padEnd(48)} ${'what'.padEnd(26)} ${'ms'.padStart(8)} ${'MB'.padStart(8)} ${'MB/s'.padStart(8)} ${'events'.padStart(8)} ${'kev/s'.padStart(8)}`,
);
for (const [name, what, ms, bytes, events] of rows) {
  console.log(
    `${name.padEnd(48)} ${what.padEnd(26)} ${fmt(ms)} ${fmt(bytes / 1e6, 2)} ${fmt(bytes / 1e6 / (ms / 1000))} ${String(events).padStart(8)} ${fmt(events / (ms / 1000) / 1000)}`,
  );
}
console.log(
  'MB/s is of the input each step reads: the binary file (decompressed) for the reader and the tool, the text for the text parser.',
);
