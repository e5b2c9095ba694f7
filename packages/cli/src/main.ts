#!/usr/bin/env node
/**
 * `txreplay` — wires commands only. Each command lives in ./commands/<name>.ts: its flags, and an action that
 * loads the library it calls only when it runs, so start-up (`--version`, `--help`, `diagnose`) never pays for
 * what another command needs (chDB above all); `--version` alone loads nothing at all. Exit codes and Ctrl-C: ./run.ts.
 */
import { EXIT } from './exit.js';

const VERSION = '0.1.0';

/** The program with every command registered (each loads its library only when it runs). */
async function program(): Promise<import('commander').Command> {
  const [{ Command }, capture, diagnose, exportCsv, ingest, inspect, query, replay, report, simulate] =
    await Promise.all([
      import('commander'),
      import('./commands/capture.js'),
      import('./commands/diagnose.js'),
      import('./commands/export.js'),
      import('./commands/ingest.js'),
      import('./commands/inspect.js'),
      import('./commands/query.js'),
      import('./commands/replay.js'),
      import('./commands/report.js'),
      import('./commands/simulate.js'),
    ]);
  const p = new Command();
  p.name('txreplay')
    .description('Turn Linux kernel traces of the network TX path into answers.')
    .version(VERSION)
    .showHelpAfterError();
  for (const c of [ingest, inspect, capture, simulate, diagnose, replay, report, query, exportCsv]) c.register(p);
  p.exitOverride((err) => {
    // commander's own errors (unknown option, missing argument) are usage errors
    process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
  });
  return p;
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // answered before commander and the command definitions load: the version is all a caller waits for
  process.stdout.write(`${VERSION}\n`);
} else {
  try {
    await (await program()).parseAsync(process.argv);
  } catch (err) {
    process.stderr.write(`txreplay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : EXIT.failure);
  }
}
