/** Documented exit codes of the `txreplay` command (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** diagnose: findings of severity warning or critical were made */
  findings: 1,
  /** bad command line */
  usage: 2,
  /** an input is not a trace at all (binary, HTML, empty, unknown format) */
  notATrace: 3,
  /** --strict and a line could not be parsed */
  parseError: 4,
  /** ClickHouse (embedded or server) failed after retries */
  store: 5,
  /** a required external tool (bpftrace/perf) is missing or failed */
  tool: 6,
  /** diagnose: the input was read but holds too little to judge (no TX-path event or log record, or all time lost) */
  unknown: 7,
  /** bulk: some inputs could not be ingested (each is listed); every other file was stored */
  bulkFailures: 8,
  /** interrupted (SIGINT/SIGTERM); outputs were not left half-written */
  interrupted: 130,
  /** anything else */
  failure: 70,
} as const;
