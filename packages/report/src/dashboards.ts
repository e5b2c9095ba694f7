/**
 * The dashboard queries (dashboards/queries.sql: the panels of dashboards/txreplay.json and
 * txreplay-clickhouse18.json) and the Grafana ClickHouse datasource macros and variables they use, expanded
 * the way the plugin and Grafana do, so tests and `txreplay query` can run them.
 */
export interface DashboardQuery {
  name: string;
  title: string;
  panel: 'table' | 'timeseries' | 'barchart';
  /** Grafana unit of every number in the panel (`-- unit:`), and per column (`-- units: col=unit, …`) */
  unit?: string;
  units: Record<string, string>;
  /** SQL with Grafana macros and variables, without the trailing semicolon */
  sql: string;
}

const PANELS = new Set(['table', 'timeseries', 'barchart']);

function parseBlock(b: string): DashboardQuery {
  const lines = b.split('\n');
  const name = lines[0]!.trim();
  const q: DashboardQuery = { name, title: name, panel: 'table', units: {}, sql: '' };
  const sql: string[] = [];
  for (const l of lines.slice(1)) {
    const h = /^-- (title|panel|unit|units): (.*)$/.exec(l);
    if (!h) {
      if (!l.startsWith('--')) sql.push(l);
      continue;
    }
    const v = h[2]!.trim();
    if (h[1] === 'title') q.title = v;
    else if (h[1] === 'unit') q.unit = v;
    else if (h[1] === 'units')
      for (const kv of v.split(',')) {
        const [col, unit] = kv.split('=').map((s) => s.trim());
        if (col && unit) q.units[col] = unit;
      }
    else if (PANELS.has(v)) q.panel = v as DashboardQuery['panel'];
    else throw new Error(`dashboard query ${name}: unknown panel type ${v}`);
  }
  q.sql = sql.join('\n').trim().replace(/;\s*$/, '');
  if (q.sql.includes(';')) throw new Error(`dashboard query ${name}: one statement per block`);
  return q;
}

/** Parse `-- name:` blocks (with `-- title:`, `-- panel:`, `-- unit:`, `-- units:` headers), each ending with `;`. */
export function parseDashboardQueries(text: string): DashboardQuery[] {
  return text
    .split(/^-- name: /m)
    .slice(1)
    .map(parseBlock);
}

export interface MacroContext {
  /** dashboard variable values (host, run, dev, queue): formatted as Grafana does for `${v:singlequote}`/`${v:csv}` */
  vars?: Record<string, (string | number)[]>;
  /** Grafana's $__interval (ms), for $__timeInterval(_ms); default 1000 */
  intervalMs?: number;
}

function singleQuote(v: string | number): string {
  return `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Expand the Grafana ClickHouse datasource's macros as its backend does (pkg/macros/macros.go): $__timeFilter
 * with toDateTime(<unix s>) (seconds truncated, both ends), $__timeFilter_ms with fromUnixTimestamp64Milli(<ms>),
 * $__timeInterval(_ms) with toStartOfInterval; and the dashboard variables `${name:singlequote}`/`${name:csv}`.
 */
export function expandGrafanaMacros(sql: string, fromSec: number, toSec: number, ctx: MacroContext = {}): string {
  const fromMs = Math.floor(fromSec * 1000);
  const toMs = Math.floor(toSec * 1000);
  const intervalMs = Math.max(1, Math.floor(ctx.intervalMs ?? 1000));
  const col = '\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*';
  return sql
    .replace(
      new RegExp(`\\$__timeFilter_ms\\(${col}\\)`, 'g'),
      (_m, c: string) => `${c} >= fromUnixTimestamp64Milli(${fromMs}) AND ${c} <= fromUnixTimestamp64Milli(${toMs})`,
    )
    .replace(
      new RegExp(`\\$__timeFilter\\(${col}\\)`, 'g'),
      (_m, c: string) =>
        `${c} >= toDateTime(${Math.floor(fromMs / 1000)}) AND ${c} <= toDateTime(${Math.floor(toMs / 1000)})`,
    )
    .replace(
      new RegExp(`\\$__timeInterval_ms\\(${col}\\)`, 'g'),
      (_m, c: string) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${intervalMs} millisecond)`,
    )
    .replace(
      new RegExp(`\\$__timeInterval\\(${col}\\)`, 'g'),
      (_m, c: string) =>
        `toStartOfInterval(toDateTime(${c}), INTERVAL ${Math.max(1, Math.floor(intervalMs / 1000))} second)`,
    )
    .replace(/\$__interval_s\b/g, String(Math.max(1, Math.floor(intervalMs / 1000))))
    .replace(/\$\{(\w+):(singlequote|csv)\}/g, (m, name: string, fmt: string) => {
      const values = ctx.vars?.[name];
      if (!values) return m;
      return fmt === 'csv' ? values.join(',') : values.map(singleQuote).join(',');
    });
}

/**
 * The 18.16 form of a panel's SQL: whole seconds. 18.16 has no DateTime64, no fromUnixTimestamp64Milli (the
 * _ms filter) and no toStartOfInterval (what $__timeInterval expands to), so buckets are intDiv on the Unix time
 * with the plugin's $__interval_s.
 */
export function legacySql(sql: string): string {
  return sql
    .replace(/\$__timeFilter_ms\(/g, '$__timeFilter(')
    .replace(
      /\$__timeInterval_ms\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/g,
      (_m, c: string) => `toDateTime(intDiv(toUInt32(${c}), $__interval_s) * $__interval_s)`,
    );
}
