#!/usr/bin/env node
/** The latest recorded figure of every benchmark (bench/history.jsonl), with the one before it. Not a test. */
import { readHistory } from './lib/bench-history.mjs';

const byBench = new Map();
for (const h of readHistory()) {
  const list = byBench.get(h.bench) ?? [];
  list.push(h);
  byBench.set(h.bench, list);
}
if (byBench.size === 0) console.log('no figures recorded yet: run a bench with BENCH_RECORD=1');
for (const [bench, runs] of byBench) {
  const last = runs.at(-1);
  const prev = runs.at(-2);
  console.log(
    `${bench}: ${last.date.slice(0, 16)} ${last.commit}, load ${last.load.join(' ')}, ${runs.length} run(s) recorded`,
  );
  for (const [name, f] of Object.entries(last.figures)) {
    const was = prev?.figures?.[name];
    console.log(`  ${name}: ${f.value} ${f.unit}${was ? ` (before: ${was.value})` : ''}`);
  }
}
