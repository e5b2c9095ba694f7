/**
 * Loads the program (./program.ts) the fast way when it is built: `pnpm build` (scripts/bundle-cli.mjs) bundles it
 * as one classic script, dist/bundle/program.cjs, and records V8's code cache of it after a run of `diagnose`.
 * Node 20 caches no compiled code for ES modules; a script compiled through vm.Script with `cachedData` skips
 * parsing and compiling what the cache holds (the functions a diagnose ran), which was most of a small diagnose's
 * start-up after node's own (README "Start-up").
 *
 * The cache is used only when it fits: its file is named after a hash of the script (the script's first line), and
 * V8 rejects it itself when it was made by another V8 or with other V8 flags; a rejected or missing cache only costs
 * the compile. TXREPLAY_CODE_CACHE=0 compiles without it (A/B runs); TXREPLAY_CODE_CACHE=write writes it again when
 * the process exits, with what this run compiled added (the build does so). Without the bundle (tsc's output run
 * unbundled) the program is imported.
 *
 * The modules the entry has already loaded (signal handling, exit codes, faults, progress: ./run.ts and what it
 * imports) are handed to the script, not bundled into it again: one signal handler, one CliError class.
 */
import { readScriptWithCache } from '@txreplay/ingest/script-cache';
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import * as exit from './exit.js';
import * as faults from './faults.js';
import * as progress from './progress.js';
import * as run from './run.js';
import * as stdio from './stdio.js';
import * as version from './version.js';

/** What the script requires as `txreplay-host:<name>` (scripts/bundle-cli.mjs): the entry's own modules. */
const HOST_MODULES: Readonly<Record<string, unknown>> = { exit, faults, progress, run, stdio, version };

/** The script's first line: `//txreplay-program <hash>` (the hash names its code cache). */
const HEADER = /^\/\/txreplay-program ([0-9a-f]+)\n/;

interface ProgramModule {
  runProgram(): Promise<void>;
}

/**
 * A require for the script (node builtins; packages resolved from the entry's directory, where the script's
 * directory resolves them too): the entry's own when it is CommonJS (the `txreplay` bin, dist/main.cjs), else
 * node:module's createRequire (which also loads node's source-map support: the CommonJS entry saves it).
 */
async function entryRequire(): Promise<NodeJS.Require> {
  // __filename, not require: an ES module bundle has a require stand-in that throws
  if (typeof __filename === 'string') return require;
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url);
}

/**
 * Where @txreplay/ingest's dist lies: found the way node finds the package (node_modules upwards from the script's
 * directory, its real path), else through require.resolve — which for a package with `exports` loads node's ES
 * module resolver, a few ms of every small diagnose for one path.
 */
function ingestDistOf(dir: string, packageRequire: NodeJS.Require): string {
  for (let d = dir; ; d = path.dirname(d)) {
    const pkg = path.join(d, 'node_modules', '@txreplay', 'ingest');
    if (existsSync(path.join(pkg, 'package.json'))) return path.join(realpathSync.native(pkg), 'dist');
    if (path.dirname(d) === d) break;
  }
  return path.join(path.dirname(packageRequire.resolve('@txreplay/ingest/package.json')), 'dist');
}

/** The bundled program, compiled with its code cache when that fits; null when it is not built. */
async function bundledProgram(): Promise<ProgramModule | null> {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bundle');
  const file = path.join(dir, 'program.cjs');
  if (!existsSync(file)) return null;
  const { source, cachedData, cacheFile } = readScriptWithCache(file, HEADER, 'scripts/bundle-cli.mjs', (hash) =>
    path.join(path.dirname(file), `program-${hash}.v8cache`),
  );
  const mode = process.env.TXREPLAY_CODE_CACHE;
  const script = new vm.Script(source, { filename: file, cachedData });
  if (mode === 'write') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  const packageRequire = await entryRequire();
  const requireInScript = (id: string): unknown => {
    if (!id.startsWith('txreplay-host:')) return packageRequire(id);
    const host = HOST_MODULES[id.slice('txreplay-host:'.length)];
    if (host === undefined) throw new Error(`${file} requires ${id}, which the entry does not provide (cold-start.ts)`);
    return host;
  };
  // ingest's modules that find files next to themselves (lines.wasm, parseWorker.js) are bundled: their
  // import.meta.url is the file they were bundled from, in the installed @txreplay/ingest
  let ingestDist: string | undefined;
  const ingestUrl = (rel: string): string =>
    pathToFileURL(path.join((ingestDist ??= ingestDistOf(dir, packageRequire)), rel)).href;
  // the script's import() (of packages: chDB, apache-arrow, …; of a ./file beside it) is made here, through
  // node's ES module loader: vm's own hook for it is experimental in Node 20 and not kept with a code cache
  const importInScript = (id: string): Promise<unknown> =>
    import(id.startsWith('./') ? pathToFileURL(path.join(dir, id)).href : id);
  const module = { exports: {} as ProgramModule };
  const wrapper = script.runInThisContext() as (
    module: { exports: ProgramModule },
    require: (id: string) => unknown,
    ingestUrl: (rel: string) => string,
    importFn: (id: string) => Promise<unknown>,
  ) => void;
  wrapper(module, requireInScript, ingestUrl, importInScript);
  return module.exports;
}

/** Run the program: the bundled script when built, else the modules as tsc wrote them. */
export async function startProgram(): Promise<void> {
  const program = (await bundledProgram()) ?? ((await import('./program.js')) as ProgramModule);
  await program.runProgram();
}
