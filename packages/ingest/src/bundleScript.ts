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
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { readScriptWithCache } from './script-cache.js';

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
  const { source, cachedData, cacheFile } = readScriptWithCache(file, HEADER, 'scripts/bundle-ingest.mjs', (hash) =>
    path.join(dist, 'bundle', `ingest-${hash}.v8cache`),
  );
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
