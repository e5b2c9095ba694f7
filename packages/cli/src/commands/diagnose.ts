import type { Command } from 'commander';
import type { DiagnoseOptions, ReplayResult } from '@txreplay/replay/plain';
import { EXIT } from '../exit.js';
import { paint, terminalSafe, verdictStyle } from '../colour.js';
import { action, endProgress, fail } from '../run.js';
import { terminalOf, writeResult } from '../stdio.js';
import {
  addReplayOptions,
  findingsExitCode,
  loadOptionsFromFlags,
  replayOptionsFromFlags,
  type ReplayCliOptions,
} from '../replay-flags.js';

type DiagnoseCliOptions = ReplayCliOptions & { html?: string; md?: string };

/** Flags → diagnose options: the shared replay flags, the input, skip notes on stderr. */
export async function diagnoseOptions(
  o: ReplayCliOptions,
  signal: AbortSignal,
  maxSeriesPoints: number | undefined,
): Promise<DiagnoseOptions> {
  if (o.bootTime !== undefined) {
    const { parseBootTime } = await import('@txreplay/replay/plain');
    try {
      parseBootTime(o.bootTime);
    } catch (e) {
      fail(EXIT.usage, e instanceof Error ? e.message : String(e));
    }
  }
  return {
    ...(await replayOptionsFromFlags(o)),
    bootTime: o.bootTime,
    maxSeriesPoints,
    load: loadOptionsFromFlags(o, signal),
    onNote: (note) => process.stderr.write(`txreplay: ${note}\n`),
  };
}

export async function printResult(result: ReplayResult, json: boolean | undefined): Promise<void> {
  const { formatVerdict, toJson } = await import('@txreplay/replay/plain');
  endProgress();
  // the command's one result: written without making process.stdout when it is a pipe or a file (../stdio.ts)
  if (json) {
    writeResult(`${toJson(result)}\n`);
    return;
  }
  // trace strings cannot drive the terminal; the verdict line in its colour on a terminal (NO_COLOR honoured)
  const text = terminalSafe(formatVerdict(result)).replace(/^(PROBLEM|WARNING|UNKNOWN|HEALTHY)\b.*$/m, (line) => {
    const style = verdictStyle(line);
    return style ? paint(terminalOf(1), style, line) : line;
  });
  writeResult(text);
}

/** `txreplay diagnose TRACE…`: ingest, replay, findings, verdict. */
export function register(program: Command): void {
  const cmd = program
    .command('diagnose')
    .description('post-mortem of a TX-path trace: real vs expected per device and queue, findings and a verdict')
    .argument(
      '<traces...>',
      'trace files (perf script, ftrace, trace-cmd, bpftrace text/json, perf.data, trace.dat, .gz, .arrow; - for stdin) and evidence beside them or alone (kernel logs; tc -s, ethtool -S, ip -s link, ifconfig, netstat -i, /proc/net/dev, sysfs statistics/, sar -n DEV/EDEV, nstat / netstat -s, TX-queue sysfs, /proc/interrupts snapshots; bpftrace maps)',
    )
    .option('--html <file>', 'also write an HTML post-mortem')
    .option('--md <file>', 'also write a Markdown post-mortem');
  addReplayOptions(cmd).action(
    action(async (ctx, traces: string[], o: DiagnoseCliOptions) => {
      ctx.inputs(traces);
      ctx.output(o.html, '--html');
      ctx.output(o.md, '--md');
      const { diagnoseFiles, diagnoseFilesWithEvents } = await import('@txreplay/replay/plain');
      const postMortem = o.html !== undefined || o.md !== undefined;
      // only --json and the post-mortems show the queues' series; the text verdict does without them
      const opts = await diagnoseOptions(o, ctx.signal, o.json || postMortem ? 500 : 0);
      if (!postMortem) {
        const result = await diagnoseFiles(traces, opts);
        await printResult(result, o.json);
        return findingsExitCode(result);
      }
      // the post-mortem draws its timelines from the events; its renderer comes without the store (chDB)
      const { result, table } = await diagnoseFilesWithEvents(traces, opts);
      await printResult(result, o.json);
      const { writePostMortem } = await import('@txreplay/report/postmortem');
      await writePostMortem(result, {
        html: o.html,
        md: o.md,
        events: table ?? undefined,
        profile: opts.profile,
        deviceProfiles: opts.deviceProfiles,
      });
      return findingsExitCode(result);
    }),
  );
}
