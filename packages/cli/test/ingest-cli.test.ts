/**
 * `txreplay ingest` and `txreplay inspect` as a user runs them (built CLI): summary, exit codes, stdin,
 * non-traces, --strict, Ctrl-C leaving no output behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TRACES = join(process.env.TXREPLAY_SHARED ?? resolve(repoRoot, '../shared'), 'traces');
const dir = mkdtempSync(join(tmpdir(), 'txreplay-cli-ingest-'));

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('txreplay ingest / inspect', () => {
  it('ingests a gzip trace, prints a summary that adds up, and inspect reports the same counts', () => {
    const out = join(dir, 'vb.arrow');
    const r = run(['ingest', join(TRACES, 'veth-backpressure', 'ftrace.txt.gz'), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('48503 lines = 48491 events + 0 skipped + 12 comments');
    const j = run(['inspect', out, '--json']);
    expect(j.status).toBe(0);
    const info = JSON.parse(j.stdout) as {
      rows: number;
      eventCounts: Record<string, number>;
      deviceCounts: Record<string, number>;
      timeSpan: { firstNs: string; lastNs: string };
    };
    expect(info.rows).toBe(48491);
    expect(info.eventCounts['net:net_dev_xmit']).toBe(991);
    expect(info.deviceCounts['ifindex=201']).toBe(15720 + 693);
    // ground-truth.json trace_facts.time_span_s
    expect(info.timeSpan).toMatchObject({ firstNs: '994952033000', lastNs: '1001338856000' });
    const text = run(['inspect', out]);
    expect(text.stdout).toMatch(/time span: 994952033000 \.\. 1001338856000 ns/);
    expect(text.stdout).toContain('ts_ns');
  });

  it('reads a perf.data through the ingest bundle; --json writes its wall clock (bigint ns) as decimal strings', () => {
    const out = join(dir, 'eth0.arrow');
    const r = run(['ingest', join(TRACES, 'eth0-normal', 'perf.data'), '-o', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as {
      events: number;
      sources: { format: string; wallClock: { wallNs: string; traceNs: string; source: string } }[];
    };
    // the sibling perf-script.txt has 2,989 event lines
    expect(s.events).toBe(2989);
    expect(s.sources[0]?.format).toBe('perf-script');
    expect(s.sources[0]?.wallClock).toEqual({
      wallNs: '1795312248451691000',
      traceNs: '831248880154',
      source: 'perf.data clock data',
    });
  });

  it('reads stdin with -, reports bad lines with file:line, and --strict exits 4 without output', () => {
    const good =
      '  ping  9898 [000]   677.390454:       net:net_dev_xmit: dev=lo skbaddr=0xffff888165655200 len=1442 rc=0\n';
    const input = good + 'garbage here\n' + good;
    const out = join(dir, 'stdin.arrow');
    const r = run(['ingest', '-', '-o', out], input);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('3 lines = 2 events + 1 skipped + 0 comments');
    expect(r.stdout).toContain('-:2:');
    const strictOut = join(dir, 'strict.arrow');
    const s = run(['ingest', '-', '-o', strictOut, '--strict'], input);
    expect(s.status).toBe(4);
    expect(s.stderr).toContain('-:2:');
    expect(existsSync(strictOut)).toBe(false);
  });

  it('a file that is not a trace gets one sentence and exit 3', () => {
    const html = join(dir, 'page.html');
    writeFileSync(html, '<!DOCTYPE html><html></html>');
    const r = run(['ingest', html, '-o', join(dir, 'no.arrow')]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe(`txreplay: ${html} is an HTML/XML document, not a trace.`);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    expect(run(['ingest', empty, '-o', join(dir, 'no.arrow')]).status).toBe(3);
    expect(existsSync(join(dir, 'no.arrow'))).toBe(false);
  });

  it('Ctrl-C (SIGINT) exits 130 and leaves neither output nor temp file', async () => {
    const sub = mkdtempSync(join(dir, 'sigint-'));
    const out = join(sub, 'x.arrow');
    const child = spawn(process.execPath, [main, 'ingest', '-', '-o', out], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(
      '  ping  9898 [000]   677.390454:       net:net_dev_xmit: dev=lo skbaddr=0x1 len=1 rc=0\n'.repeat(2000),
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // the temp file appears once ingest has started
    for (let i = 0; i < 100 && readdirSync(sub).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(sub).length).toBe(1);
    const code = await new Promise<number | null>((res) => {
      child.on('exit', (c) => res(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(readdirSync(sub)).toEqual([]);
  });
});
