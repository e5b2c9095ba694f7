import type { Command } from 'commander';
import type { QueryOutputFormat, StoreFlags } from '@txreplay/report';
import { EXIT } from '../exit.js';
import { action, fail } from '../run.js';
import { addStoreOptions, withStore } from '../store-flags.js';
import { refuseNonReading } from '../sql-guard.js';
import { formatTable, isNumericType } from '../table.js';

/** `txreplay query "SQL"`: ClickHouse SQL against the embedded store (or the server), as a table, CSV or JSON. */
export function register(program: Command): void {
  const cmd = program
    .command('query')
    .description(
      'run ClickHouse SQL against the txreplay store (tables: runs, events, packets, queue_intervals, series, findings)',
    )
    .argument('<sql>', 'the SQL statement')
    .option('--format <fmt>', 'table, csv or json (JSON lines)', 'table');
  addStoreOptions(cmd).action(
    action(async (_ctx, sql: string, o: StoreFlags & { format: string }) => {
      if (!['table', 'csv', 'json'].includes(o.format))
        fail(EXIT.usage, `--format: expected table, csv or json, got ${JSON.stringify(o.format)}`);
      const refused = refuseNonReading(sql);
      if (refused !== null) fail(EXIT.usage, refused);
      const { runQuery, queryTable } = await import('@txreplay/report');
      const out = await withStore(
        o,
        async (store) => {
          if (o.format !== 'table') return runQuery(store, sql, o.format as QueryOutputFormat);
          const t = await queryTable(store, sql);
          return formatTable(
            t.columns.map((c) => ({ name: c.name, numeric: isNumericType(c.type) })),
            t.rows,
          );
        },
        { readOnly: true },
      );
      process.stdout.write(out);
    }),
  );
}
