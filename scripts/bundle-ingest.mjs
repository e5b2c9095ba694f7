#!/usr/bin/env node
/**
 * `txreplay ingest`'s library as one module (a step of `pnpm build`, after tsc, before bundle-cli.mjs): ingest's
 * full entry (packages/ingest/dist/index.js) with apache-arrow and fzstd bundled by esbuild into
 * packages/ingest/dist/bundle.js, exported as `@txreplay/ingest/bundle`. The CLI's `ingest` command loads it in
 * place of the package entry (scripts/bundle-cli.mjs), so reading a perf.data or trace.dat to Arrow opens one
 * module instead of ~150 (apache-arrow's ES modules and ingest's own): resolving, reading and compiling them was
 * ~0.25 CPU-s of a direct read of 490 k events (scripts/bench-binary.mjs; ingest README "Speed").
 *
 * Left outside, loaded as they are: the three ingest modules that find files next to themselves by import.meta.url
 * (the WebAssembly line kernel, the text parse-worker pool, the binary reader's worker thread; none imports
 * apache-arrow), kept as relative imports (the bundle sits in the same dist directory), and the two WebAssembly
 * packages that find their .wasm by their own location (parquet-wasm, @bokuweb/zstd-wasm), loaded when needed.
 * The bundle carries its own apache-arrow: only the ingest command loads it, and that command hands no Arrow
 * object to code that uses another copy.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages/ingest/dist');

/** dist modules that locate files by import.meta.url: imported in place, relative to the bundle */
const IN_PLACE = ['parse/wasmLines.js', 'io/pool.js', 'io/binaryThread.js'].map((f) => path.join(dist, f));
const EXTERNAL_PACKAGES = /^(parquet-wasm|@bokuweb\/zstd-wasm)$/;

const inPlace = {
  name: 'in-place',
  setup(b) {
    b.onResolve({ filter: EXTERNAL_PACKAGES }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const full = path.resolve(args.resolveDir, args.path);
      if (!IN_PLACE.includes(full)) return undefined;
      return { path: `./${path.relative(dist, full).split(path.sep).join('/')}`, external: true };
    });
  },
};

for (const file of IN_PLACE) if (!existsSync(file)) throw new Error(`${file} missing: run tsc -b first`);
await build({
  entryPoints: [path.join(dist, 'index.js')],
  outfile: path.join(dist, 'bundle.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [inPlace],
});
