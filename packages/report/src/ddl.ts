/**
 * The txreplay ClickHouse schema (documented in packages/report/README.md "Schema"), generated for the
 * connected server's capabilities. Every table is partitioned by `run_id`, so re-writing a run starts with
 * `ALTER TABLE … DROP PARTITION` (synchronous on every version, unlike `ALTER … DELETE` mutations), and the
 * `runs` row is inserted LAST: it is the completion marker. Readers only trust data whose run has a `runs` row.
 */
import { CATALOGUE, CLICKHOUSE_TYPE, type CatalogueColumn } from '@txreplay/ingest';
import type { ServerCaps } from './caps.js';

export const TABLES = ['runs', 'events', 'packets', 'queue_intervals', 'series', 'findings'] as const;
export type TableName = (typeof TABLES)[number];

interface ColumnSpec {
  name: string;
  /** type in the plain form; `lc` wraps strings in LowCardinality where supported */
  type: string;
  lc?: boolean;
  codec?: string;
  /** store schema version that added the column (MIGRATIONS adds it to older stores); 1 by default */
  since?: number;
}

function timeType(caps: ServerCaps): string {
  return caps.dateTime64 ? "DateTime64(9, 'UTC')" : "DateTime('UTC')";
}

function renderType(col: ColumnSpec, caps: ServerCaps): string {
  let t = col.type === 'TIME' ? timeType(caps) : col.type;
  if (col.lc && caps.lowCardinality) t = `LowCardinality(${t})`;
  if (col.codec && caps.codecs) t = `${t} CODEC(${col.codec})`;
  return t;
}

/** An `events` column from the ingest catalogue: its ClickHouse type follows its Arrow type. */
function eventColumn(c: CatalogueColumn): ColumnSpec {
  const plain = CLICKHOUSE_TYPE[c.arrow];
  return {
    name: c.name,
    type: c.nullable ? `Nullable(${plain})` : plain,
    ...(c.arrow === 'dict' ? { lc: true } : {}),
    ...(c.codec !== undefined ? { codec: c.codec } : {}),
    ...(c.storeVersion !== undefined ? { since: c.storeVersion } : {}),
  };
}

/**
 * Column lists per table, in insert order (the TSV writers emit exactly these). `events` is the ingest
 * catalogue (packages/ingest/src/table/catalogue.ts) after `run_id`, with the wall-clock `time` after `ts_ns`.
 */
export const EVENT_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String', lc: true },
  ...CATALOGUE.flatMap((c): ColumnSpec[] =>
    c.name === 'ts_ns' ? [eventColumn(c), { name: 'time', type: 'TIME', codec: 'Delta, ZSTD(1)' }] : [eventColumn(c)],
  ),
];

const RUN_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String' },
  { name: 'complete', type: 'UInt8' },
  { name: 'written_at', type: "DateTime('UTC')" },
  { name: 'host', type: 'String' },
  { name: 'kernel', type: 'String' },
  { name: 'format', type: 'String' },
  /** JSON array: [{path, format, kernel, sha256, bytes, lines, events, skipped, comments, lost}] */
  { name: 'sources', type: 'String' },
  { name: 'content_sha256', type: 'String' },
  { name: 'options', type: 'String' },
  { name: 'events', type: 'UInt64' },
  { name: 'lines', type: 'UInt64' },
  { name: 'skipped', type: 'UInt64' },
  { name: 'lost_events', type: 'UInt64' },
  { name: 'packets', type: 'UInt64' },
  { name: 'findings', type: 'UInt32' },
  { name: 'first_ns', type: 'Int64' },
  { name: 'last_ns', type: 'Int64' },
  { name: 'first_time', type: 'TIME' },
  { name: 'last_time', type: 'TIME' },
  /** wall clock (ns since epoch) minus trace clock: time = ts_ns + wall_offset_ns */
  { name: 'wall_offset_ns', type: 'Int64' },
  { name: 'ingest_ms', type: 'Float64' },
  { name: 'replay_ms', type: 'Float64' },
  { name: 'write_ms', type: 'Float64' },
  { name: 'verdict', type: 'String' },
  { name: 'txreplay_version', type: 'String' },
];

const PACKET_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String', lc: true },
  { name: 'skbaddr', type: 'UInt64' },
  { name: 'dev', type: 'String', lc: true },
  { name: 'queue', type: 'Int32' },
  { name: 'len', type: 'UInt32' },
  { name: 'queued_ns', type: 'Int64' },
  { name: 'start_xmit_ns', type: 'Int64' },
  { name: 'xmit_ns', type: 'Int64' },
  { name: 'freed_ns', type: 'Int64' },
  { name: 'time', type: 'TIME' },
  { name: 'xmit_rc', type: 'Int32' },
  { name: 'tx_busy', type: 'UInt32' },
  /** 'consumed' | 'dropped' | 'in_flight' (no free seen before the trace ended) */
  { name: 'fate', type: 'String', lc: true },
  { name: 'drop_reason', type: 'String', lc: true },
  { name: 'location', type: 'String', lc: true },
  { name: 'source', type: 'String', lc: true },
  { name: 'first_line', type: 'UInt32' },
];

const INTERVAL_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String', lc: true },
  { name: 'dev', type: 'String', lc: true },
  { name: 'queue', type: 'Int32' },
  { name: 'state', type: 'String', lc: true },
  { name: 'start_ns', type: 'Int64' },
  { name: 'end_ns', type: 'Int64' },
  { name: 'duration_ns', type: 'Int64' },
  { name: 'start_time', type: 'TIME' },
  { name: 'end_time', type: 'TIME' },
];

const SERIES_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String', lc: true },
  { name: 'dev', type: 'String', lc: true },
  { name: 'queue', type: 'Int32' },
  { name: 'ts_ns', type: 'Int64', codec: 'Delta, ZSTD(1)' },
  { name: 'time', type: 'TIME', codec: 'Delta, ZSTD(1)' },
  { name: 'backlog_packets', type: 'Int32' },
  { name: 'inflight_bytes', type: 'Int64' },
  { name: 'dql_limit_observed', type: 'Nullable(Int64)' },
  { name: 'dql_limit_expected', type: 'Nullable(Int64)' },
];

const FINDING_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String', lc: true },
  { name: 'ordinal', type: 'UInt32' },
  { name: 'kind', type: 'String', lc: true },
  { name: 'severity', type: 'String', lc: true },
  { name: 'dev', type: 'String', lc: true },
  { name: 'queue', type: 'Nullable(Int32)' },
  { name: 'start_ns', type: 'Int64' },
  { name: 'end_ns', type: 'Int64' },
  { name: 'start_time', type: 'TIME' },
  { name: 'end_time', type: 'TIME' },
  { name: 'title', type: 'String' },
  { name: 'explanation', type: 'String' },
  /** JSON array of {tsNs (string), event, source, line, note} */
  { name: 'evidence', type: 'String' },
  /** JSON array of strings */
  { name: 'next_steps', type: 'String' },
];

const TABLE_COLUMNS: Record<TableName, ColumnSpec[]> = {
  runs: RUN_COLUMNS,
  events: EVENT_COLUMNS,
  packets: PACKET_COLUMNS,
  queue_intervals: INTERVAL_COLUMNS,
  series: SERIES_COLUMNS,
  findings: FINDING_COLUMNS,
};

/** Sorting keys. Nullable columns cannot be keys on old servers, hence the ifNull() expressions. */
const ORDER_BY: Record<TableName, string> = {
  runs: 'run_id',
  // per-device time scans: one device's queue in time order is one contiguous range
  events: "run_id, ifNull(dev, ''), ifNull(queue, -1), ts_ns, line",
  packets: 'run_id, dev, queue, queued_ns, skbaddr',
  queue_intervals: 'run_id, dev, queue, start_ns',
  series: 'run_id, dev, queue, ts_ns',
  findings: 'run_id, ordinal',
};

/** `name Type, …` of a table for the given server (no codecs): the structure argument of file()/input(). */
export function tableStructure(table: TableName, caps: ServerCaps): string {
  return TABLE_COLUMNS[table].map((c) => `${c.name} ${renderType({ ...c, codec: undefined }, caps)}`).join(', ');
}

export function columnNames(table: TableName): string[] {
  return TABLE_COLUMNS[table].map((c) => c.name);
}

/** CREATE TABLE with the columns of store schema version `version` (all by default). */
function createTableSql(db: string, table: TableName, caps: ServerCaps, version = Infinity): string {
  const cols = TABLE_COLUMNS[table]
    .filter((c) => (c.since ?? 1) <= version)
    .map((c) => `  ${quoteIdent(c.name)} ${renderType(c, caps)}`)
    .join(',\n');
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(db)}.${quoteIdent(table)} (\n${cols}\n)\n` +
    `ENGINE = MergeTree PARTITION BY run_id ORDER BY (${ORDER_BY[table]})`
  );
}

/** Identifiers we generate or take from configuration (database name): backquoted, backquotes escaped. */
export function quoteIdent(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** A SQL string literal (ClickHouse escaping: backslash and quote). Only for values we control or validated. */
export function quoteString(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** A DDL statement, or an ADD COLUMN that runs only when the column is missing (18.16 has no IF NOT EXISTS there). */
type MigrationStep = string | { table: TableName; column: string; sql: string };

export interface Migration {
  version: number;
  description: string;
  statements: (db: string, caps: ServerCaps) => MigrationStep[];
}

/**
 * Forward-only migrations. A fresh database runs them all in order; an older one runs the missing ones.
 * v1: the six tables. v2: `runs.verdict` and `runs.packets` were added after v1 shipped — kept as an ALTER
 * so a v1 store migrates in place (and the migration path stays exercised by the tests). v3 and later: the
 * `events` columns the ingest catalogue added with that `storeVersion` (eventColumnMigrations).
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'runs, events, packets, queue_intervals, series, findings',
    statements: (db, caps) =>
      TABLES.map((t) => {
        if (t !== 'runs') return createTableSql(db, t, caps, 1);
        const v1 = RUN_COLUMNS.filter((c) => c.name !== 'verdict' && c.name !== 'packets');
        const cols = v1.map((c) => `  ${quoteIdent(c.name)} ${renderType(c, caps)}`).join(',\n');
        return (
          `CREATE TABLE IF NOT EXISTS ${quoteIdent(db)}.runs (\n${cols}\n)\n` +
          `ENGINE = MergeTree PARTITION BY run_id ORDER BY (${ORDER_BY.runs})`
        );
      }),
  },
  {
    version: 2,
    description: 'runs.packets, runs.verdict',
    statements: (db) => [
      {
        table: 'runs',
        column: 'packets',
        sql: `ALTER TABLE ${quoteIdent(db)}.runs ADD COLUMN packets UInt64 DEFAULT 0 AFTER lost_events`,
      },
      {
        table: 'runs',
        column: 'verdict',
        sql: `ALTER TABLE ${quoteIdent(db)}.runs ADD COLUMN verdict String DEFAULT '' AFTER write_ms`,
      },
    ],
  },
  ...eventColumnMigrations(),
];

/** Bumped when a migration is added; stored in `<db>.schema_migrations`. */
export const STORE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** One migration per store version that added `events` columns: ADD COLUMN … AFTER the column before it. */
function eventColumnMigrations(): Migration[] {
  const versions = [...new Set(EVENT_COLUMNS.map((c) => c.since ?? 1))].filter((v) => v > 1).sort((a, b) => a - b);
  return versions.map((version, i) => {
    if (version !== 3 + i) throw new Error(`events column store versions must be 3, 4, … in order (got ${version})`);
    const added = EVENT_COLUMNS.filter((c) => c.since === version);
    return {
      version,
      description: added.map((c) => `events.${c.name}`).join(', '),
      statements: (db: string, caps: ServerCaps): MigrationStep[] =>
        added.map((c) => {
          const after = EVENT_COLUMNS[EVENT_COLUMNS.indexOf(c) - 1]!.name;
          const sql = `ALTER TABLE ${quoteIdent(db)}.events ADD COLUMN ${quoteIdent(c.name)} ${renderType(c, caps)} AFTER ${quoteIdent(after)}`;
          return { table: 'events', column: c.name, sql };
        }),
    };
  });
}
