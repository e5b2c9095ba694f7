/**
 * Bad binary input, on real captures damaged here: a file cut short gives the events before the cut and a warning
 * that says so (with the offset and the count); an unknown record type is skipped and counted; a malformed format
 * definition is refused with its offset; a payload shorter than its format is skipped, counted, and its offset given.
 * Never a crash: every damaged file ends in rows plus warnings, or in one NotATraceError sentence.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { NotATraceError, loadEvents } from '../src/index.js';
import { readPerfData } from '../src/parse/perf-data/index.js';
import { TRACES } from './fixtures.js';

const CAPTURED = resolve(__dirname, '../../../fixtures/captured');
const CONVERTED = resolve(__dirname, '../../../fixtures/converted');
const tmp = mkdtempSync(join(tmpdir(), 'txreplay-binary-damaged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const plain = (p: string): Buffer => {
  const b = readFileSync(p);
  return b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b;
};
function write(name: string, b: Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, b);
  return p;
}
const messages = (s: Awaited<ReturnType<typeof loadEvents>>['summary']): string =>
  s.sources[0]!.issues.map((i) => i.message).join('\n');

/** perf.data file mode: the data section's offset and size (struct perf_file_header). */
function dataSection(b: Buffer): { offset: number; size: number } {
  return { offset: Number(b.readBigUInt64LE(40)), size: Number(b.readBigUInt64LE(48)) };
}

/** Offsets of the records of a type in a little-endian perf.data's data section. */
function recordsOf(b: Buffer, type: number): number[] {
  const { offset, size } = dataSection(b);
  const out: number[] = [];
  for (let p = offset; p + 8 <= offset + size; p += b.readUInt16LE(p + 6)) if (b.readUInt32LE(p) === type) out.push(p);
  return out;
}

describe('damaged binary captures', () => {
  it('pipe-mode perf.data cut in the middle: the events before the cut and a warning with the count', async () => {
    const full = plain(join(CAPTURED, 'perf-pipe-lo/perf-pipe.data.gz'));
    const whole = await loadEvents([write('pipe-full.data', full)]);
    const cut = await loadEvents([write('pipe-cut.data', full.subarray(0, Math.floor(full.length * 0.9) + 3))]);
    const n = cut.summary.events;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(whole.summary.events);
    // (perf writes the synthesized task/mmap records first: the samples come in the last part of this file)
    // the rows before the cut are the same rows
    expect(cut.table.getChild('ts_ns')!.toArray()).toEqual(whole.table.getChild('ts_ns')!.toArray().slice(0, n));
    expect(messages(cut.summary)).toMatch(
      new RegExp(
        `cut short: it ends inside a record \\(first at offset \\d+\\); the ${n} events before the cut were read`,
      ),
    );
  });

  it('file-mode perf.data cut in its data section: refused in one sentence (its formats come after the data)', async () => {
    const full = readFileSync(join(TRACES, 'eth0-normal/perf.data'));
    const { offset, size } = dataSection(full);
    const p = write('file-cut.data', full.subarray(0, offset + Math.floor(size / 2)));
    const err = await loadEvents([p]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotATraceError);
    expect((err as Error).message).toMatch(/is a damaged perf-data file \(.*truncated.*\)$/);
  });

  it('trace.dat v6 cut in its CPU data: the pages before the cut, and a warning', async () => {
    const full = plain(join(CONVERTED, 'neigh-queuefull-v6.dat.gz'));
    const whole = await loadEvents([write('v6-full.dat', full)]);
    const cut = await loadEvents([write('v6-cut.dat', full.subarray(0, full.length - 3000))]);
    expect(cut.summary.events).toBeGreaterThan(0);
    expect(cut.summary.events).toBeLessThan(whole.summary.events);
    expect(messages(cut.summary)).toMatch(
      new RegExp(
        `cut short: it ends inside a record \\(first at offset \\d+\\); the ${cut.summary.events} events before the cut`,
      ),
    );
  });

  it('trace.dat v7 cut short: refused in one sentence (trace-cmd 3.1 writes the CPU data options last)', async () => {
    const full = readFileSync(join(CAPTURED, 'requeue-bulk-tracecmd/trace.dat'));
    const err = await loadEvents([write('v7-cut.dat', full.subarray(0, full.length - 3000))]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotATraceError);
    expect((err as Error).message).toMatch(
      /is a damaged trace-dat file \(trace\.dat truncated: wanted \d+ bytes at \d+\)$/,
    );
  });

  it('an unknown perf record type is skipped and counted, the events unchanged', async () => {
    const full = readFileSync(join(TRACES, 'eth0-normal/perf.data'));
    const b = Buffer.from(full);
    const mmap2 = recordsOf(b, 10); // PERF_RECORD_MMAP2: skipped anyway, so the events must not change
    expect(mmap2.length).toBeGreaterThan(0);
    b.writeUInt32LE(200, mmap2[0]!);
    const whole = await loadEvents([write('known.data', full)]);
    const odd = await loadEvents([write('unknown-type.data', b)]);
    expect(odd.summary.events).toBe(whole.summary.events);
    expect(messages(odd.summary)).toContain(`TYPE_200 ×1 (first at offset ${mmap2[0]})`);
  });

  it('a malformed field line in the embedded formats is refused with its offset', async () => {
    const b = Buffer.from(readFileSync(join(TRACES, 'eth0-normal/perf.data')));
    const at = b.indexOf('field:unsigned int len;\toffset:');
    expect(at).toBeGreaterThan(0);
    b.write('offzet', at + 'field:unsigned int len;\t'.length, 'latin1');
    const err = await loadEvents([write('bad-format.data', b)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotATraceError);
    expect((err as Error).message).toMatch(
      /malformed \w+ event format at offset \d+ of the tracing data: malformed field line "field:unsigned int len;\toffzet:/,
    );
  });

  it('a sample whose payload is shorter than its format is skipped, counted, and located', async () => {
    const path = join(TRACES, 'eth0-normal/perf.data');
    const reader = readPerfData(path);
    for await (const _ of reader.batches());
    const ids = new Set([...reader.formats.values()].map((f) => f.id));
    const full = readFileSync(path);
    const b = Buffer.from(full);
    // the raw block ends the sample (u32 size, payload starting with common_type, padding to 8 bytes)
    const sample = recordsOf(b, 9).find((o) => rawSizeAt(b, o, ids) > 0)!;
    b.writeUInt32LE(8, rawSizeAt(b, sample, ids));
    const whole = await loadEvents([path]);
    const short = await loadEvents([write('short-payload.data', b)]);
    expect(short.summary.events).toBe(whole.summary.events - 1);
    expect(messages(short.summary)).toMatch(
      new RegExp(`payload shorter than its format\\) ×1 \\(first at offset ${sample}\\)`),
    );
  });
});

/** Where the u32 raw size of the sample at `o` is (0: not found). */
function rawSizeAt(b: Buffer, o: number, ids: Set<number>): number {
  const end = o + b.readUInt16LE(o + 6);
  for (let q = o + 8; q + 6 <= end; q += 4) {
    const n = b.readUInt32LE(q);
    const pad = end - (q + 4 + n);
    if (n >= 8 && pad >= 0 && pad < 8 && ids.has(b.readUInt16LE(q + 4))) return q;
  }
  return 0;
}
