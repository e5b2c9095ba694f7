#!/usr/bin/env node
// DQL hot-path benchmark: dql_queued + dql_completed pairs per second (stall detector off and on).
// Run after `npx tsc -b packages/model`: node scripts/bench-dql.mjs [ops]
import { Dql, kernelBehaviour } from '../packages/model/dist/index.js';
import { compareAndRecord } from './lib/bench-history.mjs';

const figures = {};

const ops = Number(process.argv[2] ?? 20_000_000);
for (const [label, thrs] of [
  ['6.12, stall detector off', 0],
  ['6.12, stall_thrs=16', 16],
  ['5.15', 0],
]) {
  const kernel = kernelBehaviour(label.startsWith('5.15') ? '5.15.100' : '6.12.117');
  const dql = new Dql(kernel);
  let jiffies = 4294667296;
  dql.init(1000, jiffies);
  if (thrs) dql.setStallThrs(thrs, jiffies);
  let inflight = 0;
  let x = 12345;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i += 2) {
    x = (x * 1103515245 + 12345) >>> 0;
    const size = 60 + (x % 9000);
    dql.queued(size, jiffies);
    inflight += size;
    const done = (x & 3) === 0 ? inflight : inflight >>> 1;
    dql.completed(done, jiffies);
    inflight -= done;
    if ((x & 15) === 0) jiffies++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  figures[label] = { value: ops / s / 1e6, unit: 'M DQL ops/s', better: 'higher' };
  console.log(
    `${label}: ${(ops / s / 1e6).toFixed(1)} M DQL ops/s (${ops} ops in ${s.toFixed(2)} s, limit ${dql.limit})`,
  );
}
compareAndRecord('dql', figures);
