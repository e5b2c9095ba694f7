import type { Command } from 'commander';

/** `txreplay query` — not implemented yet (owned by the query work). */
export function register(program: Command): void {
  program
    .command('query')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay query is not implemented yet');
    });
}
