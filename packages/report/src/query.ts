/** `txreplay query`: run SQL against the store, print a text table, CSV or JSON lines. */
import type { Store } from './store.js';

export type QueryOutputFormat = 'table' | 'csv' | 'json';

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

export async function runQuery(store: Store, sql: string, format: QueryOutputFormat): Promise<string> {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!text) throw new Error('query: empty SQL');
  if (format === 'csv') return store.queryText(text, 'CSVWithNames');
  if (format === 'json') return store.queryText(text, 'JSONEachRow');
  const body = await store.queryText(text, 'JSON');
  return formatTable(JSON.parse(body) as JsonResult);
}
