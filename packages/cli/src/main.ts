#!/usr/bin/env node
/**
 * `txreplay` — wires commands only. Each command lives in ./commands/<name>.ts: its flags, and an action that
 * loads the library it calls only when it runs, so start-up (`--version`, `--help`, `diagnose`) never pays for
 * what another command needs (chDB above all). Exit codes and Ctrl-C: ./run.ts.
 */
import { Command } from 'commander';
import { EXIT } from './exit.js';
import * as bulk from './commands/bulk.js';
import * as capture from './commands/capture.js';
import * as diagnose from './commands/diagnose.js';
import * as exportCsv from './commands/export.js';
import * as ingest from './commands/ingest.js';
import * as inspect from './commands/inspect.js';
import * as query from './commands/query.js';
import * as replay from './commands/replay.js';
import * as report from './commands/report.js';
import * as simulate from './commands/simulate.js';

const program = new Command();
program
  .name('txreplay')
  .description('Turn Linux kernel traces of the network TX path into answers.')
  .version('0.1.0')
  .showHelpAfterError();

for (const c of [ingest, inspect, capture, simulate, diagnose, replay, report, bulk, query, exportCsv])
  c.register(program);

program.exitOverride((err) => {
  // commander's own errors (unknown option, missing argument) are usage errors
  process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`txreplay: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : EXIT.failure);
}
