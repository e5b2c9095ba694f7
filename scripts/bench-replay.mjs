#!/usr/bin/env node
// Replay/diagnose throughput: events/s of `diagnose` (load .arrow + replay + findings) on a large trace.
// The .arrow is made once by ingesting the multiqueue perf-script fixture repeated N times with shifted
// timestamps and skb addresses (ingestToArrow), cached under $TMPDIR/txreplay-bench/.
// Usage (after pnpm build): node scripts/bench-replay.mjs [minEvents=5000000] [runs=3]
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestToArrow } from '../packages/ingest/dist/index.js';
import { loadForReplay, replayTable } from '../packages/replay/dist/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared');
const fixture = path.join(shared, 'traces', 'multiqueue', 'perf-script.txt');
const minEvents = Number(process.argv[2] ?? 5_000_000);
const runs = Number(process.argv[3] ?? 3);
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

let best = Infinity;
let events = 0;
let findings = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const { table } = await loadForReplay([arrowPath]);
  const t1 = performance.now();
  const r = replayTable(table, { maxSeriesPoints: 500 });
  const t2 = performance.now();
  events = r.trace.events;
  findings = r.findings.length;
  const s = (t2 - t0) / 1000;
  best = Math.min(best, s);
  console.log(
    `run ${i + 1}: ${events} events, load ${((t1 - t0) / 1000).toFixed(2)} s + replay ${((t2 - t1) / 1000).toFixed(2)} s = ${s.toFixed(2)} s → ${(events / s / 1e6).toFixed(2)} M events/s (${findings} findings)`,
  );
}
console.log(`diagnose from .arrow: ${(events / best / 1e6).toFixed(2)} M events/s end to end (best of ${runs}, ${events} events, ${(statSync(arrowPath).size / 1e6).toFixed(0)} MB arrow)`);
