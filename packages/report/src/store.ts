/**
 * One ClickHouse code path for both placements: `@clickhouse/client` over HTTP to a server, or the same
 * client with chDB's in-process `chdb/connection` plugged in (`createClient({ connection })`).
 */
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { mkdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { parseServerVersion, type ServerCaps } from './caps.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, describeStore, type StoreConfig } from './config.js';
import {
  EVENT_FILES_VERSION,
  MIGRATIONS,
  STORE_SCHEMA_VERSION,
  TABLES,
  quoteIdent,
  quoteString,
  columnNames,
  ttlClause,
  type LayoutOptions,
  type MigrationStep,
  type TableName,
} from './ddl.js';
import { withLock } from './lock.js';
import { isFileTable, splitFileTables, storedName } from './event-files.js';
import { openShards, prepareEntry, shardIndex, type ClusterOptions } from './fleet/cluster.js';
import { errorMessage, failureText, withDeadline, withRetry, DEFAULT_RETRY, type RetryPolicy } from './retry.js';

/** Thrown when ClickHouse (either placement) fails after retries: one clear sentence. */
/**
 * chDB's connection module by its real path. chdb is CommonJS and requires @clickhouse/client-common, which pnpm
 * links only beside chdb's real directory (node_modules/.pnpm/chdb@…/node_modules): loaded through the workspace
 * symlink (packages/report/node_modules/chdb), its require would not find it. Node's ES module loader resolves the
 * real path itself, but in a `txreplay report` whose parse and replay ran in child processes it was seen to keep the
 * symlinked one (Node 20.20, cause not found): the real path is taken here explicitly.
 */
function chdbConnectionUrl(): string {
  return pathToFileURL(realpathSync(createRequire(import.meta.url).resolve('chdb/connection'))).href;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  retry?: RetryPolicy;
  /** stop migrating at this schema version (tests of the forward migration) */
  migrateTo?: number;
  /** request timeout for the server placement */
  requestTimeoutMs?: number;
  /** table layout options (TTL) applied when the store is opened */
  layout?: LayoutOptions;
  /** a cluster: local tables on every shard, Distributed tables in the database (fleet/cluster.ts) */
  cluster?: ClusterOptions;
}

export class Store {
  /** cluster: the shards' stores (local tables), in shard order; empty on one server or embedded */
  private shards: Store[] = [];
  /**
   * An embedded store from version 6: `events` and `packets` are Merge tables of `<table>_stored` (where inserts go:
   * `table`) and the streamed runs' views of their files (event-files.ts); `readTable` names the Merge table.
   */
  eventFiles = false;

  private constructor(
    readonly config: StoreConfig,
    public client: ClickHouseClient,
    readonly caps: ServerCaps,
    readonly retry: RetryPolicy,
  ) {}

  get database(): string {
    return this.config.database;
  }

  /** `<db>.<table>` quoted: the table rows are written to (`events_stored`, `packets_stored` with eventFiles). */
  table(name: TableName | 'schema_migrations'): string {
    const written = isFileTable(name) && this.eventFiles ? storedName(name) : name;
    return `${quoteIdent(this.database)}.${quoteIdent(written)}`;
  }

  /** `<db>.<table>` quoted: the table rows are read from (every run's events, streamed runs' files included). */
  readTable(name: TableName): string {
    return `${quoteIdent(this.database)}.${quoteIdent(name)}`;
  }

  describe(): string {
    return `${describeStore(this.config)} (ClickHouse ${this.caps.version})`;
  }

  static async open(config: StoreConfig, opts: OpenOptions = {}): Promise<Store> {
    const retry = opts.retry ?? DEFAULT_RETRY;
    let client: ClickHouseClient;
    if (config.placement === 'embedded') {
      const dir = config.dbDir;
      if (!dir) throw new StoreError('embedded store: no data directory given');
      mkdirSync(dir, { recursive: true });
      // loaded here, not with the module: chDB's library maps ~200 MB into the process (a server store never needs it)
      const { default: chdbConnection } = (await import(chdbConnectionUrl())) as {
        default: typeof import('chdb/connection');
      };
      client = createClient({
        // chdb types its Connection against @clickhouse/client-common 1.23.0, the client is 1.23.1:
        // structurally the same contract, nominally two copies of the settings type
        connection: chdbConnection.createChdbConnection({ path: dir }) as unknown as NonNullable<
          NonNullable<Parameters<typeof createClient>[0]>['connection']
        >,
        log: { level: ClickHouseLogLevel.OFF },
      });
    } else {
      client = serverClient(config, opts, false);
    }
    let version: string;
    try {
      // a server that accepts and never answers: each attempt ends at the connect timeout (retry.ts)
      version = await withRetry(
        () =>
          withDeadline(config.connectTimeoutMs, '--connect-timeout-ms', async (abort_signal) => {
            const rs = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow', abort_signal });
            const rows = await rs.json<{ v: string }>();
            return rows[0]?.v ?? '';
          }),
        { ...retry, attemptTimeoutMs: config.connectTimeoutMs },
      );
    } catch (err) {
      await client.close().catch(() => undefined);
      throw new StoreError(`could not reach the ${describeStore(config)}: ${errorMessage(err)}`, { cause: err });
    }
    // every later request may wait up to the request time limit: retries only when one more fits the budget
    const requestLimitMs = config.placement === 'server' ? requestTimeoutOf(config, opts) : undefined;
    const store = new Store(config, client, parseServerVersion(version), {
      ...retry,
      attemptTimeoutMs: requestLimitMs,
    });
    try {
      await store.prepare(opts);
    } catch (err) {
      await store.client.close().catch(() => undefined);
      throw new StoreError(
        `could not create the txreplay schema in the ${describeStore(config)}: ${failureText(err, config.requestTimeoutMs)}`,
        {
          cause: err,
        },
      );
    }
    if (config.placement === 'server') {
      // the database exists now: queries with bare table names (`txreplay query`, dashboards) resolve in it
      await client.close();
      store.client = serverClient(config, opts, true);
    }
    return store;
  }

  /** Migrate (one server, embedded), or set up the shards and the Distributed tables (cluster). */
  private async prepare(opts: OpenOptions): Promise<void> {
    if (!opts.cluster) {
      await this.migrate(opts.migrateTo ?? STORE_SCHEMA_VERSION);
      if (opts.layout?.ttlDays) await this.applyTtl(opts.layout);
      return;
    }
    if (this.config.placement !== 'server') throw new Error('a cluster needs a ClickHouse server URL');
    this.shards = await openShards(this.config, opts.cluster, (c) => Store.open(c, { ...opts, cluster: undefined }));
    await prepareEntry(this, opts.cluster);
  }

  /** The store a run is written to: its shard's local tables on a cluster, else this store. */
  async storeForRun(runId: string): Promise<Store> {
    if (this.shards.length === 0) return this;
    return this.shards[await shardIndex(this, runId, this.shards.length)]!;
  }

  /** Current schema version of the store (0 when empty). */
  async schemaVersion(): Promise<number> {
    const rows = await this.queryRows<{ v: string | number }>(
      `SELECT toString(max(version)) AS v FROM ${this.table('schema_migrations')}`,
    );
    return Number(rows[0]?.v ?? 0);
  }

  /**
   * Create the database and run the forward migrations that are missing, recording each. Concurrent openers
   * (N `report` processes on a fresh database) serialize on the `schema` lock: the first migrates, the others
   * find the work done.
   */
  async migrate(target: number = STORE_SCHEMA_VERSION): Promise<void> {
    try {
      await this.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(this.database)}`);
    } catch (err) {
      // 18.16 can answer a concurrent CREATE DATABASE IF NOT EXISTS with "already exists" (code 82)
      if (!/Code: 82\b|already exists/.test(errorMessage(err))) throw err;
    }
    await withLock(
      this,
      'schema',
      () => this.migrateLocked(target),
      async () => undefined,
    );
    this.eventFiles = this.config.placement === 'embedded' && target >= EVENT_FILES_VERSION;
  }

  private async migrateLocked(target: number): Promise<void> {
    await this.command(
      `CREATE TABLE IF NOT EXISTS ${this.table('schema_migrations')} (version UInt32, description String, applied_at DateTime('UTC')) ENGINE = TinyLog`,
    );
    const current = await this.schemaVersion();
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > target) continue;
      for (const step of m.statements(this.database, this.caps)) await this.runStep(step);
      await this.insertTsv(
        'schema_migrations',
        ['version', 'description', 'applied_at'],
        `${m.version}\t${m.description}\t${new Date().toISOString().slice(0, 19).replace('T', ' ')}\n`,
      );
    }
  }

  private async runStep(step: MigrationStep): Promise<void> {
    if (typeof step === 'string') await this.command(step);
    else if ('eventFiles' in step) {
      if (this.config.placement === 'embedded') await splitFileTables(this);
    } else if ('rebuild' in step) {
      if (!(await this.isFleetLayout(step.rebuild))) for (const sql of step.statements) await this.command(sql);
      await this.command(step.cleanup);
    } else if (!(await this.hasColumn(step.table, step.column))) await this.command(step.sql);
  }

  /** True when the table is partitioned by month (the fleet layout), false for the v1 layout (by run_id). */
  async isFleetLayout(table: TableName): Promise<boolean> {
    const name = isFileTable(table) && this.eventFiles ? storedName(table) : table;
    const rows = await this.queryRows<{ k: string }>(
      `SELECT partition_key AS k FROM system.tables WHERE database = ${quoteString(this.database)} AND name = ${quoteString(name)}`,
    );
    return (rows[0]?.k ?? '').includes('toYYYYMM');
  }

  /** `ALTER TABLE … MODIFY TTL` on every table (servers with TTL; 18.16 has none and says so). */
  async applyTtl(layout: LayoutOptions): Promise<void> {
    if (!this.caps.ttl)
      throw new Error(
        `TTL needs ClickHouse 20.1 or later (this server is ${this.caps.version}); drop old months with ALTER TABLE … DROP PARTITION`,
      );
    for (const t of TABLES)
      await this.command(`ALTER TABLE ${this.table(t)} MODIFY ${ttlClause(t, this.caps, layout)}`);
  }

  async hasColumn(table: TableName, column: string): Promise<boolean> {
    const rows = await this.queryRows<{ n: string }>(
      `SELECT toString(count()) AS n FROM system.columns WHERE database = ${quoteString(this.database)} AND table = ${quoteString(table)} AND name = ${quoteString(column)}`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async command(sql: string): Promise<void> {
    await withRetry(() => this.client.command({ query: sql }), this.retry);
  }

  /** Run a SELECT and return its rows as objects (JSONEachRow). */
  async queryRows<T>(sql: string): Promise<T[]> {
    return withRetry(async () => {
      const rs = await this.client.query({ query: this.withDefaultDb(sql), format: 'JSONEachRow' });
      return rs.json<T>();
    }, this.retry);
  }

  /** Run SQL and return the raw response body in the given ClickHouse format. */
  async queryText(
    sql: string,
    format: 'TabSeparatedWithNames' | 'CSVWithNames' | 'JSONEachRow' | 'JSON',
  ): Promise<string> {
    return withRetry(async () => {
      const rs = await this.client.query({ query: this.withDefaultDb(sql), format });
      return rs.text();
    }, this.retry);
  }

  /**
   * Run SQL and return the response body as a byte stream in any ClickHouse output format (Parquet, Arrow,
   * JSON, …) with the given settings: `txreplay query -o` (report/query.ts).
   */
  async queryRaw(sql: string, format: string, settings: Record<string, string | number> = {}): Promise<Readable> {
    return withRetry(async () => {
      const rs = await this.client.exec({
        query: this.withDefaultDb(sql),
        clickhouse_settings: { ...settings, default_format: format as never },
      });
      return rs.stream as Readable;
    }, this.retry);
  }

  /**
   * chDB ignores the client's `database` option, so statements users write against bare table names
   * (`txreplay query`, dashboards) get `USE <db>` on the embedded placement.
   */
  private withDefaultDb(sql: string): string {
    if (this.config.placement === 'embedded') return `USE ${quoteIdent(this.database)}; ${sql}`;
    return sql;
  }

  /**
   * Bulk insert in TabSeparated. `body` is a string, or an iterable of string chunks streamed as one
   * request (server) — on the embedded placement chdb materializes the body, so callers send batches.
   * Not retried here: the run writer retries the whole run (drop partition + rewrite).
   */
  async insertTsv(
    table: TableName | 'schema_migrations',
    columns: string[],
    body: string | AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
    settings?: { maxInsertBlockRows?: number },
  ): Promise<void> {
    const values =
      typeof body === 'string'
        ? Readable.from([Buffer.from(body)], { objectMode: false })
        : Readable.from(toBuffers(body), { objectMode: false });
    await this.client.insert({
      table: this.table(table),
      columns: columns as [string, ...string[]],
      values,
      format: 'TabSeparated',
      // max_insert_block_size is known to every server version (18.16 included); only sent when asked
      ...blockSettings(settings?.maxInsertBlockRows),
    });
  }

  /**
   * Bulk insert in a binary format (Native or RowBinary), streamed as one HTTP request. Server placement
   * only: the client's insert() does not take binary formats, so this goes through exec() with the body as a
   * stream, and chDB's connection would read the body as text. Values come from a generator of Buffers
   * (encode-native.ts, encode-rowbinary.ts).
   */
  async insertBinary(
    table: TableName,
    columns: string[],
    format: 'Native' | 'RowBinary',
    body: Iterable<Buffer> | AsyncIterable<Buffer>,
    settings?: { maxInsertBlockRows?: number },
  ): Promise<void> {
    if (this.config.placement !== 'server')
      throw new Error('insertBinary: server placement only (chDB takes the body as text)');
    const cols = columns.map(quoteIdent).join(', ');
    const res = await this.client.exec({
      query: `INSERT INTO ${this.table(table)} (${cols}) FORMAT ${format}`,
      // a deep buffer lets the encoder run ahead while the socket drains (encoding and the server's parsing overlap)
      values: Readable.from(body, { objectMode: false, highWaterMark: 8 << 20 }),
      ...blockSettings(settings?.maxInsertBlockRows),
    });
    // the response body of an INSERT is empty; read it to the end so the socket goes back to the pool
    for await (const chunk of res.stream) void chunk;
  }

  columns(table: TableName): string[] {
    return columnNames(table);
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
    await this.client.close();
  }
}

async function* toBuffers(chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): AsyncGenerator<Buffer> {
  for await (const c of chunks) if (c.length > 0) yield typeof c === 'string' ? Buffer.from(c) : c;
}

/**
 * Commit inserted data every `rows` rows instead of squashing up to ~1M rows first (both settings exist on
 * 18.16). Only sent when asked for: the crash test uses it so some blocks land before the server dies.
 */
function blockSettings(rows: number | undefined): { clickhouse_settings?: Record<string, string> } {
  if (!rows) return {};
  return {
    clickhouse_settings: {
      max_insert_block_size: String(rows),
      min_insert_block_size_rows: String(rows),
      min_insert_block_size_bytes: '0',
    },
  };
}

function requestTimeoutOf(config: StoreConfig, opts: OpenOptions): number {
  return opts.requestTimeoutMs ?? config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
}

function serverClient(config: StoreConfig, opts: OpenOptions, withDatabase: boolean): ClickHouseClient {
  return createClient({
    url: config.url,
    ...(config.user ? { username: config.user } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(withDatabase ? { database: config.database } : {}),
    request_timeout: requestTimeoutOf(config, opts),
    log: { level: ClickHouseLogLevel.OFF },
    // ClickHouse 18.16 rejects settings it does not know (Code 115), so none are sent; the client's own
    // defaults (no query params unless asked) are understood by 18.16. No compression: loopback/LAN bulk
    // TSV is CPU-bound, not network-bound.
    compression: { request: false, response: false },
  });
}
