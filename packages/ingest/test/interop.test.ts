/**
 * Data that opens anywhere: txreplay's Arrow file, Arrow stream and Parquet outputs of real traces (several
 * inputs, more than one record batch: the case polars refused with delta dictionaries) read by arrow-js,
 * polars (nodejs-polars 0.25.2) and DuckDB (@duckdb/node-api) with the same row count and the same values
 * (ts_ns, 64-bit skbaddr, event names); and polars' own Arrow file read back by txreplay as the same table.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC, type Table } from 'apache-arrow';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestToArrow, loadEvents } from '../src/index.js';
import { TRACES } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'txreplay-interop-'));
const INPUTS = [
  join(TRACES, 'multiqueue', 'perf-script.txt'),
  join(TRACES, 'veth-backpressure', 'ftrace.txt.gz'),
  join(TRACES, 'veth-stall-tbf', 'ftrace.txt'),
];
const file = join(dir, 'events.arrow');
const parquet = join(dir, 'events.parquet');
const stream = join(dir, 'events.stream');
let ours: Table;

/** The values compared across readers: row count, ts_ns and skbaddr (exact, as decimal text), event names. */
interface Facts {
  rows: number;
  ts: string[];
  skb: string[];
  events: string[];
}
const text = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));
function factsOfArrow(t: Table): Facts {
  return {
    rows: t.numRows,
    ts: [...t.getChild('ts_ns')!].map(text),
    skb: [...t.getChild('skbaddr')!].map(text),
    events: [...t.getChild('event')!].map(text),
  };
}
function factsOfPolars(df: pl.DataFrame): Facts {
  return {
    rows: df.height,
    ts: [...df.getColumn('ts_ns').toArray()].map(text),
    skb: [...df.getColumn('skbaddr').toArray()].map(text),
    events: [...df.getColumn('event').cast(pl.Utf8).toArray()].map(text),
  };
}

beforeAll(async () => {
  const s = await ingestToArrow(INPUTS, file);
  expect(s.events).toBeGreaterThan(65536); // several record batches, several inputs
  await ingestToArrow(INPUTS, parquet);
  // the Arrow IPC stream (as `-o -` writes it), through a FIFO read by cat
  const fifo = join(dir, 'fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const reader = spawn('sh', ['-c', 'cat "$0" > "$1"', fifo, stream]);
  const done = new Promise((ok) => reader.on('close', ok));
  await ingestToArrow(INPUTS, fifo);
  await done;
  ours = (await loadEvents(INPUTS)).table;
  const size = (p: string): string => `${(statSync(p).size / 1e6).toFixed(2)} MB`;
  console.info(
    `interop sizes for ${ours.numRows} events: Arrow file (one dictionary per column) ${size(file)}, ` +
      `Arrow stream (plain strings) ${size(stream)}, Parquet zstd ${size(parquet)}`,
  );
}, 300_000);

describe('txreplay outputs in other tools', () => {
  it('arrow-js reads the file and the stream: same rows and values', () => {
    const want = factsOfArrow(ours);
    expect(factsOfArrow(tableFromIPC(readFileSync(file)))).toEqual(want);
    expect(factsOfArrow(tableFromIPC(readFileSync(stream)))).toEqual(want);
  });

  it('polars reads the Arrow file, the Arrow stream and the Parquet: same rows and values', () => {
    const want = factsOfArrow(ours);
    expect(factsOfPolars(pl.readIPC(readFileSync(file)))).toEqual(want);
    expect(factsOfPolars(pl.readIPCStream(readFileSync(stream)))).toEqual(want);
    expect(factsOfPolars(pl.readParquet(parquet))).toEqual(want);
  });

  it('DuckDB reads the Parquet: same rows, exact 64-bit values, same event counts', async () => {
    const want = factsOfArrow(ours);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const r = await c.runAndReadAll(
      `SELECT CAST(ts_ns AS VARCHAR) AS ts, CAST(skbaddr AS VARCHAR) AS skb, CAST(event AS VARCHAR) AS ev FROM read_parquet('${parquet}')`,
    );
    const rows = r.getRowObjects() as { ts: string; skb: string | null; ev: string }[];
    expect(rows.length).toBe(want.rows);
    expect(rows.map((x) => x.ts)).toEqual(want.ts);
    expect(rows.map((x) => x.skb ?? 'null')).toEqual(want.skb);
    expect(rows.map((x) => x.ev)).toEqual(want.events);
    c.closeSync();
  });

  it('txreplay reads the Arrow file polars wrote (reordered columns, wider ints) as the same table', async () => {
    const df = pl.readIPC(readFileSync(file));
    const cols = df.columns.slice().reverse();
    const foreign = df.select(...cols).withColumns(pl.col('pid').cast(pl.Int64), pl.col('cpu').cast(pl.Int32));
    const path = join(dir, 'polars.arrow');
    foreign.writeIPC(path);
    const back = (await loadEvents([path])).table;
    expect(factsOfArrow(back)).toEqual(factsOfArrow(ours));
    expect([...back.getChild('pid')!].map(text)).toEqual([...ours.getChild('pid')!].map(text));
    expect(String(back.schema.fields.find((f) => f.name === 'pid')!.type)).toBe('Int32');
  });
});
