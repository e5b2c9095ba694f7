import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));

describe('txreplay command', () => {
  it('lists its commands and rejects unknown ones with the usage exit code', () => {
    const help = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const c of ['ingest', 'inspect', 'diagnose', 'report', 'simulate']) expect(help.stdout).toContain(c);
    const bad = spawnSync(process.execPath, [main, 'no-such-command'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});
