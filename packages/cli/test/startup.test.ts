/**
 * Start-up: `txreplay --version` loads no library package and not the program, `txreplay diagnose` of a small text
 * trace loads neither apache-arrow nor chDB, and with --html never chDB or the ClickHouse client — the commands load
 * what they call when they run. The built CLI is an entry (dist/main.cjs, the bin) and the program as one classic script
 * with V8's code cache (scripts/bundle-cli.mjs: dist/bundle/program.cjs), with the packages' full entries loaded from
 * the packages. What a process loads is recorded by an ESM resolve hook and a vm.Script stand-in
 * (fixtures/record-imports.mjs, `node --import`), from the built CLI (run `pnpm build` first). Times are not asserted
 * here: scripts/bench-startup.mjs prints them.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
/** the same entry as an ES module (scripts/bundle-cli.mjs), the path other packages' tests and the benches run */
const esModuleEntry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const hook = fileURLToPath(new URL('./fixtures/record-imports.mjs', import.meta.url));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

/** Run the built CLI and return its exit status and every module URL it resolved. */
function loadedBy(...args: string[]): { status: number | null; loaded: string[] } {
  if (!existsSync(main)) throw new Error(`${main} missing: run pnpm build first`);
  const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-startup-'));
  try {
    const log = path.join(dir, 'imports.log');
    const r = spawnSync(process.execPath, ['--import', hook, main, ...args], {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, TXREPLAY_IMPORT_LOG: log },
    });
    if (r.status === null || r.status > 1) throw new Error(`txreplay ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return { status: r.status, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const STORE = /\/node_modules\/(\.pnpm\/)?(chdb|@clickhouse)|\/report\/dist\/(store|write|index)\.js$/;
const ARROW = /\/node_modules\/(\.pnpm\/)?apache-arrow/;
const packageOf = (url: string): string | null => /\/packages\/(\w+)\/dist\//.exec(url)?.[1] ?? null;
/** the bundled program (commander and the command definitions) */
const PROGRAM = /\/cli\/dist\/bundle\/program\.cjs$/;

describe('txreplay start-up', () => {
  it('--version loads the CLI entry only: no command definitions, no library package', () => {
    const { status, loaded } = loadedBy('--version');
    expect(status).toBe(0);
    expect(loaded.some((u) => u.endsWith('/cli/dist/main.cjs'))).toBe(true); // the hook saw the CLI itself
    expect([...new Set(loaded.map(packageOf).filter((p) => p !== null))]).toEqual(['cli']);
    // answered before commander and the command definitions load
    expect(loaded.filter((u) => PROGRAM.test(u) || /commander|\/commands\//.test(u))).toEqual([]);
    expect(loaded.length).toBeLessThan(12);
  });

  it('--help loads the program but no library package', () => {
    const { status, loaded } = loadedBy('--help');
    expect(status).toBe(0);
    expect(loaded.some((u) => PROGRAM.test(u))).toBe(true);
    // the build's code cache fits this node: the script is not compiled again
    expect(loaded.filter((u) => u.includes('#code-cache='))).toEqual([
      loaded.find((u) => PROGRAM.test(u)) + '#code-cache=accepted',
    ]);
    expect([...new Set(loaded.map(packageOf).filter((p) => p !== null))]).toEqual(['cli']);
  });

  it('without the code cache (TXREPLAY_CODE_CACHE=0), and from the ES module entry, diagnose prints the same', () => {
    const trace = path.join(traces, 'eth0-normal', 'perf-script.txt');
    const run = (entry: string, env: Record<string, string>) =>
      spawnSync(process.execPath, [entry, 'diagnose', trace], { encoding: 'utf8', env: { ...process.env, ...env } });
    const cached = run(main, {});
    expect(cached.stdout).toContain('2989 events');
    for (const other of [run(main, { TXREPLAY_CODE_CACHE: '0' }), run(esModuleEntry, {})]) {
      expect(other.status).toBe(cached.status);
      expect(other.stdout).toBe(cached.stdout);
    }
  });

  it('diagnose of a small text trace loads neither apache-arrow nor chDB, the ClickHouse client or the store', () => {
    const { status, loaded } = loadedBy('diagnose', path.join(traces, 'eth0-normal', 'perf-script.txt'));
    expect(status).toBe(0);
    // the WebAssembly line kernel (bundled in the program) finds dist/lines.wasm in its package
    expect(loaded.some((u) => u.endsWith('/ingest/dist/lines.wasm'))).toBe(true);
    expect(loaded.filter((u) => ARROW.test(u))).toEqual([]);
    expect(loaded.filter((u) => STORE.test(u))).toEqual([]);
    expect(loaded.filter((u) => packageOf(u) === 'report' || packageOf(u) === 'capture')).toEqual([]);
    // a handful of files, not one per module (the bundle)
    expect(loaded.filter((u) => u.startsWith('file:')).length).toBeLessThan(30);
  });

  it('diagnose --html loads the post-mortem renderer, still without chDB', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'txreplay-startup-html-'));
    try {
      const html = path.join(out, 'pm.html');
      const { loaded } = loadedBy('diagnose', path.join(traces, 'multiqueue', 'ftrace.txt'), '--html', html);
      expect(readFileSync(html, 'utf8')).toContain('<svg class="timeline"');
      expect(loaded.some((u) => u.endsWith('/report/dist/postmortem.js'))).toBe(true);
      expect(loaded.filter((u) => STORE.test(u))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
