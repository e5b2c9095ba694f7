import type { Command } from 'commander';

/** `txreplay export` — not implemented yet (owned by the export work). */
export function register(program: Command): void {
  program
    .command('export')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay export is not implemented yet');
    });
}
