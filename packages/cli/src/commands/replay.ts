import type { Command } from 'commander';
import { action } from '../run.js';
import { addReplayOptions, findingsExitCode, type ReplayCliOptions } from '../replay-flags.js';
import { diagnoseOptions, printResult } from './diagnose.js';

/** `txreplay replay TRACE…`: the same as diagnose, with the full per-queue series. */
export function register(program: Command): void {
  const cmd = program
    .command('replay')
    .description(
      'replay a trace against the model: per-queue summaries, full series (backlog, inflight, DQL limit) and findings',
    )
    .argument('<traces...>', 'trace files (any ingest format, .gz, .arrow; - for stdin)');
  addReplayOptions(cmd).action(
    action(async (ctx, traces: string[], o: ReplayCliOptions) => {
      ctx.inputs(traces);
      const { diagnoseFiles } = await import('@txreplay/replay/plain');
      const result = await diagnoseFiles(traces, await diagnoseOptions(o, ctx.signal, undefined));
      await printResult(result, o.json);
      return findingsExitCode(result);
    }),
  );
}
