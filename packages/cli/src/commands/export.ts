import type { Command } from 'commander';
import type { StoreFlags } from '@txreplay/report';
import { EXIT } from '../exit.js';
import { action, fail } from '../run.js';
import { checkOutputDir } from '../faults.js';
import { addStoreOptions, withStore } from '../store-flags.js';

/** `txreplay export --csv DIR`: findings and series (plus runs and queue intervals) as CSV files. */
export function register(program: Command): void {
  const cmd = program
    .command('export')
    .description('export findings, series, runs and queue intervals of stored runs as CSV')
    .requiredOption('--csv <dir>', 'directory for findings.csv, series.csv, runs.csv, queue_intervals.csv')
    .option('--run <id>', 'only this run id (default: all complete runs)');
  addStoreOptions(cmd).action(
    action(async (_ctx, o: StoreFlags & { csv: string; run?: string }) => {
      if (o.run !== undefined && !/^[0-9a-f]{32}$/.test(o.run))
        fail(EXIT.usage, `--run: expected a 32-hex-digit run id, got ${JSON.stringify(o.run)}`);
      checkOutputDir(o.csv, '--csv');
      const { exportCsv } = await import('@txreplay/report');
      const files = await withStore(o, (store) => exportCsv(store, o.csv, { runId: o.run }), { readOnly: true });
      for (const f of files) process.stdout.write(`${f.path}: ${f.rows} rows\n`);
    }),
  );
}
