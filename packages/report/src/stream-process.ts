/**
 * The parse of a streamed `report`, then its replay, each in a child process of its own (stream-child.ts), so that
 * none of their memory is left in this one when chDB loads: after a 1 GB parse in this process, with every batch and
 * buffer released, it still held ~95 MiB more anonymous memory than a fresh one (V8's young generation grown to 32
 * MiB, freed malloc memory the allocator kept: glibc's mmap threshold follows the largest buffer freed, so later
 * buffers come from its arenas, which it does not give back) — and the events insert and the replay came on top of
 * it, the run's peak. A process gives everything back when it exits; the replay gets a fresh one rather than the
 * parse's, whose leftovers its own state would come on top of. The child writes the same files (stream-parse.ts) and
 * answers with the same plain data; its errors come back with their name, message and fields (the CLI matches errors
 * by name).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadOptions } from '@txreplay/ingest';
import type { ReplayOptions, ReplayResult } from '@txreplay/replay';
import type { ParsedTrace, ParseTuning } from './stream-parse.js';

/** What a child is sent: the parse to run (LoadOptions without its callbacks; `progress`: report it back), or the replay. */
export type ChildRequest =
  | {
      type: 'parse';
      dir: string;
      traces: string[];
      opts: Omit<LoadOptions, 'onProgress' | 'signal'>;
      tuning: ParseTuning;
      progress: boolean;
    }
  | { type: 'replay'; arrowFile: string; options: ReplayOptions };

/** An error as it crosses the process boundary. */
export interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, string | number | boolean>;
}

/** A replay and how long it took. */
export interface ChildReplay {
  result: ReplayResult;
  replayMs: number;
}

/** What a child answers: progress of the read, the parse or the replay; or an error. */
export type ChildAnswer =
  | { type: 'progress'; read: number; total: number | null }
  | { type: 'parsed'; parsed: ParsedTrace }
  | ({ type: 'replayed' } & ChildReplay)
  | { type: 'error'; error: ErrorShape };

/** The compiled child script, or null (run from TypeScript sources, as the tests do: the work runs in-process). */
export function childScript(): string | null {
  const url = new URL('./stream-child.js', import.meta.url);
  if (url.protocol !== 'file:') return null;
  const file = fileURLToPath(url);
  return existsSync(file) ? file : null;
}

/** An error with the name, message and own fields of `e` (for the other side of the boundary). */
export function errorShape(e: unknown): ErrorShape {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(e))
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

function errorOf(s: ErrorShape): Error {
  const e = Object.assign(new Error(s.message), s.fields);
  e.name = s.name;
  if (s.stack) e.stack = s.stack;
  return e;
}

/**
 * Run `request` in a child process (`script`: childScript()) and resolve with its answer once it has exited — its
 * memory is the system's again before the caller goes on.
 */
function inChild(
  script: string,
  request: ChildRequest,
  onProgress?: LoadOptions['onProgress'],
  signal?: AbortSignal,
): Promise<ChildAnswer> {
  // the parent's debugger flags would make the child listen on the same port
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  const child = fork(script, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  const abort = (): void => void child.kill('SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });
  return new Promise<ChildAnswer>((resolve, reject) => {
    let answer: ChildAnswer | null = null;
    child.on('message', (m: ChildAnswer) => {
      if (m.type === 'progress') onProgress?.(m.read, m.total);
      else answer = m;
    });
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      const a = answer as ChildAnswer | null;
      if (a?.type === 'error') reject(errorOf(a.error));
      else if (a) resolve(a);
      else reject(new Error(`the ${request.type} process ended (${sig ?? `exit ${code}`}) without an answer`));
    });
    child.send(request);
  });
}

/** stream-parse.ts parseTrace in a child process. */
export async function parseInChild(
  script: string,
  request: { dir: string; traces: string[]; tuning: ParseTuning },
  opts: LoadOptions,
): Promise<ParsedTrace> {
  const { onProgress, signal, ...plain } = opts;
  const progress = onProgress !== undefined;
  const a = await inChild(script, { type: 'parse', ...request, opts: plain, progress }, onProgress, signal);
  if (a.type !== 'parsed') throw new Error(`the parse process answered ${a.type}`);
  return a.parsed;
}

/** replayArrowFile (its lists spilled) in a child process. */
export async function replayInChild(script: string, arrowFile: string, options: ReplayOptions): Promise<ChildReplay> {
  const a = await inChild(script, { type: 'replay', arrowFile, options });
  if (a.type !== 'replayed') throw new Error(`the replay process answered ${a.type}`);
  return { result: a.result, replayMs: a.replayMs };
}
