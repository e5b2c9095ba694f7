/**
 * Querying an embedded store on a read-only file system (a mounted backup, a colleague's directory): chDB
 * writes a `status` file (and its temporary files) into its data directory when it opens, so it cannot open
 * the directory itself. It opens a mirror instead: the same tree of directories in a temporary directory,
 * every file a symbolic link to the original, the store's own symlinks (Atomic database → store/<uuid>)
 * pointing into the mirror. Reading follows the links; anything chDB writes lands in the mirror. The mirror
 * is removed when the process exits, also on a signal.
 */
import {
  accessSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** True when `dir` exists and cannot be written (read-only mount, no permission). */
export function isReadOnlyDir(dir: string): boolean {
  try {
    if (!lstatSync(dir).isDirectory()) return false;
  } catch {
    return false; // missing: the store creates it
  }
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

function mirrorTree(root: string, mirror: string, from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) mirrorTree(root, mirror, src, dst);
    else if (e.isSymbolicLink()) {
      const target = path.resolve(path.dirname(src), readlinkSync(src));
      const inside = path.relative(root, target);
      symlinkSync(inside.startsWith('..') || path.isAbsolute(inside) ? target : path.join(mirror, inside), dst);
    } else symlinkSync(src, dst);
  }
}

/** A temporary symlink mirror of the read-only store `dir`, removed at exit; its path. */
export function mirrorReadOnlyStore(dir: string): string {
  const mirror = mkdtempSync(path.join(tmpdir(), 'txreplay-ro-store-'));
  process.on('exit', () => rmSync(mirror, { recursive: true, force: true }));
  mirrorTree(path.resolve(dir), mirror, path.resolve(dir), mirror);
  return mirror;
}
