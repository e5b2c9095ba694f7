/**
 * trace.dat reader on the real trace-cmd 3.1 captures (file version 7, zstd): the decoded events equal
 * `trace-cmd report`'s lines of the same file, field by field (comm, pid, cpu, µs timestamp, event, and every
 * field through the event's print fmt, %pS resolved with the file's own kallsyms).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceDat } from '../src/parse/trace-dat/index.js';
import type { BinaryTraceRecord } from '../src/parse/tracing-data/index.js';
import { traceDatV6ToBigEndian } from './traceDatSwap.js';
import { compareFieldText, readText, SymbolBases, textEventOf, type TextEvent } from './binaryText.js';

const CAPTURED = resolve(__dirname, '../../../fixtures/captured');
const CONVERTED = resolve(__dirname, '../../../fixtures/converted');

interface Want {
  variant: string;
  compression: string;
  instance?: string;
  /** [cpu, count] of the lost windows (RB_MISSED_EVENTS pages). */
  lost?: [number, number][];
}

/** [name, trace.dat, report text, expected meta and losses] */
const CASES: [string, string, string, Want][] = [
  ...['htb-shaped', 'tbf-shaped-tracecmd', 'requeue-bulk-tracecmd', 'neigh-queuefull'].map(
    (d): [string, string, string, Want] => [
      d,
      join(CAPTURED, d, 'trace.dat'),
      ['tracecmd-report.txt', 'tracecmd-report.txt.gz'].map((n) => join(CAPTURED, d, n)).find((p) => existsSync(p)) ??
        '',
      { variant: '7', compression: 'zstd' },
    ],
  ),
  // The same neigh-queuefull capture converted to file version 6 (gzip'd: also exercises gzip → spool).
  [
    'neigh-queuefull as v6',
    join(CONVERTED, 'neigh-queuefull-v6.dat.gz'),
    join(CAPTURED, 'neigh-queuefull', 'tracecmd-report.txt'),
    { variant: '6', compression: 'none' },
  ],
  // An overrun 11 KB/CPU instance buffer (trace-cmd extract -B): CPU 0 overran by 39782 events (buffer-stats.txt).
  [
    'lossy-tracecmd (instance, RB_MISSED_EVENTS)',
    join(CAPTURED, 'lossy-tracecmd', 'trace.dat'),
    join(CAPTURED, 'lossy-tracecmd', 'tracecmd-report.txt'),
    { variant: '7', compression: 'zstd', instance: 'txrbin', lost: [[0, 39782]] },
  ],
];

/** `comm-pid [cpu] secs.usecs: name: fields` (the event column is padded). */
const LINE = /^\s*(.*)-(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):\s+(\w+):\s+(.*)$/;
/** trace-cmd's marker for a page flagged RB_MISSED_EVENTS (with the count when RB_MISSED_STORED). */
const DROPPED = /^CPU:(\d+) \[(?:(\d+) )?EVENTS DROPPED\]$/;

interface TextLost {
  line: number;
  cpu: number;
  count: number;
}

/** The report's events and lost markers in order; lines of a named instance carry a `name: ` prefix. */
function parseReport(text: string, instance: string): { items: (TextEvent | TextLost)[]; other: string[] } {
  const items: (TextEvent | TextLost)[] = [];
  const other: string[] = [];
  const prefix = instance === '' ? '' : `${instance}: `;
  text.split('\n').forEach((raw, i) => {
    const l = prefix !== '' && raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
    const m = LINE.exec(l);
    const d = DROPPED.exec(l.trim());
    if (m) items.push(textEventOf(m, i + 1, m[7]!.trimEnd()));
    else if (d) items.push({ line: i + 1, cpu: Number(d[1]), count: d[2] === undefined ? -1 : Number(d[2]) });
    else if (l.trim() !== '' && !/^cpus=\d+$/.test(l)) other.push(l);
  });
  return { items, other };
}

describe('trace.dat reader: same events, same values as trace-cmd report', () => {
  for (const [name, dat, reportPath, want] of CASES) {
    it(name, async () => {
      expect(existsSync(dat)).toBe(true);
      expect(existsSync(reportPath)).toBe(true);
      const reader = readTraceDat(dat);
      const recs: BinaryTraceRecord[] = [];
      for await (const r of reader) recs.push(r);
      const text = parseReport(readText(reportPath), want.instance ?? '');
      expect(text.other).toEqual([]);
      expect(recs.length).toBe(text.items.length);

      const ksyms = reader.kallsyms;
      expect(ksyms).toBeDefined();
      const bases = new SymbolBases();
      const bad: string[] = [];
      let rounded = 0;
      for (let i = 0; i < recs.length; i++) {
        const e = recs[i]!;
        const t = text.items[i]!;
        if (e.kind === 'lost' || !('comm' in t)) {
          const got = e.kind === 'lost' ? `lost cpu ${e.cpu} count ${e.count}` : `event ${e.event}`;
          const exp = 'comm' in t ? `event ${t.event}` : `lost cpu ${t.cpu} count ${t.count}`;
          if (got !== exp) bad.push(`line ${t.line}: ${got} != ${exp}`);
          continue;
        }
        const why: string[] = [];
        if (e.comm !== t.comm) why.push(`comm ${e.comm} != ${t.comm}`);
        if (e.tid !== t.tid) why.push(`pid ${e.tid} != ${t.tid}`);
        if (e.cpu !== t.cpu) why.push(`cpu ${e.cpu} != ${t.cpu}`);
        // trace-cmd report prints µs rounded to nearest from the ns timestamp.
        const us = (e.tsNs + 500n) / 1000n;
        if (us !== t.us) why.push(`ts ${e.tsNs}ns != ${t.us}µs`);
        if (us !== e.tsNs / 1000n) rounded++;
        const f = reader.formats.get(e.event);
        if (f === undefined || f.name !== t.event) why.push(`event ${e.event} != ${t.event}`);
        else {
          const diff = compareFieldText(f, e, t.fields, bases, (a) => ksyms!.resolve(a));
          if (diff !== '') why.push(diff);
        }
        if (why.length > 0) bad.push(`line ${t.line}: ${why.join('; ')}`);
      }
      expect(bad.slice(0, 5)).toEqual([]);
      // Rounding (not truncation) is what made those lines equal.
      expect(rounded).toBeGreaterThan(0);
      expect(reader.stats.unknownEvents).toBe(0);
      expect(reader.meta).toMatchObject({
        format: 'trace-dat',
        variant: want.variant,
        compression: want.compression,
        instance: want.instance ?? '',
      });
      expect(reader.stats.lostWindows).toBe(want.lost?.length ?? 0);
      expect(recs.filter((r) => r.kind === 'lost').map((r) => [r.cpu, r.count])).toEqual(want.lost ?? []);
    });
  }
});

describe('tracepoint format files embedded in trace.dat', () => {
  it('parses static, flexible and dynamic arrays the way the kernel declares them', async () => {
    const reader = readTraceDat(join(CAPTURED, 'neigh-queuefull', 'trace.dat'));
    for await (const _ of reader.batches()) break;
    const layout = (event: string): [string, string, number, number][] =>
      (reader.formats.get(event)?.fields ?? []).map((f) => [f.name, f.kind, f.size, f.elemSize]);
    // kernel/trace/trace_entries.h: unsigned long caller[FTRACE_STACK_ENTRIES]; char buf[]; u32 buf[]
    expect(layout('ftrace:kernel_stack')).toEqual([
      ['size', 'int', 4, 4],
      ['caller', 'array', 64, 8],
    ]);
    expect(layout('ftrace:print')).toEqual([
      ['ip', 'int', 8, 8],
      ['buf', 'string', 0, 1],
    ]);
    expect(layout('ftrace:bprint')).toEqual([
      ['ip', 'int', 8, 8],
      ['fmt', 'int', 8, 8],
      ['buf', 'array', 0, 4],
    ]);
    expect(layout('napi:napi_poll')).toEqual([
      ['napi', 'int', 8, 8],
      ['dev_name', 'dynString', 4, 1],
      ['work', 'int', 4, 4],
      ['budget', 'int', 4, 4],
    ]);
  });
});

describe('trace.dat reader: byte order', () => {
  it('a big-endian rewrite of the v6 file decodes to the same records', async () => {
    const path = join(CONVERTED, 'neigh-queuefull-v6.dat.gz');
    const le = readTraceDat(path);
    const want: BinaryTraceRecord[] = [];
    for await (const r of le) want.push(r);
    const byId = new Map([...le.formats.values()].map((f) => [f.id, f]));
    const dir = mkdtempSync(join(tmpdir(), 'txreplay-tracedat-be-'));
    try {
      const bePath = join(dir, 'trace.dat');
      writeFileSync(bePath, traceDatV6ToBigEndian(gunzipSync(readFileSync(path)), byId));
      const be = readTraceDat(bePath);
      const got: BinaryTraceRecord[] = [];
      for await (const r of be) got.push(r);
      expect(be.meta).toMatchObject({ littleEndian: false, variant: '6', cpus: 2 });
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
      expect(be.stats.handled).toEqual(le.stats.handled);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trace.dat chunks decoded into reused memory', () => {
  it('reuseChunks (each CPU decodes its next zstd chunk into its last one) reads the same records', async () => {
    const path = join(CAPTURED, 'requeue-bulk-tracecmd', 'trace.dat');
    const read = async (reuseChunks: boolean): Promise<BinaryTraceRecord[]> => {
      // the records' fields are decoded as they are handed out (a sink that copies what it keeps)
      const out: BinaryTraceRecord[] = [];
      for await (const r of readTraceDat(path, { reuseChunks })) out.push(r);
      return out;
    };
    const want = await read(false);
    const got = await read(true);
    expect(want.length).toBeGreaterThan(10_000);
    expect(got).toEqual(want);
  });
});
