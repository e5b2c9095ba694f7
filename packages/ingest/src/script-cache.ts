/**
 * A bundled classic script's text and its V8 code cache, both read through ONE buffer: the text is copied into a
 * string before the cache is read over it. Every page of fresh memory is a page fault (~13–14 µs each on the bench VM):
 * read apart, the second buffer was ~130 of a small diagnose's faults and ~380 of every `txreplay ingest`'s. Shared by
 * ingest's library script (./bundleScript.ts) and the CLI's program script (packages/cli/src/cold-start.ts, which
 * bundles this file into its entry: node builtins only, so the CLI's start-up loads nothing of ingest).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export interface ScriptWithCache {
  /** the script's text (latin1: the builds make it ASCII, and a one-byte string is what V8 compiles fastest) */
  source: string;
  /** its code cache; undefined when there is none or TXREPLAY_CODE_CACHE=0 */
  cachedData: Buffer | undefined;
  /** where the cache is (written there with TXREPLAY_CODE_CACHE=write) */
  cacheFile: string;
}

/** Read `bytes` bytes of `fd` into `buf` from its start. */
function readInto(fd: number, buf: Buffer, bytes: number): void {
  for (let at = 0; at < bytes; ) {
    const n = readSync(fd, buf, at, bytes - at, at);
    if (n === 0) throw new Error('file shrank while read');
    at += n;
  }
}

/**
 * `file`'s text and its code cache. `header` matches the script's first line and captures the hash that names the
 * cache (`cacheFileOf(hash)`); `builder` is the build script named in the error when the header is missing.
 */
export function readScriptWithCache(
  file: string,
  header: RegExp,
  builder: string,
  cacheFileOf: (hash: string) => string,
): ScriptWithCache {
  const fd = openSync(file, 'r');
  try {
    const sourceBytes = fstatSync(fd).size;
    const head = Buffer.alloc(64);
    const hash = header.exec(head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0)))?.[1];
    if (hash === undefined) throw new Error(`${file}: not built by ${builder} (no header line)`);
    const cacheFile = cacheFileOf(hash);
    const cacheBytes =
      process.env.TXREPLAY_CODE_CACHE === '0' ? 0 : (statSync(cacheFile, { throwIfNoEntry: false })?.size ?? 0);
    const buf = Buffer.allocUnsafeSlow(Math.max(sourceBytes, cacheBytes));
    readInto(fd, buf, sourceBytes);
    const source = buf.toString('latin1', 0, sourceBytes);
    if (cacheBytes === 0) return { source, cachedData: undefined, cacheFile };
    const cacheFd = openSync(cacheFile, 'r');
    try {
      readInto(cacheFd, buf, cacheBytes);
    } finally {
      closeSync(cacheFd);
    }
    return { source, cachedData: buf.subarray(0, cacheBytes), cacheFile };
  } finally {
    closeSync(fd);
  }
}
