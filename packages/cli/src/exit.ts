/**
 * The one table of exit codes of the `txreplay` command, the same for every command (README "Exit codes",
 * packages/cli/README.md). run.ts maps every outcome and error to one of these; the same fault gets the same
 * code in every command.
 */
export const EXIT = {
  ok: 0,
  /** diagnose/replay/report: findings of severity warning or critical were made */
  findings: 1,
  /**
   * bad command line: unknown command or flag, bad flag value, missing argument; an input that does not
   * exist, is a directory or cannot be read; an output whose directory does not exist
   */
  usage: 2,
  /** an input is not a trace at all (binary, HTML, empty, unknown format, corrupt gzip or Arrow) */
  notATrace: 3,
  /** --strict and a line could not be parsed */
  parseError: 4,
  /** ClickHouse (embedded or server) failed after retries, or did not answer in time */
  store: 5,
  /** a required external tool (bpftrace/perf) is missing or failed */
  tool: 6,
  /** diagnose/replay/report: the input was read but holds too little to judge (verdict "unknown") */
  unknown: 7,
  /** bulk: some inputs could not be ingested (each is listed); every other file was stored */
  bulkFailures: 8,
  /** an output could not be written (disk full, quota, I/O error) */
  cannotWrite: 74,
  /** anything else: a bug (the message says what) */
  failure: 70,
  /** interrupted by SIGINT (Ctrl-C); outputs were not left half-written */
  interrupted: 130,
  /** ended by SIGTERM; outputs were not left half-written */
  terminated: 143,
} as const;

/** The exit code of a signal: 128 + its number, as a shell reports it. */
export function exitOfSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

/** A refusal or failure with its exit code (the table above) and one sentence for stderr. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
