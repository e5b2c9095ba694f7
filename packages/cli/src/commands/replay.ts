import type { Command } from 'commander';

/** `txreplay replay` — not implemented yet (owned by the replay work). */
export function register(program: Command): void {
  program
    .command('replay')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay replay is not implemented yet');
    });
}
