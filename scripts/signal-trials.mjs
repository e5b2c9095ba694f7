#!/usr/bin/env node
// Signal trials: run a txreplay command N times from a fresh temp directory, send SIGINT or SIGTERM at a
// spread of moments while it works, and count how each run ended (exit code or the signal that killed it)
// and what it left behind (files in the output directory and in TMPDIR). A SIGSEGV from the embedded
// engine at Ctrl-C shows up as "signal SIGSEGV". Build first (pnpm build). Prints one line per trial and a
// tally; exits 1 if any run ended other than 130/143 (or 0/1/7, finished before the signal) or left files.
//   node scripts/signal-trials.mjs [--trials 12] [--signal SIGINT] [--command report|ingest|diagnose] [--min-ms 300] [--max-ms 12000]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'packages/cli/dist/main.js');
const example = path.join(root, 'examples/multiqueue.perf-script.txt.gz');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const trials = Number(arg('trials', '12'));
const signal = arg('signal', 'SIGINT');
const command = arg('command', 'report');
const maxMs = Number(arg('max-ms', '12000'));

function argsFor(dir) {
  if (command === 'report')
    return ['report', example, '--db', path.join(dir, 'db'), '--html', path.join(dir, 'pm.html')];
  if (command === 'ingest') return ['ingest', example, '-o', path.join(dir, 'out.arrow')];
  return ['diagnose', example, '--html', path.join(dir, 'pm.html')];
}

const tally = {};
let bad = 0;
for (let t = 0; t < trials; t++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-sigtrial-'));
  const tmp = mkdtempSync(path.join(tmpdir(), 'txreplay-sigtrial-tmp-'));
  // moments spread over start-up, ingest, replay, store open, the write and the post-mortem
  const minMs = Number(arg('min-ms', '300'));
  const afterMs = minMs + Math.round((t / Math.max(1, trials - 1)) * (maxMs - minMs));
  const child = spawn(process.execPath, [main, ...argsFor(dir)], {
    cwd: dir,
    env: { ...process.env, TMPDIR: tmp, TXREPLAY_CLICKHOUSE_URL: '', CLICKHOUSE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const timer = setTimeout(() => child.kill(signal), afterMs);
  const [code, sig] = await new Promise((res) => child.on('exit', (c, s) => res([c, s])));
  clearTimeout(timer);
  const how = sig ? `signal ${sig}` : `exit ${code}`;
  // a run that finished before the signal may leave its outputs; what matters is temp files and half outputs
  const leftTmp = readdirSync(tmp);
  const leftDir = readdirSync(dir).filter((f) => f !== 'db' && f !== 'pm.html' && f !== 'out.arrow');
  const ok =
    (code === 130 || code === 143 || code === 0 || code === 1 || code === 7) &&
    !sig &&
    leftTmp.length + leftDir.length === 0;
  if (!ok) bad++;
  tally[how] = (tally[how] ?? 0) + 1;
  process.stdout.write(
    `trial ${t + 1}: ${signal} after ${afterMs} ms → ${how}` +
      `${leftTmp.length ? `; left in TMPDIR: ${leftTmp.join(' ')}` : ''}${leftDir.length ? `; left beside the output: ${leftDir.join(' ')}` : ''}` +
      `${ok ? '' : `  <-- ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}
process.stdout.write(
  `${command} ${signal}: ${trials} trials: ${Object.entries(tally)
    .map(([k, n]) => `${n}× ${k}`)
    .join(', ')}; ${bad} bad\n`,
);
writeFileSync(process.stdout.fd, '');
process.exit(bad === 0 ? 0 : 1);
