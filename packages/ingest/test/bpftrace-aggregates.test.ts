/**
 * bpftrace aggregates (maps, hist, lhist, stats) as users bring them: our own TX-path capture in both outputs
 * (fixtures/captured/bpftrace-aggregates, ground truth from the load) and public map outputs (fixtures/public 48-51),
 * recognised at the front door and read with their numbers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { looksLikeBpftraceAggregates, openTraceInput, readBpftraceAggregates } from '../src/index.js';
import type { BpftraceAggregate } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = path.join(repoRoot, 'fixtures/captured/bpftrace-aggregates');
const corpus = path.join(repoRoot, 'fixtures/public');

const mapValue = (entries: BpftraceAggregate[], map: string, key: string[]): number | undefined => {
  const e = entries.find((x) => x.map === map && x.key.join('\u0000') === key.join('\u0000'));
  return e?.kind === 'value' ? e.value : undefined;
};
const histCount = (e: BpftraceAggregate | undefined): number =>
  e?.kind === 'hist' ? e.buckets.reduce((n, b) => n + b.count, 0) : Number.NaN;

describe('TX-path maps captured on this machine (200 datagrams to a closed port on lo)', () => {
  for (const [file, output] of [
    ['maps.json', 'json'],
    ['maps.txt', 'text'],
  ] as const) {
    it(`${file}: an aggregates input, every map read with the load's numbers`, async () => {
      const p = path.join(captured, file);
      const input = await openTraceInput(p);
      expect(input.kind).toBe('aggregates');
      expect(input.aggregates).toBe(output);
      const read = readBpftraceAggregates(readFileSync(p, 'utf8'), output);
      expect(read.skipped).toBe(0);
      const e = read.entries;
      expect(new Set(e.map((x) => x.map))).toEqual(
        new Set(['@bytes', '@len', '@napi', '@polls', '@qlen', '@rc', '@work', '@xmit']),
      );
      // 200 datagrams + 200 ICMP port unreachable replies leave through lo
      expect(mapValue(e, '@xmit', ['lo'])).toBe(400);
      expect(mapValue(e, '@rc', ['lo', '0'])).toBe(400);
      expect(mapValue(e, '@polls', [])).toBe(200);
      expect(mapValue(e, '@napi', ['(no_device)'])).toBe(200);
      expect(mapValue(e, '@bytes', ['lo'])).toBe(259686);
      expect(histCount(e.find((x) => x.map === '@len'))).toBe(400);
      const qlen = e.find((x) => x.map === '@qlen');
      expect(qlen?.key).toEqual(['lo']);
      expect(histCount(qlen)).toBe(400);
      // lhist(len, 0, 1500, 100): 15 buckets of 100 bytes, [0, 100) first
      expect(qlen?.kind === 'hist' ? qlen.buckets[0] : null).toEqual({ lo: 0, hi: 99, count: 2 });
      const work = e.find((x) => x.map === '@work');
      expect(work).toMatchObject({ kind: 'stats', count: 200, average: 2, total: 400 });
    });
  }

  it('the text and the JSON output of the same program hold the same buckets', () => {
    const j = readBpftraceAggregates(readFileSync(path.join(captured, 'maps.json'), 'utf8'), 'json').entries;
    const t = readBpftraceAggregates(readFileSync(path.join(captured, 'maps.txt'), 'utf8'), 'text').entries;
    const buckets = (e: BpftraceAggregate[]) =>
      e.filter((x) => x.kind === 'hist').map((x) => [x.map, x.key, x.kind === 'hist' ? x.buckets : []]);
    expect(buckets(t)).toEqual(buckets(j));
  });
});

describe('public bpftrace map outputs (fixtures/public 48-51)', () => {
  it('48 lhist with open buckets: (..., 0) is below 0, [10, ...) unbounded, 5 samples', () => {
    const text = readFileSync(path.join(corpus, '48-bpftrace-lhist-open-buckets.txt'), 'utf8');
    expect(looksLikeBpftraceAggregates(text.split('\n'))).toBe('text');
    const [e] = readBpftraceAggregates(text, 'text').entries;
    expect(e?.kind === 'hist' ? e.buckets.filter((b) => b.count > 0) : null).toEqual([
      { lo: null, hi: -1, count: 1 },
      { lo: 2, hi: 3, count: 2 },
      { lo: 6, hi: 7, count: 1 },
      { lo: 10, hi: null, count: 1 },
    ]);
  });

  it('49 stats by comm, pretty-printed JSON over several lines', () => {
    const text = readFileSync(path.join(corpus, '49-bpftrace-stats-by-comm-pretty.json'), 'utf8');
    expect(looksLikeBpftraceAggregates(text.split('\n'))).toBe('json');
    const read = readBpftraceAggregates(text, 'json');
    expect(read.entries.map((x) => [x.key, x.kind === 'stats' ? x.total : null])).toEqual([
      [['curl'], 2],
      [['zsh'], 10],
    ]);
  });

  it('50 a 2018 hist with [0, 1], lower-case 1k bounds, the shell command and ^C kept', () => {
    const text = readFileSync(path.join(corpus, '50-bpftrace-hist-2018-lowercase-k.txt'), 'utf8');
    expect(looksLikeBpftraceAggregates(text.split('\n'))).toBe('text');
    const read = readBpftraceAggregates(text, 'text');
    expect(read.skipped).toBe(0);
    const e = read.entries[0];
    expect(histCount(e)).toBe(72);
    expect(e?.kind === 'hist' ? e.buckets.at(-1) : null).toEqual({ lo: 2048, hi: 4095, count: 28 });
    expect(e?.kind === 'hist' ? e.buckets[0] : null).toEqual({ lo: 0, hi: 1, count: 7 });
  });

  it('51 a hist keyed by a tuple: "curl,3" is two key parts', () => {
    const text = readFileSync(path.join(corpus, '51-bpftrace-hist-tuple-keys-pretty.json'), 'utf8');
    const read = readBpftraceAggregates(text, 'json');
    expect(read.entries.map((x) => [x.key, histCount(x)])).toEqual([
      [['bpftrace', '2'], 1],
      [['curl', '3'], 2],
    ]);
  });
});

describe('what is not an aggregates input', () => {
  it('a bpftrace JSON trace with printf records stays a trace; a kernel log is not maps', async () => {
    expect(looksLikeBpftraceAggregates(['{"type": "printf", "data": "1 0 1 x net:net_dev_xmit dev=lo\\n"}', ''])).toBe(
      null,
    );
    const log = readFileSync(path.join(corpus, '06-e1000e-hang-watchdog-one-line.dmesg'), 'utf8').split('\n');
    expect(looksLikeBpftraceAggregates(log)).toBe(null);
  });

  it('a truncated JSON record and a line that is no map are counted with their line, never dropped silently', () => {
    const text = '{"type": "map", "data": {"@x": {"eth0": 3}}}\nnot a map\n{"type": "map", "data": {"@y": {"eth0"';
    const read = readBpftraceAggregates(text, 'json');
    expect(read.entries).toHaveLength(1);
    expect(read.skipped).toBe(2);
    expect(read.firstSkipped).toEqual([
      { line: 2, text: 'not a map' },
      { line: 3, text: 'truncated JSON record: {"type": "map", "data": {"@y": {"eth0"' },
    ]);
    const t = readBpftraceAggregates('@x[eth0]: 3\nsomething else\n', 'text');
    expect(t.skipped).toBe(1);
    expect(t.firstSkipped[0]).toEqual({ line: 2, text: 'something else' });
  });
});
