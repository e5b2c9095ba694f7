#!/usr/bin/env node
// Regenerates dashboards/txreplay.json from dashboards/queries.sql (the panels carry the same SQL).
// A test checks that the two agree: edit queries.sql, then run `node dashboards/build-dashboard.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const text = readFileSync(path.join(here, 'queries.sql'), 'utf8');
const queries = text.split(/^-- name: /m).slice(1).map((b) => {
  const lines = b.split('\n');
  const q = { name: lines[0].trim(), title: lines[0].trim(), panel: 'table', sql: [] };
  for (const l of lines.slice(1)) {
    const t = /^-- title: (.*)$/.exec(l);
    const p = /^-- panel: (.*)$/.exec(l);
    if (t) q.title = t[1].trim();
    else if (p) q.panel = p[1].trim();
    else if (!l.startsWith('--')) q.sql.push(l);
  }
  return { ...q, sql: q.sql.join('\n').trim().replace(/;\s*$/, '') };
});

const ds = { type: 'grafana-clickhouse-datasource', uid: '${DS_CLICKHOUSE}' };
const panels = queries.map((q, i) => ({
  id: i + 1,
  type: q.panel === 'timeseries' ? 'timeseries' : 'table',
  title: q.title,
  datasource: ds,
  gridPos: { h: 9, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 9 },
  targets: [
    {
      refId: 'A',
      datasource: ds,
      editorType: 'sql',
      queryType: q.panel === 'timeseries' ? 'timeseries' : 'table',
      format: q.panel === 'timeseries' ? 0 : 1,
      rawSql: q.sql,
      meta: { txreplayQuery: q.name },
    },
  ],
  options: {},
  fieldConfig: { defaults: {}, overrides: [] },
}));

const dashboard = {
  __inputs: [
    { name: 'DS_CLICKHOUSE', label: 'ClickHouse', type: 'datasource', pluginId: 'grafana-clickhouse-datasource', pluginName: 'ClickHouse' },
  ],
  __requires: [{ type: 'datasource', id: 'grafana-clickhouse-datasource', name: 'ClickHouse', version: '4.0.0' }],
  title: 'txreplay — Linux TX path',
  uid: 'txreplay-tx-path',
  description: 'Stalls, queue states, drops/ENOBUFS, NAPI gaps and DQL limits written by `txreplay report`. Set the datasource default database to the txreplay database (default: txreplay).',
  tags: ['txreplay', 'network', 'linux'],
  timezone: 'utc',
  schemaVersion: 39,
  version: 1,
  editable: true,
  time: { from: 'now-7d', to: 'now' },
  panels,
  templating: { list: [] },
  annotations: { list: [] },
};
writeFileSync(path.join(here, 'txreplay.json'), JSON.stringify(dashboard, null, 2) + '\n');
process.stdout.write(`wrote dashboards/txreplay.json (${panels.length} panels)\n`);
