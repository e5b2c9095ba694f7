import type { Command } from 'commander';

/** `txreplay diagnose` — not implemented yet (owned by the diagnose work). */
export function register(program: Command): void {
  program
    .command('diagnose')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay diagnose is not implemented yet');
    });
}
