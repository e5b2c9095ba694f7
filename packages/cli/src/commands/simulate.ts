import type { Command } from 'commander';

/** `txreplay simulate` — not implemented yet (owned by the simulate work). */
export function register(program: Command): void {
  program
    .command('simulate')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay simulate is not implemented yet');
    });
}
