import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { NotATraceError, StrictParseError, type TraceFormat } from '@txreplay/ingest';
import {
  formatVerdict,
  isArrowFile,
  loadForReplay,
  parseDeviceProfileSpec,
  parseProfile,
  parseProfileFile,
  replayArrowFile,
  replayTable,
  toJson,
  type DeviceProfile,
  type DeviceProfiles,
  type LoadedTrace,
  type ReplayResult,
} from '@txreplay/replay';
import { writePostMortem } from '@txreplay/report';
import { EXIT } from '../exit.js';

/** Options shared by `diagnose` and `replay` (profile flags: what the model assumes about the device). */
export interface ReplayCliOptions {
  json?: boolean;
  driver?: string;
  ring?: string;
  rate?: string;
  qdisc?: string;
  txqueuelen?: string;
  hz?: string;
  kernel?: string;
  profile?: string;
  deviceProfile?: string[];
  stallMs?: string;
  includeLo?: boolean;
  format?: TraceFormat;
  strict?: boolean;
}

export function addReplayOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'emit the machine-readable result (packages/replay/README.md "JSON schema") on stdout')
    .option('--driver <name>', 'driver profile: igb, macb, virtio_net, veth, generic')
    .option('--ring <n>', 'TX ring size (descriptors)')
    .option('--rate <rate>', 'link rate, e.g. 1G, 100M')
    .option('--qdisc <kind>', 'root qdisc kind, e.g. pfifo_fast')
    .option('--txqueuelen <n>', 'device txqueuelen')
    .option('--hz <n>', 'kernel CONFIG_HZ (default 250)')
    .option('--kernel <release>', 'kernel release (default: from the trace, else 6.18)')
    .option('--profile <file.json>', 'device profile file with the same keys as the flags, plus "devices": {"<dev>": {…}} for per-device profiles')
    .option(
      '--device-profile <spec>',
      'one device\'s profile, overriding the flags for it: dev=NAME,driver=…,ring=…,rate=…,qdisc=…,txqueuelen=…,hz=…,kernel=… (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--stall-ms <ms>', 'a stop or stuck in-flight data longer than this is a stall (default 500)')
    .option('--include-lo', 'also diagnose the loopback device')
    .option('--format <fmt>', 'input format (default: sniffed): perf-script, ftrace, trace-cmd, bpftrace, bpftrace-json, arrow')
    .option('--strict', 'stop at the first unparseable line');
}

function usage(message: string): never {
  process.exitCode = EXIT.usage;
  throw new Error(message);
}

export function profileFromOptions(o: ReplayCliOptions): DeviceProfile {
  return profilesFromOptions(o).profile;
}

/** Global profile (file, then flags) and per-device profiles (file "devices", then --device-profile). */
export function profilesFromOptions(o: ReplayCliOptions): { profile: DeviceProfile; devices: DeviceProfiles } {
  let fromFile: DeviceProfile = {};
  let devices: DeviceProfiles = {};
  if (o.profile) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(o.profile, 'utf8'));
    } catch (e) {
      usage(`--profile ${o.profile}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) usage(`--profile ${o.profile}: expected a JSON object`);
    try {
      const parsed = parseProfileFile(raw as Record<string, unknown>, o.profile);
      fromFile = parsed.profile;
      devices = parsed.devices;
    } catch (e) {
      usage(e instanceof Error ? e.message : String(e));
    }
  }
  try {
    const flags = parseProfile(
      { driver: o.driver, ring: o.ring, rate: o.rate, qdisc: o.qdisc, txqueuelen: o.txqueuelen, hz: o.hz, kernel: o.kernel },
      'flags',
    );
    for (const spec of o.deviceProfile ?? []) {
      const { dev, profile } = parseDeviceProfileSpec(spec);
      devices = { ...devices, [dev]: { ...devices[dev], ...profile } };
    }
    return { profile: { ...fromFile, ...flags }, devices };
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
}

/** Ingest + replay with the documented exit codes for bad input. */
export async function runReplay(
  traces: string[],
  o: ReplayCliOptions,
  seriesPoints: number | undefined,
  needTable = true,
): Promise<{ result: ReplayResult; table: LoadedTrace['table'] | null }> {
  const { profile, devices: deviceProfiles } = profilesFromOptions(o);
  let stallNs: number | undefined;
  if (o.stallMs !== undefined) {
    const ms = Number(o.stallMs);
    if (!Number.isFinite(ms) || ms <= 0) usage(`bad --stall-ms "${o.stallMs}"`);
    stallNs = ms * 1e6;
  }
  // one ingested .arrow and no post-mortem to write: replay it record batch by record batch straight from
  // the file (only the columns replay reads), without building the table
  if (!needTable && traces.length === 1 && (o.format === 'arrow' || (o.format === undefined && (await isArrowFile(traces[0]!))))) {
    try {
      const result = await replayArrowFile(traces[0]!, { profile, deviceProfiles, stallNs, maxSeriesPoints: seriesPoints, includeLoopback: o.includeLo === true });
      return { result, table: null };
    } catch (e) {
      if (e instanceof NotATraceError) process.exitCode = EXIT.notATrace; // truncated / corrupt .arrow
      throw e;
    }
  }
  const ac = new AbortController();
  const onSig = (): void => ac.abort();
  process.once('SIGINT', onSig);
  let loaded: LoadedTrace;
  try {
    const progress =
      process.stderr.isTTY === true
        ? (read: number, total: number | null): void => {
            process.stderr.write(`\rreading ${(read / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`);
          }
        : undefined;
    loaded = await loadForReplay(traces, { format: o.format, strict: o.strict, signal: ac.signal, onProgress: progress });
    if (progress) process.stderr.write('\n');
  } catch (e) {
    if (ac.signal.aborted) process.exitCode = EXIT.interrupted;
    else if (e instanceof NotATraceError) process.exitCode = EXIT.notATrace;
    else if (e instanceof StrictParseError) process.exitCode = EXIT.parseError;
    throw e;
  } finally {
    process.removeListener('SIGINT', onSig);
  }
  if (!profile.kernel && loaded.kernel) profile.kernel = loaded.kernel;
  for (const note of loaded.notes) process.stderr.write(`txreplay: ${note}\n`);
  const result = replayTable(loaded.table, { profile, deviceProfiles, stallNs, maxSeriesPoints: seriesPoints, includeLoopback: o.includeLo === true });
  return { result, table: loaded.table };
}

export function findingsExitCode(r: ReplayResult): number {
  return r.findings.some((f) => f.severity !== 'info') ? EXIT.findings : EXIT.ok;
}

/** `txreplay diagnose TRACE…`: ingest, replay, findings, verdict. */
export function register(program: Command): void {
  const cmd = program
    .command('diagnose')
    .description('post-mortem of a TX-path trace: real vs expected per device and queue, findings and a verdict')
    .argument('<traces...>', 'trace files (perf script, ftrace, trace-cmd, bpftrace text/json, .gz, .arrow; - for stdin)')
    .option('--html <file>', 'also write an HTML post-mortem')
    .option('--md <file>', 'also write a Markdown post-mortem');
  addReplayOptions(cmd).action(async (traces: string[], o: ReplayCliOptions & { html?: string; md?: string }) => {
    const postMortem = Boolean(o.html || o.md);
    const { result, table } = await runReplay(traces, o, 500, postMortem);
    if (o.json) process.stdout.write(toJson(result) + '\n');
    else process.stdout.write(formatVerdict(result));
    if (postMortem && table) await writePostMortem(result, { html: o.html, md: o.md, events: table });
    process.exitCode = findingsExitCode(result);
  });
}
