/**
 * `txreplay query`: run SQL against the store, print a text table, CSV, TSV or JSON lines, or write any of
 * those (and Parquet, Arrow) to a file through the one output writer (@txreplay/ingest io/output.ts).
 *
 * Numbers stay exact on both placements: ClickHouse itself formats every value (CSV, TSV, JSON, Parquet,
 * Arrow are its own output formats), and JSON quotes 64-bit and wider integers as strings
 * (output_format_json_quote_64bit_integers=1, the server's default, set explicitly because chDB's default
 * differs) so no JSON reader rounds them through a double. The table is built from that quoted JSON: a
 * UInt64 of 2^64−1 prints as 18446744073709551615, never 18446744073709552000.
 */
import type { Readable } from 'node:stream';
import { writeOutputFile } from '@txreplay/ingest';
import type { Store } from './store.js';

export type QueryOutputFormat = 'table' | 'csv' | 'tsv' | 'json' | 'parquet' | 'arrow';

/** Text formats printed on stdout; every format can go to a file (`-o`). */
const QUERY_TEXT_FORMATS: readonly QueryOutputFormat[] = ['table', 'csv', 'tsv', 'json'];

/** The ClickHouse output format of each of ours (table is built from JSON). */
const CLICKHOUSE_FORMAT: Readonly<Record<QueryOutputFormat, string>> = {
  table: 'JSON',
  csv: 'CSVWithNames',
  tsv: 'TabSeparatedWithNames',
  json: 'JSONEachRow',
  parquet: 'Parquet',
  arrow: 'Arrow',
};

/**
 * Settings that keep every value exact and every file readable by other tools, per format (only those a format
 * needs are sent: an old server refuses settings it does not know).
 */
const EXACT_SETTINGS: Readonly<Record<QueryOutputFormat, Readonly<Record<string, string | number>>>> = {
  table: { output_format_json_quote_64bit_integers: 1 },
  json: { output_format_json_quote_64bit_integers: 1 },
  csv: {},
  tsv: {},
  // zstd; strings as Parquet strings (UTF-8), not binary
  parquet: { output_format_parquet_compression_method: 'zstd', output_format_parquet_string_as_string: 1 },
  // Utf8 strings, no dictionaries (readers without delta-dictionary support, e.g. polars), uncompressed
  // buffers (ClickHouse's default lz4_frame needs a codec arrow-js does not ship)
  arrow: {
    output_format_arrow_string_as_string: 1,
    output_format_arrow_low_cardinality_as_dictionary: 0,
    output_format_arrow_compression_method: 'none',
  },
};

/** The format a file name asks for (`x.parquet`, `x.arrow`, `x.csv`, `x.tsv`, `x.json`/`.jsonl`/`.ndjson`). */
export function queryFormatOfPath(path: string): QueryOutputFormat | null {
  const m = /\.(parquet|arrow|feather|ipc|csv|tsv|tab|json|jsonl|ndjson|txt)$/i.exec(path);
  if (m === null) return null;
  const ext = m[1]!.toLowerCase();
  if (ext === 'feather' || ext === 'ipc') return 'arrow';
  if (ext === 'tab') return 'tsv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'json';
  if (ext === 'txt') return 'table';
  return ext as QueryOutputFormat;
}

interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Aligned plain-text table (numbers right-aligned), one line per row; control characters shown escaped. */
function formatTable(res: JsonResult): string {
  const names = res.meta.map((m) => m.name);
  const numeric = res.meta.map((m) => /^(Nullable\()?(U?Int|Float|Decimal)/.test(m.type));
  const rows = res.data.map((r) =>
    names.map((n) => cellText(r[n]).replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1))),
  );
  const widths = names.map((n, i) => Math.max(n.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}

function cleanSql(sql: string): string {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!text) throw new Error('query: empty SQL');
  return text;
}

async function bodyText(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(parts).toString('utf8');
}

/** The result as text for stdout (table, csv, tsv or json). */
export async function runQuery(store: Store, sql: string, format: QueryOutputFormat): Promise<string> {
  if (!QUERY_TEXT_FORMATS.includes(format)) throw new Error(`query: ${format} is written to a file (-o), not printed`);
  const body = await bodyText(await store.queryRaw(cleanSql(sql), CLICKHOUSE_FORMAT[format], EXACT_SETTINGS[format]));
  if (format === 'table') return formatTable(JSON.parse(body) as JsonResult);
  return body;
}

/** Write the result to `path` (atomically for a file; `-`/FIFO streamed) in `format`. */
export async function writeQueryOutput(
  store: Store,
  sql: string,
  format: QueryOutputFormat,
  path: string,
): Promise<void> {
  if (format === 'table') return writeOutputFile(path, await runQuery(store, sql, 'table'));
  const body = await store.queryRaw(cleanSql(sql), CLICKHOUSE_FORMAT[format], EXACT_SETTINGS[format]);
  await writeOutputFile(path, body as AsyncIterable<Uint8Array>);
}
