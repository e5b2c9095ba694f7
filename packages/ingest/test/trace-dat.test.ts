/**
 * trace.dat reader on the real trace-cmd 3.1 captures (file version 7, zstd): the decoded events equal
 * `trace-cmd report`'s lines of the same file, field by field (comm, pid, cpu, µs timestamp, event, and every
 * field through the event's print fmt, %pS resolved with the file's own kallsyms).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceDat } from '../src/parse/trace-dat/index.js';
import type { BinaryTraceRecord, TracepointRecord } from '../src/parse/tracing-data/index.js';
import { compareFieldText, readText, SymbolBases, usOf, type TextEvent } from './binaryText.js';

const CAPTURED = resolve(__dirname, '../../../fixtures/captured');
const CONVERTED = resolve(__dirname, '../../../fixtures/converted');

/** [name, trace.dat, report text, expected file version/compression] */
const CASES: [string, string, string, { variant: string; compression: string }][] = [
  ...['htb-shaped', 'tbf-shaped-tracecmd', 'requeue-bulk-tracecmd', 'neigh-queuefull'].map(
    (d): [string, string, string, { variant: string; compression: string }] => [
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
];

/** `comm-pid [cpu] secs.usecs: name: fields` (the event column is padded). */
const LINE = /^\s*(.*)-(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):\s+(\w+):\s+(.*)$/;

function parseReport(text: string): { events: TextEvent[]; other: string[] } {
  const events: TextEvent[] = [];
  const other: string[] = [];
  text.split('\n').forEach((l, i) => {
    const m = LINE.exec(l);
    if (m)
      events.push({
        line: i + 1,
        comm: m[1]!,
        tid: Number(m[2]),
        cpu: Number(m[3]),
        us: usOf(m[4]!, m[5]!),
        event: m[6]!,
        fields: m[7]!.trimEnd(),
      });
    else if (l.trim() !== '' && !/^cpus=\d+$/.test(l)) other.push(l);
  });
  return { events, other };
}

describe('trace.dat reader: same events, same values as trace-cmd report', () => {
  for (const [name, dat, reportPath, want] of CASES) {
    it(name, async () => {
      expect(existsSync(dat)).toBe(true);
      expect(existsSync(reportPath)).toBe(true);
      const reader = readTraceDat(dat);
      const recs: BinaryTraceRecord[] = [];
      for await (const r of reader) recs.push(r);
      const events = recs.filter((r): r is TracepointRecord => r.kind === 'event');
      const text = parseReport(readText(reportPath));
      expect(text.other).toEqual([]);
      expect(events.length).toBe(text.events.length);

      const ksyms = reader.kallsyms;
      expect(ksyms).toBeDefined();
      const bases = new SymbolBases();
      const bad: string[] = [];
      let rounded = 0;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const t = text.events[i]!;
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
      expect(reader.meta).toMatchObject({ format: 'trace-dat', ...want });
      expect(reader.stats.lostWindows).toBe(0);
    });
  }
});
