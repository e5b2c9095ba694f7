/**
 * `txreplay query` keeps 64-bit integers exact on both placements (embedded chDB and the ClickHouse server) in
 * every output: table, CSV, TSV, JSON (quoted, as ClickHouse's output_format_json_quote_64bit_integers) and,
 * written with -o through the one output writer, Parquet, Arrow, CSV and JSON files. Real data: the
 * multiqueue example's skb addresses (≈1.8e19 > 2^53) and ts_ns × 10^7 (≈9e18).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvents } from '@txreplay/ingest';
import { register as registerReport } from '../src/commands/report.js';
import { register as registerQuery } from '../src/commands/query.js';
import { REPO_ROOT, testServerEnv, stopTestServer, tempDir } from '../../report/test/helpers.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const EXAMPLE = path.join(REPO_ROOT, 'examples/multiqueue.perf-script.txt.gz');
const SQL =
  'SELECT skbaddr, ts_ns * 10000000 AS ts_x FROM events WHERE skbaddr IS NOT NULL ORDER BY ts_ns, skbaddr LIMIT 5';

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerReport(program);
  registerQuery(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'txreplay', ...args]);
  } finally {
    process.stdout.write = write;
    process.exitCode = 0;
  }
  return out;
}

/** The same five rows from the trace itself (BigInt arithmetic: exact). */
async function expected(): Promise<{ skb: string; tsx: string }[]> {
  const { table } = await loadEvents([EXAMPLE]);
  const ts = [...table.getChild('ts_ns')!] as bigint[];
  const skb = [...table.getChild('skbaddr')!] as (bigint | null)[];
  const rows: { t: bigint; s: bigint }[] = [];
  for (let i = 0; i < ts.length; i++) if (skb[i] !== null) rows.push({ t: ts[i]!, s: skb[i]! });
  rows.sort((a, b) => (a.t === b.t ? (a.s < b.s ? -1 : a.s > b.s ? 1 : 0) : a.t < b.t ? -1 : 1));
  return rows.slice(0, 5).map((r) => ({ skb: String(r.s), tsx: String(r.t * 10_000_000n) }));
}

const placements: [string, () => string[], boolean][] = [
  ['embedded chDB', () => ['--db', path.join(tempDir('txreplay-exact-'), 'db')], true],
  // ClickHouse 18.16 (the CI server) has no Parquet/Arrow output formats: text formats there
  [
    'ClickHouse server',
    () => ['--clickhouse-url', serverEnv.TXREPLAY_CLICKHOUSE_URL!, '--database', `txr_exact_${process.pid}`],
    false,
  ],
];

describe.each(placements)('query on %s prints 64-bit integers exactly', (_name, store, binary) => {
  let flags: string[];
  let want: { skb: string; tsx: string }[];
  const dir = tempDir('txreplay-exact-out-');
  beforeAll(async () => {
    flags = store();
    await run(['report', EXAMPLE, ...flags, '--no-html']);
    want = await expected();
    expect(BigInt(want[0]!.skb)).toBeGreaterThan(2n ** 53n);
    expect(BigInt(want[0]!.tsx)).toBeGreaterThan(2n ** 53n);
  }, 300_000);

  it('table, CSV, TSV and JSON on stdout', async () => {
    const table = await run(['query', SQL, ...flags]);
    for (const w of want) expect(table).toMatch(new RegExp(`^\\s*${w.skb}\\s+${w.tsx}$`, 'm'));
    const csv = await run(['query', SQL, ...flags, '--format', 'csv']);
    expect(csv).toBe(`"skbaddr","ts_x"\n${want.map((w) => `${w.skb},${w.tsx}\n`).join('')}`);
    const tsv = await run(['query', SQL, ...flags, '--format', 'tsv']);
    expect(tsv).toBe(`skbaddr\tts_x\n${want.map((w) => `${w.skb}\t${w.tsx}\n`).join('')}`);
    const json = await run(['query', SQL, ...flags, '--format', 'json']);
    expect(json).toBe(want.map((w) => `{"skbaddr":"${w.skb}","ts_x":"${w.tsx}"}\n`).join(''));
  });

  it('-o x.csv and x.json files hold the same exact text', async () => {
    await run(['query', SQL, ...flags, '-o', path.join(dir, 'q.csv')]);
    expect(readFileSync(path.join(dir, 'q.csv'), 'utf8')).toBe(
      `"skbaddr","ts_x"\n${want.map((w) => `${w.skb},${w.tsx}\n`).join('')}`,
    );
    await run(['query', SQL, ...flags, '-o', path.join(dir, 'q.json')]);
    expect(readFileSync(path.join(dir, 'q.json'), 'utf8')).toBe(
      want.map((w) => `{"skbaddr":"${w.skb}","ts_x":"${w.tsx}"}\n`).join(''),
    );
  });

  // registered only where the format exists (not a skipped test on the 18.16 server)
  if (binary)
    it('-o x.arrow and x.parquet: arrow-js and DuckDB read the exact values', async () => {
      await run(['query', SQL, ...flags, '-o', path.join(dir, 'q.arrow')]);
      const t = tableFromIPC(readFileSync(path.join(dir, 'q.arrow')));
      expect([...t.getChild('skbaddr')!].map(String)).toEqual(want.map((w) => w.skb));
      expect([...t.getChild('ts_x')!].map(String)).toEqual(want.map((w) => w.tsx));
      await run(['query', SQL, ...flags, '-o', path.join(dir, 'q.parquet')]);
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      const r = await c.runAndReadAll(
        `SELECT CAST(skbaddr AS VARCHAR) AS skb, CAST(ts_x AS VARCHAR) AS tsx FROM read_parquet('${path.join(dir, 'q.parquet')}')`,
      );
      expect(r.getRowObjects()).toEqual(want);
      c.closeSync();
    });
});
