import type { Command } from 'commander';
import type { QueryOutputFormat, StoreFlags } from '@txreplay/report';
import { EXIT } from '../exit.js';
import { action, fail } from '../run.js';
import { addStoreOptions, withStore } from '../store-flags.js';
import { refuseNonReading } from '../sql-guard.js';

const FORMATS = ['table', 'csv', 'tsv', 'json', 'parquet', 'arrow'];

/**
 * `txreplay query "SQL"`: ClickHouse SQL against the embedded store (or the server), printed as a table, CSV,
 * TSV or JSON lines, or written with `-o FILE` (format from --format or the file's extension: .parquet,
 * .arrow, .csv, .tsv, .json) through the one output writer. 64-bit integers stay exact in every format.
 */
export function register(program: Command): void {
  const cmd = program
    .command('query')
    .description(
      'run ClickHouse SQL against the txreplay store (tables: runs, events, packets, queue_intervals, series, findings)',
    )
    .argument('<sql>', 'the SQL statement')
    .option('--format <fmt>', 'table, csv, tsv, json (JSON lines; 64-bit integers quoted), parquet or arrow')
    .option('-o, --output <file>', 'write the result to FILE (atomically; - for stdout); format from its extension');
  addStoreOptions(cmd).action(
    action(async (_ctx, sql: string, o: StoreFlags & { format?: string; output?: string }) => {
      const refused = refuseNonReading(sql);
      if (refused !== null) fail(EXIT.usage, refused);
      const { queryFormatOfPath, runQuery, writeQueryOutput } = await import('@txreplay/report');
      if (o.format !== undefined && !FORMATS.includes(o.format))
        fail(EXIT.usage, `--format: expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(o.format)}`);
      const format = (o.format ?? (o.output ? queryFormatOfPath(o.output) : null) ?? 'table') as QueryOutputFormat;
      if (o.output === undefined && (format === 'parquet' || format === 'arrow'))
        fail(EXIT.usage, `--format ${format} is binary: give -o FILE (or -o - to pipe it)`);
      const out = o.output;
      if (out !== undefined)
        await withStore(o, (store) => writeQueryOutput(store, sql, format, out), { readOnly: true });
      else process.stdout.write(await withStore(o, (store) => runQuery(store, sql, format), { readOnly: true }));
    }),
  );
}
