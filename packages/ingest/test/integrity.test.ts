/**
 * Range and integrity checks at parse time (issue 12 item 2): real lines of the shared captures with one value
 * edited. A value that does not fit its kernel type (s64 ns timestamp, s32 pid, int16 cpu column, s32 rc, u16
 * queue) is rejected and counted with its file and line, never wrapped; a control byte rejects its line; a last line
 * without its newline is kept only when it is not visibly cut. Each file goes through the three parsers — the
 * string reference, the WebAssembly kernel in this thread, and the built package's workers — which must agree.
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvents, type IngestSummary } from '../src/index.js';
import { EventColumns } from '../src/table/columns.js';
import { ingestTextSource } from '../src/io/source.js';
import { builtLoadEvents, tracePath, type BuiltLoadEvents } from './fixtures.js';

let builtLoad: BuiltLoadEvents;
beforeAll(async () => {
  builtLoad = await builtLoadEvents();
}, 180_000);

/** The first line of a shared capture that holds `needle`. */
function realLine(dir: string, file: string, needle: string): string {
  const line = readFileSync(tracePath(dir, file), 'utf8')
    .split('\n')
    .find((l) => l.includes(needle));
  if (line === undefined) throw new Error(`no '${needle}' line in ${dir}/${file}`);
  return line;
}

const PERF_XMIT = realLine('multiqueue', 'perf-script.txt', 'net:net_dev_xmit:');
const PERF_START = realLine('multiqueue', 'perf-script.txt', 'net:net_dev_start_xmit:');
// qdisc_dequeue prints skbaddr last (a cut there leaves every required field)
const PERF_DEQUEUE = realLine('multiqueue', 'perf-script.txt', 'packets=1 skbaddr=0xffff');
const FTRACE_XMIT = realLine('multiqueue', 'ftrace.txt', ' net_dev_xmit:');
const BPF_XMIT = realLine('multiqueue', 'bpftrace.txt', 'net:net_dev_xmit ');

/** `good` twelve times (the kernel learns the event from the first), `edited` as line 6, no header. */
function traceWith(good: string, edited: string): string {
  const lines = Array.from({ length: 12 }, () => good);
  lines[5] = edited;
  return `${lines.join('\n')}\n`;
}

function edit(line: string, from: string | RegExp, to: string): string {
  const out = line.replace(from, to);
  if (out === line) throw new Error(`'${String(from)}' not in ${line}`);
  return out;
}

interface Parsed {
  rows: unknown[][];
  summary: Pick<IngestSummary, 'lines' | 'events' | 'skipped' | 'comments'> & {
    issues: { path: string; line: number; message: string }[];
  };
}

function rowsOf(t: Table): unknown[][] {
  const cols = t.schema.fields.map((f) => t.getChild(f.name)!);
  return Array.from({ length: t.numRows }, (_, i) => cols.map((c) => c.get(i)));
}

async function parseAllWays(name: string, text: string): Promise<Parsed[]> {
  const path = join(mkdtempSync(join(tmpdir(), 'txreplay-integrity-')), name);
  writeFileSync(path, text);
  const cols = new EventColumns();
  const batches: RecordBatch[] = [];
  const ref = await ingestTextSource(path, cols, (b) => void batches.push(b), { fastPath: false, workers: 0 });
  if (cols.length > 0 || batches.length === 0) batches.push(cols.flush());
  const thread = await loadEvents([path], { workers: 0 });
  const workers = await builtLoad([path], { workers: 2, blockBytes: 256 });
  const asParsed = (t: Table, s: Parsed['summary']): Parsed => ({ rows: rowsOf(t), summary: s });
  return [
    asParsed(new Table(batches), ref),
    asParsed(thread.table, { ...thread.summary, issues: thread.summary.sources[0]!.issues }),
    asParsed(workers.table, { ...workers.summary, issues: workers.summary.sources[0]!.issues }),
  ];
}

/** Parsed every way, the edited line 6 is the one skipped line, with its file, line and why. */
async function expectRejected(name: string, text: string, message: RegExp): Promise<void> {
  const [ref, ...others] = await parseAllWays(name, text);
  for (const p of [ref!, ...others]) {
    expect(p.summary).toMatchObject({ lines: 12, events: 11, skipped: 1 });
    expect(p.summary.issues).toHaveLength(1);
    expect(p.summary.issues[0]!.line).toBe(6);
    expect(p.summary.issues[0]!.path).toMatch(new RegExp(`${name}$`));
    expect(p.summary.issues[0]!.message).toMatch(message);
    expect(p.rows).toEqual(ref!.rows);
  }
}

/** Parsed every way, the edited line 6 is an event with `value` in `column`. */
async function expectKept(name: string, text: string, column: string, value: unknown): Promise<void> {
  const [ref, ...others] = await parseAllWays(name, text);
  const path = join(mkdtempSync(join(tmpdir(), 'txreplay-integrity-')), name);
  writeFileSync(path, text);
  const { table } = await loadEvents([path], { workers: 0 });
  expect(table.getChild(column)!.get(5)).toEqual(value);
  for (const p of [ref!, ...others]) {
    expect(p.summary).toMatchObject({ lines: 12, events: 12, skipped: 0 });
    expect(p.rows).toEqual(ref!.rows);
  }
}

describe('values that do not fit their kernel type are rejected, never wrapped', () => {
  it('ts ≥ 2^63 ns (perf secs.frac, bpftrace ns); the largest s64 ns is kept', async () => {
    const perf = PERF_XMIT.replace(/\d+\.\d+:/, '9223372036.854775808:');
    await expectRejected('ts.perf-script', traceWith(PERF_XMIT, perf), /timestamp 9223372036\.854775808 out of range/);
    const bpf = edit(BPF_XMIT, /^\d+/, '9223372036854775808');
    await expectRejected('ts.bpftrace', traceWith(BPF_XMIT, bpf), /ts_ns 9223372036854775808 out of range/);
    const max = PERF_XMIT.replace(/\d+\.\d+:/, '9223372036.854775807:');
    await expectKept('tsmax.perf-script', traceWith(PERF_XMIT, max), 'ts_ns', 9223372036854775807n);
  });

  it('pid > 2^31 − 1 (perf, ftrace, bpftrace); 2^31 − 1 is kept', async () => {
    const perf = edit(PERF_XMIT, / 9 \[/, ' 2147483648 [');
    await expectRejected('pid.perf-script', traceWith(PERF_XMIT, perf), /pid 2147483648 out of range \(s32\)/);
    const ftrace = edit(FTRACE_XMIT, /-7923 /, '-4294967297 ');
    await expectRejected('pid.ftrace', traceWith(FTRACE_XMIT, ftrace), /pid 4294967297 out of range/);
    const bpf = edit(BPF_XMIT, / 13049 /, ' 2147483648 ');
    await expectRejected('pid.bpftrace', traceWith(BPF_XMIT, bpf), /pid 2147483648 out of range/);
    await expectKept(
      'pidmax.perf-script',
      traceWith(PERF_XMIT, edit(PERF_XMIT, / 9 \[/, ' 2147483647 [')),
      'pid',
      2147483647,
    );
  });

  it('cpu > 32767 (the int16 cpu column); 32767 is kept', async () => {
    const perf = edit(PERF_XMIT, '[000]', '[32768]');
    await expectRejected('cpu.perf-script', traceWith(PERF_XMIT, perf), /cpu 32768 out of range/);
    const ftrace = edit(FTRACE_XMIT, '[000]', '[65536]');
    await expectRejected('cpu.ftrace', traceWith(FTRACE_XMIT, ftrace), /cpu 65536 out of range/);
    await expectKept('cpumax.perf-script', traceWith(PERF_XMIT, edit(PERF_XMIT, '[000]', '[32767]')), 'cpu', 32767);
  });

  it('rc < −2^31 (s32 netdev_tx_t as the tracepoint prints it); −2^31 is kept', async () => {
    const perf = edit(PERF_XMIT, 'rc=0', 'rc=-2147483649');
    await expectRejected('rc.perf-script', traceWith(PERF_XMIT, perf), /rc -2147483649 out of range \(s32\)/);
    const bpf = edit(BPF_XMIT, 'rc=0', 'rc=2147483648');
    await expectRejected('rc.bpftrace', traceWith(BPF_XMIT, bpf), /rc 2147483648 out of range/);
    const min = edit(PERF_XMIT, 'rc=0', 'rc=-2147483648');
    await expectKept('rcmin.perf-script', traceWith(PERF_XMIT, min), 'rc', -2147483648);
  });

  it('queue −1 and 65536 (u16 queue_mapping); 65535 is kept', async () => {
    for (const q of ['-1', '65536']) {
      const perf = edit(PERF_START, 'queue_mapping=3', `queue_mapping=${q}`);
      await expectRejected(
        `queue${q}.perf-script`,
        traceWith(PERF_START, perf),
        /queue_mapping -?\d+ out of range \(u16\)/,
      );
    }
    const max = edit(PERF_START, 'queue_mapping=3', 'queue_mapping=65535');
    await expectKept('queuemax.perf-script', traceWith(PERF_START, max), 'queue', 65535);
  });
});

describe('damaged lines are rejected, not read as events', () => {
  it('a NUL inside a pid (or any control byte) rejects the line', async () => {
    const perf = edit(PERF_XMIT, / 9 \[/, ' 9\u00003 [');
    await expectRejected('nul.perf-script', traceWith(PERF_XMIT, perf), /control byte 0x00 at column/);
    const ftrace = edit(FTRACE_XMIT, 'dev=vr0', 'dev=v\u0007r0');
    await expectRejected('bel.ftrace', traceWith(FTRACE_XMIT, ftrace), /control byte 0x07/);
  });

  it('a last line without its newline, cut mid-pointer, is counted as truncated; a complete one is kept', async () => {
    const lines = Array.from({ length: 6 }, () => PERF_DEQUEUE);
    const cut = PERF_DEQUEUE.slice(0, PERF_DEQUEUE.indexOf('skbaddr=') + 'skbaddr=0xffff888'.length);
    for (const p of await parseAllWays('cut.perf-script', `${lines.join('\n')}\n${cut}`)) {
      expect(p.summary).toMatchObject({ lines: 7, events: 6, skipped: 1 });
      expect(p.summary.issues[0]).toMatchObject({ line: 7 });
      expect(p.summary.issues[0]!.message).toMatch(/^truncated last line: no newline and its last pointer/);
    }
    const keyOnly = PERF_DEQUEUE.slice(0, PERF_DEQUEUE.indexOf('skbaddr=') + 'skbaddr='.length);
    for (const p of await parseAllWays('cutkey.perf-script', `${lines.join('\n')}\n${keyOnly}`))
      expect(p.summary).toMatchObject({ lines: 7, events: 6, skipped: 1 });
    for (const p of await parseAllWays('whole.perf-script', `${lines.join('\n')}\n${PERF_DEQUEUE}`))
      expect(p.summary).toMatchObject({ lines: 7, events: 7, skipped: 0 });
  });
});
