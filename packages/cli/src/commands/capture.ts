import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CaptureResult, CaptureTool } from '@txreplay/capture';
import { action } from '../run.js';

interface CaptureCliOptions {
  seconds: number;
  dev?: string;
  ifindex?: number;
  tool?: CaptureTool;
  output?: string;
  callGraph?: boolean;
  json?: boolean;
  printProgram?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new InvalidArgumentError('expected seconds in (0, 86400]');
  return n;
}

function ifindexArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function formatCaptureResult(result: CaptureResult): string {
  const perEvent = Object.entries(result.eventCounts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([e, n]) => `  ${e} ${n}`)
    .join('\n');
  return (
    `wrote ${result.out} (${result.tool}, ${result.capturedSeconds.toFixed(1)} s${result.stoppedEarly ? ', stopped early' : ''}): ` +
    `${result.lines} lines, ${result.events} events, ${result.lostEvents} lost\n${perEvent}${perEvent ? '\n' : ''}` +
    `${result.metaPath === null ? 'metadata: none (the output is a stream)\n' : `metadata: ${result.metaPath}\n`}` +
    `next: txreplay ingest ${result.out} -o trace.arrow\n`
  );
}

/** `txreplay capture`: record the TX-path tracepoints with bpftrace or perf into a file `txreplay ingest` reads. */
export function register(program: Command): void {
  program
    .command('capture')
    .description(
      'Record the TX-path tracepoints (net_dev_*, qdisc_*, napi_poll, dql_stall_detected, consume_skb, kfree_skb) ' +
        'with bpftrace (preferred) or perf into a trace file for `txreplay ingest`. Needs root.',
    )
    .option('-s, --seconds <n>', 'how long to capture (from the moment the tracer is attached)', positiveNumber, 10)
    .option('--dev <name>', 'only this device (qdisc events by its ifindex, skb frees by the skbs seen on it)')
    .option('--ifindex <n>', "the device's ifindex, when --dev is ambiguous across network namespaces", ifindexArg)
    .addOption(
      new Option('--tool <tool>', 'force the tracer (default: bpftrace if installed, else perf)').choices([
        'bpftrace',
        'perf',
      ]),
    )
    .option('-o, --output <file>', 'trace file to write (atomically; a <file>.meta.json sidecar goes beside it)')
    .option('-g, --call-graph', 'perf only: record kernel call chains (perf record -g)')
    .option('--json', 'print the result as JSON on stdout')
    .option('--print-program', "print the bpftrace program for this kernel's tracepoints and exit")
    .action(
      action(async (ctx, opts: CaptureCliOptions) => {
        ctx.output(opts.output, '-o');
        const { programForThisKernel, recordTxPath } = await import('@txreplay/capture');
        if (opts.printProgram) {
          process.stdout.write(programForThisKernel());
          return;
        }
        const status = (m: string): void => {
          process.stderr.write(`txreplay capture: ${m}\n`);
        };
        const { seconds, dev, ifindex, tool, callGraph } = opts;
        const running = recordTxPath({ seconds, out: opts.output, dev, ifindex, tool, callGraph, onStatus: status });
        // Ctrl-C: the first stops the capture and keeps the trace; a second one aborts without output
        ctx.onInterrupt(() => running.stop());
        const result = await running.done;
        // the trace on stdout (`-o -`): the summary goes to stderr
        const summaryTo = opts.output === '-' ? process.stderr : process.stdout;
        summaryTo.write(opts.json ? `${JSON.stringify(result)}\n` : formatCaptureResult(result));
        if (result.lostEvents > 0) {
          status(
            `${result.lostEvents} events were lost by the tracer: raise BPFTRACE_PERF_RB_PAGES (or perf -m) and capture again`,
          );
        }
      }),
    );
}
