/**
 * `txreplay capture` run from the CLI's build in the background, for the capture tests (capture.test.ts,
 * dev-filter.test.ts).
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const cliMain = join(repoRoot, 'packages/cli/dist/main.js');

export interface CliRun {
  /** resolves when the CLI says the tracer is attached (or when it exits first) */
  attached: Promise<void>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  pid: number;
}

/** Start `txreplay capture ARGS` in the background with `env` over this process's environment. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [cliMain, 'capture', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  let onAttach: () => void = () => {};
  const attached = new Promise<void>((res) => (onAttach = res));
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (/attached/.test(stderr)) onAttach();
  });
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) =>
    child.on('close', (code) => {
      onAttach();
      res({ code, stdout, stderr });
    }),
  );
  return { attached, exit, pid: child.pid ?? -1 };
}
