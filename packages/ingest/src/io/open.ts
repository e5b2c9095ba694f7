/**
 * The front door: what each input is, decided once, before anything reads it for rows. Loaders (./api.ts
 * loadEvents/ingestToArrow, replay's diagnose, the CLI) take the TraceInput instead of asking again "is this one
 * .arrow file?" with their own rules.
 *
 * - `-` is stdin; a named pipe (`<(perf script)`), a device or a socket is a `stream`: both are read once, as
 *   they come, so their gzip and text format are found by the reader from the first bytes it reads.
 * - A regular file is an Arrow input when it has the Arrow IPC file magic (`ARROW1`: `arrowFile`, random access by
 *   its footer), the stream continuation marker, or an Arrow name (.arrow/.arrows/.feather); else it is text,
 *   gunzipped when it starts with the gzip magic (any name), and its format is sniffed here from its first lines
 *   (../parse/sniff.ts), or `format` when given. NotATraceError when it is not a trace.
 * - A regular text file that is no trace but a kernel log (dmesg, syslog, journalctl, kern.log, pasted with
 *   prefixes: ../parse/kernel-log) is a `log` input: replay reads its NETDEV WATCHDOG lines and driver dumps as
 *   evidence beside the traces.
 * - perf.data and trace.dat (also gzipped) are `binary` inputs, read by ../parse/perf-data and ../parse/trace-dat.
 * - `tc -s qdisc show`, `ethtool -S`, `ip -s link` (text or -j), `ifconfig`, `netstat -i`, /proc/net/dev, `sar -n DEV`/`EDEV`, a TX queue's sysfs files (BQL's byte_queue_limits/*, tx_timeout), /proc/interrupts pasted
 *   once or more are `counters` inputs: counters without timestamps, judged by replay from what changed between
 *   snapshots (../parse/tc-stats, ../parse/ethtool-stats, ../parse/queue-sysfs, ../parse/ip-link, ../parse/interrupts).
 * - bpftrace output that holds only maps (`@x[eth0]: 12`, hist/lhist/stats, text or `-f json`) is an `aggregates`
 *   input: counts without timestamps, summarised beside the traces (../parse/bpftrace-maps), never "0 events".
 */
import { open, stat } from 'node:fs/promises';
import type { TraceFormat } from '../table/schema.js';
import { NotATraceError } from '../parse/errors.js';
import { looksLikeBpftraceAggregates } from '../parse/bpftrace-maps/detect.js';
import { looksLikeTcStats } from '../parse/tc-stats/read.js';
import { looksLikeNicStats } from '../parse/ethtool-stats/read.js';
import { looksLikeInterrupts } from '../parse/interrupts/read.js';
import { looksLikeIfconfig } from '../parse/ip-link/ifconfig.js';
import { looksLikeNetstatInterfaces } from '../parse/ip-link/netstat-interfaces.js';
import { looksLikeSysfsStatistics } from '../parse/ip-link/sysfs-statistics.js';
import { looksLikeSarNet } from '../parse/sar-net/read.js';
import { looksLikeIpCounters } from '../parse/ip-counters/read.js';
import { looksLikeProcNetDev } from '../parse/ip-link/proc-net-dev.js';
import { looksLikeQueueSysfs } from '../parse/queue-sysfs/read.js';
import { looksLikeLinkStats } from '../parse/ip-link/read.js';
import { looksLikeKernelLog } from '../parse/kernel-log/detect.js';
import { parseKernelLog } from '../parse/kernel-log/records.js';
import { detectBinaryFormat } from '../parse/tracing-data/index.js';
import type { BinaryFormat } from './binary.js';
import { wallClockOfLines, type WallClock } from '../parse/wallClock.js';
import { headBytesOf, headLines, sniffTextHead } from './source.js';

export interface TraceInput {
  /** as given (`-` = stdin): the `source` column and the messages use it */
  readonly path: string;
  /**
   * a trace as text, an Arrow table, a kernel log (evidence records, not trace events), bpftrace maps (counts),
   * qdisc counters (`tc -s qdisc show` snapshots)
   */
  readonly kind: 'text' | 'arrow' | 'log' | 'binary' | 'aggregates' | 'counters';
  /** bpftrace's output shape of an `aggregates` input */
  readonly aggregates?: 'json' | 'text';
  /** what a `counters` input holds: `tc -s qdisc show`, `ethtool -S`, /sys/class/net/DEV/queues/tx-N files, `ip -s link`, `ifconfig`, `netstat -i`, /proc/net/dev, a device's sysfs statistics/, `sar -n DEV,EDEV`, /proc/interrupts, `nstat` / `netstat -s` */
  readonly counters?:
    | 'tc-stats'
    | 'ethtool-stats'
    | 'queue-sysfs'
    | 'ip-link'
    | 'ifconfig'
    | 'netstat-i'
    | 'sysfs-statistics'
    | 'proc-net-dev'
    | 'sar-net'
    | 'ip-counters'
    | 'interrupts';
  /** perf.data or trace.dat (kind 'binary'), by its magic (`PERFILE2`, `\x17\x08\x44tracing`), also gzipped */
  readonly binary?: BinaryFormat;
  /** an Arrow IPC file (ARROW1 magic and footer): its columns can be read in place, by offset */
  readonly arrowFile: boolean;
  /** a regular file (re-readable by offset), stdin, or another stream (named pipe, device) */
  readonly transport: 'file' | 'stdin' | 'stream';
  /** gzip-compressed (regular text files; a stream's reader finds out from its first bytes) */
  readonly gzip: boolean;
  /** size of a regular file, null for stdin and streams */
  readonly bytes: number | null;
  /** 'arrow', the text format (given or sniffed), or null: sniffed by the reader (stdin, streams) */
  readonly format: TraceFormat | null;
  /**
   * a text file's wall clock, from its header comments (perf script --header, our capture header), read with its
   * head here so nothing reads the head again after the parse; null: none; absent: not looked at (streams)
   */
  readonly wallClock?: WallClock | null;
}

export interface OpenTraceOptions {
  /** the format of every input (no sniffing; 'arrow' = Arrow inputs) */
  format?: TraceFormat;
}

const ARROW_NAMES = ['.arrow', '.feather', '.arrows'];

/** The first 16 bytes of a regular file. */
async function magicOf(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Decide what one input is (see the file comment). */
export async function openTraceInput(path: string, opts: OpenTraceOptions = {}): Promise<TraceInput> {
  const forced = opts.format ?? null;
  const arrowName = path !== '-' && ARROW_NAMES.some((ext) => path.endsWith(ext));
  if (path === '-' || !(await stat(path)).isFile()) {
    // peeking at a named pipe would fail (ESPIPE) or eat its first bytes (opening it connects the writer): only
    // regular files are looked into, and stat() does not open
    const arrow = forced === 'arrow' || (forced === null && arrowName);
    const transport = path === '-' ? 'stdin' : 'stream';
    return {
      path,
      kind: arrow ? 'arrow' : 'text',
      arrowFile: false,
      transport,
      gzip: false,
      bytes: null,
      format: arrow ? 'arrow' : forced,
    };
  }
  const bytes = (await stat(path)).size;
  const magic = await magicOf(path);
  const arrowFile = magic.length >= 6 && magic.toString('latin1', 0, 6) === 'ARROW1';
  const arrowStream = magic.length >= 4 && magic.readUInt32LE(0) === 0xffffffff;
  if (forced === 'arrow' || (forced === null && (arrowFile || arrowStream || arrowName))) {
    return { path, kind: 'arrow', arrowFile, transport: 'file', gzip: false, bytes, format: 'arrow' };
  }
  const gzipped = magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  const file = { path, arrowFile: false, transport: 'file', gzip: gzipped, bytes } as const;
  const ungzippedBinary = forced === null && !gzipped ? detectBinaryFormat(magic) : null;
  if (ungzippedBinary !== null) return { ...file, kind: 'binary', binary: ungzippedBinary, format: null };
  // the head, read once (gunzipped), answers every question below: binary behind a .gz, maps, format, log, clock
  const head = await headBytesOf(path);
  const binary = forced === null && gzipped ? detectBinaryFormat(head) : null;
  if (binary !== null) return { ...file, kind: 'binary', binary, format: null };
  const lines = headLines(head);
  if (forced === null) {
    const aggregates = looksLikeBpftraceAggregates(lines);
    if (aggregates !== null) return { ...file, kind: 'aggregates', aggregates, format: null };
    if (looksLikeTcStats(lines)) return { ...file, kind: 'counters', counters: 'tc-stats', format: null };
    if (looksLikeNicStats(lines)) return { ...file, kind: 'counters', counters: 'ethtool-stats', format: null };
    if (looksLikeQueueSysfs(lines)) return { ...file, kind: 'counters', counters: 'queue-sysfs', format: null };
    if (looksLikeLinkStats(lines)) return { ...file, kind: 'counters', counters: 'ip-link', format: null };
    if (looksLikeIfconfig(lines)) return { ...file, kind: 'counters', counters: 'ifconfig', format: null };
    if (looksLikeSysfsStatistics(lines))
      return { ...file, kind: 'counters', counters: 'sysfs-statistics', format: null };
    if (looksLikeNetstatInterfaces(lines)) return { ...file, kind: 'counters', counters: 'netstat-i', format: null };
    if (looksLikeProcNetDev(lines)) return { ...file, kind: 'counters', counters: 'proc-net-dev', format: null };
    if (looksLikeSarNet(lines)) return { ...file, kind: 'counters', counters: 'sar-net', format: null };
    if (looksLikeIpCounters(lines)) return { ...file, kind: 'counters', counters: 'ip-counters', format: null };
    if (looksLikeInterrupts(lines)) return { ...file, kind: 'counters', counters: 'interrupts', format: null };
  }
  try {
    const format = sniffTextHead(path, head, forced);
    return { ...file, kind: 'text', format, wallClock: wallClockOfLines(lines) };
  } catch (err) {
    // not a trace: a kernel log is evidence too (a forced format says the user knows better)
    if (!(err instanceof NotATraceError) || forced !== null) throw err;
    // bare kernel messages pasted without their stamps (a bug report's excerpt) make no envelope guess: they are
    // a log when the reader finds a TX-path record in them (NETDEV WATCHDOG, a ring dump, a recovery step)
    if (looksLikeKernelLog(lines) === null && parseKernelLog(lines.join('\n')).records.length === 0) throw err;
    return { ...file, kind: 'log', format: null };
  }
}

/**
 * Decide what every input is, in order (the first one that is not a trace throws NotATraceError). Inputs already
 * opened are kept as they are, so a loader handed TraceInputs does not look at the files again.
 */
export async function openTrace(
  paths: readonly (string | TraceInput)[],
  opts: OpenTraceOptions = {},
): Promise<TraceInput[]> {
  const out: TraceInput[] = [];
  for (const p of paths) out.push(typeof p === 'string' ? await openTraceInput(p, opts) : p);
  return out;
}

/**
 * The one Arrow input when the inputs are exactly that (loadEvents hands it over as written; replay reads it in
 * place when it is an `arrowFile`), else null.
 */
export function singleArrowInput(inputs: readonly TraceInput[]): TraceInput | null {
  return inputs.length === 1 && inputs[0]!.kind === 'arrow' ? inputs[0]! : null;
}
