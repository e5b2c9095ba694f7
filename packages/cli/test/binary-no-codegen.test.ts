/**
 * The binary readers' column plans and perf.data sample walks are generated code (new Function); a node that
 * refuses code from strings (--disallow-code-generation-from-strings, a hardened deployment's choice) must get the
 * same table through their loop fallbacks, not an error: real captures (perf.data from ../shared, a trace-cmd 3.1
 * trace.dat recorded here), the .arrow compared byte for byte with a normal run's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const shared = process.env.TXREPLAY_SHARED ?? resolve(repo, '../shared');
const dir = mkdtempSync(join(tmpdir(), 'txreplay-nocodegen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ingest(input: string, out: string, nodeFlags: string[]): Buffer {
  const r = spawnSync(process.execPath, [...nodeFlags, main, 'ingest', input, '-o', out], {
    encoding: 'utf8',
    env: { ...process.env, TXREPLAY_INGEST_WORKERS: '0' },
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out);
}

describe('no code generation from strings', () => {
  for (const input of [
    join(shared, 'traces/multiqueue/perf.data'),
    join(repo, 'fixtures/captured/requeue-bulk-tracecmd/trace.dat'),
  ]) {
    it(input.split('/').slice(-2).join('/'), () => {
      const normal = ingest(input, join(dir, 'normal.arrow'), []);
      const refused = ingest(input, join(dir, 'refused.arrow'), ['--disallow-code-generation-from-strings']);
      expect(normal.length).toBeGreaterThan(1000);
      expect(refused.equals(normal)).toBe(true);
    });
  }
});
