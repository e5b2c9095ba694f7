#!/usr/bin/env node
/**
 * `txreplay` — wires commands only. Each command lives in ./commands/<name>.ts and registers itself;
 * the work is done by the library packages.
 */
import { Command } from 'commander';
import { EXIT } from './exit.js';

const program = new Command();
program
  .name('txreplay')
  .description('Turn Linux kernel traces of the network TX path into answers.')
  .version('0.1.0')
  .showHelpAfterError();

type Registrar = { register: (program: Command) => void };
// Commands are loaded on demand: `txreplay ingest` should not pay for chDB and the report code at start-up
// (all of them load for `--help` or an unknown command, so help and usage errors list every command).
const COMMANDS: Record<string, () => Promise<Registrar>> = {
  ingest: () => import('./commands/ingest.js'),
  inspect: () => import('./commands/inspect.js'),
  capture: () => import('./commands/capture.js'),
  simulate: () => import('./commands/simulate.js'),
  diagnose: () => import('./commands/diagnose.js'),
  replay: () => import('./commands/replay.js'),
  report: () => import('./commands/report.js'),
  query: () => import('./commands/query.js'),
  export: () => import('./commands/export.js'),
};
const asked = process.argv[2];
const wanted = asked !== undefined && Object.hasOwn(COMMANDS, asked) ? [asked] : Object.keys(COMMANDS);
for (const name of wanted) (await COMMANDS[name]!()).register(program);

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
