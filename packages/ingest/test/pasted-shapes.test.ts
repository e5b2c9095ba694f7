/**
 * Traces as production hands them over: the real public excerpts of fixtures/public (SOURCES.md says where each
 * was posted; expected.json what a kernel engineer reads in it) — ftrace with the task, CPU and/or flags columns
 * cut away, old `perf trace`, a `perf script` pasted with its command and `...` elisions — ingest with no
 * skipped line, and their events, devices and queues are the ones expected.json lists. Then small variants of
 * those same lines: every paste prefix, every ftrace column combination, the new `perf trace` layout, empty
 * `dev=`, hashed/elided pointers; each read as the real line it was made from.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type RecordBatch, Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, loadEvents, type IngestSummary, type LoadOptions } from '../src/index.js';
import { EventColumns } from '../src/table/columns.js';
import { ingestTextSource } from '../src/io/source.js';
import { detectTrace } from '../src/parse/sniff.js';
import { builtLoadEvents, type BuiltLoadEvents } from './fixtures.js';

const PUBLIC = fileURLToPath(new URL('../../../fixtures/public/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface ExpectedDevice {
  dev: string;
  queues?: number[];
  ifindex?: number;
  netCookie?: number;
}
interface ExpectedRecord {
  kind: string;
  dev?: string;
  tsSec?: number;
  relMs?: number;
  len?: number;
  rc?: number;
  packets?: number;
  cpu?: number;
  pid?: number;
  ifindex?: number;
  netCookie?: number;
  queue?: number;
  skbaddr?: string;
  driver?: string;
  task?: string;
}
interface Entry {
  file: string;
  count: number;
  devices: ExpectedDevice[];
  records: ExpectedRecord[];
}
const ENTRIES = new Map(
  (JSON.parse(readFileSync(join(PUBLIC, 'expected.json'), 'utf8')) as { entries: Entry[] }).entries.map((e) => [
    e.file,
    e,
  ]),
);

type Row = Record<string, unknown>;
function rowsOf(t: Table): Row[] {
  return t.toArray().map((r) => r.toJSON() as Row);
}
/** Rows without where they came from (source, line): what a variant must reproduce. */
function content(t: Table): Row[] {
  return rowsOf(t).map(({ source: _s, line: _l, ...rest }) => rest);
}

/** The string parser alone (the reference), in this thread. */
async function loadReference(path: string): Promise<Table> {
  const cols = new EventColumns();
  const batches: RecordBatch[] = [];
  await ingestTextSource(path, cols, (b) => void batches.push(b), { fastPath: false, workers: 0 });
  if (cols.length > 0 || batches.length === 0) batches.push(cols.flush());
  return new Table(batches);
}

const dir = mkdtempSync(join(tmpdir(), 'txreplay-pasted-'));
let n = 0;
function file(text: string): string {
  const p = join(dir, `p${n++}.txt`);
  writeFileSync(p, text);
  return p;
}
const corpusLines = (name: string): string[] =>
  readFileSync(join(PUBLIC, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

/** Does some row match every field the corpus gives for this record? */
function matches(row: Row, rec: ExpectedRecord, canonical: string): boolean {
  if (row.event !== canonical) return false;
  const want: [unknown, unknown][] = [
    // qdisc_dequeue prints the ifindex only: the corpus names its device from the rest of the excerpt
    [canonical === 'qdisc:qdisc_dequeue' ? undefined : rec.dev, row.dev],
    [rec.len, row.len],
    [rec.rc, row.rc],
    [rec.packets, row.packets],
    [rec.cpu, row.cpu],
    [rec.pid, row.pid],
    [rec.ifindex, row.ifindex],
    [rec.queue, row.queue],
    [rec.driver, row.driver],
    [rec.task, row.comm],
    [rec.netCookie === undefined ? undefined : BigInt(rec.netCookie), row.net_cookie],
    [rec.skbaddr === undefined ? undefined : BigInt(rec.skbaddr), row.skbaddr],
  ];
  if (!want.every(([w, got]) => w === undefined || w === got)) return false;
  // tsSec as printed (µs), relMs as printed (µs): exact in ns
  if (rec.tsSec !== undefined && row.ts_ns !== BigInt(Math.round(rec.tsSec * 1e6)) * 1000n) return false;
  if (rec.relMs !== undefined && row.ts_ns !== BigInt(Math.round(rec.relMs * 1e3)) * 1000n) return false;
  return true;
}

const KIND_EVENT: Record<string, string> = {
  watchdog_timeout: 'net:net_dev_xmit_timeout',
  net_dev_queue: 'net:net_dev_queue',
  net_dev_xmit: 'net:net_dev_xmit',
  net_dev_start_xmit: 'net:net_dev_start_xmit',
  qdisc_dequeue: 'qdisc:qdisc_dequeue',
  softirq_entry: 'softirq_entry',
  softirq_exit: 'softirq_exit',
};

/**
 * The real trace excerpts, with the lines that are not events: 24 carries the command it was made with and two
 * `...` elisions, 26 one `...`, 27 its `sudo perf trace …` command — comments, never skipped.
 */
const CORPUS: { file: string; format: string; lines: number; events: number; comments: number }[] = [
  { file: '19-pfifo-fast-nolock-stuck-skb.perf-script', format: 'perf-script', lines: 23, events: 23, comments: 0 },
  {
    file: '24-try-bulk-dequeue-oversize-batches.perf-script',
    format: 'perf-script',
    lines: 10,
    events: 7,
    comments: 3,
  },
  { file: '26-sun4i-emac-net-tx-busy-loop-stripped.ftrace', format: 'ftrace', lines: 7, events: 6, comments: 1 },
  { file: '27-docker-veth-ping-old-format.perf-trace', format: 'perf-trace', lines: 16, events: 15, comments: 1 },
  { file: '45-net-dev-xmit-timeout-tracepoint-e1000.ftrace', format: 'ftrace', lines: 1, events: 1, comments: 0 },
  { file: '46-net-dev-xmit-timeout-virtio-netns-cpu-flags.ftrace', format: 'ftrace', lines: 5, events: 5, comments: 0 },
  {
    file: '47-net-dev-xmit-timeout-virtio-ifindex-stripped.ftrace',
    format: 'ftrace',
    lines: 6,
    events: 6,
    comments: 0,
  },
];

describe('real pasted traces (fixtures/public)', () => {
  for (const c of CORPUS) {
    it(`${c.file}: ${c.format}, ${c.events} events, 0 skipped, as expected.json reads it`, async () => {
      const path = join(PUBLIC, c.file);
      const { table, summary } = await loadEvents([path]);
      const src = summary.sources[0]!;
      expect(src.format).toBe(c.format);
      expect(src.issues).toEqual([]);
      expect([src.lines, src.events, src.skipped, src.comments]).toEqual([c.lines, c.events, 0, c.comments]);
      // the string parser alone reads the same rows (the WebAssembly kernel does not take pasted lines)
      expect(content(await loadReference(path))).toEqual(content(table));

      const e = ENTRIES.get(c.file)!;
      const rows = rowsOf(table);
      // timeouts: one net_dev_xmit_timeout row per detection the corpus counts
      expect(rows.filter((r) => r.event === 'net:net_dev_xmit_timeout').length).toBe(e.count);
      // every record the corpus lists is a row with the same fields
      for (const rec of e.records) {
        const ev = KIND_EVENT[rec.kind];
        // 19's qdisc_enqueue / qdisc_run_end are read from its kprobe lines (probe:*), not from a tracepoint
        if (ev === undefined) continue;
        expect(
          rows.some((r) => matches(r, rec, ev)),
          `${c.file} ${JSON.stringify(rec)}`,
        ).toBe(true);
      }
      // devices and their queues (where the trace carries them)
      for (const d of e.devices) {
        const mine = rows.filter(
          (r) => d.dev === undefined || r.dev === d.dev || (d.ifindex !== undefined && r.ifindex === d.ifindex),
        );
        const named = rows.some((r) => r.dev === d.dev);
        // 24 names its device by ifindex only (qdisc_dequeue prints no name)
        if (!named) expect(d.ifindex, `${c.file} ${d.dev}`).toBeDefined();
        expect(mine.length, `${c.file} ${d.dev}`).toBeGreaterThan(0);
        const queues = [...new Set(mine.map((r) => r.queue).filter((q) => q !== null))].sort();
        if (d.queues !== undefined && d.queues.length > 0 && queues.length > 0) expect(queues).toEqual(d.queues);
        if (d.ifindex !== undefined) expect(new Set(mine.map((r) => r.ifindex))).toEqual(new Set([d.ifindex]));
        if (d.netCookie !== undefined)
          expect(new Set(mine.map((r) => r.net_cookie))).toEqual(new Set([BigInt(d.netCookie)]));
      }
    });
  }

  it('46: the same device name in two network namespaces is two devices, told apart by net_cookie', async () => {
    const { table } = await loadEvents([join(PUBLIC, '46-net-dev-xmit-timeout-virtio-netns-cpu-flags.ftrace')]);
    const pairs = new Set(rowsOf(table).map((r) => `${r.dev}/${r.net_cookie}/${r.queue}/${r.cpu}`));
    expect([...pairs].sort()).toEqual(['eth0/3/10/2', 'eth0/3/10/7', 'eth4/4100/10/7']);
    expect(rowsOf(table).every((r) => r.pid === null && r.comm === null)).toBe(true);
  });

  it('26: stripped lines keep what is left: timestamp, event, fields; (ptrval) is an unknown hashed pointer', async () => {
    const { table } = await loadEvents([join(PUBLIC, '26-sun4i-emac-net-tx-busy-loop-stripped.ftrace')]);
    const xmit = rowsOf(table).filter((r) => r.event === 'net:net_dev_xmit');
    expect(xmit).toHaveLength(2);
    for (const r of xmit) expect(r).toMatchObject({ cpu: null, pid: null, skbaddr: null, ptr_hashed: true, rc: 16 });
    expect(rowsOf(table)[0]).toMatchObject({ event: 'softirq_entry', raw: 'vec=2 [action=NET_TX]' });
  });

  it('27: old perf trace: ms since the start, no task, the stray ")" is not part of the last field', async () => {
    const { table } = await loadEvents([join(PUBLIC, '27-docker-veth-ping-old-format.perf-trace')]);
    const rows = rowsOf(table);
    expect(rows.map((r) => r.ts_ns).slice(0, 3)).toEqual([0n, 8000n, 14000n]);
    expect(rows[1]).toMatchObject({ event: 'net:net_dev_start_xmit', dev: 'docker0', queue: 0, len: 98, comm: null });
    expect(rows.find((r) => r.event === 'net:netif_receive_skb_entry')!.raw).toMatch(/gso_type=0$/);
  });
});

/** The 46/47/24/27 lines with a paste prefix: the rows must be the unprefixed file's. */
const PREFIXED: [string, (line: string, i: number) => string][] = [
  ['> quote', (l) => `> ${l}`],
  ['>> nested quote', (l) => `>> ${l}`],
  ['> > spaced quote', (l) => `> > ${l}`],
  ['Line N:', (l, i) => `Line ${i + 1}: ${l}`],
  ['editor gutter', (l, i) => `${String(i + 1).padStart(4)} | ${l}`],
  ['box-drawing gutter', (l, i) => `${i + 1}│${l}`],
  ['grep -n', (l, i) => `${i + 1}:${l}`],
  ['leading whitespace', (l) => `\t    ${l}`],
];

describe('paste prefixes (decided by the sniffer, cut at the start of each line only)', () => {
  for (const name of [
    '46-net-dev-xmit-timeout-virtio-netns-cpu-flags.ftrace',
    '47-net-dev-xmit-timeout-virtio-ifindex-stripped.ftrace',
    '45-net-dev-xmit-timeout-tracepoint-e1000.ftrace',
    '24-try-bulk-dequeue-oversize-batches.perf-script',
    '27-docker-veth-ping-old-format.perf-trace',
  ]) {
    it(`${name}: every prefix kind gives the unprefixed rows`, async () => {
      const plain = await loadEvents([join(PUBLIC, name)]);
      const want = content(plain.table);
      const wantSummary = plain.summary.sources[0]!;
      for (const [kind, wrap] of PREFIXED) {
        const p = file(`${corpusLines(name).map(wrap).join('\n')}\n`);
        const { table, summary } = await loadEvents([p]);
        const src = summary.sources[0]!;
        expect(src.format, kind).toBe(wantSummary.format);
        expect([src.events, src.skipped, src.comments], kind).toEqual([wantSummary.events, 0, wantSummary.comments]);
        expect(content(table), kind).toEqual(want);
        expect(content(await loadReference(p)), `${kind} (string parser)`).toEqual(want);
      }
    });
  }

  it('a quoted trace under an unquoted mail header is still quoted; prose lines stay prose', async () => {
    const lines = corpusLines('46-net-dev-xmit-timeout-virtio-netns-cpu-flags.ftrace');
    const text = ['On Fri, 24 Oct 2025, Tonghao Zhang wrote:', '> the trace output:', ...lines.map((l) => `> ${l}`)];
    expect(detectTrace(text)).toEqual({ format: 'ftrace', prefix: 'quote' });
    const { table, summary } = await loadEvents([file(`${text.join('\n')}\n`)]);
    expect(summary.events).toBe(5);
    expect(summary.skipped).toBe(2);
    expect(rowsOf(table)[1]).toMatchObject({ dev: 'eth4', net_cookie: 4100n });
  });

  it('no prefix when an event line lacks it, and never inside a line', () => {
    const lines = corpusLines('45-net-dev-xmit-timeout-tracepoint-e1000.ftrace');
    expect(detectTrace([`> ${lines[0]}`, lines[0]!])).toEqual({ format: 'ftrace', prefix: 'none' });
    expect(detectTrace(corpusLines('47-net-dev-xmit-timeout-virtio-ifindex-stripped.ftrace'))).toEqual({
      format: 'ftrace',
      prefix: 'none',
    });
  });
});

/** The 45 line (full columns) with columns cut away, in every combination. */
const FULL = '  ksoftirqd/1-16    [001] ..s2   144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0';
const FIELDS = { event: 'net:net_dev_xmit_timeout', dev: 'ens3', driver: 'e1000', queue: 0, ts_ns: 144043173000n };
const COLUMN_CUTS: [string, string, Row][] = [
  ['all columns', FULL, { comm: 'ksoftirqd/1', pid: 16, cpu: 1 }],
  [
    'no flags',
    '  ksoftirqd/1-16    [001]   144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: 'ksoftirqd/1', pid: 16, cpu: 1 },
  ],
  [
    'no task',
    '[001] ..s2   144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: null, pid: null, cpu: 1 },
  ],
  [
    'CPU only',
    '[001] 144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: null, pid: null, cpu: 1 },
  ],
  [
    'no CPU',
    'ksoftirqd/1-16 ..s2 144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: 'ksoftirqd/1', pid: 16, cpu: null },
  ],
  [
    'task only',
    'ksoftirqd/1-16 144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: 'ksoftirqd/1', pid: 16, cpu: null },
  ],
  [
    'flags only',
    '..s2 144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: null, pid: null, cpu: null },
  ],
  [
    'timestamp only',
    '144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: null, pid: null, cpu: null },
  ],
  [
    'shortened task',
    '<...>-16 [001] ..s2 144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: '<...>', pid: 16, cpu: 1 },
  ],
  [
    '(tgid), no CPU',
    'ksoftirqd/1-16 (   16) ..s2 144.043173: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
    { comm: 'ksoftirqd/1', pid: 16, cpu: null },
  ],
];

describe('ftrace column combinations', () => {
  for (const [name, line, cols] of COLUMN_CUTS) {
    it(`${name}: keeps the columns that are there`, async () => {
      expect(detectFormat([line]), name).toBe('ftrace');
      const p = file(`${line}\n`);
      const { table, summary } = await loadEvents([p]);
      expect(summary.skipped, name).toBe(0);
      expect(rowsOf(table)[0]).toMatchObject({ ...FIELDS, ...cols });
      expect(content(await loadReference(p))).toEqual(content(table));
    });
  }

  it('latency format with and without the task column', async () => {
    const p = file(
      [
        '# tracer: nop',
        '  <idle>-0       1d.s2    4us+: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
        '1d.s2    5us!: net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
        '1d.s2    6.500us : net_dev_xmit_timeout: dev=ens3 driver=e1000 queue=0',
      ].join('\n'),
    );
    const { table, summary } = await loadEvents([p]);
    expect([summary.events, summary.skipped]).toEqual([3, 0]);
    expect(rowsOf(table).map((r) => [r.comm, r.pid, r.cpu, r.ts_ns])).toEqual([
      ['<idle>', 0, 1, 4000n],
      [null, null, 1, 5000n],
      [null, null, 1, 6500n],
    ]);
  });

  it('a [N] inside the fields of a stripped line is not a CPU column', async () => {
    const { table, summary } = await loadEvents([
      file('kworker-12 123.456789: workqueue_execute_start: work struct [3] function foo\n'),
    ]);
    expect(summary.skipped).toBe(0);
    expect(rowsOf(table)[0]).toMatchObject({ comm: 'kworker', pid: 12, cpu: null, event: 'workqueue_execute_start' });
  });
});

describe('perf trace', () => {
  it('new layout (name: value), duration and comm/tid columns, syscalls kept as raw', async () => {
    const text = [
      '$ perf trace -e "net:*" ping -c 1 192.168.1.1',
      'PING 192.168.1.1 (192.168.1.1) 56(84) bytes of data.',
      '     0.000 ping/8497 net:net_dev_queue(skbaddr: 0xffff90d9726a5600, len: 98, name: "wlp2s0")',
      '     0.011 ping/8497 net:net_dev_start_xmit(name: "wlp2s0", queue_mapping: 3, skbaddr: 0xffff90d9726a5600, protocol: 2048, len: 98)',
      '     0.035 ping/8497 net:net_dev_xmit(skbaddr: 0xffff90d9726a5600, len: 98, rc: 0, name: "wlp2s0")',
      '     0.040 ( 0.000 ms): ping/8497 net:net_dev_queue:dev=docker0 skbaddr=... len=98',
      '    23.907 ( 0.006 ms): ping/1192740 connect(fd: 5, uservaddr: { .family: INET, port: 0 }, addrlen: 16) = 0',
    ].join('\n');
    expect(detectFormat(text.split('\n'))).toBe('perf-trace');
    const p = file(`${text}\n`);
    const { table, summary } = await loadEvents([p]);
    const src = summary.sources[0]!;
    // the command is a comment; ping's own output is no event (counted, with its line)
    expect([src.events, src.comments, src.skipped]).toEqual([5, 1, 1]);
    expect(src.issues[0]!.line).toBe(2);
    const rows = rowsOf(table);
    expect(rows[0]).toMatchObject({ ts_ns: 0n, comm: 'ping', pid: 8497, cpu: null, event: 'net:net_dev_queue' });
    expect(rows[0]).toMatchObject({ dev: 'wlp2s0', len: 98, skbaddr: 0xffff90d9726a5600n, ptr_hashed: false });
    expect(rows[1]).toMatchObject({ ts_ns: 11000n, dev: 'wlp2s0', queue: 3 });
    expect(rows[2]).toMatchObject({ ts_ns: 35000n, rc: 0, dev: 'wlp2s0' });
    expect(rows[3]).toMatchObject({ ts_ns: 40000n, dev: 'docker0', skbaddr: null, ptr_hashed: true, len: 98 });
    expect(rows[4]).toMatchObject({ ts_ns: 23907000n, event: 'connect', pid: 1192740 });
    expect(rows[4]!.raw).toBe('(fd: 5, uservaddr: { .family: INET, port: 0 }, addrlen: 16) = 0');
  });
});

describe('field shapes of pasted lines', () => {
  it('empty dev=, 0x-prefixed hashed pointers, elided pointers, (no_device) NAPI', async () => {
    const lines = [
      '  ping-1 [000] ..... 10.000001: net_dev_queue: dev= skbaddr=0x000000001234abcd len=98',
      '  ping-1 [000] ..... 10.000002: net_dev_xmit: dev=eth0 skbaddr=0xffff8881…abcd len=98 rc=0',
      '  ping-1 [000] ..s.. 10.000003: napi_poll: napi poll on napi struct 000000005ac1e2f3 for device (no_device) work 1 budget 64',
      '  ping-1 [000] ..... 10.000004: net_dev_xmit: dev=eth0 skbaddr=000000001234abcd len=98 rc=0',
      '  ping-1 [000] ..s.. 10.000005: napi_poll: napi poll on napi struct 000000005ac1e2f3 for device  work 1 budget 64',
    ];
    const p = file(`${lines.join('\n')}\n`);
    const { table, summary } = await loadEvents([p]);
    expect([summary.events, summary.skipped]).toEqual([5, 0]);
    const rows = rowsOf(table);
    expect(rows[0]).toMatchObject({ event: 'net:net_dev_queue', dev: null, skbaddr: 0x1234abcdn, ptr_hashed: true });
    expect(rows[1]).toMatchObject({ dev: 'eth0', skbaddr: null, ptr_hashed: true, rc: 0 });
    expect(rows[2]).toMatchObject({ event: 'napi:napi_poll', dev: '(no_device)', napi: 0x5ac1e2f3n, work: 1 });
    // the same hashed value with and without 0x is the same pointer
    expect(rows[3]!.skbaddr).toBe(rows[0]!.skbaddr);
    // an unnamed device: `work` is the next word key, not the name
    expect(rows[4]).toMatchObject({ event: 'napi:napi_poll', dev: null, work: 1, budget: 64 });
    expect(content(await loadReference(p))).toEqual(content(table));
  });
});

describe('parse workers cut the prefix too (the WebAssembly kernel reads only unprefixed lines)', () => {
  let builtLoad: BuiltLoadEvents;
  beforeAll(async () => {
    builtLoad = await builtLoadEvents();
  }, 120_000);

  it('a quoted perf script cut into many blocks over 2 workers gives the unquoted rows', async () => {
    const lines = corpusLines('24-try-bulk-dequeue-oversize-batches.perf-script');
    const events = lines.filter((l) => l.startsWith(' netperf'));
    const body = Array.from({ length: 400 }, (_, k) => events[k % events.length]!);
    const plain = file(`${body.join('\n')}\n`);
    const quoted = file(`${body.map((l) => `> ${l}`).join('\n')}\n`);
    const want = content((await loadEvents([plain])).table);
    const { table, summary } = await builtLoad([quoted], { workers: 2, blockBytes: 4096 });
    expect([summary.events, summary.skipped]).toEqual([400, 0]);
    expect(content(table)).toEqual(want);
  });

  it('empty dev= and an unnamed napi_poll device read the same by the workers and their WebAssembly kernel', async () => {
    const named =
      '  ping-1 [000] ..s.. 10.000001: napi_poll: napi poll on napi struct 000000005ac1e2f3 for device eth0 work 1 budget 64';
    const unnamed =
      '  ping-1 [000] ..s.. 10.000002: napi_poll: napi poll on napi struct 000000005ac1e2f3 for device  work 2 budget 64';
    const empty = '  ping-1 [000] ..... 10.000003: net_dev_queue: dev= skbaddr=000000001234abcd len=98';
    const body = Array.from({ length: 300 }, (_, k) => [named, unnamed, empty][k % 3]!);
    const p = file(`${body.join('\n')}\n`);
    const want = content(await loadReference(p));
    const { table, summary } = await builtLoad([p], { workers: 2, blockBytes: 4096 });
    expect([summary.events, summary.skipped]).toEqual([300, 0]);
    expect(content(table)).toEqual(want);
    expect(want[1]).toMatchObject({ dev: null, work: 2 });
    expect(want[2]).toMatchObject({ dev: null, len: 98 });
  });
});
