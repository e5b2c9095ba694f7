import type { Command } from 'commander';
import { runQuery, type QueryOutputFormat, type StoreFlags } from '@txreplay/report';
import { EXIT } from '../exit.js';
import { addStoreOptions, openStoreForCli } from './report.js';

/** `txreplay query "SQL"`: ClickHouse SQL against the embedded store (or the server), as a table, CSV or JSON. */
export function register(program: Command): void {
  const cmd = program
    .command('query')
    .description('run ClickHouse SQL against the txreplay store (tables: runs, events, packets, queue_intervals, series, findings)')
    .argument('<sql>', 'the SQL statement')
    .option('--format <fmt>', 'table, csv or json (JSON lines)', 'table');
  addStoreOptions(cmd).action(async (sql: string, o: StoreFlags & { format: string }) => {
    if (!['table', 'csv', 'json'].includes(o.format)) {
      process.exitCode = EXIT.usage;
      throw new Error(`--format: expected table, csv or json, got ${JSON.stringify(o.format)}`);
    }
    const store = await openStoreForCli(o);
    try {
      process.stdout.write(await runQuery(store, sql, o.format as QueryOutputFormat));
    } finally {
      await store.close();
    }
  });
}
