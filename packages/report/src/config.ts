/**
 * Where the store lives. Embedded chDB by default (a persistent data directory, no server), or any
 * ClickHouse server over HTTP when a URL is given. Passwords are never printed: describeStore() redacts.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export interface StoreConfig {
  placement: 'embedded' | 'server';
  /** server: base URL without credentials */
  url?: string;
  user?: string;
  password?: string;
  /** ClickHouse database that holds the txreplay tables */
  database: string;
  /** embedded: data directory of the chDB session */
  dbDir?: string;
  /** server: how long the first answer (`SELECT version()`) may take, per attempt (default 10 s) */
  connectTimeoutMs?: number;
  /** server: how long a request may go without a byte either way (socket idle time; default 20 s) */
  requestTimeoutMs?: number;
}

/**
 * Time limits against a server that accepts and never answers: 10 s for the first answer and 20 s of silence on
 * any later request, with retries only while one more attempt fits the 30 s retry budget (retry.ts retryFits).
 * So a hung server fails within a minute: about 20 s at connect (2 attempts), about 40 s mid-write (the run
 * writer's 2 attempts of 20 s). The request limit is idle time, not total time: a long bulk insert that keeps
 * sending never hits it; a query that computes longer than 20 s before its first byte needs --timeout-ms.
 */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

export interface StoreFlags {
  clickhouseUrl?: string;
  db?: string;
  database?: string;
  user?: string;
  password?: string;
  /** --connect-timeout-ms */
  connectTimeoutMs?: number;
  /** --timeout-ms */
  timeoutMs?: number;
}

const DEFAULT_DATABASE = 'txreplay';

/** `$TXREPLAY_DB`, else `$XDG_DATA_HOME/txreplay/chdb`, else `~/.local/share/txreplay/chdb`. */
function defaultDbDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TXREPLAY_DB) return path.resolve(env.TXREPLAY_DB);
  const dataHome =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.join(homedir(), '.local', 'share');
  return path.join(dataHome, 'txreplay', 'chdb');
}

/**
 * Flags win over the environment: --clickhouse-url, TXREPLAY_CLICKHOUSE_URL, CLICKHOUSE_URL;
 * CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE. Credentials inside the URL
 * (http://user:pass@host) are moved out of it so the URL can be shown.
 */
export function resolveStoreConfig(flags: StoreFlags = {}, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const database = flags.database ?? env.CLICKHOUSE_DATABASE ?? DEFAULT_DATABASE;
  const rawUrl = flags.clickhouseUrl ?? env.TXREPLAY_CLICKHOUSE_URL ?? env.CLICKHOUSE_URL;
  if (flags.db !== undefined || !rawUrl) {
    // an explicit --db means embedded even when a server URL is in the environment
    return { placement: 'embedded', database, dbDir: flags.db ? path.resolve(flags.db) : defaultDbDir(env) };
  }
  let u: URL;
  try {
    u = new URL(rawUrl);
  } catch {
    throw new Error(`--clickhouse-url: not a URL: ${redactUrl(rawUrl)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`--clickhouse-url: expected http:// or https://, got ${u.protocol}`);
  }
  const user = flags.user ?? (u.username ? decodeURIComponent(u.username) : undefined) ?? env.CLICKHOUSE_USER;
  const password =
    flags.password ?? (u.password ? decodeURIComponent(u.password) : undefined) ?? env.CLICKHOUSE_PASSWORD;
  u.username = '';
  u.password = '';
  const cfg: StoreConfig = {
    placement: 'server',
    url: u.toString().replace(/\/$/, ''),
    database,
    connectTimeoutMs: flags.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: flags.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  if (user !== undefined && user !== '') cfg.user = user;
  if (password !== undefined && password !== '') cfg.password = password;
  return cfg;
}

/** Human description without secrets, e.g. `ClickHouse server http://h:8123 (user alice, password set), database txreplay`. */
export function describeStore(cfg: StoreConfig): string {
  if (cfg.placement === 'embedded') return `embedded chDB store ${cfg.dbDir ?? ''}, database ${cfg.database}`;
  const who = cfg.user
    ? ` (user ${cfg.user}${cfg.password ? ', password set' : ''})`
    : cfg.password
      ? ' (password set)'
      : '';
  return `ClickHouse server ${cfg.url ?? ''}${who}, database ${cfg.database}`;
}

/** A URL as text with any password replaced by `***`. */
export function redactUrl(raw: string): string {
  return raw.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
