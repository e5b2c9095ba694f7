/**
 * The trace's own wall clock (src/parse/wallClock.ts) on the real captures: every perf.data here was recorded with
 * `perf record -k CLOCK_MONOTONIC`, so it has HEADER_CLOCK_DATA (checked against the bytes by a separate reading of
 * the feature table below); the trace.dat captures were recorded without `--date` and the perf-script texts without
 * `--header`, so their wall time is unknown — null, never the file's mtime. A `perf script --header` reference-time
 * line (print_clock_data()'s format) in front of the same capture's text gives the same anchor.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestToArrow, loadEvents, META } from '../src/index.js';
import { TRACES } from './fixtures.js';

const CAPTURED = resolve(__dirname, '../../../fixtures/captured');
const dir = mkdtempSync(join(tmpdir(), 'txreplay-wall-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** HEADER_CLOCK_DATA (feature bit 29) read straight from the file: u32 version, u32 clockid, u64 tod ns, u64 clock ns. */
function clockDataOf(file: string): { wallNs: bigint; clockNs: bigint } {
  const b = readFileSync(file);
  const dataEnd = Number(b.readBigUInt64LE(40) + b.readBigUInt64LE(48));
  let index = 0;
  for (let bit = 0; bit < 29; bit++) if ((b[72 + (bit >> 3)]! >> (bit & 7)) & 1) index++;
  expect((b[72 + (29 >> 3)]! >> (29 & 7)) & 1).toBe(1);
  const at = Number(b.readBigUInt64LE(dataEnd + index * 16));
  return { wallNs: b.readBigUInt64LE(at + 8), clockNs: b.readBigUInt64LE(at + 16) };
}

describe("a trace's own wall clock", () => {
  it('perf.data: HEADER_CLOCK_DATA, the same pair as in the file; kept through an Arrow file', async () => {
    const file = join(TRACES, 'eth0-normal', 'perf.data');
    const expected = clockDataOf(file);
    // a 2026 capture: the pair is a real wall clock, not zero
    expect(expected.wallNs > 1_700_000_000_000_000_000n).toBe(true);
    const { table, summary } = await loadEvents([file]);
    expect(summary.sources[0]!.wallClock).toEqual({
      wallNs: expected.wallNs,
      traceNs: expected.clockNs,
      source: 'perf.data clock data',
    });
    expect(JSON.parse(table.schema.metadata.get(META.wallClock)!)).toEqual({
      wall_ns: expected.wallNs.toString(),
      trace_ns: expected.clockNs.toString(),
      source: 'perf.data clock data',
    });
    const arrow = join(dir, 'eth0.arrow');
    await ingestToArrow([file], arrow);
    const again = await loadEvents([arrow]);
    expect(again.summary.sources[0]!.wallClock).toEqual(summary.sources[0]!.wallClock);
  });

  it('perf.data in pipe mode (HEADER_FEATURE records) has it too', async () => {
    const { summary } = await loadEvents([join(CAPTURED, 'perf-pipe-lo', 'perf-pipe.data.gz')]);
    expect(summary.sources[0]!.wallClock?.source).toBe('perf.data clock data');
  });

  it('trace.dat without --date and perf script text without --header: unknown, whatever the mtime', async () => {
    for (const f of [join(CAPTURED, 'htb-shaped', 'trace.dat'), join(CAPTURED, 'lossy-tracecmd', 'trace.dat')]) {
      const { table, summary } = await loadEvents([f]);
      expect(summary.sources[0]!.wallClock).toBeNull();
      expect(table.schema.metadata.get(META.wallClock)).toBe('');
    }
    const text = join(dir, 'perf-script.txt');
    writeFileSync(text, readFileSync(join(TRACES, 'eth0-normal', 'perf-script.txt')));
    utimesSync(text, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    const { summary } = await loadEvents([text]);
    // null or absent: unknown (SourceSummary.wallClock), never the mtime
    expect(summary.sources[0]!.wallClock ?? null).toBeNull();
  });

  it("`perf script --header`'s reference time gives the same anchor as the perf.data it was printed from", async () => {
    const { wallNs, clockNs } = clockDataOf(join(TRACES, 'eth0-normal', 'perf.data'));
    const usec = (wallNs / 1000n) % 1_000_000n;
    const sec = wallNs / 1_000_000_000n;
    // print_clock_data(): "# reference time: %s = %ld.%06d (TOD) = %ld.%09ld (%s)"
    const header = [
      '# ========',
      '# captured on    : Sun Nov 22 01:50:56 2026',
      '# clockid: monotonic (1)',
      `# reference time: 2026-11-22 01:50:48.${usec.toString().padStart(6, '0')} = ${sec}.${usec.toString().padStart(6, '0')} (TOD) = ${clockNs / 1_000_000_000n}.${(clockNs % 1_000_000_000n).toString().padStart(9, '0')} (monotonic)`,
      '# ========',
      '#',
    ].join('\n');
    const text = join(dir, 'with-header.txt');
    writeFileSync(text, `${header}\n${readFileSync(join(TRACES, 'eth0-normal', 'perf-script.txt'), 'utf8')}`);
    const { summary } = await loadEvents([text]);
    expect(summary.sources[0]!.wallClock).toEqual({
      wallNs: sec * 1_000_000_000n + usec * 1000n,
      traceNs: clockNs,
      source: 'perf script header',
    });
  });
});
