/**
 * How every command runs: one place that turns an outcome into a documented exit code (README "Exit codes",
 * ./exit.ts) and that handles Ctrl-C. A command body is: flags → one library call → print; it returns its
 * exit code (or nothing for 0) and throws on failure. main.ts prints a thrown error as `txreplay: <message>`
 * and exits with the code set here.
 */
import { EXIT } from './exit.js';

/** A refusal with a documented exit code and one sentence for stderr. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function fail(exitCode: number, message: string): never {
  throw new CliError(exitCode, message);
}

/**
 * Library errors → exit codes, by the error's name: matching by class would load @txreplay/report (chDB)
 * for StoreError into every command, and the start-up of `txreplay diagnose` is kept free of it.
 */
const EXIT_OF_ERROR: Readonly<Record<string, number>> = {
  NotATraceError: EXIT.notATrace,
  CorruptArrowFileError: EXIT.notATrace,
  StrictParseError: EXIT.parseError,
  StoreError: EXIT.store,
  ScenarioError: EXIT.usage,
};

/** CaptureError.kind (@txreplay/capture) → exit code */
const EXIT_OF_CAPTURE: Readonly<Record<string, number>> = {
  tool: EXIT.tool,
  usage: EXIT.usage,
  interrupted: EXIT.interrupted,
  failure: EXIT.failure,
};

/** An input or output path that is missing, a directory or not ours to read: the command line is wrong. */
const USAGE_ERRNO = new Set(['ENOENT', 'EISDIR', 'EACCES']);

function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (!(err instanceof Error)) return EXIT.failure;
  if (err.name === 'CaptureError') return EXIT_OF_CAPTURE[(err as Error & { kind: string }).kind] ?? EXIT.failure;
  const byName = EXIT_OF_ERROR[err.name];
  if (byName !== undefined) return byName;
  const errno = (err as NodeJS.ErrnoException).code;
  return errno !== undefined && USAGE_ERRNO.has(errno) ? EXIT.usage : EXIT.failure;
}

export interface ActionContext {
  /**
   * Aborted at the first SIGINT/SIGTERM: hand it to the library call (reading stops, nothing is written).
   * A command that never asks for it is simply ended with 130 at Ctrl-C.
   */
  readonly signal: AbortSignal;
  /**
   * Replace what Ctrl-C does: e.g. stop the tracer and keep what it captured, or remove temporary files and
   * exit 130 at once.
   */
  onInterrupt(handler: () => void): void;
}

/**
 * Wrap a command body for commander's `.action()`: SIGINT/SIGTERM handling for the body's lifetime, its
 * return value as the exit code, and any error mapped to a documented exit code (interrupted → 130) and
 * rethrown for main.ts to print.
 */
export function action<A extends unknown[]>(
  // biome-ignore lint/suspicious/noConfusingVoidType: a body that only prints returns nothing (exit 0), others their exit code
  body: (ctx: ActionContext, ...args: A) => Promise<number | void> | number | void,
): (...args: A) => Promise<void> {
  return async (...args: A): Promise<void> => {
    const ac = new AbortController();
    let handler: (() => void) | null = null;
    let signalUsed = false;
    const onSignal = (): void => {
      if (handler) handler();
      else if (signalUsed && !ac.signal.aborted) ac.abort(new CliError(EXIT.interrupted, 'interrupted'));
      else process.exit(EXIT.interrupted); // nothing to stop gracefully, or a second Ctrl-C
    };
    const ctx: ActionContext = {
      get signal() {
        signalUsed = true;
        return ac.signal;
      },
      onInterrupt: (h) => (handler = h),
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const code = await body(ctx, ...args);
      // interrupted after the reading (e.g. during replay, whose signal is delivered when it ends)
      if (ac.signal.aborted) process.exitCode = EXIT.interrupted;
      else if (code !== undefined) process.exitCode = code;
    } catch (err) {
      process.exitCode = ac.signal.aborted ? EXIT.interrupted : exitCodeOf(err);
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}

// progress has one helper (progress.ts); these names stay for the commands that import them from here
export { endProgress, readProgress } from './progress.js';
