/**
 * The dashboard queries (dashboards/queries.sql, the same SQL as the panels of dashboards/txreplay.json)
 * and the Grafana ClickHouse datasource macro they use, so tests and `txreplay query` can run them.
 */
export interface DashboardQuery {
  name: string;
  title: string;
  panel: 'table' | 'timeseries';
  /** SQL with Grafana macros, without the trailing semicolon */
  sql: string;
}

/** Parse `-- name:` / `-- title:` / `-- panel:` blocks, each ending with `;`. */
export function parseDashboardQueries(text: string): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const blocks = text.split(/^-- name: /m).slice(1);
  for (const b of blocks) {
    const lines = b.split('\n');
    const name = lines[0]!.trim();
    let title = name;
    let panel: DashboardQuery['panel'] = 'table';
    const sql: string[] = [];
    for (const l of lines.slice(1)) {
      const t = /^-- title: (.*)$/.exec(l);
      const p = /^-- panel: (.*)$/.exec(l);
      if (t) title = t[1]!.trim();
      else if (p) panel = p[1]!.trim() === 'timeseries' ? 'timeseries' : 'table';
      else if (!l.startsWith('--')) sql.push(l);
    }
    const body = sql.join('\n').trim().replace(/;\s*$/, '');
    if (body.includes(';')) throw new Error(`dashboard query ${name}: one statement per block`);
    out.push({ name, title, panel, sql: body });
  }
  return out;
}

/**
 * Expand the Grafana ClickHouse datasource's `$__timeFilter(col)` the way the plugin does:
 * `col >= toDateTime(<from s>) AND col <= toDateTime(<to s>)`.
 */
export function expandGrafanaMacros(sql: string, fromSec: number, toSec: number): string {
  return sql.replace(
    /\$__timeFilter\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/g,
    (_m, col: string) => `${col} >= toDateTime(${Math.floor(fromSec)}) AND ${col} <= toDateTime(${Math.ceil(toSec)})`,
  );
}
