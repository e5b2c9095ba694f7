/**
 * Outputs as a user meets them (built CLI): `-o -` and `-o /dev/stdout` stream an Arrow IPC stream to a
 * reader, a FIFO is streamed, the input is never overwritten, a missing directory is an error, and signals
 * mid-ingest of a large input leave no temp (SIGTERM) or a temp the next write removes (SIGKILL).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TRACES = join(process.env.TXREPLAY_SHARED ?? resolve(repoRoot, '../shared'), 'traces');
const MQ = join(TRACES, 'multiqueue', 'perf-script.txt');
/** README event count of multiqueue/perf-script.txt */
const MQ_EVENTS = 29484;
const dir = mkdtempSync(join(tmpdir(), 'txreplay-cli-output-'));

function run(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

const temps = (d: string): string[] => readdirSync(d).filter((n) => /\.txreplay-\d+-\d+\.tmp$/.test(n));

/** Feed stdin with the real trace, over and over, until the output temp holds `bytes` (a large input, mid-write). */
async function ingestUntil(sub: string, bytes: number): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, [main, 'ingest', '-', '-o', join(sub, 'big.arrow')]);
  child.stdout.resume();
  child.stderr.resume();
  const text = readFileSync(MQ);
  for (;;) {
    const t = temps(sub);
    if (t.length === 1 && statSync(join(sub, t[0]!)).size >= bytes) return child;
    if (!child.stdin.write(text)) await new Promise((ok) => child.stdin.once('drain', ok));
  }
}

describe('txreplay outputs', () => {
  it('ingest -o - writes an Arrow IPC stream a reader reads; the summary goes to stderr', () => {
    const r = run(['ingest', MQ, '-o', '-']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`wrote ${MQ_EVENTS} rows to -`);
    expect(r.stdout.subarray(0, 6).toString()).not.toBe('ARROW1'); // stream format, not the file format
    expect(tableFromIPC(r.stdout).numRows).toBe(MQ_EVENTS);
    expect(existsSync('-')).toBe(false);
  });

  it('ingest -o /dev/stdout keeps the /dev/stdout symlink and streams into the pipe', () => {
    const wasLink = lstatSync('/dev/stdout').isSymbolicLink();
    const r = run(['ingest', MQ, '-o', '/dev/stdout']);
    expect(r.status).toBe(0);
    expect(tableFromIPC(r.stdout).numRows).toBe(MQ_EVENTS);
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(wasLink);
  });

  it('ingest into a FIFO streams to the reader on the other end', async () => {
    const fifo = join(dir, 'events.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // the reader copies the FIFO to a file (this thread blocks in spawnSync meanwhile: no pipe back to us)
    const copy = join(dir, 'events.copy');
    const reader = spawn('sh', ['-c', 'cat "$0" > "$1"', fifo, copy]);
    const readerDone = new Promise((ok) => reader.on('close', ok));
    const r = spawnSync(process.execPath, [main, 'ingest', MQ, '-o', fifo]);
    await readerDone;
    expect(r.status).toBe(0);
    expect(tableFromIPC(readFileSync(copy)).numRows).toBe(MQ_EVENTS);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('refuses to write over its own input', () => {
    const input = join(dir, 'in.arrow');
    expect(run(['ingest', MQ, '-o', input]).status).toBe(0);
    const before = readFileSync(input);
    const r = run(['ingest', input, '-o', input]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`refusing to write ${input}: it is the input ${input}; choose another output file.`);
    expect(readFileSync(input).equals(before)).toBe(true);
  });

  it('a missing output directory is a usage error naming it; nothing is created', () => {
    const out = join(dir, 'missing', 'x.arrow');
    const r = run(['ingest', MQ, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`directory ${join(dir, 'missing')} does not exist`);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('SIGTERM mid-ingest of a large input: exit 143 (128 + SIGTERM), no output, no temp', async () => {
    const sub = mkdtempSync(join(dir, 'sigterm-'));
    const child = await ingestUntil(sub, 20 << 20);
    const code = await new Promise<number | null>((ok) => {
      child.on('exit', (c) => ok(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(143);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('SIGKILL mid-ingest leaves a named temp; the next write to that directory removes it', async () => {
    const sub = mkdtempSync(join(dir, 'sigkill-'));
    const child = await ingestUntil(sub, 20 << 20);
    await new Promise((ok) => {
      child.on('exit', ok);
      child.kill('SIGKILL');
    });
    const left = temps(sub);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^\\.big\\.arrow\\.txreplay-${child.pid}-0\\.tmp$`));
    expect(run(['ingest', MQ, '-o', join(sub, 'small.arrow')]).status).toBe(0);
    expect(readdirSync(sub)).toEqual(['small.arrow']);
  });
});
