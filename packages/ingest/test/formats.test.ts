/**
 * Format variants and bad input, on small traces built from the spec §H.3 lines and real capture lines:
 * trace-cmd, latency format, 0/4/5 flag chars, perf -g call chains, version drift of the field text,
 * CRLF, truncated last lines, debris, non-traces, --strict, > 2^53 ns timestamps, atomic output.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableFromIPC, type Table } from 'apache-arrow';
import chdb from 'chdb';
import { describe, expect, it } from 'vitest';
import { detectFormat, ingestToArrow, loadEvents, NotATraceError, StrictParseError } from '../src/index.js';
import { TRACES } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'txreplay-ingest-test-'));
let n = 0;
function file(content: string | Buffer, name = `t${n++}.txt`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
function col(t: Table, c: string): unknown[] {
  return [...t.getChild(c)!].map((v) => v ?? null);
}

const FTRACE5 = `# tracer: nop
#
            ping-8892    [001] b....   580.071208: net_dev_queue: dev=lo skbaddr=000000006fc01048 len=98
            ping-8892    [001] b..1.   580.071214: net_dev_xmit: dev=lo skbaddr=000000006fc01048 len=98 rc=0
            ping-8970    [001] b..1.   586.002164: qdisc_dequeue: dequeue ifindex=1 qdisc handle=0x80030000 parent=0xFFFFFFFF txq_state=0x0 packets=1 skbaddr=000000007587df57
            ping-8996    [001] b....   592.414860: kfree_skb: skbaddr=000000006ee3acde rx_sk=0000000000000000 protocol=2048 location=__dev_queue_xmit+0xdd1/0x1010 reason: QDISC_DROP
`;

describe('format variants', () => {
  it('ftrace with 5, 4 and no flag characters, and a (tgid) column', async () => {
    const p = file(
      FTRACE5 +
        `            ping-8892    [001] d.s1   580.071300: net_dev_xmit: dev=lo skbaddr=000000006fc01048 len=98 rc=0\n` +
        `            ping-8892    [001]    580.071301: net_dev_xmit: dev=lo skbaddr=000000006fc01048 len=98 rc=0\n` +
        `            ping-8892  (   8892) [001] .... 580.071302: net_dev_xmit: dev=lo skbaddr=000000006fc01048 len=98 rc=0\n`,
    );
    const { table, summary } = await loadEvents([p]);
    expect(summary.sources[0]!.format).toBe('ftrace');
    expect(summary.skipped).toBe(0);
    expect(summary.eventCounts['net:net_dev_xmit']).toBe(4);
    expect(col(table, 'ts_ns').slice(-3)).toEqual([580071300000n, 580071301000n, 580071302000n]);
    expect(col(table, 'pid').slice(-1)).toEqual([8892]);
    expect(col(table, 'ptr_hashed')[0]).toBe(true);
    expect(col(table, 'handle')[2]).toBe(0x80030000);
    expect(col(table, 'parent')[2]).toBe(0xffffffff);
    expect(col(table, 'reason')[3]).toBe('QDISC_DROP');
  });

  it('trace-cmd report (cpus= line, padded event column, raw pointers)', async () => {
    const p = file(`cpus=2
         python3-11028 [000]   837.807954: net_dev_queue:        dev=lo skbaddr=0xffff888109b2a200 len=1442
         python3-11028 [000]   837.807967: qdisc_enqueue:        enqueue ifindex=1 qdisc handle=0x80030000 parent=0xFFFFFFFF skbaddr=0xffff888109b2a200
         python3-11028 [000]   837.808005: net_dev_xmit:         dev=lo skbaddr=0xffff888109b2a200 len=1442 rc=0
         python3-11028 [000]   837.808293: kfree_skb:            skbaddr=0xffff888109b2a200 rx_sk=(nil) protocol=2048 location=__dev_queue_xmit+0xdd1 reason: QDISC_DROP
         python3-11028 [000]   837.808073: napi_poll:            napi poll on napi struct 0xffff888627c2d1c8 for device (no_device) work 1 budget 64
`);
    const { table, summary } = await loadEvents([p]);
    expect(summary.sources[0]!.format).toBe('trace-cmd');
    expect(summary.events).toBe(5);
    expect(summary.comments).toBe(1);
    expect(col(table, 'event')).toEqual([
      'net:net_dev_queue',
      'qdisc:qdisc_enqueue',
      'net:net_dev_xmit',
      'skb:kfree_skb',
      'napi:napi_poll',
    ]);
    expect(col(table, 'skbaddr')[0]).toBe(0xffff888109b2a200n);
    expect(col(table, 'ptr_hashed')[0]).toBe(false);
    expect(col(table, 'napi')[4]).toBe(0xffff888627c2d1c8n);
  });

  it('latency format (ftrace latency-format and trace-cmd report -l)', async () => {
    const p = file(`# tracer: nop
#                  _------=> CPU#
  <idle>-0         1d.s3    4.123us!: net_dev_xmit: dev=lo skbaddr=000000006fc01048 len=98 rc=0
 python3-11028     0.N.1.   837.807954: net_dev_queue: dev=lo skbaddr=0xffff888109b2a200 len=1442
`);
    const { table, summary } = await loadEvents([p]);
    expect(summary.skipped).toBe(0);
    expect(col(table, 'ts_ns')).toEqual([4123n, 837807954000n]);
    expect(col(table, 'cpu')).toEqual([1, 0]);
    expect(col(table, 'comm')).toEqual(['<idle>', 'python3']);
  });

  it('perf script -g: call-chain lines are skipped as comments, never parsed as events', async () => {
    const p =
      file(`            ping  9898 [000]   677.390454:       net:net_dev_xmit: dev=lo skbaddr=0xffff888165655200 len=1442 rc=0
\tffffffff81b2c3d4 dev_hard_start_xmit+0x104 ([kernel.kallsyms])
\tffffffff81b2d5e6 __dev_queue_xmit+0x7a6 ([kernel.kallsyms])
\t    7f1234567890 __send+0x10 (/usr/lib/libc.so.6)
\t               0 [unknown] ([unknown])

            ping  9898 [000]   677.390455:    qdisc:qdisc_dequeue: dequeue ifindex=1 qdisc handle=0x80030000 parent=0xFFFFFFFF txq_state=0x0 packets=0 skbaddr=(nil)
         swapper     0 [000]   677.400743:       net:net_dev_xmit: dev=lo skbaddr=0xffff888165655900 len=1442 rc=0
`);
    const { summary, table } = await loadEvents([p]);
    expect(summary.sources[0]!.format).toBe('perf-script');
    expect(summary.events).toBe(3);
    // 4 frames (one an unresolved user-space frame with a one-digit ip) + the blank line
    expect(summary.comments).toBe(5);
    expect(summary.skipped).toBe(0);
    expect(col(table, 'comm')).toEqual(['ping', 'ping', 'swapper']);
    expect(col(table, 'pid')).toEqual([9898, 9898, 0]);
  });

  it('perf --ns (9 decimals) and a stamp above 2^53 ns stay exact', async () => {
    // 226 days of uptime: 19526400 s → 1.95e16 ns > 2^53
    const p = file(
      `  ping  9898 [000] 19526400.123456789:       net:net_dev_xmit: dev=lo skbaddr=0xffff888165655200 len=1442 rc=0\n`,
    );
    const { table } = await loadEvents([p]);
    expect(col(table, 'ts_ns')).toEqual([19526400123456789n]);
    expect(19526400123456789n > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('field-text drift across kernels (§H.2) and events not modelled', async () => {
    const p = file(`# tracer: nop
  kworker/0:1-10   [000] ..s1.   100.000001: kfree_skb: skbaddr=00000000aaaa0001 protocol=2048 location=00000000bbbb0002 reason: NOT_SPECIFIED
  kworker/0:1-10   [000] ..s1.   100.000002: consume_skb: skbaddr=00000000aaaa0003
  kworker/0:1-10   [000] ..s1.   100.000003: net_dev_xmit_timeout: dev=eth0 driver=igb queue=3
  kworker/0:1-10   [000] ..s1.   100.000004: net_dev_xmit_timeout: dev=eth0 driver=igb queue=2 net_cookie=4096 ifindex=2
  kworker/0:1-10   [000] d.h1.   100.000005: dql_stall_detected: thrs 4  len 9  last_reap 4294990000  hist_head 4294990001  now 4294990009  hist 0000000000000000 0000000000000001 0000000000000000 0000000000000000
  kworker/0:1-10   [000] ..s1.   100.000006: net_dev_queue: dev=eth0 skbaddr=(____ptrval____) len=60
  kworker/0:1-10   [000] ..s1.   100.000007: sched_switch: prev_comm=a prev_pid=1 ==> next_comm=b
  kworker/0:1-10   [000] ..s1.   100.000008: napi_poll: napi poll on napi struct 00000000cccc0004 for device eth0
`);
    const { table, summary } = await loadEvents([p]);
    expect(summary.skipped, JSON.stringify(summary.sources[0]!.issues)).toBe(0);
    expect(col(table, 'location')[0]).toBe('00000000bbbb0002');
    expect(col(table, 'reason')[0]).toBe('NOT_SPECIFIED');
    expect(col(table, 'skbaddr')[1]).toBe(0xaaaa0003n);
    expect(col(table, 'driver')[2]).toBe('igb');
    expect(col(table, 'queue').slice(2, 4)).toEqual([3, 2]);
    expect(col(table, 'ifindex')[3]).toBe(2);
    expect(col(table, 'net_cookie').slice(2, 4)).toEqual([null, 4096n]);
    expect(col(table, 'event')[4]).toBe('napi:dql_stall_detected');
    expect(col(table, 'stall_len')[4]).toBe(9);
    expect(col(table, 'jiffies')[4]).toBe(4294990009n);
    expect(String(col(table, 'raw')[4])).toContain('last_reap 4294990000');
    expect(col(table, 'skbaddr')[5]).toBe(null);
    expect(col(table, 'ptr_hashed')[5]).toBe(true);
    expect(col(table, 'event')[6]).toBe('sched_switch');
    expect(col(table, 'raw')[6]).toBe('prev_comm=a prev_pid=1 ==> next_comm=b');
    expect(col(table, 'work')[7]).toBe(null);
    expect(col(table, 'dev')[7]).toBe('eth0');
  });

  it('detectFormat recognises every format from its first lines', () => {
    expect(detectFormat(['{"type": "attached_probes", "data": {"probes": 12}}'])).toBe('bpftrace-json');
    expect(detectFormat(['Attaching 12 probes...'])).toBe('bpftrace');
    expect(detectFormat(['cpus=2'])).toBe('trace-cmd');
    expect(detectFormat(['# tracer: nop'])).toBe('ftrace');
    expect(
      detectFormat([' npm pack left-p 10995 [001]   837.224127:          skb:consume_skb: skbaddr=0xffff88810243d900']),
    ).toBe('perf-script');
    expect(detectFormat(['hello world'])).toBe(null);
  });

  it('--format overrides sniffing', async () => {
    const p = file(
      '837224102578 1 10995 npm pack left-p napi:napi_poll napi=0xffff8881024e5008 dev=eth0 work=1 budget=64\n',
    );
    const { summary } = await loadEvents([p], { format: 'bpftrace' });
    expect(summary.sources[0]!.format).toBe('bpftrace');
    await expect(loadEvents([p], { format: 'perf-script' })).resolves.toMatchObject({ summary: { skipped: 1 } });
  });
});

describe('bad input', () => {
  const real = readFileSync(join(TRACES, 'multiqueue', 'perf-script.txt'), 'utf8')
    .split('\n')
    .slice(0, 50);

  it('CRLF line endings parse like LF', async () => {
    const { summary, table } = await loadEvents([file(real.join('\r\n'))]);
    expect(summary.skipped).toBe(0);
    expect(summary.events).toBe(50);
    expect(col(table, 'dev')[0]).toBe('vr0');
  });

  it('a truncated last line is counted and reported, the rest is kept', async () => {
    const text = real.slice(0, 10).join('\n') + '\n' + real[10]!.slice(0, 60);
    const p = file(text);
    const { summary } = await loadEvents([p]);
    expect(summary.events).toBe(10);
    expect(summary.skipped).toBe(1);
    expect(summary.lines).toBe(summary.events + summary.skipped + summary.comments);
    const issue = summary.sources[0]!.issues[0]!;
    expect(issue.line).toBe(11);
    expect(issue.path).toBe(p);
    expect(issue.message).toMatch(/truncated last line/);
  });

  it('garbage lines are counted with file:line, and the rest is still read; debris does not crash', async () => {
    const lines = [...real];
    lines.splice(5, 0, 'this is not a trace line');
    lines.splice(20, 0, '\u0000\u0001garbage');
    lines.splice(30, 0, `user@host:~$ ${real[7]}`);
    const p = file(lines.join('\n') + '\n');
    const { summary } = await loadEvents([p]);
    expect(summary.lines).toBe(53);
    expect(summary.skipped).toBe(2);
    expect(summary.events).toBe(51);
    expect(summary.sources[0]!.issues.map((i) => i.line)).toEqual([6, 21]);
    expect(summary.lines).toBe(summary.events + summary.skipped + summary.comments);
  });

  it('--strict stops at the first bad line with its file and line', async () => {
    const lines = [...real];
    lines.splice(5, 0, 'this is not a trace line');
    const p = file(lines.join('\n'));
    const err = await loadEvents([p], { strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrictParseError);
    expect((err as StrictParseError).issue.line).toBe(6);
    expect((err as StrictParseError).message).toContain(`${p}:6:`);
  });

  it('binary, perf.data, HTML, empty and unknown text are NotATraceError with one sentence', async () => {
    const cases: [string, RegExp][] = [
      [file(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3])), /binary/],
      // perf.data is read now (test/binary-front-door.test.ts); a damaged one is refused with its name
      [
        file(Buffer.concat([Buffer.from('PERFILE2'), Buffer.alloc(8), Buffer.from('garbage')])),
        /damaged perf-data file/,
      ],
      [file('<!DOCTYPE html>\n<html><body>404</body></html>\n'), /HTML/],
      [file(''), /empty/],
      [file('\n\n  \n'), /empty/],
      [file('hello\nworld\n'), /does not look like a trace/],
    ];
    for (const [p, re] of cases) {
      const err = await loadEvents([p]).catch((e: unknown) => e);
      expect(err, p).toBeInstanceOf(NotATraceError);
      expect((err as Error).message, p).toMatch(re);
      expect((err as Error).message.split('. ').length).toBe(1);
    }
  });

  it('gzip input is detected by content', async () => {
    const p = file(gzipSync(Buffer.from(real.join('\n') + '\n')), 'x.data');
    const { summary } = await loadEvents([p]);
    expect(summary.events).toBe(50);
  });
});

describe('Arrow output', () => {
  it('writes an IPC file in record batches that apache-arrow and ClickHouse (chdb) read exactly', async () => {
    const big = file(
      `  ping  9898 [000] 19526400.123456789:       net:net_dev_xmit: dev=lo skbaddr=0xffff888165655200 len=1442 rc=16\n`,
    );
    const src = join(TRACES, 'veth-stall-tbf', 'perf-script.txt');
    const out = join(dir, 'out.arrow');
    const summary = await ingestToArrow([src, big], out, { batchRows: 1000 });
    expect(summary.events).toBe(5583 + 1);
    const t = tableFromIPC(readFileSync(out));
    expect(t.batches.length).toBeGreaterThan(5);
    expect(t.numRows).toBe(5584);
    expect(t.schema.metadata.get('txreplay.events')).toBe('5584');
    expect(t.schema.metadata.get('txreplay.format')).toBe('perf-script');
    expect(JSON.parse(t.schema.metadata.get('txreplay.sources')!)).toHaveLength(2);
    expect(t.getChild('ts_ns')!.get(5583)).toBe(19526400123456789n);
    expect(t.getChild('event')!.type.toString()).toMatch(/Dictionary/);
    const csv = chdb.query(
      `SELECT count(), toString(max(ts_ns)), countIf(event = 'net:net_dev_xmit' AND dev = 'vs0' AND rc = 0), ` +
        `toTypeName(event), hex(any(skbaddr)) FROM file('${out}', 'Arrow') WHERE source != ''`,
      'CSV',
    );
    const [count, maxTs, vs0ok, typeName] = csv.trim().split(',');
    expect(count).toBe('5584');
    expect(maxTs).toBe('"19526400123456789"');
    let want = 0;
    const ev = t.getChild('event')!;
    const dev = t.getChild('dev')!;
    const rc = t.getChild('rc')!;
    for (let i = 0; i < t.numRows; i++)
      if (ev.get(i) === 'net:net_dev_xmit' && dev.get(i) === 'vs0' && rc.get(i) === 0) want++;
    expect(want).toBe(175);
    expect(vs0ok).toBe(String(want));
    expect(typeName).toBe('"LowCardinality(String)"');
  });

  it('atomic: no output and no temp file after a parse error or an abort', async () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const bad = file(
      '  ping  9898 [000]   1.000001:   net:net_dev_xmit: dev=lo skbaddr=0x1 len=1 rc=0\nnot a trace line\n',
    );
    const out = join(sub, 'x.arrow');
    await expect(ingestToArrow([bad], out, { strict: true })).rejects.toBeInstanceOf(StrictParseError);
    expect(readdirSync(sub)).toEqual([]);
    const ac = new AbortController();
    ac.abort();
    await expect(
      ingestToArrow([join(TRACES, 'multiqueue', 'perf-script.txt')], out, { signal: ac.signal }),
    ).rejects.toThrow();
    expect(readdirSync(sub)).toEqual([]);
    await expect(ingestToArrow([file('<html></html>')], out)).rejects.toBeInstanceOf(NotATraceError);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('.arrow inputs are read back', async () => {
    const out = join(dir, 'back.arrow');
    await ingestToArrow([join(TRACES, 'veth-stall-tbf', 'ftrace.txt')], out);
    const { table, summary } = await loadEvents([out]);
    expect(table.numRows).toBe(5609);
    expect(summary.sources[0]!.format).toBe('arrow');
    expect(summary.eventCounts['net:net_dev_xmit']).toBe(181);
    // the single-file fast path hands back the file's table: values as written, source lines kept
    const text = await loadEvents([join(TRACES, 'veth-stall-tbf', 'ftrace.txt')]);
    for (const c of ['ts_ns', 'line', 'skbaddr', 'dev', 'event'] as const) {
      expect(table.getChild(c)!.toArray().slice(0, 200)).toEqual(text.table.getChild(c)!.toArray().slice(0, 200));
    }
    // an .arrow input next to a text input goes through the merging path
    const both = await loadEvents([out, join(TRACES, 'veth-stall-tbf', 'ftrace.txt')]);
    expect(both.table.numRows).toBe(2 * 5609);
    expect(both.summary.eventCounts['net:net_dev_xmit']).toBe(2 * 181);
  });
});
