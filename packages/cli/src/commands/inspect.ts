import type { Command } from 'commander';

/** `txreplay inspect` — not implemented yet (owned by the inspect work). */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay inspect is not implemented yet');
    });
}
