/**
 * `txreplay capture` as one call: the checks before a capture (root, which tracer, which ifindex the device
 * has) and the start. Every refusal is a CaptureError whose `kind` says which exit code the CLI uses.
 */
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { bpftraceProgram } from './bpftrace-program.js';
import { completionNapi, findDevice } from './devices.js';
import { CaptureError, startCapture, type RunningCapture } from './run.js';
import { chooseTool, isRoot, type CaptureTool, type ToolChoice } from './tools.js';
import { probeKernelTracepoints } from './tracepoints.js';

export interface RecordOptions {
  seconds: number;
  /** trace file to write (atomically, with a `<out>.meta.json` sidecar) */
  out?: string;
  dev?: string;
  /** the device's ifindex, when `dev` names devices in several network namespaces */
  ifindex?: number;
  /** force the tracer (default: bpftrace if installed, else perf) */
  tool?: CaptureTool;
  /** perf only: record kernel call chains (`perf record -g`) */
  callGraph?: boolean;
  /** status lines for a human (stderr) */
  onStatus?: (message: string) => void;
}

/** The bpftrace program for the tracepoint layouts of the running kernel (`--print-program`). */
export function programForThisKernel(): string {
  const kernel = probeKernelTracepoints();
  return bpftraceProgram({
    fields: kernel.fields,
    generatedFor: release(),
    flushMarker: hasKillTracepoint(kernel.tracefs),
  });
}

/**
 * The ifindex to filter qdisc events on: qdisc tracepoints carry only an ifindex (spec §H.1), so a device
 * name has to be resolved, and must be unambiguous across network namespaces.
 */
function resolveIfindex(dev: string): number {
  const matches = findDevice(dev);
  const distinct = [...new Set(matches.map((m) => m.ifindex))];
  if (matches.length === 0)
    throw new CaptureError(`no device named ${dev} in this or any named network namespace`, 'usage');
  if (distinct.length > 1) {
    const where = matches.map((m) => `${m.netns ?? '(this namespace)'}: ${m.ifindex}`).join(', ');
    throw new CaptureError(
      `device ${dev} exists in several namespaces with different ifindexes (${where}); pick one with --ifindex`,
      'usage',
    );
  }
  return distinct[0]!;
}

/** The clean stop's flush marker needs tracepoint:syscalls:sys_enter_kill (CONFIG_FTRACE_SYSCALLS). */
function hasKillTracepoint(tracefs: string): boolean {
  return existsSync(join(tracefs, 'events/syscalls/sys_enter_kill/format'));
}

/** Check, pick the tracer and start recording; `stop()` on the result ends it early (Ctrl-C). */
export function recordTxPath(opts: RecordOptions): RunningCapture {
  if (!opts.out) throw new CaptureError('capture needs -o FILE (where to write the trace)', 'usage');
  if (opts.callGraph && opts.tool === 'bpftrace') throw new CaptureError('--call-graph needs --tool perf', 'usage');
  if (!isRoot()) {
    throw new CaptureError(
      'txreplay capture must run as root: bpftrace and system-wide perf need CAP_BPF/CAP_PERFMON and tracefs',
      'tool',
    );
  }
  let choice: ToolChoice;
  try {
    choice = chooseTool(opts.callGraph ? 'perf' : opts.tool);
  } catch (err) {
    throw new CaptureError(err instanceof Error ? err.message : String(err), 'tool');
  }
  const ifindex = opts.ifindex ?? (opts.dev !== undefined ? resolveIfindex(opts.dev) : undefined);
  return startCapture({
    tool: choice.tool,
    toolPath: choice.path,
    seconds: opts.seconds,
    out: opts.out,
    dev: opts.dev,
    ifindex,
    flushMarker: hasKillTracepoint(probeKernelTracepoints().tracefs),
    completion: opts.dev !== undefined ? completionNapi(opts.dev, ifindex) : undefined,
    callGraph: opts.callGraph,
    onStatus: opts.onStatus,
  });
}
