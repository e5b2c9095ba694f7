/**
 * perf.data and trace.dat through the front door: detected by magic (also gzipped), decoded, and turned into the
 * same rows as the tools' own text of the same capture — every shared perf.data against its perf-script.txt
 * (timestamps compared at the text's microsecond precision; the binary keeps nanoseconds), and a real trace-cmd
 * capture against `trace-cmd report`. Lost-event pages of a real overrun buffer become counted lost markers.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEvents, openTraceInput } from '@txreplay/ingest';
import type { Table } from 'apache-arrow';
import { fileURLToPath } from 'node:url';
import { TRACES as traces } from './fixtures.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = path.join(repoRoot, 'fixtures/captured');
const either = (p: string): string => (existsSync(p) ? p : `${p}.gz`);

const COMPARED = [
  'event',
  'cpu',
  'pid',
  'dev',
  'skbaddr',
  'len',
  'rc',
  'queue',
  'txq_state',
  'packets',
  'napi',
  'work',
  'reason',
];

function column(t: Table, name: string): unknown[] {
  const v = t.getChild(name);
  return v ? Array.from({ length: t.numRows }, (_, i) => v.get(i)) : [];
}

/** perf script truncates to microseconds, trace-cmd report rounds */
function expectSameRows(bin: Table, txt: Table, round = false): void {
  expect(bin.numRows).toBe(txt.numRows);
  for (const name of COMPARED) expect(column(bin, name), name).toEqual(column(txt, name));
  const usBin = column(bin, 'ts_ns').map((t) => ((t as bigint) + (round ? 500n : 0n)) / 1000n);
  const usTxt = column(txt, 'ts_ns').map((t) => (t as bigint) / 1000n);
  expect(usBin).toEqual(usTxt);
}

describe('binary captures through the front door', () => {
  for (const capture of [
    'eth0-normal',
    'multiqueue',
    'veth-backpressure',
    'veth-peer-down',
    'veth-stall-napi-starved',
    'veth-stall-tbf',
  ]) {
    it(`${capture}: perf.data gives the rows of its perf script text`, async () => {
      const data = either(path.join(traces, capture, 'perf.data'));
      expect((await openTraceInput(data)).kind).toBe('binary');
      const bin = await loadEvents([data]);
      const txt = await loadEvents([either(path.join(traces, capture, 'perf-script.txt'))]);
      expectSameRows(bin.table, txt.table);
      expect(bin.summary.sources[0]!.path).toBe(data);
      expect(bin.summary.skipped).toBe(0);
      expect(column(bin.table, 'source').every((s) => s === data)).toBe(true);
    });
  }

  it('requeue-bulk-tracecmd: trace.dat gives the rows of trace-cmd report', async () => {
    const dir = path.join(captured, 'requeue-bulk-tracecmd');
    const input = await openTraceInput(path.join(dir, 'trace.dat'));
    expect(input).toMatchObject({ kind: 'binary', binary: 'trace-dat' });
    const bin = await loadEvents([input]);
    const txt = await loadEvents([path.join(dir, 'tracecmd-report.txt.gz')]);
    expectSameRows(bin.table, txt.table, true);
  });

  it('lossy-tracecmd: an overrun buffer page (RB_MISSED_EVENTS) is a counted lost marker on its CPU', async () => {
    const bin = await loadEvents([path.join(captured, 'lossy-tracecmd/trace.dat')]);
    const lost = column(bin.table, 'event').filter((e) => e === 'txreplay:lost_events').length;
    expect(lost).toBeGreaterThan(0);
    expect(bin.summary.lostEvents).toBe(39782);
  });
});
