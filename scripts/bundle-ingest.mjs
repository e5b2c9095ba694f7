#!/usr/bin/env node
/**
 * `txreplay ingest`'s library as one classic script with V8's code cache (a step of `pnpm build`, after tsc, before
 * bundle-cli.mjs):
 *
 * - packages/ingest/dist/bundle/ingest.cjs: ingest's full entry (packages/ingest/dist/index.js) with apache-arrow
 *   and fzstd, bundled by esbuild as one classic script (ASCII, a header line with its hash, wrapped in a function of
 *   its host: packages/ingest/src/bundleScript.ts loads it through vm.Script);
 * - packages/ingest/dist/bundle/ingest-<hash>.v8cache: V8's code cache of that script after ingesting a perf.data
 *   (plain and zstd-compressed), a trace.dat and a perf-script text of this repository;
 * - packages/ingest/dist/bundle.js, exported as `@txreplay/ingest/bundle`: an ES module that loads the script
 *   (bundleScript.ts) and re-exports it under the names of the package entry; dist/bundle.cjs, the same entry for
 *   require() (the loader as CommonJS: the CLI requires it, so `ingest` never starts node's ES module loader).
 *
 * The CLI's `ingest` command loads `@txreplay/ingest/bundle` in place of the package entry (scripts/bundle-cli.mjs),
 * so reading a perf.data or trace.dat to Arrow compiles one script, mostly from its cache, instead of ~150 ES
 * modules: resolving, reading and compiling them was ~0.25 CPU-s of a direct read of 490 k events, and compiling
 * the one ES module bundle that replaced them ~40–80 ms (Node 20 caches no compiled code for ES modules;
 * scripts/bench-binary.mjs, ingest README "Speed").
 *
 * The three ingest modules that find files next to themselves by import.meta.url (the WebAssembly line kernel, the
 * text parse-worker pool, the binary reader's worker thread) are bundled with import.meta.url made their file in
 * dist (the loader passes __ingestUrl); the worker threads they start load dist's modules as they are. The two
 * WebAssembly packages that find their .wasm by their own location (parquet-wasm, @bokuweb/zstd-wasm) stay outside,
 * loaded when needed: parquet-wasm through the loader's import(), zstd-wasm (CommonJS) with a require made from
 * compression.js's place in dist, so a trace.dat read never starts node's ES module loader. The script carries its own apache-arrow: only the ingest
 * command loads it, and that command hands no Arrow object to code that uses another copy.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { asciiScriptBody } from './lib/classic-script.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages/ingest/dist');
const bundleDir = path.join(dist, 'bundle');

/** dist modules that locate files by import.meta.url: bundled with it made their file in dist */
const IN_PLACE = [
  'parse/wasmLines.js',
  'io/pool.js',
  'io/binaryThread.js',
  'parse/trace-dat/compression.js',
  // a require of node:zlib made when a gzip input needs it (not with the script: a plain file never does)
  'parse/tracing-data/input.js',
];
const EXTERNAL_PACKAGES = /^(parquet-wasm|@bokuweb\/zstd-wasm)$/;

/** the inputs the build ingests to record the code cache (small, in this repository): each reader's path */
const WARM_INPUTS = [
  'fixtures/captured/lossy-perf/perf.data.gz',
  'fixtures/captured/perf-zstd-lo/perf.data',
  'fixtures/captured/tbf-shaped-tracecmd/trace.dat',
  'fixtures/public/19-pfifo-fast-nolock-stuck-skb.perf-script',
].map((f) => path.join(root, f));

const inPlace = {
  name: 'in-place',
  setup(b) {
    b.onResolve({ filter: EXTERNAL_PACKAGES }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /[\\/]ingest[\\/]dist[\\/].*\.js$/ }, (args) => {
      const rel = path.relative(dist, args.path).split(path.sep).join('/');
      if (!IN_PLACE.includes(rel)) return undefined;
      const source = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `__ingestUrl('${rel}')`);
      return { contents: source, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/** The library as one classic script (ASCII, a header line with its hash), wrapped in a function of its host. */
async function buildScript() {
  const r = await build({
    entryPoints: [path.join(dist, 'index.js')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    charset: 'ascii',
    // comments out: they kept non-ASCII characters, and a two-byte source string is slower to read and compile
    minifyWhitespace: true,
    write: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [inPlace],
  });
  let body = asciiScriptBody(r, 'ingest.cjs');
  body = body.replace(/\bimport\(("[^"]*")\)/g, '__ingestImport($1)');
  const leftover = body.match(/\bimport(\.|_)meta\b|\bimport\(|\b__dirname\b|\b__filename\b/g);
  if (leftover) throw new Error(`ingest.cjs: ${[...new Set(leftover)].join(', ')} left in a classic script`);
  const wrapped = `(function (module, require, __ingestUrl, __ingestImport) {${body}\n})`;
  const hash = createHash('sha256').update(wrapped).digest('hex').slice(0, 16);
  writeFileSync(path.join(bundleDir, 'ingest.cjs'), `//txreplay-ingest ${hash}\n${wrapped}\n`);
}

/**
 * dist/bundle.cjs, the same for require() (the CLI's script requires it: a command that imports no ES module never
 * starts node's ES module loader, ~20–40 ms): the loader (src/bundleScript.ts) as CommonJS, its import.meta.url made
 * the file's own URL.
 */
async function writeRequireEntry() {
  await build({
    stdin: {
      contents: "module.exports = require('./bundleScript.js').loadIngestScript();",
      resolveDir: dist,
      sourcefile: 'bundle-entry.cjs',
    },
    outfile: path.join(dist, 'bundle.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    define: { 'import.meta.url': '__ingestBundleUrl' },
    banner: { js: "'use strict';\nvar __ingestBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
}

/** dist/bundle.js: the script's exports under the package entry's names (an ES module has static names). */
async function writeEntry() {
  const names = Object.keys(await import(pathToFileURL(path.join(dist, 'index.js')).href)).sort();
  const entry = [
    '// @txreplay/ingest/bundle, written by scripts/bundle-ingest.mjs: the package entry as one classic script',
    "import { loadIngestScript } from './bundleScript.js';",
    'const m = loadIngestScript();',
    `export const { ${names.join(', ')} } = m;`,
    '',
  ].join('\n');
  writeFileSync(path.join(dist, 'bundle.js'), entry);
  return names;
}

/**
 * Ingest the warm inputs once through dist/bundle.cjs and keep V8's code cache of the script (bundleScript.ts,
 * TXREPLAY_CODE_CACHE=write); the run also checks that the script exports every name of the entry.
 */
function recordCodeCache(names) {
  const out = mkdtempSync(path.join(tmpdir(), 'txreplay-bundle-ingest-'));
  // through bundle.cjs, as the CLI loads it (bundle.js would load a second copy of the script into the process)
  const warm = `const m = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(path.join(dist, 'bundle.cjs'))});
const missing = ${JSON.stringify(names)}.filter((n) => m[n] === undefined);
if (missing.length > 0) throw new Error('the script does not export ' + missing.join(', '));
for (const [i, input] of ${JSON.stringify(WARM_INPUTS)}.entries()) await m.ingestToArrow([input], ${JSON.stringify(out)} + '/' + i + '.arrow');`;
  try {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', warm], {
      encoding: 'utf8',
      // V8 flags (NODE_OPTIONS=--max-old-space-size=…) are part of what a cache fits: record it for plain `node`
      env: { ...process.env, NODE_OPTIONS: '', TXREPLAY_CODE_CACHE: 'write', TXREPLAY_INGEST_WORKERS: '0' },
    });
    if (r.status !== 0) throw new Error(`recording the ingest code cache: exited ${r.status}: ${r.stderr}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

for (const file of ['index.js', 'bundleScript.js', ...IN_PLACE].map((f) => path.join(dist, f)))
  if (!existsSync(file)) throw new Error(`${file} missing: run tsc -b first`);
// file names carry the script's hash: drop the previous build's (and the ES module bundle's map, if any)
rmSync(bundleDir, { recursive: true, force: true });
rmSync(path.join(dist, 'bundle.js.map'), { force: true });
mkdirSync(bundleDir, { recursive: true });
await buildScript();
await writeRequireEntry();
recordCodeCache(await writeEntry());
