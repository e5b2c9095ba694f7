/**
 * Benchmark figures over time, so a regression shows. Every bench calls `compareAndRecord(bench, figures)` at its
 * end: it prints each figure beside the last recorded one for the same bench (with both load averages: the machine
 * is often shared, and a figure measured under other load is not a regression by itself) and, with
 * BENCH_RECORD=1 (or `--record`), appends the run to bench/history.jsonl, which is committed with the README
 * figures it backs. `node scripts/bench-compare.mjs` prints the latest recorded figure of every bench.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HISTORY = join(root, 'bench', 'history.jsonl');
/** a change beyond this fraction is flagged (both directions: an improvement worth a README update, too) */
const FLAG = 0.1;

/** @returns {{bench: string, date: string, commit: string, load: number[], cpus: number, figures: Record<string, {value: number, unit: string, better: 'higher' | 'lower'}>}[]} */
export function readHistory() {
  if (!existsSync(HISTORY)) return [];
  return readFileSync(HISTORY, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`${HISTORY}:${i + 1}: not a JSON line`);
      }
    });
}

function commitOf() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * @param {string} bench  e.g. 'ingest', 'model'
 * @param {Record<string, {value: number, unit: string, better: 'higher' | 'lower'}>} figures
 */
export function compareAndRecord(bench, figures) {
  const load = loadavg().map((x) => Number(x.toFixed(2)));
  const previous = readHistory()
    .filter((h) => h.bench === bench)
    .at(-1);
  console.log(
    `\nagainst the last recorded ${bench} run${previous ? ` (${previous.date}, ${previous.commit}, load ${previous.load.join(' ')})` : ': none recorded yet'}; load now ${load.join(' ')}`,
  );
  for (const [name, f] of Object.entries(figures)) {
    const before = previous?.figures?.[name];
    if (!before) {
      console.log(`  ${name}: ${fmt(f.value)} ${f.unit} (new)`);
      continue;
    }
    if (before.value === 0) {
      console.log(`  ${name}: ${fmt(f.value)} ${f.unit}, was 0`);
      continue;
    }
    const change = (f.value - before.value) / before.value;
    const worse = f.better === 'higher' ? change < -FLAG : change > FLAG;
    const better = f.better === 'higher' ? change > FLAG : change < -FLAG;
    const flag = worse ? '  ← REGRESSION? (check the load)' : better ? '  ← better: update the README figure' : '';
    console.log(
      `  ${name}: ${fmt(f.value)} ${f.unit}, was ${fmt(before.value)} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%)${flag}`,
    );
  }
  if (process.env.BENCH_RECORD === '1' || process.argv.includes('--record')) {
    const entry = { bench, date: new Date().toISOString(), commit: commitOf(), load, cpus: cpus().length, figures };
    appendFileSync(HISTORY, `${JSON.stringify(entry)}\n`);
    console.log(`  recorded in ${HISTORY}`);
  }
}
