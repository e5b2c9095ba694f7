/**
 * The WebAssembly line kernel (wasm/lines.ts, loaded by src/parse/wasmLines.ts) does the work and changes nothing: on
 * every shared perf-script, ftrace and bpftrace printf capture and on traces of edge cases, rows parsed through
 * the kernel (read into its memory in small pieces, so lines straddle pieces) equal the rows of the JavaScript
 * line handler in every column, with the same dictionaries and counts, and the kernel itself made most of the
 * rows. The kernel is compiled: this test builds the package (tsc + asc) and loads dist/.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRACES, buildIngestDist, traceDirs } from './fixtures.js';
import { ODD_XMIT_FIELDS } from './oddFields.js';
import { REQUIRED, WANTED } from '../src/parse/fields.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const dist = join(repoRoot, 'packages/ingest/dist');

interface Cols {
  length: number;
  capacity: number;
  validList: Uint8Array[];
  dicts: Record<string, { values: string[] }>;
  takeBuffers(): { n: number; values: ArrayLike<number | bigint>[]; bitmaps: (Uint8Array | null)[] };
}
interface Handler {
  lines: number;
  events: number;
  skipped: number;
  comments: number;
  wasmRows: number;
  countsByEvent: number[];
  feedLines(buf: Uint8Array, start: number, end: number, final: boolean): number;
  attachWasm(w: unknown): void;
}
interface Built {
  RowColumns: new (capacity?: number, arena?: unknown) => Cols;
  LineHandler: new (
    cols: Cols,
    format: string,
    path: string,
    strict: boolean,
    sourceIdx: number,
    onFull: () => void,
  ) => Handler;
  WasmLineKernel: new (format: string, capacity: number, inputBytes: number) => { input: Uint8Array; arena: unknown };
  wasmKernelEnabled(format: string): boolean;
}
let built: Built;

beforeAll(async () => {
  buildIngestDist();
  const imp = async <T>(f: string): Promise<T> => (await import(pathToFileURL(join(dist, f)).href)) as T;
  built = {
    ...(await imp<Pick<Built, 'RowColumns'>>('table/rows.js')),
    ...(await imp<Pick<Built, 'LineHandler'>>('parse/lines.js')),
    ...(await imp<Pick<Built, 'WasmLineKernel' | 'wasmKernelEnabled'>>('parse/wasmLines.js')),
  };
}, 180_000);

/** Every row as a list of column values (validity applied), batches concatenated. */
function parse(text: Uint8Array, format: string, useWasm: boolean, piece: number, batchRows: number) {
  const rows: unknown[][] = [];
  const wasm = useWasm ? new built.WasmLineKernel(format, batchRows, 1 << 20) : null;
  const cols = new built.RowColumns(batchRows, wasm?.arena);
  const take = (): void => {
    const b = cols.takeBuffers();
    for (let i = 0; i < b.n; i++) {
      rows.push(
        b.values.map((v, c) => {
          const bm = b.bitmaps[c];
          const valid = bm === null || bm === undefined || ((bm[i >> 3]! >> (i & 7)) & 1) === 1;
          return valid ? v[i] : null;
        }),
      );
    }
  };
  const h = new built.LineHandler(cols, format, 'x', false, 0, take);
  if (wasm !== null) h.attachWasm(wasm);
  // read in pieces into one buffer (the kernel's input region), carrying the incomplete last line
  const buf = wasm?.input ?? new Uint8Array(1 << 20);
  let have = 0;
  let at = 0;
  while (at < text.length || have > 0) {
    const n = Math.min(piece, text.length - at);
    buf.set(text.subarray(at, at + n), have);
    at += n;
    have += n;
    const final = at >= text.length;
    const done = h.feedLines(buf, 0, have, final);
    buf.copyWithin(0, done, have);
    have -= done;
    if (final) break;
  }
  if (cols.length > 0) take();
  return { rows, h, dicts: cols.dicts };
}

/** The shared captures in the formats the kernel parses: [path, format]. */
function captures(): [string, string][] {
  const out: [string, string][] = [];
  const formats: [string, string][] = [
    ['perf-script.txt', 'perf-script'],
    ['ftrace.txt', 'ftrace'],
    ['bpftrace.txt', 'bpftrace'],
  ];
  for (const d of traceDirs()) {
    for (const [file, format] of formats) {
      for (const f of [file, `${file}.gz`]) {
        try {
          readFileSync(join(TRACES, d, f));
          out.push([join(TRACES, d, f), format]);
        } catch {
          // not in this capture
        }
      }
    }
  }
  return out;
}

function textOf(path: string): Uint8Array {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function expectSameRows(label: string, a: ReturnType<typeof parse>, b: ReturnType<typeof parse>): void {
  expect(b.rows.length, `${label}: rows`).toBe(a.rows.length);
  for (let i = 0; i < a.rows.length; i++) {
    if (
      JSON.stringify(a.rows[i], (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) !==
      JSON.stringify(b.rows[i], (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    ) {
      expect({ row: i, js: a.rows[i], wasm: b.rows[i] }, label).toBeNull();
    }
  }
  for (const [name, d] of Object.entries(a.dicts))
    expect(b.dicts[name]!.values, `${label}: ${name} dictionary`).toEqual(d.values);
  for (const k of ['lines', 'events', 'skipped', 'comments'] as const) expect(b.h[k], `${label}: ${k}`).toBe(a.h[k]);
  expect(
    b.h.countsByEvent.map((n) => n ?? 0),
    `${label}: per-event counts`,
  ).toEqual(a.h.countsByEvent.map((n) => n ?? 0));
}

describe('WebAssembly perf-script kernel', () => {
  it('is built and enabled, with the field tables of src/parse/fields.ts', async () => {
    for (const f of ['perf-script', 'ftrace', 'trace-cmd', 'bpftrace'])
      expect(built.wasmKernelEnabled(f), f).toBe(true);
    expect(built.wasmKernelEnabled('bpftrace-json')).toBe(false);
    const { instance } = await (
      globalThis as unknown as {
        WebAssembly: {
          instantiate(
            b: Uint8Array,
            i: object,
          ): Promise<{ instance: { exports: Record<string, (ev: number) => number> } }>;
        };
      }
    ).WebAssembly.instantiate(readFileSync(join(dist, 'lines.wasm')), {
      env: {
        memory: new (
          globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => object } }
        ).WebAssembly.Memory({ initial: 1 }),
        intern: () => 0,
      },
    });
    REQUIRED.forEach((want, ev) => expect(instance.exports.required!(ev), `REQUIRED[${ev}]`).toBe(want));
    WANTED.forEach((want, ev) => expect(instance.exports.wanted!(ev), `WANTED[${ev}]`).toBe(want));
  });

  it('finds the shared captures', () => {
    expect(captures().length).toBeGreaterThanOrEqual(15);
  });

  for (const [path, format] of captures()) {
    it(`${path.split('/').slice(-2).join('/')}: same rows as the JavaScript handler, most of them made by the kernel`, () => {
      const text = textOf(path);
      const js = parse(text, format, false, 1 << 16, 4096);
      for (const piece of [1 << 16, 777]) {
        const w = parse(text, format, true, piece, 4096);
        expectSameRows(`piece ${piece}`, js, w);
        // every event line of a known event name with its usual fields is the kernel's
        expect(w.h.wasmRows / w.h.events, `piece ${piece}: share of rows made by the kernel`).toBeGreaterThan(0.9);
      }
    });
  }

  it('ftrace / trace-cmd edge cases: flags columns, (tgid), CPU records, comms starting like records', () => {
    const lines: string[] = ['# tracer: nop', '#', 'cpus=2', 'version = 6'];
    for (let k = 0; k < 1500; k++) {
      const us = String(100000 + k).padStart(6, '0');
      const comm = ['ping', 'kworker/0:0', 'cpuhp/1', 'vhost-12', 'CPU 0 x', 'a b', 'wörker'][k % 7]!;
      const flags = ['d..2. ', 'd..2 ', '', 'dNs1. '][k % 4]!;
      const ptr = ['00000000deadbeef', 'ffff888000000001', '(____ptrval____)', '0000000000000000'][k % 4]!;
      lines.push(
        `  ${comm}-${9000 + (k % 7)}    [00${k % 2}] ${flags}1900.${us}: net_dev_xmit: dev=vs${k % 3} skbaddr=${ptr} len=${k} rc=${k % 5}`,
      );
      lines.push(
        `  ${comm}-${k % 3} (  ${k % 9}) [001] ${flags}${k % 40 === 0 ? '12345678901' : '1900'}.${us.slice(0, 1 + (k % 6))}: qdisc_dequeue: dequeue ifindex=4 qdisc handle=0x10000 parent=0xFFFFFFFF txq_state=0x${k % 8} packets=${k % 3} skbaddr=${ptr}`,
      );
      lines.push(
        `  ping-1 [000] .... 1900.${us}: napi_poll: napi poll on napi struct 0000000012345678 for device vs${k % 2} work ${k % 65} budget 64`,
      );
      if (k % 37 === 0) lines.push(`CPU:${k % 2} [LOST ${k + 1} EVENTS]`);
      if (k % 41 === 0) lines.push(`  ping-1 [000] .... 1900:${us}: net_dev_xmit: dev=x skbaddr=0 len=1 rc=0`);
      if (k % 43 === 0) lines.push(`  ping-1 [000] .... 1900.${us}: sched_switch: prev_comm=ping prev_pid=1`);
    }
    const text = new TextEncoder().encode(
      lines.join('\n') + '\n  ping-1 [000] .... 1901.000000: net_dev_xmit: dev=lo skbad',
    );
    const js = parse(text, 'ftrace', false, 1 << 16, 1000);
    expect(js.h.events).toBeGreaterThan(4000);
    for (const piece of [1 << 16, 333]) {
      const w = parse(text, 'ftrace', true, piece, 1000);
      expectSameRows(`ftrace piece ${piece}`, js, w);
      expect(w.h.wasmRows, `ftrace piece ${piece}: kernel rows`).toBeGreaterThan(3000);
    }
  });

  it('bpftrace printf edge cases: long timestamps, comms with spaces and colons, Lost and Attaching lines', () => {
    const lines: string[] = ['Attaching 10 probes...'];
    for (let k = 0; k < 1500; k++) {
      const ts = k % 50 === 0 ? '12345678901234567890' : String(1900000000000 + k);
      const comm = ['ping', 'kworker/0:0', 'a b c', 'x:y', '12 34'][k % 5]!;
      lines.push(
        `${ts} ${k % 2} ${9000 + (k % 7)} ${comm} net:net_dev_xmit dev=vs${k % 3} skbaddr=0xffff888165655000 len=${k} rc=${k % 17 === 0 ? 16 : 0}`,
      );
      lines.push(
        `${ts} ${k % 2} ${k % 3} ${comm} qdisc:qdisc_dequeue ifindex=4 handle=0x10000 parent=0xffffffff txq_state=0x${k % 8} packets=${k % 3} skbaddr=0xffff888165655${String(k % 999).padStart(3, '0')}`,
      );
      if (k % 41 === 0) lines.push(`Lost ${k + 1} events`);
      if (k % 43 === 0) lines.push(`${ts} x 1 ping net:net_dev_xmit dev=vs0 skbaddr=0x1 len=1 rc=0`);
      if (k % 47 === 0) lines.push(`${ts} 0 1 ping sched:sched_switch prev_comm=ping`);
      // an event token counts only with a '=' somewhere after it (or at the end of the line)
      lines.push(`${ts} 0 1 ping napi:napi_poll struct 0xffff888000c2d1c8 device vs0${k % 2 === 0 ? ' x=1' : ''}`);
    }
    const text = new TextEncoder().encode(lines.join('\r\n') + '\r\n');
    const js = parse(text, 'bpftrace', false, 1 << 16, 1000);
    expect(js.h.events).toBeGreaterThan(2900);
    for (const piece of [1 << 16, 333]) {
      const w = parse(text, 'bpftrace', true, piece, 1000);
      expectSameRows(`bpftrace piece ${piece}`, js, w);
      expect(w.h.wasmRows, `bpftrace piece ${piece}: kernel rows`).toBeGreaterThan(2000);
    }
  });

  it('edge cases: odd tokens, pointers, numbers and names go to JavaScript or come out the same', () => {
    const lines: string[] = ['# os release : 6.12.0-test'];
    for (let k = 0; k < 2000; k++) {
      const us = String(100000 + k).padStart(6, '0');
      const comm = ['ping', 'kworker/0:0-eve', 'wörker ü', 'a b c', '12345678 x'][k % 5]!;
      lines.push(
        `  ${comm} ${9000 + (k % 7)} [00${k % 2}] 1900.${us}: net:net_dev_xmit: dev=vs${k % 3} skbaddr=0xffff888165655${String(k % 999).padStart(3, '0')} len=${k} rc=${k % 17 === 0 ? 16 : 0}`,
      );
      lines.push(
        `  ${comm} -${k % 3} [001] 1900.${us}: qdisc:qdisc_dequeue: dequeue ifindex=4 qdisc handle=0x${(k % 5).toString(16)}0000 parent=0xFFFFFFFF txq_state=0x${k % 8} packets=${k % 3} skbaddr=${['(nil)', '(ptrval)', '00000000deadbeef', 'deadbeef', 'ffff888000000001', '0x0', '(null)'][k % 7]}`,
      );
      lines.push(
        `  ping 1 [000] ${k % 50 === 0 ? '99999999999' : '1900'}.${us}: skb:kfree_skb: skbaddr=0xffff888000000007 location=x${k % 11} reason: ${['NOT_SPECIFIED', 'X', ''][k % 3]}`,
      );
      const odd = [
        ...ODD_XMIT_FIELDS,
        'dev=vs1 skbaddr=0xffff888000000003 len=99999999999999999 rc=0',
        'dev=vs1 skbaddr=0xffff888000000004 len=5 rc=',
        'dev=vs1 skbaddr=0xffff888000000004 len=5 rc=-2147483649',
        'dev=vs1 skbaddr=0xffff888000000004 len=5 rc=1 extra=1',
        'dev=vs1 skbaddr=0xffff888000000004 len=5 rc=123456789012345678',
      ][k % 12]!;
      lines.push(`  ping 1 [000] 1900.${us}: net:net_dev_xmit: ${odd}`);
      lines.push(
        `  ping 1 [000] 1900.${us}: napi:napi_poll: napi poll on napi struct 0xffff888000c2d1c8 for device vs${k % 2} work ${k % 65} budget 64`,
      );
      if (k % 97 === 0) lines.push('\tffffffff81234567 dev_hard_start_xmit+0x12 ([kernel.kallsyms])');
      if (k % 89 === 0) lines.push('');
      if (k % 83 === 0) lines.push('not a trace line');
      if (k % 79 === 0) lines.push(`  ping 1 [000] 1900.${us}: net:net_dev_xmit: dev=lo skbaddr=0x1 len=1 rc=0\r`);
      if (k % 61 === 0) lines.push(`  ping 1 [000] 1900.${us}: sched:sched_switch: prev_comm=ping prev_pid=1`);
      // net_cookie: a key the kernel does not parse (it hands the line to JavaScript), above 2^53, or bad
      if (k % 13 === 0) {
        const cookie = ['4096', '1152921504606846977', '12x', ''][k % 4]!;
        lines.push(
          `  kworker 1 [000] 1900.${us}: net:net_dev_xmit_timeout: dev=eth0 driver=igb queue=2 net_cookie=${cookie} ifindex=2`,
        );
      }
    }
    const text = new TextEncoder().encode(
      lines.join('\n') + '\n  ping 1 [000] 1901.000000: net:net_dev_xmit: dev=lo skbad',
    );
    const js = parse(text, 'perf-script', false, 1 << 16, 1000);
    expect(js.h.skipped).toBeGreaterThan(20);
    for (const piece of [1 << 16, 333]) {
      const w = parse(text, 'perf-script', true, piece, 1000);
      expectSameRows(`edge piece ${piece}`, js, w);
      expect(w.h.wasmRows, `edge piece ${piece}: kernel rows`).toBeGreaterThan(4000);
    }
  });
});
