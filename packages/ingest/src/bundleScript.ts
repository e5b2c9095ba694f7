/**
 * Loads `txreplay ingest`'s library the fast way: scripts/bundle-ingest.mjs bundles ingest and apache-arrow as one
 * classic script, dist/bundle/ingest.cjs, and records V8's code cache of it after ingesting a perf.data, a trace.dat
 * and a perf-script text. Node 20 caches no compiled code for ES modules: compiling the ~0.9 MB of the ES module
 * bundle was ~40–80 ms of every `txreplay ingest` (ingest README "Speed"); a script compiled through vm.Script with
 * `cachedData` skips parsing and compiling what the cache holds. The generated dist/bundle.js
 * (`@txreplay/ingest/bundle`) re-exports what this returns under the package entry's names.
 *
 * The cache is used only when it fits: its file is named after a hash of the script (the script's first line), and
 * V8 rejects it itself when another V8 or other V8 flags made it; a rejected or missing cache only costs the compile.
 * TXREPLAY_CODE_CACHE=0 compiles without it (A/B runs); TXREPLAY_CODE_CACHE=write writes it again when the process
 * exits, with what this run compiled added (the build does so) — the same switch as the CLI's own script
 * (packages/cli/src/cold-start.ts).
 */
import { closeSync, fstatSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** The script's first line: `//txreplay-ingest <hash>` (the hash names its code cache). */
const HEADER = /^\/\/txreplay-ingest ([0-9a-f]+)\n/;

/** What the script is called with (scripts/bundle-ingest.mjs wraps the bundle in a function of these). */
type ScriptWrapper = (
  module: { exports: Record<string, unknown> },
  require: NodeJS.Require,
  /** the file URL of one of this package's dist modules (the three that find files next to themselves) */
  ingestUrl: (rel: string) => string,
  /** import() for the script: vm's own hook for it is experimental in Node 20 and not kept with a code cache */
  importFn: (id: string) => Promise<unknown>,
) => void;

/**
 * The bundled library's exports (the names of ./index.ts), compiled with its code cache when that fits. `dist`: the
 * package's built directory (default: this module's, as the generated dist/bundle.js runs it; tests run the source).
 */
export function loadIngestScript(dist = path.dirname(fileURLToPath(import.meta.url))): Record<string, unknown> {
  const file = path.join(dist, 'bundle', 'ingest.cjs');
  const { source, cachedData, cacheFile } = readScript(file, dist);
  const mode = process.env.TXREPLAY_CODE_CACHE;
  const script = new vm.Script(source, { filename: file, cachedData });
  if (mode === 'write') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as ScriptWrapper;
  // node builtins only: apache-arrow and fzstd are inside the script; the WebAssembly packages come by import()
  // from here (this module's directory resolves them as the bundle's would)
  wrapper(
    module,
    createRequire(path.join(dist, 'bundle.js')),
    (rel) => pathToFileURL(path.join(dist, rel)).href,
    (id) => import(id),
  );
  return module.exports;
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
 * The script's text and its code cache (undefined: none, or TXREPLAY_CODE_CACHE=0), both read through ONE buffer, as
 * the CLI reads its own script (packages/cli/src/cold-start.ts): the text is copied into a string before the cache
 * is read over it. Read apart (a buffer for the text, another for the cache), they took ~380 more fresh pages, a
 * page fault each (~13 µs on the bench VM) at the start of every `txreplay ingest`.
 */
function readScript(file: string, dist: string): { source: string; cachedData: Buffer | undefined; cacheFile: string } {
  const fd = openSync(file, 'r');
  try {
    const sourceBytes = fstatSync(fd).size;
    const head = Buffer.alloc(64);
    const hash = HEADER.exec(head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0)))?.[1];
    if (hash === undefined) throw new Error(`${file}: not built by scripts/bundle-ingest.mjs (no header line)`);
    const cacheFile = path.join(dist, 'bundle', `ingest-${hash}.v8cache`);
    const cacheBytes =
      process.env.TXREPLAY_CODE_CACHE === '0' ? 0 : (statSync(cacheFile, { throwIfNoEntry: false })?.size ?? 0);
    const buf = Buffer.allocUnsafeSlow(Math.max(sourceBytes, cacheBytes));
    readInto(fd, buf, sourceBytes);
    // latin1: the build makes the script ASCII, and a one-byte string is what V8 compiles fastest
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
