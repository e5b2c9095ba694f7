#!/usr/bin/env node
/**
 * The cold path of the `txreplay` command (the last step of `pnpm build`, after tsc), built by esbuild:
 *
 * - packages/cli/dist/main.cjs, the entry and the `txreplay` bin (CommonJS; dist/main.js is the same as an ES module):
 *   signal handling, `--version`, and packages/cli/src/cold-start.ts, which loads the program;
 * - packages/cli/dist/bundle/program.cjs, the program as one classic script: the CLI (packages/cli/src/program.ts,
 *   its commands, commander) and the light entries `diagnose` and `replay` run on (@txreplay/replay/plain,
 *   @txreplay/ingest/plain, @txreplay/model/core), with ingest's line kernel and parse pool, whose import.meta.url
 *   becomes their file in the installed @txreplay/ingest (they find lines.wasm and parseWorker.js next to it);
 * - packages/cli/dist/bundle/program-<hash>.v8cache, V8's code cache of that script after a run of `diagnose` on a
 *   small trace of this repository (cold-start.ts uses it when it fits). Node 20 has no compile cache for ES
 *   modules: parsing and compiling the ~500 KB of an ES module bundle was ~30 ms of every small diagnose;
 * - replay's Arrow-file reader is in the script too, with the pieces of apache-arrow it imports by subpath (the
 *   Footer and Message flatbuffers, DataType from apache-arrow/type), loaded when a command reads a .arrow input: it
 *   was an ES module of its own (bundle/arrow-file.js, 258 KB), compiled without a code cache and through node's ES
 *   module loader by every `diagnose x.arrow` (~2 000 page faults more; replay README "Session 14").
 *
 * Loaded from their packages when a command needs them (the script's import() through node's ES module loader):
 * the packages' full entries (@txreplay/ingest, @txreplay/replay, @txreplay/model: the Arrow side, ingest and
 * simulate), apache-arrow, @txreplay/report (chDB, the post-mortem, bulk's threads) and @txreplay/capture. The
 * `ingest` command requires ingest's own bundle (`@txreplay/ingest/bundle`: a classic script with its code cache,
 * apache-arrow inside, scripts/bundle-ingest.mjs) instead of importing the package entry. The CLI matches library errors by name, not class, so a
 * class loaded twice (bundled and from its package) is still matched.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asciiScriptBody } from './lib/classic-script.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'packages/cli');
const bundleDir = path.join(cli, 'dist/bundle');

/** ingest's dist modules that locate files by import.meta.url → their path in ingest's dist */
const IN_PLACE = new Map(
  ['parse/wasmLines.js', 'io/pool.js'].map((rel) => [path.join(root, 'packages/ingest/dist', rel), rel]),
);

/** replay's Arrow-file reader: its apache-arrow subpath imports are bundled (fromPackage) */
const ARROW_FILE = path.join(root, 'packages/replay/dist/input/arrow-file.js');

/** bare imports loaded from their packages (exactly these: their subpaths named above are bundled) */
const FROM_PACKAGE =
  /^(apache-arrow(\/.*)?|@txreplay\/(ingest|replay|model|capture)|@txreplay\/report(\/postmortem|\/bulk-start)?)$/;

/** the `ingest` command's library: ingest and apache-arrow as one script (scripts/bundle-ingest.mjs) */
const INGEST_COMMAND = path.join(cli, 'src/commands/ingest.ts');
const INGEST_BUNDLE = '@txreplay/ingest/bundle';

/** the trace the build runs `diagnose` on to record the code cache (small, plain text, in this repository) */
const WARM_TRACE = path.join(root, 'fixtures/public/19-pfifo-fast-nolock-stuck-skb.perf-script');

/**
 * replay's modules in the script (diagnose.js, text-replay.js) and its Arrow-file reader load ingest's Arrow side (a
 * streamed diagnose: streamEvents; the whole-table paths: loadEvents, readArrowTable) from ingest's bundle too: its
 * package entry is ~150 ES modules (ingest's and apache-arrow's) to resolve, read and compile before the parse workers
 * can start — half a second of a streamed diagnose under load, ~0.3 s of main-thread time more than `ingest`'s start
 * (replay README "Session 9"). What replay hands on from there (tables, batches) it reads through their methods, never
 * through another apache-arrow's classes.
 */
const REPLAY_DIST = path.join(root, 'packages/replay/dist') + path.sep;
const takesIngestBundle = (importer) => importer === INGEST_COMMAND || importer.startsWith(REPLAY_DIST);
const fromPackage = {
  name: 'from-package',
  setup(b) {
    b.onResolve({ filter: FROM_PACKAGE }, (args) =>
      // the apache-arrow pieces the Arrow-file reader imports by subpath are bundled with it: its DataType tests read
      // `typeId` and its schema check compares type names (arrow-file.ts), so another apache-arrow copy's batches read
      // the same
      args.path.startsWith('apache-arrow/') && args.importer === ARROW_FILE
        ? undefined
        : {
            path: args.path === '@txreplay/ingest' && takesIngestBundle(args.importer) ? INGEST_BUNDLE : args.path,
            external: true,
          },
    );
  },
};

/**
 * commander requires node:child_process when it loads, for subcommands that are executables (txreplay has none):
 * loading it (with net, dgram and their streams) was ~10 ms of every command's start-up. commander gets a stand-in
 * that loads the real module on first use (Command._executeSubCommand, childProcess.spawn).
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = { spawn: (...a) => require('node:child_process').spawn(...a) };",
      loader: 'js',
    }));
  },
};

/**
 * The script's own resolution: the entry's modules (`host`: already loaded, handed over by cold-start.ts) become
 * `txreplay-host:<name>`, the Arrow-file reader its ES module next to the script, ingest's in-place modules are
 * bundled with their import.meta.url made their installed file (cold-start.ts passes __txreplayIngestUrl).
 */
function scriptResolution(host) {
  return {
    name: 'script-resolution',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
        const full = path.resolve(args.resolveDir, args.path);
        const ts = full.replace(/\.js$/, '.ts');
        if (host.has(ts)) return { path: `txreplay-host:${path.basename(ts, '.ts')}`, external: true };
        return undefined;
      });
      b.onLoad({ filter: /[\\/]ingest[\\/]dist[\\/].*\.js$/ }, (args) => {
        const rel = IN_PLACE.get(args.path);
        if (rel === undefined) return undefined;
        const source = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `__txreplayIngestUrl('${rel}')`);
        return { contents: source, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };

/**
 * The entry, twice: dist/main.cjs (CommonJS: the bin; node then never starts its ES module loader for a command
 * that imports no package) and dist/main.js (an ES module, the path scripts run). The unbundled program (tsc's
 * dist/program.js) is their fallback, left as it is.
 */
async function buildEntry() {
  const entry = {
    ...common,
    entryPoints: [path.join(cli, 'src/main.ts')],
    sourcemap: true,
    metafile: true,
    plugins: [
      {
        name: 'program-unbundled',
        setup(b) {
          b.onResolve({ filter: /^\.\/program\.js$/ }, () => ({ path: './program.js', external: true }));
        },
      },
    ],
  };
  await build({
    ...entry,
    outfile: path.join(cli, 'dist/main.cjs'),
    format: 'cjs',
    define: { 'import.meta.url': '__txreplayEntryUrl' },
    // the directive first: the banner goes before esbuild's own "use strict", and the code is written strict
    banner: { js: "'use strict';\nvar __txreplayEntryUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  const r = await build({ ...entry, outfile: path.join(cli, 'dist/main.js'), format: 'esm' });
  // the CLI's own modules in the entry: the script is handed these, not given copies of its own
  return new Set(
    Object.keys(r.metafile.inputs)
      .map((f) => path.resolve(root, f))
      .filter((f) => f.startsWith(path.join(cli, 'src'))),
  );
}

/** The program as one classic script (ASCII, a header line with its hash), wrapped in a function of its host. */
async function buildScript(host) {
  const r = await build({
    ...common,
    entryPoints: [path.join(cli, 'src/program.ts')],
    outfile: path.join(bundleDir, 'program.cjs'),
    format: 'cjs',
    charset: 'ascii',
    // comments out: they kept non-ASCII characters, and a two-byte source string is slower to read and compile
    minifyWhitespace: true,
    write: false,
    metafile: true,
    plugins: [scriptResolution(host), fromPackage, lazyChildProcess],
  });
  let body = asciiScriptBody(r, 'program.cjs');
  // ingest's bundle is required (its CommonJS entry, dist/bundle.cjs): `ingest` then never starts node's ES module
  // loader, ~20–40 ms of its start-up (scripts/bundle-ingest.mjs)
  body = body.replaceAll(`import("${INGEST_BUNDLE}")`, `Promise.resolve().then(() => require("${INGEST_BUNDLE}"))`);
  body = body.replace(/\bimport\(("[^"]*")\)/g, '__txreplayImport($1)');
  const leftover = body
    .replaceAll(`require("${INGEST_BUNDLE}")`, '')
    .match(/\brequire\("(@txreplay\/[^"]*|apache-arrow[^"]*)"\)|\bimport(\.|_)meta\b|\bimport\(/g);
  if (leftover) throw new Error(`program.cjs: ${[...new Set(leftover)].join(', ')}: an ES module cannot be required`);
  const wrapped = `(function (module, require, __txreplayIngestUrl, __txreplayImport) {${body}\n})`;
  const hash = createHash('sha256').update(wrapped).digest('hex').slice(0, 16);
  const source = `//txreplay-program ${hash}\n${wrapped}\n`;
  writeFileSync(path.join(bundleDir, 'program.cjs'), source);
  return hash;
}

/** Run `diagnose` once through the script and keep V8's code cache of it (cold-start.ts, TXREPLAY_CODE_CACHE). */
function recordCodeCache(hash) {
  const r = spawnSync(process.execPath, [path.join(cli, 'dist/main.cjs'), 'diagnose', WARM_TRACE], {
    encoding: 'utf8',
    // V8 flags (NODE_OPTIONS=--max-old-space-size=…) are part of what a cache fits: record it for plain `node`
    env: { ...process.env, NODE_OPTIONS: '', TXREPLAY_CODE_CACHE: 'write', NO_COLOR: '1' },
  });
  const cache = path.join(bundleDir, `program-${hash}.v8cache`);
  if (r.status === null || r.status > 1 || !existsSync(cache))
    throw new Error(`recording the code cache: diagnose exited ${r.status}: ${r.stderr}`);
}

for (const file of [...IN_PLACE.keys(), ARROW_FILE])
  if (!existsSync(file)) throw new Error(`${file} missing: run tsc -b first`);
// file names carry the script's hash: drop the previous build's
rmSync(bundleDir, { recursive: true, force: true });
mkdirSync(bundleDir, { recursive: true });
const host = await buildEntry();
recordCodeCache(await buildScript(host));
