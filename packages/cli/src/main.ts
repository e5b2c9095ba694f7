#!/usr/bin/env node
/**
 * `txreplay` — wires commands only. Each command lives in ./commands/<name>.ts and registers itself;
 * the work is done by the library packages.
 */
import { Command } from 'commander';
import { register as ingest } from './commands/ingest.js';
import { register as inspect } from './commands/inspect.js';
import { register as capture } from './commands/capture.js';
import { register as simulate } from './commands/simulate.js';
import { register as diagnose } from './commands/diagnose.js';
import { register as replay } from './commands/replay.js';
import { register as report } from './commands/report.js';
import { register as query } from './commands/query.js';
import { register as exportCmd } from './commands/export.js';
import { EXIT } from './exit.js';

const program = new Command();
program
  .name('txreplay')
  .description('Turn Linux kernel traces of the network TX path into answers.')
  .version('0.1.0')
  .showHelpAfterError();

for (const reg of [ingest, inspect, capture, simulate, diagnose, replay, report, query, exportCmd]) reg(program);

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
