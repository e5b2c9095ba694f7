/**
 * The Grafana dashboards, generated from dashboards/queries.sql and typed against Grafana's published
 * dashboard schema (@grafana/schema 13.2.3: Dashboard, Panel, VariableModel). The query objects follow the
 * ClickHouse datasource plugin's own type (grafana/clickhouse-datasource src/types/sql.ts CHSqlQuery; the plugin
 * ships no npm types, so ClickHouseSqlQuery below restates it): editorType 'sql', queryType 'table' |
 * 'timeSeries', and the sqlds `format` number (1 table, 0 time series).
 *
 * Two variants: ClickHouse 20.1+ (DateTime64 columns, `$__timeFilter_ms`: sub-second time) and 18.16 (DateTime,
 * whole seconds). Provisioning files (datasource and dashboard provider) go beside them.
 */
import type { DataQuery, DataSourceRef, Dashboard, Panel, VariableModel } from '@grafana/schema';
import { legacySql, type DashboardQuery } from '../dashboards.js';

/** grafana/clickhouse-datasource src/types/sql.ts: CHSqlQuery (editor type SQL). */
interface ClickHouseSqlQuery extends DataQuery {
  editorType: 'sql';
  queryType: 'table' | 'timeSeries' | 'logs' | 'traces';
  /** sqlds format: 0 time series, 1 table, 2 logs, 3 traces */
  format: 0 | 1 | 2 | 3;
  rawSql: string;
  meta?: { timezone?: string };
}

const DATASOURCE: DataSourceRef = { type: 'grafana-clickhouse-datasource', uid: 'txreplay-clickhouse' };

/** A Grafana variable reference with a format (`${run:singlequote}`), as the panels' SQL writes it. */
function gv(name: string, format: 'singlequote' | 'csv' = 'singlequote'): string {
  return `\${${name}:${format}}`;
}

const IN_RUN = `run_id IN (${gv('run')})`;
const IN_RUN_DEV = `${IN_RUN} AND dev IN (${gv('dev')})`;

/** Dashboard variables (in dependency order) and the SQL that lists their values. */
export const DASHBOARD_VARIABLES: { name: string; label: string; sql: string }[] = [
  { name: 'host', label: 'Host', sql: 'SELECT DISTINCT host FROM runs WHERE complete = 1 ORDER BY host' },
  {
    name: 'run',
    label: 'Run',
    sql: `SELECT DISTINCT run_id FROM runs WHERE complete = 1 AND host IN (${gv('host')}) ORDER BY run_id`,
  },
  {
    name: 'dev',
    label: 'Device',
    sql:
      `SELECT DISTINCT dev FROM (SELECT dev FROM queue_intervals WHERE ${IN_RUN} UNION ALL SELECT dev FROM series WHERE ${IN_RUN} ` +
      `UNION ALL SELECT dev FROM packets WHERE ${IN_RUN} UNION ALL SELECT dev FROM findings WHERE ${IN_RUN}) ORDER BY dev`,
  },
  {
    name: 'queue',
    label: 'TX queue',
    sql:
      `SELECT DISTINCT queue FROM (SELECT queue FROM queue_intervals WHERE ${IN_RUN_DEV} UNION ALL SELECT queue FROM series ` +
      `WHERE ${IN_RUN_DEV} UNION ALL SELECT queue FROM packets WHERE ${IN_RUN_DEV}) ORDER BY queue`,
  },
];

function variable(v: (typeof DASHBOARD_VARIABLES)[number]): VariableModel {
  return {
    type: 'query',
    name: v.name,
    label: v.label,
    datasource: DATASOURCE,
    query: v.sql,
    refresh: 2, // VariableRefresh.onTimeRangeChanged
    multi: true,
    includeAll: true,
    current: { text: 'All', value: '$__all' },
    skipUrlSync: false,
  };
}

function panel(q: DashboardQuery, i: number, legacy: boolean): Panel {
  const series = q.panel === 'timeseries';
  const target: ClickHouseSqlQuery = {
    refId: 'A',
    datasource: DATASOURCE,
    editorType: 'sql',
    queryType: series ? 'timeSeries' : 'table',
    format: series ? 0 : 1,
    rawSql: legacy ? legacySql(q.sql) : q.sql,
    meta: { timezone: 'UTC' },
  };
  const overrides = Object.entries(q.units).map(([col, unit]) => ({
    matcher: { id: 'byName', options: col },
    properties: [{ id: 'unit', value: unit }],
  }));
  return {
    id: i + 1,
    type: q.panel,
    title: q.title,
    datasource: DATASOURCE,
    gridPos: { h: 9, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 9 },
    // the schema types targets as records: our typed CHSqlQuery, spread into one
    targets: [{ ...target }],
    options: {},
    fieldConfig: { defaults: { unit: q.unit ?? 'short' }, overrides },
    description: `txreplay query "${q.name}" (dashboards/queries.sql)`,
  };
}

/** The dashboard for ClickHouse 20.1+ (legacy = false) or 18.16 (legacy = true). */
export function buildDashboard(queries: DashboardQuery[], legacy: boolean): Dashboard {
  return {
    title: legacy ? 'txreplay — Linux TX path (ClickHouse 18.16)' : 'txreplay — Linux TX path',
    uid: legacy ? 'txreplay-tx-path-ch18' : 'txreplay-tx-path',
    description:
      'Fleet and per-run views written by `txreplay report` / `txreplay bulk`: stalls by host/driver/kernel, time to watchdog, ENOBUFS per host, verdicts over time, queue states, drops, NAPI gaps, DQL limits.' +
      (legacy ? ' ClickHouse 18.16: time in whole seconds.' : ''),
    tags: ['txreplay', 'network', 'linux'],
    timezone: 'utc',
    schemaVersion: 41,
    version: 1,
    editable: true,
    graphTooltip: 1,
    time: { from: 'now-30d', to: 'now' },
    templating: { list: DASHBOARD_VARIABLES.map(variable) },
    panels: queries.map((q, i) => panel(q, i, legacy)),
  };
}

/** Grafana provisioning: the ClickHouse datasource (uid the panels use) and a file provider for the dashboards. */
export function provisioningYaml(): { datasource: string; dashboards: string } {
  const datasource = `# Grafana datasource provisioning for the txreplay dashboards (grafana-clickhouse-datasource 4.x).
# Copy to /etc/grafana/provisioning/datasources/ and set host, port and credentials of your ClickHouse.
apiVersion: 1
datasources:
  - name: txreplay ClickHouse
    type: grafana-clickhouse-datasource
    uid: ${DATASOURCE.uid}
    jsonData:
      host: localhost
      port: 8123
      protocol: http
      defaultDatabase: txreplay
      username: default
    secureJsonData:
      password: ''
`;
  const dashboards = `# Grafana dashboard provider for the txreplay dashboards: copy to /etc/grafana/provisioning/dashboards/ and put
# txreplay.json (ClickHouse 20.1+) or txreplay-clickhouse18.json (18.16) in the path below.
apiVersion: 1
providers:
  - name: txreplay
    type: file
    folder: txreplay
    allowUiUpdates: false
    options:
      path: /var/lib/grafana/dashboards/txreplay
`;
  return { datasource, dashboards };
}
