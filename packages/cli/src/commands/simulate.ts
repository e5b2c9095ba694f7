import type { Command } from 'commander';
import { Option } from 'commander';
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SimResult } from '@txreplay/model';
import { EXIT } from '../exit.js';
import { action, fail, shutdown, type ActionContext } from '../run.js';
import { progress } from '../progress.js';

/** Short human summary of a simulation run. */
export function formatSimulateSummary(r: SimResult, out: string): string {
  const lines = [`simulated ${(r.endNs / 1e9).toFixed(3)} s: ${r.events} events written to ${out}`];
  for (const d of r.devices) {
    lines.push(
      `  ${d.name}: sent ${d.sentPackets} pkts, qdisc drops ${d.qdiscDrops}, ENOBUFS ${d.enobufs}, ENETDOWN ${d.enetdown}, ` +
        `requeues ${d.requeues}, watchdog fires ${d.watchdogFires}` +
        (d.qdiscOverlimits > 0 ? `, overlimits ${d.qdiscOverlimits}` : ''),
    );
  }
  for (const q of r.queues) {
    if (q.stops || q.state) {
      lines.push(
        `  ${q.dev} tx-${q.queue}: state=0x${q.state.toString(16)} stops ${q.stops} wakes ${q.wakes} busy ${q.xmitBusy} ` +
          `resets ${q.resets} lost irqs ${q.lostIrqs} lost wakeups ${q.lostWakeups}`,
      );
    }
  }
  for (const [ev, n] of Object.entries(r.eventCounts)) if (n > 0) lines.push(`  ${String(n).padStart(10)}  ${ev}`);
  for (const sd of r.softnet)
    if (sd.timeSqueeze > 0)
      lines.push(`  cpu${sd.cpu}: net_rx_action runs ${sd.netRxRuns}, time_squeeze ${sd.timeSqueeze}`);
  if (r.logs.length > 0)
    lines.push(
      `  ${String(r.logs.length).padStart(10)}  driver log lines (${[...new Set(r.logs.map((l) => l.kind))].join(', ')})`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * Driver log lines (igb "Detected Tx Unit Hang", macb TX error task) as dmesg prints them: one printk record per
 * message, `[secs.usecs] <driver> <bus id> <dev>: <first line>` (netdev_err()'s prefix, __netdev_printk in
 * net/core/dev.c), then each further line of the same record under the same stamp without the prefix (a prefix
 * belongs to the record, not its lines: fixtures/public/01). A simulated device has no PCI function: its bus id is
 * made up from its index (0000:00:01.0 for the first), so the log names both the bus id and the interface.
 */
export function formatDmesg(r: SimResult, drivers: Record<string, string>): string {
  let out = '';
  const devs = Object.keys(drivers);
  const busId = (dev: string): string => `0000:00:${(devs.indexOf(dev) + 1).toString(16).padStart(2, '0')}.0`;
  for (const l of r.logs) {
    const secs = Math.floor(l.tsNs / 1e9);
    const usecs = Math.floor((l.tsNs % 1e9) / 1e3);
    const stamp = `[${String(secs).padStart(5)}.${String(usecs).padStart(6, '0')}]`;
    const [first, ...rest] = l.text.split('\n');
    out += `${stamp} ${drivers[l.dev] ?? 'net'} ${busId(l.dev)} ${l.dev}: ${first}\n`;
    for (const line of rest) out += `${stamp} ${line}\n`;
  }
  return out;
}

interface SimulateCliOptions {
  output: string;
  format: 'perf-script' | 'arrow';
  seed?: number;
  dmesg?: string;
}

type ModelLib = typeof import('@txreplay/model');
type Scenario = ReturnType<ModelLib['parseScenario']>;

/** `txreplay simulate scenario.json -o out.txt [--format perf-script|arrow] [--dmesg file]` */
export function register(program: Command): void {
  program
    .command('simulate')
    .description(
      'run a TX-path scenario through the model and write the tracepoints it fires (perf script text or Arrow)',
    )
    .argument('<scenario>', 'scenario JSON (see packages/model/README.md "Simulation")')
    .requiredOption('-o, --output <file>', 'output file')
    .addOption(new Option('--format <fmt>', 'output format').choices(['perf-script', 'arrow']).default('perf-script'))
    .option('--seed <n>', 'override the scenario seed', (v) => Number.parseInt(v, 10))
    .option('--dmesg <file>', 'also write the driver log lines (dmesg style, e.g. igb "Detected Tx Unit Hang")')
    .action(action(simulateAction));
}

/** The body of `txreplay simulate`: scenario → simulation streamed to the output → optional dmesg → summary. */
async function simulateAction(ctx: ActionContext, file: string, opts: SimulateCliOptions): Promise<void> {
  ctx.inputs([file], 'scenario');
  ctx.output(opts.output, '-o');
  ctx.output(opts.dmesg, '--dmesg');
  const model = await import('@txreplay/model');
  // a ScenarioError is a usage error (run.ts)
  const scenario = model.parseScenario(readFileSync(file, 'utf8'), file);
  if (opts.seed !== undefined && Number.isFinite(opts.seed)) scenario.seed = opts.seed;
  // the simulation writes perf-script text synchronously into a private temp (bounded memory); the output itself
  // goes through ingest's one writer (atomic for files, streamed for '-'/FIFOs, symlinks written through, the
  // scenario never overwritten); the temp dir is removed on every exit path, SIGINT/SIGTERM included
  await refuseInputAsOutput(file, [opts.output, opts.dmesg]);
  const work = mkdtempSync(path.join(tmpdir(), 'txreplay-sim-'));
  const textPath = path.join(work, 'events.perf-script.txt');
  const fd = openSync(textPath, 'w');
  const cleanup = (): void => {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(work, { recursive: true, force: true });
  };
  ctx.onInterrupt((exitCode) => {
    cleanup();
    void shutdown(exitCode);
  });
  let result: SimResult;
  try {
    result = simulateToFd(model, scenario, fd);
    closeSync(fd);
    const ingest = await import('@txreplay/ingest');
    if (opts.format === 'perf-script')
      await ingest.writeOutputFile(opts.output, createReadStream(textPath), { inputs: [file] });
    else await ingest.ingestToArrow([textPath], opts.output, { format: 'perf-script' });
    if (opts.dmesg !== undefined) await writeDmesg(scenario, result, opts.dmesg, file);
  } catch (e) {
    if (e instanceof model.ScenarioError) {
      // scenario values only the model can check (e.g. stall_thrs on a kernel without it)
      fail(EXIT.usage, `${file}: ${e.where}: ${e.message.slice(e.message.indexOf(e.where) + e.where.length + 2)}`);
    }
    throw e;
  } finally {
    cleanup();
  }
  // the summary goes to stderr when the events go to stdout
  const summaryTo = opts.output === '-' || opts.dmesg === '-' ? process.stderr : process.stdout;
  summaryTo.write(formatSimulateSummary(result, opts.output));
}

/**
 * The scenario is an input: an output that is the same file (any spelling, hard links) is refused before anything
 * runs — ingestToArrow only knows its own input, the temp text.
 */
async function refuseInputAsOutput(scenario: string, outputs: readonly (string | undefined)[]): Promise<void> {
  const input = statSync(scenario);
  for (const out of outputs) {
    if (out === undefined || out === '-') continue;
    const st = statSync(out, { throwIfNoEntry: false });
    if (st?.isFile() && st.dev === input.dev && st.ino === input.ino) {
      const { OutputError } = await import('@txreplay/ingest');
      throw new OutputError(
        out,
        'EINVAL',
        `refusing to write ${out}: it is the input ${scenario}; choose another output file.`,
      );
    }
  }
}

/**
 * Run the simulation, writing its events as perf script text to `fd` every 64 Ki events (bounded memory),
 * with progress on stderr when it is a terminal.
 */
function simulateToFd(model: ModelLib, scenario: Scenario, fd: number): SimResult {
  let writer: InstanceType<ModelLib['PerfScriptWriter']> | null = null;
  let sinceFlush = 0;
  // the one progress helper (quiet unless stderr is a terminal): simulated ms of the scenario's duration
  const shown = progress('simulate: simulated', 'ms');
  const sim = new model.Simulator(scenario, {
    onEvent: (ev) => {
      writer!.consumer(ev);
      if (++sinceFlush < 65536) return;
      sinceFlush = 0;
      for (const c of writer!.drainChunks()) writeSync(fd, c);
      shown.update(
        Math.min(scenario.durationMs, Math.round((ev.tsNs - scenario.startOffsetNs) / 1e6)),
        scenario.durationMs,
      );
    },
  });
  writer = new model.PerfScriptWriter(model.perfScriptContextFor(scenario, sim.tasks));
  const result = sim.run();
  shown.end();
  for (const c of writer.drainChunks()) writeSync(fd, c);
  return result;
}

/** The driver log lines, dmesg style, through ingest's one writer (atomic, `-` streamed, the scenario refused). */
async function writeDmesg(scenario: Scenario, result: SimResult, file: string, input: string): Promise<void> {
  const drivers = Object.fromEntries(
    scenario.devices.map((d) => [d.name, d.driver === 'veth-like' ? 'veth' : d.driver]),
  );
  const { writeOutputFile } = await import('@txreplay/ingest');
  await writeOutputFile(file, formatDmesg(result, drivers), { inputs: [input] });
}
