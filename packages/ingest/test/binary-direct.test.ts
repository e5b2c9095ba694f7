/**
 * The direct path (column plans reading payload bytes into the row builder, io/binaryPlan.ts) against the
 * reference (every event rendered as the tool's field text and read by parseFields): the same table, every column,
 * every row, on every real binary capture — perf.data in file, gzip, pipe and zstd-compressed form, trace.dat v6
 * and v7 — and on big-endian rewrites of a real perf.data and a real trace.dat.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Table, type RecordBatch } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestBinarySource, type BinaryFormat } from '../src/io/binary.js';
import { readPerfData } from '../src/parse/perf-data/index.js';
import { readTraceDat } from '../src/parse/trace-dat/index.js';
import { EventColumns } from '../src/table/columns.js';
import { COLUMNS } from '../src/table/catalogue.js';
import { TRACES } from './fixtures.js';
import { perfDataToBigEndian } from './perfSwap.js';
import { traceDatV6ToBigEndian } from './traceDatSwap.js';

const CAPTURED = resolve(__dirname, '../../../fixtures/captured');
const CONVERTED = resolve(__dirname, '../../../fixtures/converted');

async function table(path: string, format: BinaryFormat, direct: boolean): Promise<Table> {
  // small batches: rows cross batch boundaries (dictionaries, flush) on every capture
  const cols = new EventColumns(4096);
  const batches: RecordBatch[] = [];
  await ingestBinarySource(path, format, cols, async (b) => void batches.push(b), { direct });
  if (cols.length > 0) batches.push(cols.flush());
  return new Table(batches);
}

async function expectSameTable(path: string, format: BinaryFormat): Promise<void> {
  const direct = await table(path, format, true);
  const reference = await table(path, format, false);
  expect(direct.numRows).toBe(reference.numRows);
  expect(direct.numRows).toBeGreaterThan(0);
  for (const name of COLUMNS) {
    const a = direct.getChild(name)!;
    const b = reference.getChild(name)!;
    for (let i = 0; i < direct.numRows; i++) {
      if (a.get(i) !== b.get(i)) expect(`${name} row ${i}: ${a.get(i)}`).toBe(`${name} row ${i}: ${b.get(i)}`);
    }
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'txreplay-binary-direct-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('binary captures: column plans equal the rendered text, every column', () => {
  const perf = [
    ...['eth0-normal', 'multiqueue', 'veth-peer-down', 'veth-stall-napi-starved', 'veth-stall-tbf'].map((c) =>
      join(TRACES, c, 'perf.data'),
    ),
    join(TRACES, 'veth-backpressure', 'perf.data.gz'),
    join(CAPTURED, 'lossy-perf/perf.data.gz'),
    join(CAPTURED, 'perf-pipe-lo/perf-pipe.data.gz'),
    join(CAPTURED, 'perf-zstd-lo/perf.data'),
  ];
  for (const path of perf)
    it(path.slice(path.indexOf('/', path.length - 40)), () => expectSameTable(path, 'perf-data'));
  const dat = ['htb-shaped', 'lossy-tracecmd', 'neigh-queuefull', 'requeue-bulk-tracecmd', 'tbf-shaped-tracecmd'];
  for (const c of dat) it(`${c}/trace.dat`, () => expectSameTable(join(CAPTURED, c, 'trace.dat'), 'trace-dat'));

  it('big-endian perf.data (eth0-normal rewritten)', async () => {
    const path = join(TRACES, 'eth0-normal', 'perf.data');
    const le = readPerfData(path);
    for await (const _ of le.batches());
    const be = join(tmp, 'be-perf.data');
    writeFileSync(be, perfDataToBigEndian(readFileSync(path), new Map([...le.formats.values()].map((f) => [f.id, f]))));
    await expectSameTable(be, 'perf-data');
    // and the same rows as the little-endian original
    const [a, b] = [await table(path, 'perf-data', true), await table(be, 'perf-data', true)];
    for (const name of COLUMNS.filter((c) => c !== 'source'))
      expect(b.getChild(name)!.toArray(), name).toEqual(a.getChild(name)!.toArray());
  });

  it('big-endian trace.dat v6 (neigh-queuefull rewritten)', async () => {
    const path = join(CONVERTED, 'neigh-queuefull-v6.dat.gz');
    const le = readTraceDat(path);
    for await (const _ of le.batches());
    const be = join(tmp, 'be-trace.dat');
    const byId = new Map([...le.formats.values()].map((f) => [f.id, f]));
    writeFileSync(be, traceDatV6ToBigEndian(gunzipSync(readFileSync(path)), byId));
    await expectSameTable(be, 'trace-dat');
    await expectSameTable(path, 'trace-dat');
  });
});
