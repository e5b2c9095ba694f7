/**
 * The one output writer (src/io/output.ts): atomic regular files, symlinks written through, FIFOs and devices
 * streamed, inputs refused, missing directories an error, errno named with the path, stale temps removed.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOutput, OutputError, writeOutputFile } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'txreplay-output-'));

/** A pid that was alive and is not any more (a child that has exited and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('writeOutputFile', () => {
  it('writes a regular file atomically: the target appears whole, no temp is left', async () => {
    const out = join(dir, 'a.txt');
    writeFileSync(out, 'old\n');
    await writeOutputFile(out, ['one\n', Buffer.from('two\n')]);
    expect(readFileSync(out, 'utf8')).toBe('one\ntwo\n');
    expect(readdirSync(dir).filter((n) => n.includes('txreplay-'))).toEqual([]);
  });

  it('aborting leaves the old file untouched and removes the temp', async () => {
    const out = join(dir, 'keep.txt');
    writeFileSync(out, 'kept\n');
    const o = await openOutput(out);
    await o.write('half');
    expect(readdirSync(dir).some((n) => n.startsWith('.keep.txt.txreplay-'))).toBe(true);
    await o.abort();
    expect(readFileSync(out, 'utf8')).toBe('kept\n');
    expect(readdirSync(dir).some((n) => n.startsWith('.keep.txt.txreplay-'))).toBe(false);
  });

  it('writeNow puts the bytes in a regular file before it returns, in order with write(); streams have none', async () => {
    const out = join(dir, 'now.bin');
    const o = await openOutput(out);
    await o.write('head;');
    const buf = Buffer.from('batch;');
    // more buffers than one writev call takes: written in order all the same
    o.writeNow!([buf, ...Array.from({ length: 600 }, (_, i) => Buffer.from(String(i % 10)))]);
    // the caller may reuse its buffers as soon as writeNow returns
    buf.fill('x');
    await o.write('tail');
    await o.commit();
    const digits = Array.from({ length: 600 }, (_, i) => String(i % 10)).join('');
    expect(readFileSync(out, 'utf8')).toBe(`head;batch;${digits}tail`);
    // a write still in flight is not overtaken
    const busy = await openOutput(join(dir, 'busy.bin'));
    const pending = busy.write('first');
    expect(() => busy.writeNow!([Buffer.from('second')])).toThrow(/in flight/);
    await pending;
    await busy.abort();
    expect((await openOutput('-')).writeNow).toBeUndefined();
  });

  it('writes through a symlink to its target and keeps the link (as `-o /dev/stdout` must)', async () => {
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'before\n');
    const link = join(dir, 'link.txt');
    symlinkSync('target.txt', link);
    await writeOutputFile(link, 'through\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('target.txt');
    expect(readFileSync(target, 'utf8')).toBe('through\n');
    // a dangling link creates its target
    const dangling = join(dir, 'dangling.txt');
    symlinkSync('made.txt', dangling);
    await writeOutputFile(dangling, 'made\n');
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'made.txt'), 'utf8')).toBe('made\n');
  });

  it('/dev/stdout stays a symlink and the bytes reach the pipe', () => {
    const before = lstatSync('/dev/stdout').isSymbolicLink();
    const script = `import('${new URL('../dist/index.js', import.meta.url).href}').then((m) => m.writeOutputFile('/dev/stdout', 'to the pipe\\n'))`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('to the pipe\n');
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(before);
  });

  it('refuses an output that is one of the inputs (also through a hard link), naming both', async () => {
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'input\n');
    const hard = join(dir, 'in-hard.txt');
    linkSync(input, hard);
    for (const out of [input, hard]) {
      const err = await writeOutputFile(out, 'x', { inputs: [input] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OutputError);
      expect((err as Error).message).toBe(
        `refusing to write ${out}: it is the input ${input}; choose another output file.`,
      );
    }
    expect(readFileSync(input, 'utf8')).toBe('input\n');
  });

  it('a missing parent directory is an error naming it; nothing is created', async () => {
    const out = join(dir, 'no', 'such', 'x.html');
    const err = await writeOutputFile(out, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect((err as OutputError).code).toBe('ENOENT');
    expect((err as Error).message).toBe(
      `cannot write ${out}: the directory ${join(dir, 'no', 'such')} does not exist (create it first).`,
    );
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('a directory as output is refused', async () => {
    const err = await writeOutputFile(dir, 'x').catch((e: unknown) => e);
    expect((err as Error).message).toBe(`cannot write ${dir}: it is a directory.`);
  });

  it('ENOSPC names the path (/dev/full, a device: streamed)', async () => {
    const err = await writeOutputFile('/dev/full', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect((err as Error).message).toBe('cannot write /dev/full: no space left on the device (ENOSPC).');
  });

  it('streams into a FIFO (no temp, no rename: the reader gets every byte)', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (c: Buffer) => (got += c.toString()));
    const closed = new Promise<number | null>((ok) => reader.on('close', ok));
    const big = 'x'.repeat(1 << 20);
    await writeOutputFile(fifo, ['head\n', big, '\ntail\n']);
    expect(await closed).toBe(0);
    expect(got).toBe(`head\n${big}\ntail\n`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('removes temps whose writer died (SIGKILL), keeps those of live processes', async () => {
    const sub = mkdtempSync(join(dir, 'stale-'));
    const dead = join(sub, `.big.arrow.txreplay-${deadPid()}-0.tmp`);
    const live = join(sub, `.big.arrow.txreplay-${process.ppid}-0.tmp`);
    writeFileSync(dead, 'left by a killed writer');
    writeFileSync(live, 'still being written');
    await writeOutputFile(join(sub, 'other.txt'), 'x\n');
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
