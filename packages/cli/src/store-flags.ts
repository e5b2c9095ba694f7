/** Flags shared by `report`, `query` and `export`: where the ClickHouse store is. */
import type { Command } from 'commander';
import type { OpenOptions, Store, StoreFlags } from '@txreplay/report';
import { EXIT } from './exit.js';
import { CliError } from './run.js';

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option(
      '--clickhouse-url <url>',
      'ClickHouse server over HTTP (default: $TXREPLAY_CLICKHOUSE_URL, $CLICKHOUSE_URL, else the embedded store)',
    )
    .option('--db <dir>', 'embedded chDB data directory (default: $TXREPLAY_DB or ~/.local/share/txreplay/chdb)')
    .option('--database <name>', 'ClickHouse database (default: $CLICKHOUSE_DATABASE or txreplay)');
}

/** Open the store; any failure to open it is the store exit code (5), StoreError or not. */
async function openStore(o: StoreFlags, opts?: OpenOptions): Promise<Store> {
  const { Store, resolveStoreConfig } = await import('@txreplay/report');
  try {
    return await Store.open(resolveStoreConfig(o), opts);
  } catch (e) {
    if (e instanceof Error && e.name === 'StoreError') throw e;
    throw new CliError(EXIT.store, e instanceof Error ? e.message : String(e));
  }
}

/** Open the store, run `work` with it, close it. */
export async function withStore<T>(o: StoreFlags, work: (store: Store) => Promise<T>, opts?: OpenOptions): Promise<T> {
  const store = await openStore(o, opts);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
