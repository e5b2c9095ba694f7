/** Which capture tool this machine has, and whether we may use it. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';

export type CaptureTool = 'bpftrace' | 'perf';

/** Absolute path of an executable found in PATH (no process is spawned), or null. */
export function which(name: string, path: string = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** `bpftrace --version` / `perf --version`, first line; null when it cannot be run. */
export function toolVersion(toolPath: string): string | null {
  try {
    return execFileSync(toolPath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]!
      .trim();
  } catch {
    return null;
  }
}

export interface ToolChoice {
  tool: CaptureTool;
  path: string;
}

/**
 * bpftrace is preferred (device filter follows skbs, printf lines carry pointers and symbols as-is); perf is
 * the fallback. Throws a sentence naming what to install when neither exists.
 */
export function chooseTool(wanted?: CaptureTool): ToolChoice {
  const order: CaptureTool[] = wanted ? [wanted] : ['bpftrace', 'perf'];
  for (const tool of order) {
    const path = which(tool);
    if (path) return { tool, path };
  }
  throw new Error(
    wanted
      ? `${wanted} is not installed (or not in PATH); install it (Debian/Ubuntu: apt-get install ${wanted === 'perf' ? 'linux-perf' : 'bpftrace'}) or drop --tool`
      : 'neither bpftrace nor perf is installed (or in PATH); install one (Debian/Ubuntu: apt-get install bpftrace, or linux-perf)',
  );
}

/** Tracing the whole system needs root (CAP_BPF + CAP_PERFMON at least; tracefs is root-only). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
