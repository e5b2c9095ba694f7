/**
 * The fast path changes nothing: on every shared capture (all formats, gzip included) and on a synthetic
 * trace full of edge cases, three ways of parsing give the identical table, dictionaries and summary:
 *  - the reference: the string parser on every line (no WebAssembly kernel, one thread),
 *  - the WebAssembly kernel in this thread (what small inputs use; the lines it hands back go to the string parser),
 *  - the built package with 2 parse worker threads and tiny blocks (so every capture is cut into many
 *    blocks: dictionary remapping across workers, line offsets, lost-events markers at block starts); the
 *    workers parse perf-script with the WebAssembly kernel.
 * The worker script is compiled JavaScript, so this test builds the ingest package first (tsc -b, asc).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type RecordBatch, Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLUMNS, loadEvents, type IngestSummary, type LoadOptions } from '../src/index.js';
import { EventColumns } from '../src/table/columns.js';
import { ingestTextSource } from '../src/io/source.js';
import { TRACES, builtLoadEvents, traceDirs, type BuiltLoadEvents } from './fixtures.js';
import { ODD_XMIT_FIELDS } from './oddFields.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const DICTS = ['comm', 'event', 'dev', 'driver', 'reason', 'location', 'source'] as const;

let builtLoad: BuiltLoadEvents;

beforeAll(async () => {
  builtLoad = await builtLoadEvents();
}, 120_000);

/** The reference: every line through the string parser, in this thread. */
async function loadReference(
  path: string,
): Promise<{ table: Table; summary: Omit<IngestSummary, 'sources'> & { sources: unknown[] } }> {
  const cols = new EventColumns();
  const batches: RecordBatch[] = [];
  const src = await ingestTextSource(path, cols, (b) => void batches.push(b), { fastPath: false, workers: 0 });
  if (cols.length > 0 || batches.length === 0) batches.push(cols.flush());
  return {
    table: new Table(batches),
    summary: {
      sources: [src],
      lines: src.lines,
      events: src.events,
      skipped: src.skipped,
      comments: src.comments,
      lostEvents: src.lostEvents,
      eventCounts: src.eventCounts,
    },
  };
}

function columnValues(t: Table, name: string): unknown[] {
  const v = t.getChild(name);
  if (v === null) throw new Error(`no column ${name}`);
  return [...v];
}

function dictionaryValues(t: Table, name: string): unknown[] {
  const data = t.getChild(name)!.data;
  const last = data[data.length - 1]!;
  return last.dictionary ? [...last.dictionary] : [];
}

/** Same rows (every column, decoded), same final dictionaries, same summary. */
function expectSame(label: string, a: { table: Table; summary: unknown }, b: { table: Table; summary: unknown }): void {
  expect(b.table.numRows, `${label}: rows`).toBe(a.table.numRows);
  for (const name of COLUMNS) {
    const x = columnValues(a.table, name);
    const y = columnValues(b.table, name);
    let firstDiff = -1;
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) {
        firstDiff = i;
        break;
      }
    }
    expect(
      firstDiff === -1 ? null : { row: firstDiff, want: x[firstDiff], got: y[firstDiff] },
      `${label}: ${name}`,
    ).toBeNull();
  }
  for (const name of DICTS)
    expect(dictionaryValues(b.table, name), `${label}: ${name} dictionary`).toEqual(dictionaryValues(a.table, name));
  expect(b.summary, `${label}: summary`).toEqual(a.summary);
}

function captures(): string[] {
  const out: string[] = [];
  for (const d of traceDirs()) {
    for (const f of readdirSync(join(TRACES, d)).sort()) {
      if (/^(perf-script\.txt|ftrace\.txt|bpftrace\.txt|bpftrace\.json)(\.gz)?$/.test(f)) out.push(join(TRACES, d, f));
    }
  }
  return out;
}

describe('the fast path gives the identical table', () => {
  const files = captures();
  it('finds the shared captures', () => {
    expect(files.length).toBeGreaterThanOrEqual(24);
  });
  for (const path of files) {
    it(`${path.split('/').slice(-2).join('/')}: string parser = kernel in this thread = 2 workers`, async () => {
      const ref = await loadReference(path);
      const fast = await loadEvents([path], { workers: 0 });
      expectSame('fast path', ref, fast);
      const par = await builtLoad([path], { workers: 2, blockBytes: 128 * 1024 });
      expectSame('workers', ref, par);
      expect(par.summary.lines).toBeGreaterThan(0);
    });
  }

  it('edge cases: bad and truncated lines, CRLF, headers, call chains, non-ASCII comm, lost events at block starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'txreplay-parallel-'));
    const perf: string[] = ['# ========', '# os release : 6.18.44-test', '# ========'];
    const ftrace: string[] = ['# tracer: nop', '#'];
    const bpf: string[] = ['Attaching 10 probes...'];
    for (let k = 0; k < 3000; k++) {
      const us = String(100000 + k).padStart(6, '0');
      const comm = ['ping', 'kworker/0:0-eve', 'napi/vr0-266', 'wörker ü', 'a b c'][k % 5]!;
      perf.push(
        `  ${comm} ${9000 + (k % 7)} [00${k % 2}] 1900.${us}:       net:net_dev_xmit: dev=vs${k % 3} skbaddr=0xffff888165655${String(k % 999).padStart(3, '0')} len=${k} rc=${k % 17 === 0 ? 16 : 0}`,
      );
      if (k % 97 === 0) perf.push('not a trace line at all');
      if (k % 89 === 0) perf.push('');
      if (k % 83 === 0) perf.push('\tffffffff81234567 dev_hard_start_xmit+0x12 ([kernel.kallsyms])');
      if (k % 79 === 0) perf.push(`  ping 1 [000] 1900.${us}: net:net_dev_xmit: dev=lo skbaddr=0x1 len=1\r`);
      if (k % 71 === 0)
        perf.push(`  ping 1 [000] 1900.${us}: skb:kfree_skb: skbaddr=zzz location=x reason: NOT_SPECIFIED`);
      if (k % 61 === 0)
        perf.push(`  ping 1 [000] 1900.${us}: sched:sched_switch: prev_comm=ping prev_pid=1 ==> next_comm=swapper/0\r`);
      if (k % 53 === 0)
        perf.push(
          `  ping 1 [000] 1900.${us}: napi:dql_stall_detected: thrs 1  len 4  last_reap 10  hist_head 2  now 4294968000  hist 0:0:0:0`,
        );
      // field tokens at the edges of the four-byte key compare and the fused value parsers (wasm/lines.ts)
      if (k % 47 === 0) {
        const odd = [
          ...ODD_XMIT_FIELDS,
          'dev=vs1 skbaddr=0xffff888000000003 len=-1 rc=0',
          'rc=3 len=9 skbaddr=0000000012345678 dev=vs2',
          'dev=vs1 skbaddr=0xffff888000000004 len=5 rc=',
          'dev=vs1 skbaddr=0xffff888000000004 len=5 rc=1',
        ][(k / 47) % 11]!;
        perf.push(`  ping 1 [000] 1900.${us}: net:net_dev_xmit: ${odd}`);
        perf.push(`  ping 1 [000] 1900.${us}: net:net_dev_xmit:: dev=vs1 skbaddr=0x1 len=1 rc=0`);
        perf.push(
          `  ping 1 [000] 1900.${us}: qdisc:qdisc_dequeue: dequeue ifindex=4 qdisc handle=0x0000000000010000 parent=0xFFFFFFFF txq_state=0x${k % 2 ? '1ffffffff' : '4'} packets=1 skbaddr=0xffff888000000005`,
        );
        perf.push(
          `  ping 1 [000] 1900.${us}: net:net_dev_start_xmit: dev=vs0 queue_index=${k % 4} queue=2 skbaddr=0xffff888000000006 len=60`,
        );
        perf.push(
          `  ping 1 [000] 1900.${us}: napi:napi_poll: napi poll on napi struct 0xffff888000c2d1c8 for device vs0 work 1 budget 64`,
        );
        // lines that differ from the template learnt from their event's first line (src/parse/template.ts)
        perf.push(
          [
            `  ping 1 [000] 1900.${us}: qdisc:qdisc_dequeue: dequeuex ifindex=4 qdisc\thandle=0x10000 parent=0xFFFFFFFF txq_state=0x0 packets=1 skbaddr=(nil)`,
            `  ping 1 [000] 1900.${us}: napi:napi_poll: napi poll on napi struct\t0xffff888000c2d1c9 for device vs1 work=2 budget 64`,
            `  ping 1 [000] 1900.${us}: napi:napi_poll: napi poll on napi structx 0xffff888000c2d1c9 for device vs1 work 2 budget`,
            `  ping 1 [000] 1900.${us}: skb:kfree_skb: skbaddr=0xffff888000000007 location=x reason:X`,
            `  ping 1 [000] 1900.${us}: skb:kfree_skb: skbaddr=0xffff888000000007 location=x reason: NOT_SPECIFIED`,
            `  ping 1 [000] 1900.${us}: skb:kfree_skb: skbaddr=0xffff888000000007 location=x reason:`,
          ][(k / 47) % 6]!,
        );
      }
      ftrace.push(
        `  ${comm}-${9000 + (k % 7)}    [00${k % 2}] d..2. 1900.${us}: net_dev_xmit: dev=vs${k % 3} skbaddr=00000000${String(k % 99999999).padStart(8, '0')} len=${k} rc=0`,
      );
      if (k % 37 === 0) ftrace.push(`CPU:${k % 2} [LOST ${k + 1} EVENTS]`);
      if (k % 101 === 0)
        ftrace.push(
          `  ${comm}-1 [000] .... 1900.${us}: qdisc_dequeue: dequeue ifindex=4 qdisc handle=0x10000 parent=0xFFFFFFFF txq_state=0x0 packets=1 skbaddr=(ptrval)`,
        );
      bpf.push(
        `${1900000000000 + k} ${k % 2} ${9000 + (k % 7)} ${comm} net:net_dev_xmit dev=vs${k % 3} skbaddr=0xffff888165655000 len=${k} rc=0`,
      );
      if (k % 41 === 0) bpf.push(`Lost ${k + 1} events`);
    }
    const files = {
      perf: perf.join('\n') + '\n  ping 1 [000] 1901.000000: net:net_dev_xmit: dev=lo skbad',
      ftrace: `CPU:0 [LOST 5 EVENTS]\n${ftrace.join('\n')}\n`,
      bpftrace: `Lost 3 events\n${bpf.join('\r\n')}\r\n`,
    };
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, `${name}.txt`);
      writeFileSync(path, text);
      const ref = await loadReference(path);
      expect(ref.summary.events, name).toBeGreaterThan(3000);
      if (name === 'perf') {
        expect(ref.summary.skipped).toBeGreaterThan(50);
        expect((ref.summary.sources[0] as { kernel: string }).kernel).toBe('6.18.44-test');
      }
      if (name !== 'perf') expect(ref.summary.lostEvents, name).toBeGreaterThan(0);
      expectSame(`${name} fast`, ref, await loadEvents([path], { workers: 0 }));
      for (const blockBytes of [1024, 32 * 1024 + 3])
        expectSame(`${name} workers ${blockBytes}`, ref, await builtLoad([path], { workers: 2, blockBytes }));
    }
  }, 600_000); // about a thousand blocks of 1 KiB through 2 workers: minutes on a shared 2-core machine
});

describe('inputs that cannot be re-read by offset', () => {
  it('a named pipe (as from `<(perf script)`) is read once, as a stream, with the same table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'txreplay-fifo-'));
    const fifo = join(dir, 'trace.fifo');
    execFileSync('mkfifo', [fifo]);
    const src = join(TRACES, 'multiqueue', 'perf-script.txt');
    // the writer blocks until the reader opens the pipe
    const writer = spawn('sh', ['-c', `cat '${src}' > '${fifo}'`], { stdio: 'ignore' });
    const written = new Promise((r) => writer.on('exit', r));
    const viaPipe = await builtLoad([fifo], { workers: 2, blockBytes: 256 * 1024 });
    expect(await written).toBe(0);
    const direct = await loadEvents([src], { workers: 0 });
    expect(viaPipe.summary.events).toBe(direct.summary.events);
    expect(viaPipe.summary.lines).toBe(direct.summary.lines);
    for (const name of ['ts_ns', 'event', 'skbaddr', 'line'] as const) {
      expect(columnValues(viaPipe.table, name)).toEqual(columnValues(direct.table, name));
    }
  });
});
