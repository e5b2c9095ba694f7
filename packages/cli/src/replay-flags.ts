/**
 * Flags shared by `diagnose`, `replay` and `report`: what the model assumes about the devices (profile
 * flags, --profile file, --device-profile), the stall threshold and the input format. Parsing only; the
 * library is loaded when a command runs, not when it is registered (start-up).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { LoadOptions, TraceFormat } from '@txreplay/ingest';
import type { DeviceProfile, DeviceProfiles, ReplayOptions, ReplayResult } from '@txreplay/replay/plain';
import { EXIT } from './exit.js';
import { fail, readProgress } from './run.js';

/** The input formats --format takes (commander refuses any other with exit 2, listing these). */
export const TRACE_FORMATS: readonly TraceFormat[] = [
  'perf-script',
  'perf-trace',
  'ftrace',
  'trace-cmd',
  'bpftrace',
  'bpftrace-json',
  'arrow',
];

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
  stallThrs?: string;
  bootTime?: string;
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
    .option(
      '--profile <file.json>',
      'device profile file with the same keys as the flags, plus "devices": {"<dev>": {…}} for per-device profiles',
    )
    .option(
      '--device-profile <spec>',
      "one device's profile, overriding the flags for it: dev=NAME,driver=…,ring=…,rate=…,qdisc=…,txqueuelen=…,hz=…,kernel=… (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--stall-ms <ms>', 'a stop or stuck in-flight data longer than this is a stall (default 500)')
    .option(
      '--stall-thrs <ms,...>',
      "what the kernel's BQL stall detector (6.9+ byte_queue_limits/stall_thrs) would have caught: stall_cnt, stall_max per queue for each threshold",
    )
    .option(
      '--boot-time <when>',
      "wall time at boot of the host that wrote wall-clock kernel logs (syslog, dmesg -T, journal): epoch seconds (btime in /proc/stat) or ISO 8601 with its zone; without it a log is aligned by matching its NETDEV WATCHDOG lines to the trace's net_dev_xmit_timeout events",
    )
    .option('--include-lo', 'also diagnose the loopback device')
    .addOption(new Option('--format <fmt>', 'input format (default: sniffed)').choices(TRACE_FORMATS))
    .option('--strict', 'stop at the first unparseable line');
}

const usage = (message: string): never => fail(EXIT.usage, message);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Global profile (file, then flags) and per-device profiles (file "devices", then --device-profile). */
async function profilesFromOptions(o: ReplayCliOptions): Promise<{ profile: DeviceProfile; devices: DeviceProfiles }> {
  const { parseDeviceProfileSpec, parseProfile, parseProfileFile } = await import('@txreplay/replay/plain');
  let fromFile: DeviceProfile = {};
  let devices: DeviceProfiles = {};
  if (o.profile) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(o.profile, 'utf8'));
    } catch (e) {
      usage(`--profile ${o.profile}: ${messageOf(e)}`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) usage(`--profile ${o.profile}: expected a JSON object`);
    try {
      const parsed = parseProfileFile(raw as Record<string, unknown>, o.profile);
      fromFile = parsed.profile;
      devices = parsed.devices;
    } catch (e) {
      usage(messageOf(e));
    }
  }
  try {
    const flags = parseProfile(
      {
        driver: o.driver,
        ring: o.ring,
        rate: o.rate,
        qdisc: o.qdisc,
        txqueuelen: o.txqueuelen,
        hz: o.hz,
        kernel: o.kernel,
      },
      'flags',
    );
    for (const spec of o.deviceProfile ?? []) {
      const { dev, profile } = parseDeviceProfileSpec(spec);
      devices = { ...devices, [dev]: { ...devices[dev], ...profile } };
    }
    return { profile: { ...fromFile, ...flags }, devices };
  } catch (e) {
    return usage(messageOf(e));
  }
}

/** The replay options the flags give (profiles, stall threshold, loopback). */
export async function replayOptionsFromFlags(
  o: ReplayCliOptions,
): Promise<ReplayOptions & { profile: DeviceProfile; deviceProfiles: DeviceProfiles }> {
  const { profile, devices: deviceProfiles } = await profilesFromOptions(o);
  let stallNs: number | undefined;
  if (o.stallMs !== undefined) {
    const ms = Number(o.stallMs);
    if (!Number.isFinite(ms) || ms <= 0) usage(`bad --stall-ms "${o.stallMs}"`);
    stallNs = ms * 1e6;
  }
  let stallThrsMs: number[] | undefined;
  if (o.stallThrs !== undefined) {
    const { stallThrsJiffies } = await import('@txreplay/replay/plain');
    stallThrsMs = o.stallThrs.split(',').map((v) => Number(v.trim()));
    for (const ms of stallThrsMs) {
      try {
        stallThrsJiffies(ms, Number(profile.hz ?? 250));
      } catch (e) {
        usage(`bad --stall-thrs "${o.stallThrs}": ${messageOf(e)}`);
      }
    }
  }
  return { profile, deviceProfiles, stallNs, includeLoopback: o.includeLo === true, stallThrsMs };
}

/** How to read the inputs: format, --strict, Ctrl-C, and reading progress when stderr is a terminal. */
export function loadOptionsFromFlags(o: ReplayCliOptions, signal: AbortSignal): LoadOptions {
  return { format: o.format, strict: o.strict, signal, onProgress: readProgress() };
}

/** Exit code 1 when a finding is worse than info (README "Exit codes"). */
export function findingsExitCode(r: ReplayResult): number {
  if (r.verdict === 'unknown') return EXIT.unknown;
  return r.findings.some((f) => f.severity !== 'info') ? EXIT.findings : EXIT.ok;
}
