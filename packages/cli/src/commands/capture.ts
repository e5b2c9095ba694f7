import type { Command } from 'commander';

/** `txreplay capture` — not implemented yet (owned by the capture work). */
export function register(program: Command): void {
  program
    .command('capture')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('txreplay capture is not implemented yet');
    });
}
