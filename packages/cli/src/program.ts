/**
 * The `txreplay` program (loaded by ./main.ts once the signal handlers are in place) — wires commands only. Each command lives in ./commands/<name>.ts: its flags, and an action that
 * loads the library it calls only when it runs, so start-up (`--version`, `--help`, `diagnose`) never pays for
 * what another command needs (chDB above all). Exit codes and signals: ./run.ts, ./exit.ts.
 */
import { VERSION } from './version.js';
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

const EXIT_CODES_HELP = `
Exit codes (the same in every command):
  0    done; diagnose/replay/report: healthy
  1    diagnose/replay/report: warning or critical findings
  2    usage: bad command line, an input that is missing, a directory or unreadable, an output directory missing
  3    an input is not a trace (binary, HTML, empty, corrupt gzip or Arrow)
  4    --strict: a line could not be parsed
  5    ClickHouse (embedded or server) failed or did not answer in time
  6    capture: bpftrace/perf missing or failed
  7    diagnose/replay/report: too little evidence to judge (verdict unknown)
  70   internal error (a bug)
  74   an output could not be written (disk full, read-only, I/O error)
  130  interrupted by SIGINT (Ctrl-C), 143 ended by SIGTERM; no output is left half-written
`;

/** Every command, in the order `--help` lists them. */
const COMMANDS = [ingest, inspect, capture, simulate, diagnose, replay, report, bulk, query, exportCsv] as const;
const BY_NAME: ReadonlyMap<string, (typeof COMMANDS)[number]> = new Map([
  ['ingest', ingest],
  ['inspect', inspect],
  ['capture', capture],
  ['simulate', simulate],
  ['diagnose', diagnose],
  ['replay', replay],
  ['report', report],
  ['bulk', bulk],
  ['query', query],
  ['export', exportCsv],
]);

/**
 * The commands to define for a command line whose first word is `first`: that command alone when it names one —
 * commander then runs it with its own flags, and the others would only be listed in `--help` and offered for a
 * mistyped name, which this line asks for neither (defining ten commands' flags was a share of a small diagnose's
 * start-up) — else all of them (`--help`, `help <command>`, a mistyped command).
 */
export function commandsFor(first: string | undefined): readonly (typeof COMMANDS)[number][] {
  const one = first === undefined ? undefined : BY_NAME.get(first);
  return one === undefined ? COMMANDS : [one];
}

/** Build the program and run the command line (process.argv) through it. */
export async function runProgram(): Promise<void> {
  const program = new Command();
  // before the commands are added: commander copies these settings into each command when it is created, so an
  // unknown flag of a command exits 2 (usage) like one of the program, never 1 (reserved for findings)
  program
    .name('txreplay')
    .description('Turn Linux kernel traces of the network TX path into answers.')
    .version(VERSION)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (str, write) => write(`txreplay: ${str.replace(/^error: /, '')}`) })
    .exitOverride((err) => {
      // commander's own errors (unknown command or option, missing or invalid argument) are usage errors
      process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
    })
    .addHelpText('after', EXIT_CODES_HELP);

  for (const c of commandsFor(process.argv[2])) c.register(program);

  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    // run.ts has already set the exit code and made the message one sentence
    process.stderr.write(`txreplay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : EXIT.failure);
  }
}
