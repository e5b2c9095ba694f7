#!/usr/bin/env node
/**
 * The cold path of the `txreplay` command as one bundle (the last step of `pnpm build`, after tsc): the CLI
 * (packages/cli/src/main.ts, its commands, commander) and the light entries `diagnose` and `replay` run on
 * (@txreplay/replay/plain, @txreplay/ingest/plain, @txreplay/model/core) are bundled by esbuild into
 * packages/cli/dist/main.js, the code a command loads when it runs split into packages/cli/dist/bundle/. Node then
 * resolves and opens a handful of files instead of ~150: module resolution was most of the start-up left once a
 * small diagnose stopped loading apache-arrow (scripts/bench-startup.mjs; README "Start-up").
 *
 * Left outside, loaded from their packages as they are when a command needs them: the packages' full entries
 * (@txreplay/ingest, @txreplay/replay, @txreplay/model: the Arrow side, ingest and simulate), apache-arrow,
 * @txreplay/report (chDB, the post-mortem, bulk's threads: they find their worker module by import.meta.url) and
 * @txreplay/capture; and ingest's two modules that find files next to
 * themselves by import.meta.url (the WebAssembly line kernel, the parse-worker pool), imported by their subpaths.
 * The CLI matches library errors by name, not class, so a class loaded twice (bundled and from its package) is
 * still matched. The `ingest` command loads ingest's own bundle (`@txreplay/ingest/bundle`, apache-arrow inside:
 * scripts/bundle-ingest.mjs) instead of the package entry: it hands no Arrow object to anything else.
 */
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'packages/cli');

/** ingest's dist modules that locate files by import.meta.url → the package subpath that loads them in place */
const IN_PLACE = new Map([
  [path.join(root, 'packages/ingest/dist/parse/wasmLines.js'), '@txreplay/ingest/wasm-lines'],
  [path.join(root, 'packages/ingest/dist/io/pool.js'), '@txreplay/ingest/parse-pool'],
]);

/** bare imports loaded from their packages (exactly these: their subpaths named above are bundled) */
const FROM_PACKAGE =
  /^(apache-arrow(\/.*)?|@txreplay\/(ingest|replay|model|capture)|@txreplay\/report(\/postmortem|\/bulk-start)?)$/;

/** the `ingest` command's library: ingest and apache-arrow as one module (scripts/bundle-ingest.mjs) */
const INGEST_COMMAND = path.join(cli, 'src/commands/ingest.ts');

const inPlace = {
  name: 'in-place',
  setup(b) {
    b.onResolve({ filter: FROM_PACKAGE }, (args) => ({
      path:
        args.path === '@txreplay/ingest' && args.importer === INGEST_COMMAND ? '@txreplay/ingest/bundle' : args.path,
      external: true,
    }));
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const full = path.resolve(args.resolveDir, args.path);
      const spec = IN_PLACE.get(full);
      return spec ? { path: spec, external: true } : undefined;
    });
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

for (const file of IN_PLACE.keys()) if (!existsSync(file)) throw new Error(`${file} missing: run tsc -b first`);
// chunk names carry a content hash: drop the previous build's
rmSync(path.join(cli, 'dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(cli, 'src/main.ts') },
  outdir: path.join(cli, 'dist'),
  chunkNames: 'bundle/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [inPlace, lazyChildProcess],
  // commander is CommonJS: its require() of node builtins needs a require in an ES module
  banner: {
    js: "import { createRequire as __txreplayRequire } from 'node:module';\nconst require = __txreplayRequire(import.meta.url);",
  },
});
