/**
 * The CLI's `ingest` loads the library as one classic script with V8's code cache (scripts/bundle-ingest.mjs,
 * src/bundleScript.ts): it must export what the package entry exports and write the same file, byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIngestScript } from '../src/bundleScript.js';
import { TRACES, buildIngestDist } from './fixtures.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dist = join(repoRoot, 'packages/ingest/dist');
const dir = mkdtempSync(join(tmpdir(), 'txreplay-bundle-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Ingest = (inputs: string[], out: string) => Promise<{ events: number }>;

/** the built entry and the script (built here when a test run comes before `pnpm build`) */
async function builtBoth(): Promise<{ entry: Record<string, unknown>; script: Record<string, unknown> }> {
  if (!existsSync(join(dist, 'bundle', 'ingest.cjs'))) {
    buildIngestDist();
    execFileSync(process.execPath, [join(repoRoot, 'scripts/bundle-ingest.mjs')], { cwd: repoRoot, stdio: 'pipe' });
  }
  const entry = (await import(pathToFileURL(join(dist, 'index.js')).href)) as Record<string, unknown>;
  return { entry, script: loadIngestScript(dist) };
}

describe('the ingest script (scripts/bundle-ingest.mjs)', () => {
  it('exports every name of the package entry, and writes the same Arrow file of a perf.data and a trace.dat', async () => {
    const { entry, script } = await builtBoth();
    expect(Object.keys(script).sort()).toEqual(Object.keys(entry).sort());
    for (const name of Object.keys(entry)) expect(typeof script[name]).toBe(typeof entry[name]);
    // in this process: the perf.data
    const perfData = join(TRACES, 'eth0-normal', 'perf.data');
    const a = await (entry.ingestToArrow as Ingest)([perfData], join(dir, 'entry.arrow'));
    const b = await (script.ingestToArrow as Ingest)([perfData], join(dir, 'script.arrow'));
    expect(b.events).toBe(a.events);
    expect(a.events).toBe(2989);
    expect(readFileSync(join(dir, 'script.arrow')).equals(readFileSync(join(dir, 'entry.arrow')))).toBe(true);
    // a zstd trace.dat through dist/bundle.js in a process of its own: a second copy of the library in one process
    // would initialize the shared zstd WebAssembly module again under the first (compression.ts)
    const traceDat = join(repoRoot, 'fixtures/captured/tbf-shaped-tracecmd/trace.dat');
    const bundle = pathToFileURL(join(dist, 'bundle.js')).href;
    const viaBundle = join(dir, 'bundle.arrow');
    execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(bundle)}); await m.ingestToArrow([${JSON.stringify(traceDat)}], ${JSON.stringify(viaBundle)});`,
    ]);
    const c = await (entry.ingestToArrow as Ingest)([traceDat], join(dir, 'entry.arrow'));
    expect(c.events).toBe(15157);
    expect(readFileSync(viaBundle).equals(readFileSync(join(dir, 'entry.arrow')))).toBe(true);
  });
});
