/**
 * Kernel logs beside traces (`txreplay diagnose trace.txt dmesg.txt`): the log inputs' records become findings
 * (rules/kernel-log.ts) on the same timeline. printk stamps (`[ 123.456789]`) are local_clock(), the clock perf and
 * ftrace stamp their events with by default, so a log and a trace of one boot line up without an offset.
 * I/O edge: reads the files; the reading of the records is pure.
 */
import { parseKernelLog, readWholeText, type KernelRecord, type TraceInput } from '@txreplay/ingest/plain';
import { findingsFromKernelLog } from './rules/kernel-log.js';
import { alignLogRecords, type BootTime, type LogAlignment, type TraceTimeout } from './log-clock.js';
import { verdictOf } from './view/verdict.js';
import type { Coverage, EnobufsSource, Finding, ReplayResult } from './types.js';
import { SEVERITY_RANK } from './replay.js';

export interface LogEvidence {
  sources: string[];
  records: number;
  /** applications' "No buffer space available" lines (symptoms: not TX-path records) */
  appEnobufs: number;
  /** of those, iputils ping's: printed only after every send for its linger time (10 s by default) was refused */
  iputilsPingEnobufs: number;
  findings: Finding[];
  /** first and last printk time of the records that carry one */
  firstNs: bigint | null;
  lastNs: bigint | null;
  /** per log: how its times were put on the trace clock */
  clock: LogAlignment[];
  /** the wall clock a log gives: a record with a zoned wall stamp and a time on the trace clock (logWallClock) */
  wallClock: ReplayResult['trace']['wallClock'];
  /** a log is ESXi's vmkernel.log: its NIC drivers run under vmklinux, where no tracepoint can be recorded */
  esxi?: true;
}

/**
 * A wall clock from a kernel log: the first record that has both a zoned wall stamp (RFC 3339 / ISO 8601 with its
 * zone, journal __REALTIME_TIMESTAMP) and a time on the trace clock (its printk stamp, or as aligned). The wall
 * stamp is when syslog or journald received the record, a little after printk: good to a few ms. Zone-less stamps
 * (classic syslog, dmesg -T in local time) give none.
 */
function logWallClock(records: readonly KernelRecord[], path: string): LogEvidence['wallClock'] {
  for (const r of records) {
    if (r.wallTimeUs !== undefined && r.tsBootNs !== undefined)
      return { offsetNs: r.wallTimeUs * 1000n - r.tsBootNs, source: `kernel log ${path}` };
  }
  return null;
}

/** What the trace says about the logs' clock: its watchdog events, and the user's boot time. */
export interface LogClockContext {
  timeouts: readonly TraceTimeout[];
  bootTime: BootTime | null;
  /** false when the logs are read alone: there is no trace clock to put them on */
  hasTrace: boolean;
}

/**
 * A log input's records, read and parsed once per opened input: the driver names are taken from them before the
 * replay (logDrivers) and the findings after it (readLogEvidence).
 */
const parsedLogs = new WeakMap<TraceInput, Promise<KernelRecord[]>>();
function recordsOf(input: TraceInput): Promise<KernelRecord[]> {
  let p = parsedLogs.get(input);
  if (!p) {
    p = readWholeText(input.path).then((text) => parseKernelLog(text).records);
    parsedLogs.set(input, p);
  }
  return p;
}

/** The trace's NETDEV WATCHDOG events (net_dev_xmit_timeout), for matching a wall-clock log to them. */
export function traceTimeouts(result: ReplayResult | null): TraceTimeout[] {
  if (!result) return [];
  return result.findings.flatMap((f) =>
    f.kind === 'watchdog_timeout'
      ? f.evidence
          .filter((e) => e.event === 'net:net_dev_xmit_timeout')
          .map((e) => ({ dev: f.dev, queue: f.queue, tsNs: e.tsNs }))
      : [],
  );
}

/**
 * iputils ping (ping_common.c pinger) retries a send refused with ENOBUFS every min(interval/2, 500 ms) without a
 * word, and prints the error only once the refusals with no success between them add up to its linger time (10 s,
 * or -W): the line says the output was refused that long, not for one burst.
 */
const IPUTILS_LINGER =
  '. This is iputils ping: it retries a refused send silently and prints the error only after every send for its linger time (10 s by default, -W) was refused with no success between them — the output stayed refused that long: a TX queue stopped or frozen behind a full qdisc, or a neighbour table full all that time, not one burst';

export async function readLogEvidence(
  logs: readonly TraceInput[],
  clock: LogClockContext = { timeouts: [], bootTime: null, hasTrace: false },
): Promise<LogEvidence> {
  const out: LogEvidence = {
    sources: [],
    records: 0,
    appEnobufs: 0,
    iputilsPingEnobufs: 0,
    findings: [],
    firstNs: null,
    lastNs: null,
    clock: [],
    wallClock: null,
  };
  for (const input of logs) {
    const parsed = await recordsOf(input);
    const { records, alignment } = alignLogRecords(parsed, input.path, clock.timeouts, clock.bootTime, clock.hasTrace);
    out.clock.push(alignment);
    out.wallClock ??= logWallClock(records, input.path);
    out.sources.push(input.path);
    out.records += records.filter(isTxPathRecord).length;
    out.appEnobufs += records.filter((r) => r.kind === 'app_enobufs').length;
    out.iputilsPingEnobufs += records.filter((r) => r.kind === 'app_enobufs' && r.ping === 'iputils').length;
    out.findings.push(...findingsFromKernelLog(records, input.path));
    if (records.some((r) => r.esxi)) out.esxi = true;
    for (const r of records) {
      // a log read without a trace keeps its zoned wall-clock stamps (journal, ISO 8601) as its findings do
      const t = r.tsBootNs ?? (r.wallTimeUs !== undefined ? r.wallTimeUs * 1000n : undefined);
      if (t === undefined) continue;
      if (out.firstNs === null || t < out.firstNs) out.firstNs = t;
      if (out.lastNs === null || t > out.lastNs) out.lastNs = t;
    }
  }
  return out;
}

/**
 * The driver each device is named with in the kernel logs among `inputs` (`igb 0000:01:00.0 eth0: …`,
 * `NETDEV WATCHDOG: eth0 (macb): …`), for the driver profile the trace's devices are judged with.
 */
export async function logDrivers(inputs: readonly TraceInput[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const input of inputs) {
    if (input.kind !== 'log') continue;
    for (const r of await recordsOf(input)) {
      const named = r as { dev?: string; driver?: string };
      if (named.dev && named.driver && named.driver !== 'unknown' && !out.has(named.dev))
        out.set(named.dev, named.driver);
    }
  }
  return out;
}

/**
 * Every record the reader makes concerns the TX path except link changes on their own and applications' ENOBUFS
 * lines (a symptom of one of several layers: logOnlyResult says which it cannot tell apart).
 */
function isTxPathRecord(r: KernelRecord): boolean {
  return r.kind !== 'link_change' && r.kind !== 'app_enobufs';
}

const byRankThenTime = (a: Finding, b: Finding): number =>
  SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0);

/** One second: a log line and the trace event of the same kernel call (dev_watchdog(), a driver's hang check). */
const SAME_TIMEOUT_NS = 1_000_000_000n;

/**
 * The trace's finding a log finding describes again: same kind, device and queue, windows overlapping within a
 * second (the log's stamps and the trace's can differ by its resolution).
 */
function traceTwin(findings: readonly Finding[], f: Finding): Finding | undefined {
  return findings.find(
    (t) =>
      t.kind === f.kind &&
      t.dev === f.dev &&
      (t.queue === null || f.queue === null || t.queue === f.queue) &&
      t.startNs - SAME_TIMEOUT_NS <= f.endNs &&
      f.startNs <= t.endNs + SAME_TIMEOUT_NS,
  );
}

/**
 * The trace's result with the logs' findings added. A log record the trace also shows (a NETDEV WATCHDOG line and
 * its net_dev_xmit_timeout; a driver's hang dump and the stall the trace reconstructs) adds its lines as evidence to
 * the trace's finding instead of making a second one.
 */
export function withLogEvidence(result: ReplayResult, logs: LogEvidence): ReplayResult {
  const findings = [...result.findings];
  const fromTrace = result.findings;
  for (const f of logs.findings) {
    const twin = traceTwin(fromTrace, f);
    if (!twin) {
      findings.push(f);
      continue;
    }
    twin.evidence.push(...f.evidence);
    if (f.kind !== 'watchdog_timeout') twin.explanation += ` The kernel log agrees: ${f.explanation}`;
  }
  findings.sort(byRankThenTime);
  // a log record is evidence: with one, "nothing to judge" no longer holds (a trace wholly lost still says little,
  // but the log's findings stand on their own)
  const logRecords = result.coverage.logRecords + logs.records;
  const coverage: Coverage = {
    ...result.coverage,
    logRecords,
    unknownWhy:
      logRecords > 0
        ? result.trace.events === 0 && !findings.some((f) => f.severity !== 'info')
          ? // a log reports failures; one without any cannot vouch for the TX path (no events to judge it by)
            `the log's ${logRecords} record(s) show no TX-queue failure, and a log alone cannot show that the TX path was healthy`
          : null
        : logs.appEnobufs > 0 && result.trace.events === 0
          ? `an application saw ENOBUFS (${logs.appEnobufs} "No buffer space available" line(s)) but the input holds no kernel record of where: the qdisc (NET_XMIT_DROP, or its txq stopped or frozen behind it), the neighbour layer (table overflow, unresolved queue full) or the socket send buffer (sk_wmem_alloc over sk_sndbuf: __ip_append_data returns -ENOBUFS) — capture skb:kfree_skb (its reason says which) with txreplay capture${logs.iputilsPingEnobufs > 0 ? IPUTILS_LINGER : ''}`
          : result.coverage.unknownWhy,
  };
  const enobufs = withLogEnobufs(result.enobufs, findings, logs.appEnobufs);
  return {
    ...result,
    // the trace's own wall clock first; else the one a kernel log gives (its records are on the trace clock)
    trace: {
      ...result.trace,
      sources: [...result.trace.sources, ...logs.sources],
      wallClock: result.trace.wallClock ?? logs.wallClock,
    },
    findings,
    ...(enobufs ? { enobufs } : {}),
    coverage,
    verdict: verdictOf(findings, coverage),
    logClock: [...(result.logClock ?? []), ...logs.clock],
  };
}

/**
 * The ENOBUFS sources with what the logs add: "neighbour table overflow" lines show the neighbour layer. A log
 * alone (no trace) cannot exclude any layer; its sources are listed only when the log shows one or an application
 * printed ENOBUFS.
 */
function withLogEnobufs(
  fromTrace: EnobufsSource[] | undefined,
  findings: readonly Finding[],
  appEnobufs: number,
): EnobufsSource[] | undefined {
  const overflow = findings.filter((f) => f.kind === 'neigh_table_overflow');
  if (!fromTrace && overflow.length === 0 && appEnobufs === 0) return undefined;
  const base = fromTrace ?? LOG_ONLY_ENOBUFS;
  if (overflow.length === 0) return base;
  return base.map((s) =>
    s.layer === 'neighbour'
      ? {
          ...s,
          status: 'shown',
          where: overflow.map((f) => f.title),
          why: `${s.status === 'shown' ? `${s.why}; ` : ''}the kernel log reports neighbour table overflow: __neigh_create() returned -ENOBUFS`,
        }
      : s,
  );
}

const NO_TRACE = 'no trace of the TX path was given: a log cannot show or exclude this layer';
const LOG_ONLY_ENOBUFS: EnobufsSource[] = (['qdisc', 'neighbour', 'socket_buffer', 'stacked_device'] as const).map(
  (layer) => ({ layer, status: 'cannot_exclude', packets: null, where: [], why: NO_TRACE }),
);

/** The result of logs alone: no queues or series (no events), the logs' findings and their verdict. */
export function logOnlyResult(logs: LogEvidence): ReplayResult {
  const empty: ReplayResult = {
    trace: {
      sources: [],
      events: 0,
      firstNs: logs.firstNs ?? 0n,
      lastNs: logs.lastNs ?? 0n,
      lostEvents: 0,
      wallClock: logs.wallClock,
    },
    queues: [],
    series: [],
    findings: [],
    captureAdvice:
      logs.sources.length > 0
        ? [
            logs.esxi
              ? "an ESXi vmkernel.log shows that the uplink's TX path failed, rarely why, and ESXi has no tracepoints to record: take `esxcli network nic stats get -n VMNIC` twice during the next stall and keep vmkernel.log and vobd.log around it"
              : "a kernel log shows that the TX path failed (a queue timed out, a driver's own check fired), rarely why: record the TX path through the next stall with `txreplay capture --seconds N --dev DEV -o trace.txt` and diagnose it together with the log",
          ]
        : [],
    napi: [],
    verdict: 'unknown',
    coverage: {
      txPathEvents: 0,
      logRecords: 0,
      signals: {},
      missing: [],
      cannotJudge: [],
      lostEvents: 0,
      unknownNs: 0,
      unknownWhy:
        'the log holds no NETDEV WATCHDOG line, driver TX dump, stall check, failed USB transfer, recovery or neighbour-table record',
    },
  };
  return withLogEvidence(empty, logs);
}
