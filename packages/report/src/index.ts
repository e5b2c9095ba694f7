/**
 * @txreplay/report — public face. ClickHouse storage (embedded chDB or server by URL) and post-mortems.
 * CONTRACT (names/signatures stay):
 *   writePostMortem(result, { html?, md?, title? }) renders a self-contained HTML and/or Markdown post-mortem.
 */
export { writePostMortem, renderHtml, renderMarkdown, type PostMortemOptions } from './postmortem.js';
export { parseServerVersion, type ServerCaps } from './caps.js';
export {
  resolveStoreConfig,
  describeStore,
  defaultDbDir,
  redactUrl,
  DEFAULT_DATABASE,
  type StoreConfig,
  type StoreFlags,
} from './config.js';
export {
  STORE_SCHEMA_VERSION,
  TABLES,
  MIGRATIONS,
  columnNames,
  createTableSql,
  tableStructure,
  type TableName,
} from './ddl.js';
export { Store, StoreError, type OpenOptions } from './store.js';
export {
  writeRun,
  insertEvents,
  removeInsertTempFiles,
  computeRunId,
  hashSources,
  runExists,
  dropRun,
  TXREPLAY_VERSION,
  type RunInput,
  type WriteOptions,
  type WriteResult,
  type EventsWireFormat,
  type InsertEventsOptions,
} from './write.js';
export { encodeEvents, encodeEventsTsv, u64Text, EVENT_INSERT_COLUMNS } from './encode-events.js';
export { encodeEventsRowBinary } from './encode-rowbinary.js';
export { encodeEventsNative } from './encode-native.js';
export { derivePackets, type PacketLifecycle } from './packets.js';
export { tsvEscape, tsvRow } from './tsv.js';
export { verdictOf, rankFindings } from './verdict.js';
export { withRetry, isTransient, DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { parseDashboardQueries, expandGrafanaMacros, type DashboardQuery } from './dashboards.js';
export { runQuery, formatTable, type QueryOutputFormat } from './query.js';
export { exportCsv, type ExportOptions, type ExportedFile } from './export-csv.js';
