/**
 * The txreplay ClickHouse schema (documented in packages/report/README.md "Schema"), generated for the
 * connected server's capabilities. Since store version 4 ("fleet layout") every table is partitioned by month
 * (toYYYYMM of its time column) and ordered for the dashboards' filters (host, device, queue, time); every
 * fact table carries the run's host, kernel and driver so fleet queries need no join. The `runs` row is
 * inserted LAST: it is the completion marker. Readers only trust data whose run has a `runs` row.
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
/** Store version of the fleet layout (migration rebuildForFleet); catalogue storeVersions must avoid it. */
const FLEET_VERSION = 4;
/** Store version that made runs.wall_offset_ns nullable and added runs.wall_clock; catalogue versions avoid it. */
const RUNS_WALL_VERSION = 5;
/**
 * Store version from which an embedded store's `events` is a Merge table over `events_stored` (the MergeTree the
 * inserts go to) and the streamed runs' views of their Arrow files (event-files.ts); a server's is unchanged.
 */
export const EVENT_FILES_VERSION = 6;

/** The run's constants on every fact table (fleet queries filter on them without joining `runs`). */
const RUN_TAGS: ColumnSpec[] = [
  { name: 'host', type: 'String', lc: true, since: FLEET_VERSION },
  { name: 'kernel', type: 'String', lc: true, since: FLEET_VERSION },
  // the replay's driver profile (--driver); `events.driver` is the tracepoint field of net_dev_xmit_timeout
  { name: 'driver_profile', type: 'String', lc: true, since: FLEET_VERSION },
];

/** Columns every fact table starts with, constant within a run: run_id then RUN_TAGS. */
export const RUN_CONSTANT_COLUMNS = ['run_id', ...RUN_TAGS.map((c) => c.name)] as const;

export const EVENT_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String', lc: true },
  ...RUN_TAGS,
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
  { name: 'driver_profile', type: 'String', since: FLEET_VERSION },
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
  /**
   * wall clock (ns since epoch) minus trace clock: time = ts_ns + wall_offset_ns. NULL: the trace carries no wall
   * clock (the time columns then place the last event at written_at). Nullable since store version 5.
   */
  { name: 'wall_offset_ns', type: 'Nullable(Int64)' },
  /** where the wall clock came from ('perf.data clock data', 'perf script header', …); '' = unknown */
  { name: 'wall_clock', type: 'String', since: RUNS_WALL_VERSION },
  { name: 'ingest_ms', type: 'Float64' },
  { name: 'replay_ms', type: 'Float64' },
  { name: 'write_ms', type: 'Float64' },
  { name: 'verdict', type: 'String' },
  { name: 'txreplay_version', type: 'String' },
];

const PACKET_COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'String', lc: true },
  ...RUN_TAGS,
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
  ...RUN_TAGS,
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
  ...RUN_TAGS,
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
  ...RUN_TAGS,
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

/** Sorting keys of the v1 layout (partitioned by run_id): what migrations from v1–v3 stores start from. */
const LEGACY_ORDER_BY: Record<TableName, string> = {
  runs: 'run_id',
  events: "run_id, ifNull(dev, ''), ifNull(queue, -1), ts_ns, line",
  packets: 'run_id, dev, queue, queued_ns, skbaddr',
  queue_intervals: 'run_id, dev, queue, start_ns',
  series: 'run_id, dev, queue, ts_ns',
  findings: 'run_id, ordinal',
};

/**
 * The fleet layout: one partition per month of the row's wall-clock time (a 1,000-run fleet makes a handful of
 * partitions, not one per run), sorted by the dashboards' filters: host, then device/queue, then time. Nullable
 * columns cannot be keys on 18.16, hence the ifNull() expressions.
 */
const FLEET_LAYOUT: Record<TableName, { timeColumn: string; orderBy: string }> = {
  runs: { timeColumn: 'first_time', orderBy: 'host, first_time, run_id' },
  events: { timeColumn: 'time', orderBy: "host, ifNull(dev, ''), ifNull(queue, -1), time, line" },
  packets: { timeColumn: 'time', orderBy: 'host, dev, queue, time, skbaddr' },
  queue_intervals: { timeColumn: 'start_time', orderBy: 'host, dev, queue, start_time' },
  series: { timeColumn: 'time', orderBy: 'host, dev, queue, time' },
  findings: { timeColumn: 'start_time', orderBy: 'host, dev, start_time, run_id, ordinal' },
};

/** What the tables are created with beyond the columns (TTL is optional: `OpenOptions.ttlDays`). */
export interface LayoutOptions {
  /** drop rows this many days after their time (servers with TTL, 20.1+) */
  ttlDays?: number;
}

/** `TTL …` clause of a table, or '' (no TTL asked, or a server without TTL: 18.16). */
export function ttlClause(table: TableName, caps: ServerCaps, layout: LayoutOptions): string {
  if (!layout.ttlDays || !caps.ttl) return '';
  const days = Math.floor(layout.ttlDays);
  if (!(days > 0)) throw new Error(`TTL must be a positive number of days (got ${layout.ttlDays})`);
  return `TTL toDateTime(${FLEET_LAYOUT[table].timeColumn}) + INTERVAL ${days} DAY`;
}

/** Skip indexes: a bloom filter on packets.skbaddr (lookups of one skb across a fleet), where supported. */
function skipIndexes(table: TableName, caps: ServerCaps): string[] {
  if (table !== 'packets' || !caps.skipIndexes) return [];
  return ['  INDEX skbaddr_bloom skbaddr TYPE bloom_filter(0.01) GRANULARITY 4'];
}

/** `name Type, …` of a table for the given server (no codecs): the structure argument of file()/input(). */
export function tableStructure(table: TableName, caps: ServerCaps): string {
  return TABLE_COLUMNS[table].map((c) => `${c.name} ${renderType({ ...c, codec: undefined }, caps)}`).join(', ');
}

export function columnNames(table: TableName): string[] {
  return TABLE_COLUMNS[table].map((c) => c.name);
}

function columnsSql(table: TableName, caps: ServerCaps, version: number): string[] {
  return TABLE_COLUMNS[table]
    .filter((c) => (c.since ?? 1) <= version)
    .map((c) => `  ${quoteIdent(c.name)} ${renderType(c, caps)}`);
}

/** CREATE TABLE of the v1 layout with the columns of store version `version` (v1–v3 stores, migrations). */
function createLegacyTableSql(db: string, table: TableName, caps: ServerCaps, version: number): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(db)}.${quoteIdent(table)} (\n${columnsSql(table, caps, version).join(',\n')}\n)\n` +
    `ENGINE = MergeTree PARTITION BY run_id ORDER BY (${LEGACY_ORDER_BY[table]})`
  );
}

/** CREATE TABLE of the fleet layout, named `name` (the table itself, or its rebuild copy). */
function createFleetTableSql(
  db: string,
  table: TableName,
  caps: ServerCaps,
  opts: { name?: string; version?: number; layout?: LayoutOptions } = {},
): string {
  const { timeColumn, orderBy } = FLEET_LAYOUT[table];
  const body = [...columnsSql(table, caps, opts.version ?? Infinity), ...skipIndexes(table, caps)].join(',\n');
  const ttl = ttlClause(table, caps, opts.layout ?? {});
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(db)}.${quoteIdent(opts.name ?? table)} (\n${body}\n)\n` +
    `ENGINE = MergeTree PARTITION BY toYYYYMM(${timeColumn}) ORDER BY (${orderBy})${ttl ? ` ${ttl}` : ''}`
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

/**
 * A migration step: a DDL statement; an ADD COLUMN that runs only when the column is missing (18.16 has no IF
 * NOT EXISTS there); or a table rebuild that runs only while the table is not yet in the fleet layout.
 */
export type MigrationStep =
  | string
  | { table: TableName; column: string; sql: string }
  | { rebuild: TableName; statements: string[]; cleanup: string }
  | { eventFiles: true };

export interface Migration {
  version: number;
  description: string;
  statements: (db: string, caps: ServerCaps) => MigrationStep[];
}

/**
 * Forward-only migrations. A fresh database runs them all in order; an older one runs the missing ones.
 * v1: the six tables. v2: `runs.verdict` and `runs.packets` were added after v1 shipped — kept as an ALTER
 * so a v1 store migrates in place (and the migration path stays exercised by the tests). v3: the `events`
 * columns the ingest catalogue added with storeVersion 3. v4: the fleet layout (rebuildForFleet). Later
 * catalogue storeVersions (5, 6, …) become ADD COLUMN migrations after it (eventColumnMigrations).
 */
const MIGRATION_LIST: Migration[] = [
  {
    version: 1,
    description: 'runs, events, packets, queue_intervals, series, findings',
    statements: (db, caps) =>
      TABLES.map((t) => {
        if (t !== 'runs') return createLegacyTableSql(db, t, caps, 1);
        const v1 = RUN_COLUMNS.filter((c) => c.name !== 'verdict' && c.name !== 'packets' && (c.since ?? 1) <= 1);
        const cols = v1.map((c) => `  ${quoteIdent(c.name)} ${renderType(c, caps)}`).join(',\n');
        return (
          `CREATE TABLE IF NOT EXISTS ${quoteIdent(db)}.runs (\n${cols}\n)\n` +
          `ENGINE = MergeTree PARTITION BY run_id ORDER BY (${LEGACY_ORDER_BY.runs})`
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
  ...eventColumnMigrations().filter((m) => m.version < FLEET_VERSION),
  {
    version: FLEET_VERSION,
    description:
      'fleet layout: monthly partitions, host/device/time order keys, host/kernel/driver_profile on every table',
    statements: (db, caps) => [
      // fact tables first: their copies take host/kernel from `runs`, which is rebuilt last
      ...TABLES.filter((t) => t !== 'runs').map((t) => rebuildForFleet(db, t, caps)),
      rebuildForFleet(db, 'runs', caps),
    ],
  },
  ...eventColumnMigrations().filter((m) => m.version > FLEET_VERSION),
  {
    version: RUNS_WALL_VERSION,
    description: 'runs.wall_offset_ns nullable (wall time unknown), runs.wall_clock',
    statements: (db: string, caps: ServerCaps): MigrationStep[] => [
      // a type change of a column outside the sorting key: ALTER … MODIFY COLUMN exists on 18.16
      `ALTER TABLE ${quoteIdent(db)}.runs MODIFY COLUMN wall_offset_ns Nullable(Int64)`,
      {
        table: 'runs',
        column: 'wall_clock',
        sql: `ALTER TABLE ${quoteIdent(db)}.runs ADD COLUMN wall_clock ${renderType({ name: 'wall_clock', type: 'String' }, caps)} DEFAULT '' AFTER wall_offset_ns`,
      },
    ],
  },
  {
    version: EVENT_FILES_VERSION,
    description: 'embedded: events and packets are Merge tables of <table>_stored and the files of streamed runs',
    // a step of its own: only the embedded store splits the table (store.ts runStep, event-files.ts)
    statements: () => [{ eventFiles: true }],
  },
];

/** In version order (the runs migration may sit between catalogue ones). */
export const MIGRATIONS: Migration[] = MIGRATION_LIST.sort((a, b) => a.version - b.version);

/** Bumped when a migration is added; stored in `<db>.schema_migrations`. */
export const STORE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Copy a v1-layout table into the fleet layout, keeping every row: create `<t>__fleet`, INSERT … SELECT (fact
 * tables take host and kernel from their run's `runs` row; driver is unknown for old runs: ''), then swap the
 * names and drop the old table. Runs only while `<t>` is still partitioned by run_id; a crash before the swap
 * redoes the copy, a crash after it leaves `<t>__pre_fleet`, which `cleanup` drops.
 */
function rebuildForFleet(db: string, table: TableName, caps: ServerCaps): MigrationStep {
  const q = (n: string): string => `${quoteIdent(db)}.${quoteIdent(n)}`;
  const old = TABLE_COLUMNS[table].filter((c) => (c.since ?? 1) < FLEET_VERSION).map((c) => quoteIdent(c.name));
  const copy =
    table === 'runs'
      ? `INSERT INTO ${q('runs__fleet')} (${old.join(', ')}) SELECT ${old.join(', ')} FROM ${q('runs')}`
      : `INSERT INTO ${q(`${table}__fleet`)} (${old.join(', ')}, host, kernel, driver_profile) ` +
        `SELECT ${old.join(', ')}, fleet_host, fleet_kernel, '' FROM ${q(table)} ` +
        `ANY LEFT JOIN (SELECT toString(run_id) AS run_id, host AS fleet_host, kernel AS fleet_kernel FROM ${q('runs')}) AS fleet_runs USING (run_id)`;
  return {
    rebuild: table,
    statements: [
      `DROP TABLE IF EXISTS ${q(`${table}__fleet`)}`,
      createFleetTableSql(db, table, caps, { name: `${table}__fleet`, version: FLEET_VERSION }),
      copy,
      `RENAME TABLE ${q(table)} TO ${q(`${table}__pre_fleet`)}, ${q(`${table}__fleet`)} TO ${q(table)}`,
    ],
    cleanup: `DROP TABLE IF EXISTS ${q(`${table}__pre_fleet`)}`,
  };
}

/** One migration per store version that added `events` columns: ADD COLUMN … AFTER the column before it. */
function eventColumnMigrations(): Migration[] {
  const versions = [...new Set(CATALOGUE.map((c: CatalogueColumn) => c.storeVersion ?? 1))]
    .filter((v) => v > 1)
    .sort((a, b) => a - b);
  return versions.map((version) => {
    if (version === FLEET_VERSION || version === RUNS_WALL_VERSION || version === 2)
      throw new Error(`catalogue storeVersion ${version} is taken by another migration (use ${FLEET_VERSION + 1}+)`);
    // from EVENT_FILES_VERSION an embedded store's `events` is a Merge table: a later column goes to events_stored,
    // the Merge table and the run views (event-files.ts runViewSql) alike; this generator does not do that yet
    if (version >= EVENT_FILES_VERSION)
      throw new Error(
        `catalogue storeVersion ${version}: events columns after the event files need event-files.ts too`,
      );
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
