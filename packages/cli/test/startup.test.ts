/**
 * Start-up: `txreplay --version` loads no library package and `txreplay diagnose` (also with --html) never
 * loads chDB or the ClickHouse client — the commands load what they call when they run. What a process loads
 * is recorded by an ESM resolve hook (fixtures/record-imports.mjs, `node --import`), from the built CLI
 * (run `pnpm build` first). Times are not asserted here: scripts/bench-startup.mjs prints them.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
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
const packageOf = (url: string): string | null => /\/packages\/(\w+)\/dist\//.exec(url)?.[1] ?? null;

describe('txreplay start-up', () => {
  it('--version loads the CLI entry only: no command definitions, no library package', () => {
    const { status, loaded } = loadedBy('--version');
    expect(status).toBe(0);
    expect(loaded.some((u) => u.endsWith('/cli/dist/main.js'))).toBe(true); // the hook saw the CLI itself
    expect([...new Set(loaded.map(packageOf).filter((p) => p !== null))]).toEqual(['cli']);
    // answered before commander and the command definitions load
    expect(loaded.filter((u) => /commander|\/commands\//.test(u))).toEqual([]);
  });

  it('diagnose loads replay and ingest but never chDB, the ClickHouse client or the store', () => {
    const { status, loaded } = loadedBy('diagnose', path.join(traces, 'eth0-normal', 'perf-script.txt'));
    expect(status).toBe(0);
    expect(loaded.some((u) => u.endsWith('/replay/dist/diagnose.js'))).toBe(true);
    expect(loaded.filter((u) => STORE.test(u))).toEqual([]);
    expect(loaded.filter((u) => packageOf(u) === 'report' || packageOf(u) === 'capture')).toEqual([]);
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
