import type { Command } from 'commander';

/** `txreplay ingest` — not implemented yet (owned by the ingest work). */
export function register(program: Command): void {
  program
    .command('ingest')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay ingest is not implemented yet');
    });
}
