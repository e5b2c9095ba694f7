#!/usr/bin/env node
// Runs the whole vitest suite and ends with the plain closing line CI reads: "Tests: N passed, N failed, N skipped".
// Skipped tests are named above that line (file > test), and any skipped test fails the run: the project has no
// skipped tests, so one that is skipped (a .skip left in, a beforeAll that failed quietly) must be seen.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'txreplay-vitest-'));
const out = join(dir, 'result.json');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${out}`,
  ...process.argv.slice(2),
];
const r = spawnSync('npx', args, { stdio: 'inherit' });
let passed = 0,
  failed = 0,
  skipped = 0;
const skippedNames = [];
try {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests;
  failed = j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0);
  skipped = j.numPendingTests + (j.numTodoTests ?? 0);
  for (const file of j.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo')
        skippedNames.push(`${relative(process.cwd(), file.name)} > ${t.fullName ?? t.title}`);
    }
  }
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
if (skippedNames.length > 0) {
  process.stdout.write(`\nSkipped tests (${skippedNames.length}); the project has none, so this run fails:\n`);
  for (const n of skippedNames) process.stdout.write(`  - ${n}\n`);
}
process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(r.status === 0 && failed === 0 && skipped === 0 && passed > 0 ? 0 : 1);
