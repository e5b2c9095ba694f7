/**
 * The README's library example runs as written: its code block is extracted and run by node in a directory
 * that has the repository's examples/ and the built packages as node_modules/@txreplay/* (as after an npm
 * install), with apache-arrow resolved as their peer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from './helpers.js';

function exampleCode(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /<!-- library-example -->\n```js\n([\s\S]*?)\n```/.exec(readme);
  if (!m) throw new Error('README.md: no ```js block after <!-- library-example -->');
  return m[1]!;
}

describe('README library example', () => {
  it('ingests, replays, stores and writes the post-mortems of the bundled example', () => {
    const dir = tempDir('txreplay-readme-');
    const scope = path.join(dir, 'node_modules', '@txreplay');
    mkdirSync(scope, { recursive: true });
    for (const p of ['model', 'ingest', 'replay', 'report']) {
      symlinkSync(path.join(REPO_ROOT, 'packages', p), path.join(scope, p), 'dir');
    }
    symlinkSync(path.join(REPO_ROOT, 'examples'), path.join(dir, 'examples'), 'dir');
    writeFileSync(path.join(dir, 'example.mjs'), exampleCode());
    const out = execFileSync(process.execPath, ['example.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        TXREPLAY_EXAMPLE_DB: path.join(dir, 'db'),
        TXREPLAY_CLICKHOUSE_URL: '',
        CLICKHOUSE_URL: '',
      },
    });
    expect(out).toMatch(/^PROBLEM: 3 critical, 5 warning, 1 info finding\(s\)$/m);
    expect(out).toMatch(/^critical lost_wakeup vs0 3 /m);
    expect(out).toMatch(/^written [0-9a-f]{32}$/m);
    for (const f of ['multiqueue.html', 'multiqueue.md', 'multiqueue.d-vs0.svg']) {
      expect(existsSync(path.join(dir, f))).toBe(true);
      expect(out).toContain(f);
    }
  });
});
