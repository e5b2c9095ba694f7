/**
 * @txreplay/report — public face. ClickHouse storage (embedded chDB or server by URL) and post-mortems.
 * CONTRACT (names/signatures stay):
 *   writePostMortem(result, { html?, md?, title? }) renders a self-contained HTML and/or Markdown post-mortem.
 */
export { writePostMortem, renderHtml } from './postmortem.js';
export { parseServerVersion } from './caps.js';
export {
  resolveStoreConfig,
  describeStore,
  redactUrl,
  type StoreConfig,
  type StoreFlags,
} from './config.js';
export {
  STORE_SCHEMA_VERSION,
  tableStructure,
} from './ddl.js';
export { Store, StoreError, type OpenOptions } from './store.js';
export { DEFAULT_RETRY, retryFits } from './retry.js';
export {
  writeRun,
  removeInsertTempFiles,
  hashSources,
  runExists,
  dropRun,
  type WriteOptions,
} from './write.js';
export { computeRunId, type SourceHash } from './encode-run.js';
export { encodeEvents, encodeEventsTsv, u64Text, EVENT_INSERT_COLUMNS } from './encode-events.js';
export { encodeEventsRowBinary } from './encode-rowbinary.js';
export { encodeEventsNative } from './encode-native.js';
export { parseDashboardQueries, expandGrafanaMacros, legacySql } from './dashboards.js';
export { buildDashboard, provisioningYaml, DASHBOARD_VARIABLES } from './fleet/grafana.js';
export { runQuery, writeQueryOutput, queryFormatOfPath, type QueryOutputFormat } from './query.js';
export { exportCsv } from './export-csv.js';
export { streamsReport, streamTrace, type StreamedTrace } from './stream-report.js';
export { writeStreamedRun } from './stream-write.js';
export type { StreamedWriteOptions } from './stream-write.js';
export { withEvidenceSources, noEvents, type RunSummary } from './evidence-run.js';
export { bulkReport, type BulkFileResult, type BulkProgress } from './fleet/bulk.js';
