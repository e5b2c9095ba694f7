/**
 * perf.data reader on the real captures: the decoded events equal `perf script`'s lines of the same file,
 * field by field (comm, tid, cpu, µs timestamp, event, and every field through the event's print fmt), and
 * the per-event counts equal ground-truth.json.
 */
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPerfData } from '../src/parse/perf-data/index.js';
import {
  type BinaryTraceRecord,
  detectBinaryFormat,
  type LostWindow,
  type TracepointRecord,
} from '../src/parse/tracing-data/index.js';
import { perfDataToBigEndian } from './perfSwap.js';
import { compareFieldText, readText, SymbolBases, textEventOf, usOf, type TextEvent } from './binaryText.js';
import { TRACES, traceDirs } from './fixtures.js';

const CAPTURED = resolve(__dirname, '../../../fixtures/captured');

/** `comm tid [cpu] secs.usecs: sys:event: fields` and, with --show-lost-events, `... PERF_RECORD_LOST lost N`. */
const LINE = /^\s*(.*?)\s+(-?\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):\s+(?:(\w+:\w+):\s?(.*)|(PERF_RECORD_LOST) lost (\d+))$/;

interface TextLost {
  line: number;
  tid: number;
  cpu: number;
  us: bigint;
  count: number;
}

function parseScript(text: string): { events: TextEvent[]; lost: TextLost[] } {
  const events: TextEvent[] = [];
  const lost: TextLost[] = [];
  text.split('\n').forEach((l, i) => {
    const m = LINE.exec(l);
    if (!m) return;
    if (m[8] !== undefined)
      lost.push({ line: i + 1, tid: Number(m[2]), cpu: Number(m[3]), us: usOf(m[4]!, m[5]!), count: Number(m[9]) });
    else events.push(textEventOf(m, i + 1));
  });
  return { events, lost };
}

function pick(dir: string, names: string[]): string | undefined {
  return names.map((n) => join(dir, n)).find((p) => existsSync(p));
}

interface Case {
  name: string;
  data: string;
  script: string;
  counts: Record<string, number> | undefined;
  /** Read through a stream rather than a path. */
  stream?: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const d of traceDirs()) {
    const dir = join(TRACES, d);
    const data = pick(dir, ['perf.data', 'perf.data.gz']);
    const script = pick(dir, ['perf-script.txt', 'perf-script.txt.gz']);
    if (data === undefined || script === undefined) continue;
    const gt = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')) as {
      event_counts?: Record<string, Record<string, number>>;
    };
    out.push({ name: d, data, script, counts: gt.event_counts?.['perf-script.txt'] });
  }
  const lossy = join(CAPTURED, 'lossy-perf');
  if (existsSync(join(lossy, 'perf.data.gz'))) {
    const gt = JSON.parse(readFileSync(join(lossy, 'ground-truth.json'), 'utf8')) as {
      files?: Record<string, { event_counts?: Record<string, number> }>;
    };
    out.push({
      name: 'captured/lossy-perf',
      data: join(lossy, 'perf.data.gz'),
      script: join(lossy, 'perf-script.txt.gz'),
      counts: gt.files?.['perf-script.txt.gz']?.event_counts,
    });
  }
  const zstd = join(CAPTURED, 'perf-zstd-lo');
  out.push({
    name: 'captured/perf-zstd-lo (perf record -z)',
    data: join(zstd, 'perf.data'),
    script: join(zstd, 'perf-script.txt'),
    counts: { 'net:net_dev_queue': 200, 'net:net_dev_xmit': 200, 'skb:consume_skb': 1, _total: 401 },
  });
  const pipe = join(CAPTURED, 'perf-pipe-lo');
  out.push({
    name: 'captured/perf-pipe-lo (pipe mode, from a stream)',
    data: join(pipe, 'perf-pipe.data.gz'),
    script: join(pipe, 'perf-script.txt'),
    counts: { 'net:net_dev_queue': 200, 'net:net_dev_xmit': 200, 'skb:consume_skb': 2, _total: 402 },
    stream: true,
  });
  return out;
}

describe('perf.data reader: same events, same values as perf script', () => {
  const all = cases();
  it('finds the real captures', () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
  });
  for (const c of all) {
    it(c.name, async () => {
      const reader = readPerfData(c.stream === true ? createReadStream(c.data) : c.data);
      const recs: BinaryTraceRecord[] = [];
      for await (const r of reader) recs.push(r);
      const events = recs.filter((r): r is TracepointRecord => r.kind === 'event');
      const lost = recs.filter((r): r is LostWindow => r.kind === 'lost' && r.source === 'PERF_RECORD_LOST');
      const text = parseScript(readText(c.script));

      expect(events.length).toBe(text.events.length);
      const bases = new SymbolBases();
      const bad: string[] = [];
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const t = text.events[i]!;
        const why: string[] = [];
        if (e.comm !== t.comm) why.push(`comm ${e.comm} != ${t.comm}`);
        if (e.tid !== t.tid) why.push(`tid ${e.tid} != ${t.tid}`);
        if (e.cpu !== t.cpu) why.push(`cpu ${e.cpu} != ${t.cpu}`);
        // perf script prints µs truncated from the ns timestamp (timestamp__scnprintf_usec).
        if (e.tsNs / 1000n !== t.us) why.push(`ts ${e.tsNs}ns != ${t.us}µs`);
        if (e.event !== t.event) why.push(`event ${e.event} != ${t.event}`);
        else {
          const f = reader.formats.get(e.event);
          const d = f === undefined ? 'no format' : compareFieldText(f, e, t.fields, bases);
          if (d !== '') why.push(d);
        }
        if (why.length > 0) bad.push(`line ${t.line}: ${why.join('; ')}`);
      }
      expect(bad.slice(0, 5)).toEqual([]);
      expect(bases.conflicts).toEqual([]);

      // --show-lost-events lines (only the lossy capture has them) are the PERF_RECORD_LOST windows.
      expect(lost.map((l) => [l.count, l.cpu, l.tid, (l.endNs ?? 0n) / 1000n])).toEqual(
        text.lost.map((l) => [l.count, l.cpu, l.tid, l.us]),
      );

      expect(c.counts).toBeDefined();
      const { _total: total, ...perEvent } = c.counts ?? {};
      expect(reader.stats.events).toEqual(perEvent);
      expect(events.length).toBe(total);
      expect(reader.stats.unknownEvents).toBe(0);
      expect(reader.meta?.format).toBe('perf-data');
      expect(reader.meta?.variant).toBe(c.stream === true ? 'pipe' : 'file');
    });
  }
});

describe('perf.data reader: byte order', () => {
  it('a big-endian rewrite of eth0-normal decodes to the same records', async () => {
    const path = join(TRACES, 'eth0-normal', 'perf.data');
    const le = readPerfData(path);
    const want: BinaryTraceRecord[] = [];
    for await (const r of le) want.push(r);
    const byId = new Map([...le.formats.values()].map((f) => [f.id, f]));
    const dir = mkdtempSync(join(tmpdir(), 'txreplay-perf-be-'));
    try {
      const bePath = join(dir, 'perf.data');
      writeFileSync(bePath, perfDataToBigEndian(readFileSync(path), byId));
      const be = readPerfData(bePath);
      const got: BinaryTraceRecord[] = [];
      for await (const r of be) got.push(r);
      expect(be.meta).toMatchObject({
        littleEndian: false,
        hostname: le.meta?.hostname,
        osRelease: le.meta?.osRelease,
      });
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
      expect(be.stats).toEqual(le.stats);
      expect(detectBinaryFormat(readFileSync(bePath).subarray(0, 16))).toBe('perf-data');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('binary format detection', () => {
  it('tells perf.data (file, pipe) and trace.dat from text by their first bytes', () => {
    const head = (p: string): Buffer => {
      const b = readFileSync(p);
      return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).subarray(0, 16);
    };
    expect(detectBinaryFormat(head(join(TRACES, 'eth0-normal', 'perf.data')))).toBe('perf-data');
    expect(detectBinaryFormat(head(join(CAPTURED, 'perf-pipe-lo', 'perf-pipe.data.gz')))).toBe('perf-data');
    expect(detectBinaryFormat(head(join(CAPTURED, 'neigh-queuefull', 'trace.dat')))).toBe('trace-dat');
    expect(detectBinaryFormat(head(join(TRACES, 'eth0-normal', 'perf-script.txt')))).toBeNull();
    expect(detectBinaryFormat(head(join(CAPTURED, 'neigh-queuefull', 'tracecmd-report.txt')))).toBeNull();
  });
});
