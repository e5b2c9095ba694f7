/**
 * src/stdio.ts: a pipe or a file is not a terminal (told by fstat, without making process.stdout), and the result
 * written with write(2) is the same bytes, in order after what was already in the file. Run in a child process (the
 * built dist/stdio.js) whose stdout is the pipe or the file.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const stdio = fileURLToPath(new URL('../dist/stdio.js', import.meta.url));
const LINES = 'HEALTHY — ünïcode\nsecond line\n';
/** more than a pipe holds (64 KiB): the write blocks until the reader drains it, as the stream's does */
const TEXT = LINES.repeat(5000);

/** A child that writes TEXT as the result and reports on stderr whether it saw a terminal and made process.stdout. */
const child = `
  let made = false;
  const d = Object.getOwnPropertyDescriptor(process, 'stdout');
  Object.defineProperty(process, 'stdout', { configurable: true, get() { made = true; return d.get.call(process); } });
  const m = await import(${JSON.stringify(stdio)});
  const tty = m.isTerminal(1);
  m.writeResult(${JSON.stringify(LINES)}.repeat(5000));
  process.stderr.write(JSON.stringify({ tty, made }));
`;
const run = (stdout: 'pipe' | number) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', child], {
    stdio: ['ignore', stdout, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });

describe('stdio', () => {
  it('a socket (child_process stdio) or a pipe: not a terminal, the result written without process.stdout', () => {
    const r = run('pipe');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stderr)).toEqual({ tty: false, made: false });
    expect(r.stdout).toBe(TEXT);
  });

  it('a file: not a terminal, the result after what the file held', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-stdio-'));
    try {
      const file = path.join(dir, 'out.txt');
      writeFileSync(file, 'before\n');
      const fd = openSync(file, 'a');
      const r = run(fd);
      closeSync(fd);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stderr)).toEqual({ tty: false, made: false });
      expect(readFileSync(file, 'utf8')).toBe(`before\n${TEXT}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
