import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT } from '../exit.js';
import { bpftraceProgram } from '../capture/bpftrace-program.js';
import { findDevice } from '../capture/devices.js';
import { CaptureError, startCapture, type CaptureResult } from '../capture/run.js';
import { probeKernelTracepoints } from '../capture/tracepoints.js';
import { chooseTool, isRoot, type CaptureTool } from '../capture/tools.js';
import { release } from 'node:os';

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

/** Fail with a sentence and a documented exit code (main.ts prints the message and exits with exitCode). */
function fail(code: number, message: string): never {
  process.exitCode = code;
  throw new Error(message);
}

const EXIT_OF: Record<CaptureError['kind'], number> = {
  tool: EXIT.tool,
  usage: EXIT.usage,
  interrupted: EXIT.interrupted,
  failure: EXIT.failure,
};

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
    .addOption(new Option('--tool <tool>', 'force the tracer (default: bpftrace if installed, else perf)').choices(['bpftrace', 'perf']))
    .option('-o, --output <file>', 'trace file to write (atomically; a <file>.meta.json sidecar goes beside it)')
    .option('-g, --call-graph', 'perf only: record kernel call chains (perf record -g)')
    .option('--json', 'print the result as JSON on stdout')
    .option('--print-program', "print the bpftrace program for this kernel's tracepoints and exit")
    .action(async (opts: CaptureCliOptions) => {
      if (opts.printProgram) {
        const kernel = probeKernelTracepoints();
        process.stdout.write(bpftraceProgram({ fields: kernel.fields, generatedFor: release() }));
        return;
      }
      if (!opts.output) fail(EXIT.usage, 'capture needs -o FILE (where to write the trace)');
      if (opts.callGraph && opts.tool === 'bpftrace') fail(EXIT.usage, '--call-graph needs --tool perf');
      if (!isRoot()) {
        fail(EXIT.tool, 'txreplay capture must run as root: bpftrace and system-wide perf need CAP_BPF/CAP_PERFMON and tracefs');
      }
      let choice;
      try {
        choice = chooseTool(opts.callGraph ? 'perf' : opts.tool);
      } catch (err) {
        fail(EXIT.tool, err instanceof Error ? err.message : String(err));
      }
      let ifindex = opts.ifindex;
      if (opts.dev !== undefined && ifindex === undefined) {
        const matches = findDevice(opts.dev);
        const distinct = [...new Set(matches.map((m) => m.ifindex))];
        if (matches.length === 0) fail(EXIT.usage, `no device named ${opts.dev} in this or any named network namespace`);
        if (distinct.length > 1) {
          const where = matches.map((m) => `${m.netns ?? '(this namespace)'}: ${m.ifindex}`).join(', ');
          fail(EXIT.usage, `device ${opts.dev} exists in several namespaces with different ifindexes (${where}); pick one with --ifindex`);
        }
        ifindex = distinct[0];
      }
      const status = (m: string): void => {
        process.stderr.write(`txreplay capture: ${m}\n`);
      };
      const running = startCapture({
        tool: choice.tool,
        toolPath: choice.path,
        seconds: opts.seconds,
        out: opts.output,
        dev: opts.dev,
        ifindex,
        callGraph: opts.callGraph,
        onStatus: status,
      });
      // Ctrl-C: the first stops the capture and keeps the trace; a second one aborts without output
      const onSignal = (): void => running.stop();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let result: CaptureResult;
      try {
        result = await running.done;
      } catch (err) {
        if (err instanceof CaptureError) fail(EXIT_OF[err.kind], err.message);
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        const perEvent = Object.entries(result.eventCounts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([e, n]) => `  ${e} ${n}`)
          .join('\n');
        process.stdout.write(
          `wrote ${result.out} (${result.tool}, ${result.capturedSeconds.toFixed(1)} s${result.stoppedEarly ? ', stopped early' : ''}): ` +
            `${result.lines} lines, ${result.events} events, ${result.lostEvents} lost\n${perEvent}${perEvent ? '\n' : ''}` +
            `metadata: ${result.metaPath}\nnext: txreplay ingest ${result.out} -o trace.arrow\n`,
        );
      }
      if (result.lostEvents > 0) {
        status(`${result.lostEvents} events were lost by the tracer: raise BPFTRACE_PERF_RB_PAGES (or perf -m) and capture again`);
      }
    });
}
