import type { Command } from 'commander';

/** `txreplay report` — not implemented yet (owned by the report work). */
export function register(program: Command): void {
  program
    .command('report')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay report is not implemented yet');
    });
}
