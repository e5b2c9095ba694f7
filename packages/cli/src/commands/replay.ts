import type { Command } from 'commander';
import { formatVerdict, toJson } from '@txreplay/replay';
import { addReplayOptions, findingsExitCode, runReplay, type ReplayCliOptions } from './diagnose.js';

/** `txreplay replay TRACE…`: the same as diagnose, with the full per-queue series. */
export function register(program: Command): void {
  const cmd = program
    .command('replay')
    .description('replay a trace against the model: per-queue summaries, full series (backlog, inflight, DQL limit) and findings')
    .argument('<traces...>', 'trace files (any ingest format, .gz, .arrow; - for stdin)');
  addReplayOptions(cmd).action(async (traces: string[], o: ReplayCliOptions) => {
    const { result } = await runReplay(traces, o, undefined, false);
    if (o.json) process.stdout.write(toJson(result) + '\n');
    else process.stdout.write(formatVerdict(result));
    process.exitCode = findingsExitCode(result);
  });
}
