/**
 * How every command runs: one place that turns an outcome into a documented exit code (./exit.ts, README
 * "Exit codes") and that handles SIGINT/SIGTERM. A command body is: flags → one library call → print; it
 * returns its exit code (or nothing for 0) and throws on failure. Every error leaves here as a CliError with
 * its code and one sentence; main.ts prints it as `txreplay: <sentence>`.
 */
import { CliError, EXIT, exitOfSignal } from './exit.js';
import { checkInputs, checkOutput, describeErrno, gzipInputs } from './faults.js';

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

const WRITE_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EROFS']);

/** The first line of an error's message: one sentence on stderr, never a stack or a server's dump. */
function sentence(err: Error): string {
  return err.message.split('\n')[0] ?? err.message;
}

/**
 * Any error → a CliError with its exit code and one sentence; `inputs` name the file in a zlib error,
 * `outputs` the file in a write error that names none (ENOSPC from write(2) carries no path).
 */
function describeError(err: unknown, inputs: readonly string[] = [], outputs: readonly string[] = []): CliError {
  if (err instanceof CliError) return err;
  if (!(err instanceof Error)) return new CliError(EXIT.failure, String(err));
  if (err.name === 'CaptureError')
    return new CliError(EXIT_OF_CAPTURE[(err as Error & { kind: string }).kind] ?? EXIT.failure, err.message);
  const byName = EXIT_OF_ERROR[err.name];
  if (byName !== undefined) return new CliError(byName, err.message);
  // the one output writer (@txreplay/ingest io/output.ts): a refusal (EINVAL: the output is an input, a directory)
  // or a missing directory is the user's to fix (usage); a write that failed on the medium cannot be written (74)
  if (err.name === 'OutputError') {
    const oc = (err as Error & { code: string }).code;
    return new CliError(WRITE_ERRNO.has(oc) ? EXIT.cannotWrite : EXIT.usage, err.message);
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    // zlib names no file: the inputs that start with the gzip magic are the candidates
    const gz = gzipInputs(inputs);
    const where = gz.length > 0 ? gz.join(', ') : 'a gzip input';
    return new CliError(EXIT.notATrace, `${where}: corrupt or truncated gzip data (${sentence(err)})`);
  }
  // a write error without a path (write(2) has none) is about one of the outputs
  const writing = WRITE_ERRNO.has(code ?? '') && outputs.length > 0;
  const errno = describeErrno(err as NodeJS.ErrnoException, writing ? outputs.join(', ') : undefined);
  if (errno) return errno;
  return new CliError(EXIT.failure, sentence(err));
}

/**
 * Signals. One listener per signal for the whole process (installed by main.ts before anything else
 * runs), handing the signal to the running command, else ending the process the orderly way: what was
 * registered with onShutdown runs first (e.g. the embedded engine finishes its query and closes: exiting
 * under a running chDB query crashes the process), then exit 130 (SIGINT) or 143 (SIGTERM).
 */
let currentSignalHandler: ((signal: NodeJS.Signals) => void) | null = null;
const shutdownSteps = new Set<() => Promise<void> | void>();
let shuttingDown = false;

export function installSignalHandlers(): void {
  const listener = (signal: NodeJS.Signals): void => {
    if (currentSignalHandler) currentSignalHandler(signal);
    else void shutdown(exitOfSignal(signal));
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
}

/** Run `step` before the process ends on a signal; returns its removal. */
export function onShutdown(step: () => Promise<void> | void): () => void {
  shutdownSteps.add(step);
  return () => shutdownSteps.delete(step);
}

/** The registered shutdown steps in order, then exit; a second signal meanwhile exits at once. */
export async function shutdown(exitCode: number): Promise<never> {
  if (shuttingDown) process.exit(exitCode);
  shuttingDown = true;
  for (const step of [...shutdownSteps]) {
    try {
      await step();
    } catch {
      /* ending anyway: the exit code says interrupted */
    }
  }
  process.exit(exitCode);
}

/** How long a command that was handed the abort signal gets to stop by itself before the process ends. */
const ABORT_GRACE_MS = 5000;

export interface ActionContext {
  /**
   * Aborted at the first SIGINT/SIGTERM: hand it to the library call (reading stops, nothing is written).
   * A command that never asks for it is simply ended with 130/143 at the signal.
   */
  readonly signal: AbortSignal;
  /**
   * Replace what a signal does: e.g. stop the tracer and keep what it captured, or remove temporary files and
   * end with shutdown(`exitCode`) (130 SIGINT, 143 SIGTERM).
   */
  onInterrupt(handler: (exitCode: number) => void): void;
  /** The inputs the command reads: checked now (missing, directory, unreadable), named in later zlib errors. */
  inputs(paths: readonly string[], what?: string): void;
  /** An output file (`flag` names it in messages): its directory checked now, named in later write errors. */
  output(file: string | undefined, flag: string): void;
  /**
   * Everything the command makes is written and closed once its body returns (outputs renamed into place, its
   * result printed): the process then ends there, with the body's exit code, instead of after node has torn down a
   * heap of a large read (25–75 ms: ingest README "Speed"), once what was written to stdout and stderr through
   * node's streams has left (process.exit drops writes still queued). Only on Linux (where it was measured).
   */
  endWhenDone(): void;
}

/**
 * Wrap a command body for commander's `.action()`: SIGINT/SIGTERM handling for the body's lifetime, its
 * return value as the exit code, and any error mapped to a documented exit code (interrupted → 130/143) and
 * rethrown as a CliError for main.ts to print.
 */
export function action<A extends unknown[]>(
  // biome-ignore lint/suspicious/noConfusingVoidType: a body that only prints returns nothing (exit 0), others their exit code
  body: (ctx: ActionContext, ...args: A) => Promise<number | void> | number | void,
): (...args: A) => Promise<void> {
  return async (...args: A): Promise<void> => {
    const ac = new AbortController();
    let handler: ((exitCode: number) => void) | null = null;
    let signalUsed = false;
    let signalExit: number = EXIT.interrupted;
    let inputs: readonly string[] = [];
    const outputs: string[] = [];
    let endNow = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      const first = !ac.signal.aborted;
      if (first) signalExit = exitOfSignal(signal);
      if (handler) handler(signalExit);
      else if (signalUsed && first) {
        ac.abort(new CliError(signalExit, 'interrupted'));
        // never hang: a library call blocked where it cannot see the abort (e.g. opening a FIFO nobody writes)
        setTimeout(() => void shutdown(signalExit), ABORT_GRACE_MS).unref();
      } else void shutdown(signalExit); // nothing to stop gracefully, or a second signal
    };
    const ctx: ActionContext = {
      get signal() {
        signalUsed = true;
        return ac.signal;
      },
      onInterrupt: (h) => (handler = h),
      inputs: (paths, what) => {
        checkInputs(paths, what);
        inputs = paths;
      },
      output: (file, flag) => {
        checkOutput(file, flag);
        if (file !== undefined) outputs.push(file);
      },
      endWhenDone: () => {
        endNow = process.platform === 'linux';
      },
    };
    const outer = currentSignalHandler;
    currentSignalHandler = onSignal;
    try {
      const code = await body(ctx, ...args);
      // interrupted after the reading (e.g. during replay, whose signal is delivered when it ends)
      if (ac.signal.aborted) process.exitCode = signalExit;
      else if (code !== undefined) process.exitCode = code;
      else if (endNow) {
        // what was printed through node's streams (a warning on stderr, a result to a terminal) leaves first
        await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
        process.exit(0);
      }
    } catch (err) {
      const e = describeError(err, inputs, outputs);
      process.exitCode = ac.signal.aborted ? signalExit : e.exitCode;
      throw e;
    } finally {
      currentSignalHandler = outer;
    }
  };
}

/** Resolves once everything written to `stream` so far has been handed to the system (an empty write's callback). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((ok) => {
    if (stream.writableLength === 0) ok();
    else stream.write('', () => ok());
  });
}

// progress has one helper (progress.ts); these names stay for the commands that import them from here
export { endProgress, readProgress } from './progress.js';
