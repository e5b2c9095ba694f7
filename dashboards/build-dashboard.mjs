#!/usr/bin/env node
// Regenerates the Grafana dashboards and provisioning files from dashboards/queries.sql with the typed generator in
// packages/report/src/fleet/grafana.ts (run `pnpm build` first). A test checks the files match: edit queries.sql or
// the generator, then run `node dashboards/build-dashboard.mjs`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { buildDashboard, parseDashboardQueries, provisioningYaml } from '../packages/report/dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const queries = parseDashboardQueries(readFileSync(path.join(here, 'queries.sql'), 'utf8'));
const json = (d) => `${JSON.stringify(d, null, 2)}\n`;
writeFileSync(path.join(here, 'txreplay.json'), json(buildDashboard(queries, false)));
writeFileSync(path.join(here, 'txreplay-clickhouse18.json'), json(buildDashboard(queries, true)));
const prov = provisioningYaml();
mkdirSync(path.join(here, 'provisioning'), { recursive: true });
writeFileSync(path.join(here, 'provisioning', 'datasource.yaml'), prov.datasource);
writeFileSync(path.join(here, 'provisioning', 'dashboards.yaml'), prov.dashboards);
process.stdout.write(`wrote ${queries.length} panels into txreplay.json and txreplay-clickhouse18.json, provisioning/*.yaml\n`);
