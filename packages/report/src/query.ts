/** `txreplay query`: run SQL against the store; CSV and JSON lines as ClickHouse writes them, or exact table cells. */
import type { Store } from './store.js';

export type QueryOutputFormat = 'csv' | 'json';

/** A result as text cells: every value exactly as the server printed it (64-bit integers never rounded). */
export interface QueryTable {
  columns: { name: string; type: string }[];
  rows: string[][];
}

interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

/**
 * JSON with every integer literal of 16+ digits outside strings turned into a string, so JSON.parse keeps it
 * exact (servers that print 64-bit integers unquoted: output_format_json_quote_64bit_integers=0).
 */
function quoteLongIntegers(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))!;
      out += !m[1] && !m[2] && m[0].replace('-', '').length >= 16 ? `"${m[0]}"` : m[0];
      i += m[0].length || 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const statement = (sql: string): string => {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!text) throw new Error('query: empty SQL');
  return text;
};

export async function runQuery(store: Store, sql: string, format: QueryOutputFormat): Promise<string> {
  return store.queryText(statement(sql), format === 'csv' ? 'CSVWithNames' : 'JSONEachRow');
}

/** The result as exact text cells and column types, for a table printer. */
export async function queryTable(store: Store, sql: string): Promise<QueryTable> {
  const body = await store.queryText(statement(sql), 'JSON');
  const res = JSON.parse(quoteLongIntegers(body)) as JsonResult;
  const names = res.meta.map((m) => m.name);
  return { columns: res.meta, rows: res.data.map((r) => names.map((n) => cellText(r[n]))) };
}
