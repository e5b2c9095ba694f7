/**
 * The parse of a streamed `report` in a child process of its own (stream-child.ts), so that none of its memory is
 * left in this one when chDB loads: after a 1 GB parse in this process, with every batch and buffer released, it
 * still held ~95 MiB more anonymous memory than a fresh one (V8's young generation grown to 32 MiB, freed malloc
 * memory the allocator kept: glibc's mmap threshold follows the largest buffer freed, so later buffers come from its
 * arenas, which it does not give back) — and the events insert and the replay came on top of it, the run's peak. A
 * process gives everything back when it exits. The child writes the same files (stream-parse.ts) and answers with
 * the same plain data; its errors come back with their name, message and fields (the CLI matches errors by name).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadOptions } from '@txreplay/ingest';
import type { ReplayOptions, ReplayResult } from '@txreplay/replay';
import type { ParsedTrace, ParseTuning } from './stream-parse.js';

/** What the child is sent: the parse to run (LoadOptions without its callbacks; `progress`: report it back). */
export interface ParseRequest {
  dir: string;
  traces: string[];
  opts: Omit<LoadOptions, 'onProgress' | 'signal'>;
  tuning: ParseTuning;
  progress: boolean;
}

/** An error as it crosses the process boundary. */
export interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, string | number | boolean>;
}

/** What the child answers: progress of the read, the parse, then (when asked) the replay of its file; or an error. */
export type ParseAnswer =
  | { type: 'progress'; read: number; total: number | null }
  | { type: 'parsed'; parsed: ParsedTrace }
  | { type: 'replayed'; result: ReplayResult; replayMs: number }
  | { type: 'error'; error: ErrorShape };

/** What the child is told once it has parsed: replay the file it wrote (with these options), or end. */
export type AfterParse = { type: 'replay'; options: ReplayOptions } | { type: 'end' };

/** The child's work: the parse, and the replay when `afterParse` asked for one. */
export interface ChildParse {
  parsed: ParsedTrace;
  replayed: { result: ReplayResult; replayMs: number } | null;
}

/** The compiled child script, or null (run from TypeScript sources, as the tests do: the parse runs in-process). */
export function parseChildScript(): string | null {
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
 * Run the parse in a child process (`script`: parseChildScript()); `afterParse` is called when the parse is done (the
 * caller starts what needs only the parse) and its options, if any, have the child replay the Arrow file it wrote
 * before it exits: the replay's memory goes with the parse's. Resolves once the child has answered and exited — its
 * memory is the system's again before the caller goes on.
 */
export function parseInChild(
  script: string,
  request: Omit<ParseRequest, 'progress' | 'opts'>,
  opts: LoadOptions,
  afterParse: (parsed: ParsedTrace) => ReplayOptions | null = () => null,
): Promise<ChildParse> {
  const { onProgress, signal, ...plain } = opts;
  // the parent's debugger flags would make the child listen on the same port
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  const child = fork(script, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  const abort = (): void => void child.kill('SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });
  return new Promise<ChildParse>((resolve, reject) => {
    let parsed: ParsedTrace | null = null;
    let replayed: ChildParse['replayed'] = null;
    let failed: Error | null = null;
    child.on('message', (m: ParseAnswer) => {
      if (m.type === 'progress') onProgress?.(m.read, m.total);
      else if (m.type === 'error') failed = errorOf(m.error);
      else if (m.type === 'replayed') replayed = { result: m.result, replayMs: m.replayMs };
      else {
        parsed = m.parsed;
        let next: AfterParse = { type: 'end' };
        try {
          const options = afterParse(m.parsed);
          if (options) next = { type: 'replay', options };
        } catch (e) {
          failed = e instanceof Error ? e : new Error(String(e));
        }
        child.send(next);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      if (failed) reject(failed);
      else if (parsed) resolve({ parsed, replayed });
      else reject(new Error(`the parse process ended (${sig ?? `exit ${code}`}) without an answer`));
    });
    const message: ParseRequest = { ...request, opts: plain, progress: onProgress !== undefined };
    child.send(message);
  });
}
