/**
 * Faults of the files the user names, in one sentence with the path: an input that is missing, a directory
 * or unreadable, and an output whose directory is missing, are checked before any work starts (the same
 * message and exit code in every command); errors the libraries throw later (errno, zlib) are turned into the
 * same sentences by run.ts (describeError).
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from './exit.js';

/** errno → what it means for a file the user named, and the exit code (./exit.ts). */
const ERRNO: Readonly<Record<string, { what: string; exit: number }>> = {
  ENOENT: { what: 'no such file or directory', exit: EXIT.usage },
  ENOTDIR: { what: 'a part of the path is not a directory', exit: EXIT.usage },
  EISDIR: { what: 'is a directory, not a file', exit: EXIT.usage },
  EACCES: { what: 'permission denied', exit: EXIT.usage },
  EPERM: { what: 'operation not permitted', exit: EXIT.usage },
  ELOOP: { what: 'too many levels of symbolic links', exit: EXIT.usage },
  ENAMETOOLONG: { what: 'file name too long', exit: EXIT.usage },
  EROFS: { what: 'read-only file system', exit: EXIT.cannotWrite },
  ENOSPC: { what: 'no space left on the device', exit: EXIT.cannotWrite },
  EDQUOT: { what: 'disk quota exceeded', exit: EXIT.cannotWrite },
  EFBIG: { what: 'file too large', exit: EXIT.cannotWrite },
  EIO: { what: 'input/output error', exit: EXIT.cannotWrite },
};

/** A file-system error as one sentence with its path, or null when it is not one. */
export function describeErrno(err: NodeJS.ErrnoException, fallbackPath?: string): CliError | null {
  const known = err.code === undefined ? undefined : ERRNO[err.code];
  if (!known) return null;
  const where = err.path ?? (err as { dest?: string }).dest ?? fallbackPath;
  return new CliError(known.exit, where ? `${where}: ${known.what}` : `${known.what} (${err.message})`);
}

/**
 * Inputs named on the command line ('-' is stdin): each must exist, be a file (or a FIFO/device) and be
 * readable. A directory is refused in one sentence instead of a raw EISDIR from the first read.
 */
export function checkInputs(paths: readonly string[], what = 'input'): void {
  for (const p of paths) {
    if (p === '-') continue;
    let isDir: boolean;
    try {
      isDir = statSync(p, { bigint: true }).isDirectory();
      accessSync(p, constants.R_OK);
    } catch (err) {
      const e = describeErrno(err as NodeJS.ErrnoException, p);
      if (e) throw new CliError(e.exitCode, `${what} ${e.message}`);
      throw err;
    }
    if (isDir) throw new CliError(EXIT.usage, `${what} ${p} is a directory: name the files in it`);
  }
}

/**
 * An output file: its directory must exist (it is never created) and the output itself must not be a
 * directory. '-' and character devices such as /dev/stdout are streamed by the writer and pass.
 */
/*
 * Every stat here is a bigint stat: a plain statSync of a FIFO or a pipe (`-o /dev/stdout` into `| cat`, `diagnose
 * <(perf script)`) made Node 20's ESM loader fail to resolve the modules imported after it (apache-arrow's tslib,
 * flatbuffers: ERR_MODULE_NOT_FOUND); the bigint variant does not (tested in output-cli.test.ts: FIFO, /dev/stdout).
 */
export function checkOutput(file: string | undefined, flag: string): void {
  if (file === undefined || file === '-') return;
  const dir = path.dirname(path.resolve(file));
  let dirOk = false;
  try {
    dirOk = statSync(dir).isDirectory();
  } catch {
    /* missing: said below */
  }
  if (!dirOk) throw new CliError(EXIT.usage, `${flag} ${file}: directory ${dir} does not exist (it is not created)`);
  try {
    if (statSync(file, { bigint: true }).isDirectory())
      throw new CliError(EXIT.usage, `${flag} ${file} is a directory, not a file`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    /* does not exist yet: the usual case */
  }
}

/** The inputs that start with the gzip magic (1f 8b), to name in a zlib error that names none. */
export function gzipInputs(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') continue;
    try {
      const fd = openSync(p, 'r');
      const head = Buffer.alloc(2);
      try {
        readSync(fd, head, 0, 2, 0);
      } finally {
        closeSync(fd);
      }
      if (head[0] === 0x1f && head[1] === 0x8b) out.push(p);
    } catch {
      /* unreadable now: not ours to name */
    }
  }
  return out;
}

/** An output directory (export --csv DIR): it may be created, its parent must exist; if it exists it is a directory. */
export function checkOutputDir(dir: string, flag: string): void {
  const parent = path.dirname(path.resolve(dir));
  let parentOk = false;
  try {
    parentOk = statSync(parent).isDirectory();
  } catch {
    /* missing: said below */
  }
  if (!parentOk)
    throw new CliError(EXIT.usage, `${flag} ${dir}: directory ${parent} does not exist (it is not created)`);
  try {
    if (!statSync(dir).isDirectory()) throw new CliError(EXIT.usage, `${flag} ${dir} is a file, not a directory`);
  } catch (err) {
    if (err instanceof CliError) throw err;
  }
}
