/** Flags shared by `report`, `query` and `export`: where the ClickHouse store is, and how long to wait for it. */
import { InvalidArgumentError, type Command } from 'commander';
import type { OpenOptions, Store, StoreFlags } from '@txreplay/report';
import { CliError, EXIT } from './exit.js';
import { isReadOnlyDir, mirrorReadOnlyStore } from './store-mirror.js';
import { onShutdown } from './run.js';

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 86_400_000)
    throw new InvalidArgumentError('expected milliseconds, 1..86400000');
  return n;
}

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option(
      '--clickhouse-url <url>',
      'ClickHouse server over HTTP (default: $TXREPLAY_CLICKHOUSE_URL, $CLICKHOUSE_URL, else the embedded store)',
    )
    .option('--db <dir>', 'embedded chDB data directory (default: $TXREPLAY_DB or ~/.local/share/txreplay/chdb)')
    .option('--database <name>', 'ClickHouse database (default: $CLICKHOUSE_DATABASE or txreplay)')
    .option(
      '--connect-timeout-ms <ms>',
      'server: wait this long for its first answer, per attempt; no retry that could end after 30 s (default 10000)',
      milliseconds,
    )
    .option(
      '--timeout-ms <ms>',
      'server: fail a request after this long without a byte either way (default 20000)',
      milliseconds,
    );
}

/** Each retry of a request to ClickHouse, on stderr: a slow or restarting server is never silent. */
function showRetry(attempt: number, err: unknown, delayMs: number): void {
  const msg = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  process.stderr.write(`txreplay: ClickHouse attempt ${attempt} failed (${msg}); retrying in ${delayMs} ms\n`);
}

/**
 * Open the store; any failure to open it is the store exit code (5), StoreError or not. `readOnly`: the
 * command only reads, so an embedded store on a read-only file system is opened through a mirror
 * (./store-mirror.ts).
 */
async function openStore(o: StoreFlags, readOnly: boolean, opts: OpenOptions = {}): Promise<Store> {
  const { DEFAULT_RETRY, Store, resolveStoreConfig } = await import('@txreplay/report');
  try {
    const config = resolveStoreConfig(o);
    if (readOnly && config.placement === 'embedded' && config.dbDir && isReadOnlyDir(config.dbDir)) {
      process.stderr.write(`txreplay: ${config.dbDir} is read-only: reading it through a temporary mirror\n`);
      config.dbDir = mirrorReadOnlyStore(config.dbDir);
    }
    return await Store.open(config, { ...opts, retry: { ...DEFAULT_RETRY, onRetry: showRetry } });
  } catch (e) {
    if (e instanceof Error && e.name === 'StoreError') throw e;
    throw new CliError(EXIT.store, e instanceof Error ? e.message : String(e));
  }
}

const CLIENT_CALLS = new Set(['query', 'command', 'insert', 'exec']);

/**
 * The embedded engine (chDB) runs each query on a thread of its own; ending the process under a running query
 * crashes it (SIGSEGV in chDB's destructors). So on a signal the store is closed in order: calls not yet
 * started are refused, the running ones finish, the session closes, then the process exits (run.ts shutdown).
 */
function closeInOrderOnSignal(store: Store): () => void {
  let running = 0;
  let closing = false;
  let idle: (() => void) | null = null;
  const client = store.client;
  store.client = new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !CLIENT_CALLS.has(prop) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (closing) throw new CliError(EXIT.interrupted, 'interrupted');
        running++;
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          if (--running === 0) idle?.();
        }
      };
    },
  });
  return onShutdown(async () => {
    closing = true;
    if (running > 0) await new Promise<void>((resolve) => (idle = resolve));
    await client.close();
  });
}

/** Open the store, run `work` with it, close it (in order also when a signal ends the command). */
export async function withStore<T>(
  o: StoreFlags,
  work: (store: Store) => Promise<T>,
  access: { readOnly?: boolean } & OpenOptions = {},
): Promise<T> {
  const { readOnly, ...opts } = access;
  const store = await openStore(o, readOnly === true, opts);
  const unregister = store.config.placement === 'embedded' ? closeInOrderOnSignal(store) : () => undefined;
  try {
    return await work(store);
  } finally {
    unregister();
    await store.close();
  }
}
