/**
 * The one writer for every file txreplay writes (ingest's Arrow/Parquet, query and export outputs, report's HTML,
 * Markdown and CSV). What a path names decides how it is written, so nothing the user has is clobbered:
 * - a regular file (or a new name): a temp file beside it (`.<name>.txreplay-<pid>-<n>.tmp`), fsync, rename over
 *   the target, fsync of the directory; the temp is removed on error, abort and process exit;
 * - a symlink: written through to its final target (the link stays; `-o /dev/stdout` never replaces the link);
 * - `-`, /dev/stdout, /dev/fd/N, FIFOs, character devices and sockets: streamed, in order, no temp;
 * - a directory, a missing parent directory, or one of the inputs (same device and inode): refused with one
 *   sentence naming the path; parent directories are never created.
 * A temp whose writer was SIGKILLed cannot be removed by it: the next atomic write into that directory removes
 * every txreplay temp whose pid is no longer alive (./stale-temps.ts).
 */
import { constants, unlinkSync, writevSync } from 'node:fs';
import { lstat, open, readlink, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError, outputError } from './output-error.js';
import { removeStaleTemps, tempName } from './stale-temps.js';

export { OutputError } from './output-error.js';

export interface OutputOptions {
  /** input paths of the command: an output that is one of them is refused */
  inputs?: readonly string[];
}

export interface Output {
  /** the path as the user gave it (`-` for stdout) */
  readonly path: string;
  /** streamed (stdout, FIFO, device): no temp, no rename, bytes already delivered cannot be taken back */
  readonly streamed: boolean;
  /** true when the bytes go to this process's stdout (the command prints its summary to stderr instead) */
  readonly toStdout: boolean;
  write(data: string | Uint8Array | readonly Uint8Array[]): Promise<void>;
  /**
   * Write every byte before returning (a regular file only; undefined for a stream): the caller may change the
   * buffers as soon as it returns. Never while a write() is pending.
   */
  writeNow?: (chunks: readonly Uint8Array[]) => void;
  /** flush, fsync, rename into place */
  commit(): Promise<void>;
  /** drop what was written (removes the temp; a stream is just closed) */
  abort(): Promise<void>;
}

type Target =
  | { kind: 'fd'; fd: 1 | 2 }
  | { kind: 'stream'; file: string }
  | { kind: 'file'; file: string; exists: boolean };

/** `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1` (and stderr): the descriptor itself, not a reopened path. */
function stdFdOf(p: string): 1 | 2 | null {
  const m = /^\/(?:dev|proc\/self|proc\/\d+)\/(?:fd\/)?(stdout|stderr|1|2)$/.exec(p);
  if (m === null) return null;
  if (/^\/proc\/\d+\//.test(p) && !p.startsWith(`/proc/${process.pid}/`)) return null;
  return m[1] === 'stdout' || m[1] === '1' ? 1 : 2;
}

/** Follow symlinks (at most 40, as the kernel's MAXSYMLINKS) to what the path finally names. */
async function resolveTarget(given: string): Promise<Target> {
  if (given === '-') return { kind: 'fd', fd: 1 };
  let p = resolve(given);
  for (let hops = 0; hops <= 40; hops++) {
    const fd = stdFdOf(p);
    if (fd !== null) return { kind: 'fd', fd };
    const st = await lstat(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
      throw outputError(given, e);
    });
    if (st === null) {
      await parentMustExist(given, p);
      return { kind: 'file', file: p, exists: false };
    }
    if (st.isSymbolicLink()) {
      p = resolve(dirname(p), await readlink(p));
      continue;
    }
    if (st.isDirectory()) throw new OutputError(given, 'EISDIR', `cannot write ${given}: it is a directory.`);
    if (st.isFile()) return { kind: 'file', file: p, exists: true };
    return { kind: 'stream', file: p };
  }
  throw new OutputError(given, 'ELOOP', `cannot write ${given}: too many levels of symbolic links.`);
}

async function parentMustExist(given: string, p: string): Promise<void> {
  const dir = dirname(p);
  const st = await stat(dir).catch(() => null);
  if (st === null)
    throw new OutputError(
      given,
      'ENOENT',
      `cannot write ${given}: the directory ${dir} does not exist (create it first).`,
    );
  if (!st.isDirectory()) throw new OutputError(given, 'ENOTDIR', `cannot write ${given}: ${dir} is not a directory.`);
}

/** Refuse an output that is one of the inputs (same device and inode: hard links and other spellings too). */
async function refuseInput(given: string, opts: OutputOptions): Promise<void> {
  const out = await stat(given === '-' ? '/dev/stdout' : given).catch(() => null);
  if (out === null || !out.isFile()) return;
  for (const input of opts.inputs ?? []) {
    if (input === '-') continue;
    const st = await stat(input).catch(() => null);
    if (st !== null && st.dev === out.dev && st.ino === out.ino)
      throw new OutputError(
        given,
        'EINVAL',
        `refusing to write ${given}: it is the input ${input}; choose another output file.`,
      );
  }
}

/** Open the output `given` names (see the file comment); nothing is changed on disk until commit(). */
export async function openOutput(given: string, opts: OutputOptions = {}): Promise<Output> {
  const target = await resolveTarget(given);
  await refuseInput(given, opts);
  if (target.kind === 'fd') return fdOutput(given, target.fd);
  if (target.kind === 'stream') {
    const fh = await open(target.file, constants.O_WRONLY).catch((e: NodeJS.ErrnoException) => {
      throw outputError(given, e);
    });
    return handleOutput(given, fh, null);
  }
  const dir = dirname(target.file);
  await removeStaleTemps(dir);
  const tmp = join(dir, tempName(basename(target.file)));
  const fh = await open(tmp, 'wx', 0o666).catch((e: NodeJS.ErrnoException) => {
    throw outputError(given, e);
  });
  liveTemps.add(tmp);
  return handleOutput(given, fh, { tmp, file: target.file, dir });
}

/** Temps of this process not yet renamed: removed at exit (process.exit after Ctrl-C skips the finally blocks). */
const liveTemps = new Set<string>();
process.on('exit', () => {
  for (const t of liveTemps) {
    try {
      unlinkSync(t);
    } catch {
      // already gone
    }
  }
});

/** Bytes between two background datasyncs: the final fsync then waits only for the tail. */
const SYNC_EVERY_BYTES = 32 << 20;
/** Buffers per writev call (below every platform's IOV_MAX). */
const WRITEV_MAX = 512;

function toChunks(data: string | Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  if (data instanceof Uint8Array) return [data];
  return [...data];
}

/** Write every byte (writev may write less than asked: the rest goes in further calls). */
async function writeAll(fh: FileHandle, chunks: Uint8Array[]): Promise<number> {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  let left = total;
  let list = chunks;
  while (left > 0) {
    const { bytesWritten } = await fh.writev(list);
    left -= bytesWritten;
    if (left === 0) break;
    list = unwritten(list, bytesWritten);
  }
  return total;
}

/** writeAll in this thread: the bytes are in the file (the page cache) when it returns. */
function writeAllNow(fd: number, chunks: readonly Uint8Array[]): number {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  let left = total;
  let list = chunks.slice(0, WRITEV_MAX);
  let next = list.length;
  while (left > 0) {
    const n = writevSync(fd, list);
    left -= n;
    list = unwritten(list, n);
    // more than IOV_MAX buffers: the next ones as the first go out
    while (list.length < WRITEV_MAX && next < chunks.length) list.push(chunks[next++]!);
  }
  return total;
}

/** The buffers of `list` past its first `written` bytes. */
function unwritten(list: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const c of list) {
    if (written >= c.byteLength) written -= c.byteLength;
    else {
      rest.push(written > 0 ? c.subarray(written) : c);
      written = 0;
    }
  }
  return rest;
}

function handleOutput(
  given: string,
  fh: FileHandle,
  atomic: { tmp: string; file: string; dir: string } | null,
): Output {
  let closed = false;
  let syncing: Promise<void> | null = null;
  let syncError: unknown = null;
  let unsynced = 0;
  const fail = (e: unknown): never => {
    throw outputError(given, e as NodeJS.ErrnoException);
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  /** writes in flight: writeNow must not overtake one */
  let writing = 0;
  const written = (bytes: number): void => {
    unsynced += bytes;
    if (atomic !== null && unsynced >= SYNC_EVERY_BYTES && syncing === null) {
      unsynced = 0;
      syncing = fh.datasync().then(
        () => void (syncing = null),
        (err: unknown) => {
          syncError = err;
          syncing = null;
        },
      );
    }
  };
  return {
    path: given,
    streamed: atomic === null,
    toStdout: false,
    async write(data) {
      if (syncError !== null) fail(syncError);
      const chunks = toChunks(data);
      writing++;
      try {
        for (let k = 0; k < chunks.length; k += WRITEV_MAX)
          written(await writeAll(fh, chunks.slice(k, k + WRITEV_MAX)).catch(fail));
      } finally {
        writing--;
      }
    },
    // a regular file: the batch's bytes straight from its buffers, which the caller reuses right after (../io/binary.ts)
    writeNow:
      atomic === null
        ? undefined
        : (chunks) => {
            if (syncError !== null) fail(syncError);
            if (writing > 0) throw new Error(`${given}: writeNow while a write is in flight`);
            try {
              written(writeAllNow(fh.fd, chunks));
            } catch (e) {
              fail(e);
            }
          },
    async commit() {
      await syncing;
      if (syncError !== null) fail(syncError);
      if (atomic === null) return close().catch(fail);
      await fh.sync().catch(fail);
      await close().catch(fail);
      await rename(atomic.tmp, atomic.file).catch(fail);
      liveTemps.delete(atomic.tmp);
      await syncDir(atomic.dir);
    },
    async abort() {
      await syncing;
      await close().catch(() => undefined);
      if (atomic === null) return;
      await rm(atomic.tmp, { force: true });
      liveTemps.delete(atomic.tmp);
    },
  };
}

async function syncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    await d.sync().catch(() => undefined);
    await d.close();
  } catch {
    // directories cannot be opened for fsync on every platform; the rename is still atomic
  }
}

/** stdout/stderr through Node's own stream (a pipe's descriptor is non-blocking under Node: no raw writes). */
function fdOutput(given: string, fd: 1 | 2): Output {
  const stream = fd === 1 ? process.stdout : process.stderr;
  const name = fd === 1 ? 'stdout' : 'stderr';
  const writeOne = (chunk: Uint8Array): Promise<void> =>
    new Promise((ok, ko) => {
      const onError = (e: NodeJS.ErrnoException): void => ko(outputError(name, e));
      stream.once('error', onError);
      stream.write(chunk, (err) => {
        stream.off('error', onError);
        if (err) ko(outputError(name, err as NodeJS.ErrnoException));
        else ok();
      });
    });
  return {
    path: given,
    streamed: true,
    toStdout: fd === 1,
    async write(data) {
      for (const c of toChunks(data)) if (c.byteLength > 0) await writeOne(c);
    },
    async commit() {},
    async abort() {},
  };
}

/** The data of a whole output: text, bytes, or chunks as they are produced. */
export type OutputData = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/**
 * Write one whole output the safe way (openOutput + write + commit; abort on any error). Text is UTF-8.
 * E.g. `await writeOutputFile(opts.html, html)` or `await writeOutputFile(file, csvChunks, { inputs })`.
 */
export async function writeOutputFile(path: string, data: OutputData, opts: OutputOptions = {}): Promise<void> {
  const out = await openOutput(path, opts);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await out.write(data);
    else if (Symbol.asyncIterator in data) for await (const c of data) await out.write(c);
    else for (const c of data) await out.write(c);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
}
