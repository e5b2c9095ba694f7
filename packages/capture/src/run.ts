/**
 * Run one capture: bpftrace (the generated txpath.bt) or perf record + perf script, bounded in time,
 * written atomically (temp file beside the output, renamed at the end), stoppable early without losing
 * what was captured (`stop()`: SIGINT to the tracer, which then flushes and exits normally).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tmpdir, release } from 'node:os';
import { join, resolve } from 'node:path';
import { openOutput, OutputError, writeOutputFile, type Output } from '@txreplay/ingest';
import { readClockPair } from './clock-pair.js';
import { bpftraceProgram, FLUSH_MARKER_PID } from './bpftrace-program.js';
import { countCapture, type CaptureCounts } from './count.js';
import { NO_DEVICE, type CompletionNapi } from './devices.js';
import { formatCaptureHeader, type CaptureFilter } from './header.js';
import { perfRecordArgs } from './perf-recipe.js';
import { PerfSkbFilter } from './skb-filter.js';
import { probeKernelTracepoints, type KernelTracepoints } from './tracepoints.js';
import { toolVersion, which, type CaptureTool } from './tools.js';

export interface CaptureOptions {
  tool: CaptureTool;
  toolPath: string;
  seconds: number;
  out: string;
  dev?: string;
  ifindex?: number;
  /** bpftrace: this kernel has sys_enter_kill, so the clean stop's flush markers work (FLUSH_MARKER_PID) */
  flushMarker?: boolean;
  /** with `dev`: the NAPIs that complete its transmits (its veth peer, the backlog NAPI) */
  completion?: CompletionNapi;
  /** perf only: record call chains (`perf record -g`) */
  callGraph?: boolean;
  /** status lines for a human (stderr) */
  onStatus?: (message: string) => void;
}

export interface CaptureResult extends CaptureCounts {
  tool: CaptureTool;
  toolVersion: string | null;
  out: string;
  /** the `<out>.meta.json` sidecar; null when the output is a stream (`-`, a FIFO) */
  metaPath: string | null;
  kernel: string;
  /** stopped by stop() (Ctrl-C) before --seconds were up */
  stoppedEarly: boolean;
  /** wall time from the tracer reporting itself attached to its exit, seconds */
  capturedSeconds: number;
  missingTracepoints: string[];
  /** the filter, as written in the header line at the top of the trace (header.ts) */
  filter: CaptureFilter;
  /** the header line at the top of the output: the filter and the wall/trace clock pair (header.ts) */
  header: string;
  /** what the tracer said on stderr, minus known noise */
  toolStderr: string;
}

/** A capture that failed; `exitCode` is the txreplay exit code to use. */
export class CaptureError extends Error {
  constructor(
    message: string,
    readonly kind: 'tool' | 'usage' | 'interrupted' | 'failure',
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** bpftrace's harmless complaint when RLIMIT_MEMLOCK cannot be raised (kernels ≥ 5.11 charge BPF to memcg). */
const STDERR_NOISE = /couldn't set RLIMIT_MEMLOCK|^\s*$/;

function cleanStderr(text: string): string {
  return text
    .split('\n')
    .filter((l) => !STDERR_NOISE.test(l))
    .join('\n')
    .trim();
}

const STARTUP_LIMIT_MS = 60_000;
/** how long a clean bpftrace stop waits for the flush line of every CPU before a bare SIGINT */
const FLUSH_LIMIT_MS = 10_000;
/** after perf.data gets its header: time for perf to synthesize existing tasks and enable the events */
const PERF_SETTLE_MS = 300;

export interface RunningCapture {
  /** resolves when the capture is written (or rejects with a CaptureError) */
  done: Promise<CaptureResult>;
  /** end the capture now, keeping what was captured (first call); a second call aborts without output */
  stop(): void;
}

export function startCapture(opts: CaptureOptions): RunningCapture {
  const out = opts.out === '-' ? '-' : resolve(opts.out);
  const workDir = mkdtempSync(join(tmpdir(), 'txreplay-capture-'));
  // the tracer's text goes here first (private, removed on every exit path); the output is the header line (which
  // carries the lost count, known only at the end) followed by this, through ingest's one writer
  const tmpBody = join(workDir, 'body.txt');
  let child: ChildProcess | null = null;
  // bpftrace: stop through the flush markers (bpftrace-program.ts FLUSH_MARKER_PID) instead of a bare SIGINT
  let gracefulStop: (() => void) | null = null;
  // perf script (the conversion after recording) must not be cut short by the first Ctrl-C
  let childStoppable = true;
  let stopRequests = 0;
  let aborted = false;

  const status = (m: string): void => opts.onStatus?.(m);
  const cleanup = (): void => {
    rmSync(workDir, { recursive: true, force: true });
  };
  const stop = (): void => {
    stopRequests++;
    if (stopRequests === 1) {
      status('stopping: the tracer flushes what it captured…');
      if (gracefulStop) gracefulStop();
      else if (child?.pid && childStoppable) signal(child, 'SIGINT');
    } else {
      aborted = true;
      if (child?.pid) signal(child, 'SIGKILL');
    }
  };

  const done = (async (): Promise<CaptureResult> => {
    let output: Output | null = null;
    try {
      // the output first: a directory, a missing parent, … is refused before the tracer runs for --seconds
      output = await openOutput(opts.out);
      const kernel = probeKernelTracepoints();
      const clock = readClockPair();
      const present = Object.keys(kernel.fields);
      if (present.length === 0) {
        throw new CaptureError(`none of the TX tracepoints exist under ${kernel.tracefs}/events`, 'tool');
      }
      if (kernel.missing.length) status(`not on this kernel, left out: ${kernel.missing.join(', ')}`);
      const run =
        opts.tool === 'bpftrace'
          ? await runBpftrace(
              opts,
              kernel,
              tmpBody,
              workDir,
              (c, graceful) => {
                child = c;
                gracefulStop = graceful;
              },
              () => stopRequests > 0,
              status,
            )
          : await runPerf(
              opts,
              kernel,
              tmpBody,
              workDir,
              (c, stoppable) => {
                child = c;
                childStoppable = stoppable;
              },
              status,
            );
      if (aborted) throw new CaptureError('capture aborted (second interrupt); no output written', 'interrupted');
      const bodyCounts = await countCapture(tmpBody, opts.tool);
      if (opts.tool === 'bpftrace' && !bodyCounts.started) {
        throw new CaptureError(`bpftrace did not start: ${run.stderr || 'no output'}`, 'tool');
      }
      // bpftrace prints `Lost N events` into its output (counted there); perf's PERF_RECORD_LOST lines are
      // counted by the text filter and stay in the text (ingest reads each as an unknown window)
      const lost = bodyCounts.lostEvents + run.lostOutOfBand;
      const filter = captureFilter(opts, kernel, lost, stopRequests > 0);
      // the filter plus the clock pair (the trace's own wall time): the first line of the output
      const header = formatCaptureHeader({ ...filter, clock });
      await output.write(`${header}\n`);
      for await (const chunk of createReadStream(tmpBody)) await output.write(chunk as Buffer);
      const result: CaptureResult = {
        ...bodyCounts,
        // the header is one more (comment) line
        lines: bodyCounts.lines + 1,
        lostEvents: lost,
        tool: opts.tool,
        toolVersion: toolVersion(opts.toolPath),
        out,
        // a stream (stdout, a FIFO) has no place beside it for the sidecar
        metaPath: output.streamed ? null : `${out}.meta.json`,
        kernel: release(),
        stoppedEarly: stopRequests > 0,
        capturedSeconds: run.capturedSeconds,
        missingTracepoints: kernel.missing,
        filter,
        header,
        toolStderr: run.stderr,
      };
      await output.commit();
      if (result.metaPath !== null)
        await writeOutputFile(result.metaPath, `${JSON.stringify(metaOf(result, opts, kernel), null, 1)}\n`);
      return result;
    } catch (err) {
      await output?.abort();
      // the writer's own error (a refused or unwritable output) keeps its errno for the exit code
      if (err instanceof CaptureError || err instanceof OutputError) throw err;
      throw new CaptureError(err instanceof Error ? err.message : String(err), 'failure');
    } finally {
      rmSync(tmpBody, { force: true });
      cleanup();
    }
  })();
  return { done, stop };
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    child.kill(sig);
  } catch {
    // already gone
  }
}

interface ToolRun {
  stderr: string;
  capturedSeconds: number;
  /** lost events the tracer reported outside its text output (perf: PERF_RECORD_LOST) */
  lostOutOfBand: number;
}

/** What this capture kept, for the header line (header.ts). */
function captureFilter(
  opts: CaptureOptions,
  kernel: KernelTracepoints,
  lost: number,
  stoppedEarly: boolean,
): CaptureFilter {
  const dev = opts.dev ?? null;
  const events = Object.keys(kernel.fields);
  const hasFrees = events.includes('skb:consume_skb') || events.includes('skb:kfree_skb');
  const canTrack = events.includes('net:net_dev_queue') || events.includes('net:net_dev_xmit');
  return {
    tracer: opts.tool,
    kernel: release(),
    dev,
    ifindex: dev === null ? null : (opts.ifindex ?? null),
    peer: dev === null ? null : (opts.completion?.peer?.name ?? null),
    peerIfindex: dev === null ? null : (opts.completion?.peer?.ifindex ?? null),
    napiDevs: dev === null ? null : (opts.completion?.napiDevs ?? [dev]),
    frees: dev === null || !hasFrees ? 'all' : !canTrack ? 'all' : opts.tool === 'bpftrace' ? 'by-skb' : 'by-skb-post',
    events,
    lost,
    stopped: stoppedEarly ? 'signal' : 'deadline',
  };
}

/** Spawn in its own process group, so a terminal Ctrl-C reaches only txreplay, which forwards one SIGINT. */
function spawnTool(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(cmd, args, { detached: true, env, stdio: ['ignore', 'ignore', 'pipe'] });
}

function collectStderr(child: ChildProcess): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  child.stderr?.on('data', (b: Buffer) => {
    if (size < 1 << 20) chunks.push(b);
    size += b.length;
  });
  return () => cleanStderr(Buffer.concat(chunks).toString('utf8'));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((res, rej) => {
    child.once('error', rej);
    child.once('close', (code, sig) => res({ code, signal: sig }));
  });
}

/**
 * bpftrace: the program for this kernel's tracepoints, output straight to the temp file (`-o`).
 * Attached = the BEGIN line `# txpath.bt started` is in the file; --seconds count from there.
 */
async function runBpftrace(
  opts: CaptureOptions,
  kernel: KernelTracepoints,
  tmpOut: string,
  workDir: string,
  setChild: (c: ChildProcess, gracefulStop: () => void) => void,
  stopping: () => boolean,
  status: (m: string) => void,
): Promise<ToolRun> {
  const programPath = join(workDir, 'txpath.bt');
  writeFileSync(
    programPath,
    bpftraceProgram({ fields: kernel.fields, generatedFor: release(), flushMarker: opts.flushMarker }),
  );
  // positional parameters: DEV IFINDEX PEER NODEV (bpftrace-program.ts)
  const napi = opts.completion?.napiDevs ?? [];
  const args = [
    programPath,
    opts.dev ?? '',
    String(opts.ifindex ?? 0),
    opts.completion?.peer?.name ?? '',
    napi.includes(NO_DEVICE) ? '1' : '0',
  ];
  // RLIMIT_MEMLOCK: raise it as far as allowed (old kernels account BPF maps against it); a failure is fine
  // on ≥ 5.11, where BPF memory is charged to the memcg instead.
  const launcher = [
    '-c',
    'ulimit -l unlimited 2>/dev/null || ulimit -l "$(ulimit -H -l)" 2>/dev/null; exec "$@"',
    'sh',
  ];
  // dead man's switch: if txreplay itself is killed, the tracer still stops (SIGINT keeps its output)
  const timeout = which('timeout');
  const deadline = String(Math.ceil(opts.seconds + STARTUP_LIMIT_MS / 1000 + 30));
  // GNU timeout arms its -k SIGKILL on any signal it forwards, our clean-stop SIGINT too: bpftrace must have time
  // to drain its per-CPU rings (BPFTRACE_PERF_RB_PAGES) and print the END line on a loaded machine
  const cmd = timeout ? [timeout, '-s', 'INT', '-k', '60', deadline, opts.toolPath] : [opts.toolPath];
  const env = {
    ...process.env,
    // bigger per-CPU perf ring (default 64 pages) so floods are not lost; skb map for the --dev filter
    BPFTRACE_PERF_RB_PAGES: process.env.BPFTRACE_PERF_RB_PAGES ?? '1024',
    BPFTRACE_MAP_KEYS_MAX: process.env.BPFTRACE_MAP_KEYS_MAX ?? '262144',
  };
  // stdout through a pipe, not `bpftrace -o`: bpftrace flushes each line to a pipe, but buffers a file, and
  // the BEGIN line is how we know the probes are attached
  const child = spawn('sh', [...launcher, ...cmd, ...args], { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = collectStderr(child);
  const exit = exited(child);
  const file = createWriteStream(tmpOut);
  const written = new Promise<void>((res, rej) => {
    file.once('finish', res);
    file.once('error', rej);
  });
  let attachedAt: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let head = '';
  // the clean stop: a flush marker on every online CPU, SIGINT once each CPU's flush line was read
  const cpus = onlineCpus();
  const taskset = which('taskset');
  const flushedCpus = new Set<number>();
  let flushing = false;
  let flushTail = '';
  let flushGuard: NodeJS.Timeout | null = null;
  const interrupt = (): void => {
    if (flushGuard) clearTimeout(flushGuard);
    signal(child, 'SIGINT');
  };
  const stopCleanly = (): void => {
    if (flushing) return;
    flushing = true;
    if (attachedAt === null || !taskset || cpus.length === 0 || !opts.flushMarker) {
      interrupt();
      return;
    }
    for (const cpu of cpus) {
      // kill(FLUSH_MARKER_PID, 0) fails with ESRCH: it only fires the marker probe, on that CPU
      spawn(taskset, ['-c', String(cpu), 'sh', '-c', `kill -0 ${FLUSH_MARKER_PID} 2>/dev/null; true`], {
        stdio: 'ignore',
      }).on('error', () => {});
    }
    flushGuard = setTimeout(() => {
      status(
        `flush markers read on ${flushedCpus.size} of ${cpus.length} CPUs within ${FLUSH_LIMIT_MS / 1000} s; stopping anyway`,
      );
      signal(child, 'SIGINT');
    }, FLUSH_LIMIT_MS);
  };
  setChild(child, stopCleanly);
  child.stdout?.on('data', (chunk: Buffer) => {
    if (flushing) {
      const text = flushTail + chunk.toString('utf8');
      flushTail = text.slice(-64);
      for (const m of text.matchAll(/# txpath\.bt flush cpu=(\d+)/g)) flushedCpus.add(Number(m[1]));
      if (cpus.every((c) => flushedCpus.has(c))) interrupt();
    }
    if (attachedAt !== null) return;
    head = (head + chunk.toString('utf8')).slice(-8192);
    if (head.includes('# txpath.bt started')) {
      attachedAt = Date.now();
      status(
        `bpftrace attached; capturing ${opts.seconds} s${opts.dev ? ` on ${opts.dev}` : ''} (Ctrl-C stops early and keeps the trace)`,
      );
      timer = setTimeout(stopCleanly, opts.seconds * 1000);
    }
  });
  child.stdout?.pipe(file);
  const startupGuard = setTimeout(() => {
    if (attachedAt === null && !stopping()) {
      status(`bpftrace did not attach within ${STARTUP_LIMIT_MS / 1000} s; stopping it`);
      signal(child, 'SIGINT');
    }
  }, STARTUP_LIMIT_MS);
  try {
    const { code, signal: sig } = await exit;
    await written;
    const err = stderr();
    // timeout(1) exits 124 when its own deadline fired; bpftrace exits 0 on SIGINT
    if (code !== 0 && code !== 124 && !stopping() && attachedAt === null) {
      throw new CaptureError(`bpftrace failed (exit ${code ?? sig}): ${err || 'no message'}`, 'tool');
    }
    return {
      stderr: err,
      capturedSeconds: attachedAt !== null ? (Date.now() - attachedAt) / 1000 : 0,
      lostOutOfBand: 0,
    };
  } finally {
    clearTimeout(startupGuard);
    if (timer) clearTimeout(timer);
    if (flushGuard) clearTimeout(flushGuard);
  }
}

/** Online CPU numbers from /sys/devices/system/cpu/online (`0-3,6`); empty when unreadable. */
function onlineCpus(): number[] {
  let text = '';
  try {
    text = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
  } catch {
    return [];
  }
  const cpus: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    for (let c = a; c <= (b !== undefined && Number.isInteger(b) ? b : a); c++) cpus.push(c);
  }
  return cpus;
}

/** perf: `perf record … -- sleep N` into a temp perf.data, then `perf script` (default output) into the temp file. */
async function runPerf(
  opts: CaptureOptions,
  kernel: KernelTracepoints,
  tmpOut: string,
  workDir: string,
  setChild: (c: ChildProcess, stoppable: boolean) => void,
  status: (m: string) => void,
): Promise<ToolRun> {
  const dataPath = join(workDir, 'perf.data');
  const recordArgs = perfRecordArgs({
    fields: kernel.fields,
    dataPath,
    // the workload is only a dead man's switch: txreplay ends the recording with SIGINT after --seconds
    seconds: Math.ceil(opts.seconds + STARTUP_LIMIT_MS / 1000 + 30),
    dev: opts.dev,
    ifindex: opts.ifindex,
    napiDevs: opts.completion?.napiDevs,
    callGraph: opts.callGraph,
  });
  const record = spawnTool(opts.toolPath, recordArgs, process.env);
  setChild(record, true);
  const recordErr = collectStderr(record);
  const exit = exited(record);
  // perf says nothing when it is ready. It writes the perf.data header once the events are open, and
  // enables them right after synthesizing the existing tasks: a non-empty file plus a short settle time
  // is the attach signal.
  let t0 = Date.now();
  let attached = false;
  let timer: NodeJS.Timeout | null = null;
  const poll = setInterval(() => {
    let size = 0;
    try {
      size = statSync(dataPath).size;
    } catch {
      return;
    }
    if (size > 0 && !attached) {
      attached = true;
      clearInterval(poll);
      setTimeout(() => {
        t0 = Date.now();
        status(
          `perf record attached; capturing ${opts.seconds} s${opts.dev ? ` on ${opts.dev}` : ''} (Ctrl-C stops early and keeps the trace)`,
        );
        timer = setTimeout(() => signal(record, 'SIGINT'), opts.seconds * 1000);
      }, PERF_SETTLE_MS);
    }
  }, 50);
  const startupGuard = setTimeout(() => {
    if (!attached) {
      status(`perf record did not start within ${STARTUP_LIMIT_MS / 1000} s; stopping it`);
      signal(record, 'SIGINT');
    }
  }, STARTUP_LIMIT_MS);
  let recorded: Awaited<typeof exit>;
  try {
    recorded = await exit;
  } finally {
    clearInterval(poll);
    clearTimeout(startupGuard);
    if (timer) clearTimeout(timer);
  }
  const capturedSeconds = (Date.now() - t0) / 1000;
  const recErr = recordErr();
  if (!existsSync(dataPath)) {
    throw new CaptureError(
      `perf record failed (exit ${recorded.code ?? recorded.signal}): ${recErr || 'no message'}`,
      'tool',
    );
  }
  status(`perf script: converting perf.data to text${opts.dev ? ` (skb frees kept when queued on ${opts.dev})` : ''}…`);
  // --show-lost-events: PERF_RECORD_LOST lines, so the capture reports the real lost count (the filter counts
  // them) and ingest knows when and on which CPU events are missing
  const script = spawn(opts.toolPath, ['script', '--show-lost-events', '-i', dataPath], {
    detached: true,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  setChild(script, false);
  const scriptErr = collectStderr(script);
  const scriptExit = exited(script);
  const filter = new PerfSkbFilter(opts.dev ?? null);
  await pipeline(
    script.stdout,
    lineFilter((line) => filter.keep(line)),
    createWriteStream(tmpOut),
  );
  const scripted = await scriptExit;
  if (scripted.code !== 0) {
    throw new CaptureError(`perf script failed (exit ${scripted.code ?? scripted.signal}): ${scriptErr()}`, 'tool');
  }
  if (filter.dropped) status(`left out ${filter.dropped} skb frees of skbs not seen on ${opts.dev}`);
  return { stderr: [recErr, scriptErr()].filter(Boolean).join('\n'), capturedSeconds, lostOutOfBand: filter.lost };
}

/** A text stream filter: passes whole lines (with their newline) for which `keep` is true. */
function lineFilter(keep: (line: string) => boolean): Transform {
  let rest = '';
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const text = rest + chunk.toString('utf8');
      const lastNl = text.lastIndexOf('\n');
      rest = text.slice(lastNl + 1);
      const out: string[] = [];
      if (lastNl >= 0) {
        for (const line of text.slice(0, lastNl).split('\n')) if (keep(line)) out.push(line, '\n');
      }
      done(null, out.join(''));
    },
    flush(done) {
      done(null, rest && keep(rest) ? rest : '');
    },
  });
}

/** The sidecar `<out>.meta.json`: what a reader needs to interpret the trace (kernel, numeric drop reasons). */
function metaOf(result: CaptureResult, opts: CaptureOptions, kernel: KernelTracepoints): Record<string, unknown> {
  return {
    tool: result.tool,
    tool_version: result.toolVersion,
    kernel: result.kernel,
    clock: 'CLOCK_MONOTONIC',
    seconds_requested: opts.seconds,
    seconds_captured: result.capturedSeconds,
    stopped_early: result.stoppedEarly,
    dev: opts.dev ?? null,
    ifindex: opts.ifindex ?? null,
    header: result.header,
    call_graph: opts.tool === 'perf' ? Boolean(opts.callGraph) : false,
    tracepoints: Object.keys(kernel.fields),
    missing_tracepoints: kernel.missing,
    lines: result.lines,
    events: result.events,
    event_counts: result.eventCounts,
    lost_events: result.lostEvents,
    // bpftrace prints kfree_skb `reason` as a number: this kernel's enum skb_drop_reason names
    drop_reasons: kernel.dropReasons,
    tool_stderr: result.toolStderr,
  };
}
