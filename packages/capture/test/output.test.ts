/**
 * What `capture` writes, without running a tracer: the output goes through @txreplay/ingest's one writer and is
 * opened before anything is recorded (a directory or a missing parent is refused, nothing is left behind), and the
 * header's wall_ns/mono_ns pair is the trace's own wall clock for ingest (on the real --dev capture's body).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadEvents, OutputError } from '@txreplay/ingest';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCaptureHeader, parseCaptureHeader } from '../src/header.js';
import { readClockPair } from '../src/clock-pair.js';
import { startCapture } from '../src/run.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEV_FILTER = join(repoRoot, 'fixtures/captured/dev-filter-veth/perf-script.txt.gz');
const dir = mkdtempSync(join(tmpdir(), 'txreplay-capture-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('capture output', () => {
  it('the header carries the wall clock read beside the trace clock; ingest takes it as the wall time', async () => {
    const text = gunzipSync(readFileSync(DEV_FILTER)).toString('utf8');
    const [oldHeader, ...body] = text.split('\n');
    const filter = parseCaptureHeader(oldHeader!)!;
    expect(filter.clock).toBeUndefined(); // captured before the pair existed
    const clock = readClockPair();
    const header = formatCaptureHeader({ ...filter, clock });
    expect(parseCaptureHeader(header)?.clock).toEqual(clock);
    const file = join(dir, 'with-clock.txt');
    writeFileSync(file, `${header}\n${body.join('\n')}`);
    const { summary } = await loadEvents([file]);
    expect(summary.sources[0]!.wallClock).toEqual({
      wallNs: clock.wallNs,
      traceNs: clock.monoNs,
      source: 'txreplay capture header',
    });
  });

  it('an output that is a directory, or in a missing directory, is refused before any tracer starts', async () => {
    const target = join(dir, 'a-directory');
    mkdirSync(target);
    for (const [out, code] of [
      [target, 'EISDIR'],
      [join(dir, 'no-such-dir', 'x.txt'), 'ENOENT'],
    ] as const) {
      const running = startCapture({ tool: 'perf', toolPath: '/nonexistent/perf', seconds: 1, out });
      const err = await running.done.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OutputError);
      expect((err as OutputError).code).toBe(code);
      expect((err as Error).message).toContain(out);
    }
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['a-directory', 'with-clock.txt']);
  });
});
