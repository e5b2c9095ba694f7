/**
 * Temps of the output writer (./output.ts) are named `.<name>.txreplay-<pid>-<n>.tmp`, so a writer killed with
 * SIGKILL (no handler runs) leaves a temp that says whose it was. The next atomic write into the same directory
 * removes every such temp whose pid is not a live process (kill(pid, 0) fails with ESRCH). A live pid keeps its
 * temp, even if the pid was reused by another program: removing a file someone may still write is worse.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP = /^\..+\.txreplay-(\d+)-\d+\.tmp$/;
let serial = 0;

/** Name of a new temp for `base` in the same directory. */
export function tempName(base: string): string {
  return `.${base}.txreplay-${process.pid}-${serial++}.tmp`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the temps of dead txreplay writers in `dir` (best effort: an unreadable directory is left alone). */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    await rm(join(dir, name), { force: true }).then(
      () => void removed.push(name),
      () => undefined,
    );
  }
  return removed;
}
