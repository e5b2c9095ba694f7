/**
 * replay(table): observed reconstruction + model expectations + findings → ReplayResult (types.ts).
 */
import type { Table } from 'apache-arrow';
import { META, wallClockFromMeta } from '@txreplay/ingest/plain';
import { readColumns, timeOrder } from './columns.js';
import { tableChunksAligned, tableSource, type BatchSource } from './input/batches.js';
import type { SpillFile } from './input/spill.js';
import { observe, observeSource } from './observe/observe.js';
import type { Observed, QueueObs } from './observe/records.js';
import { makeFindings } from './rules/index.js';
import { DEFAULT_HZ, DEFAULT_KERNEL, profileFor, type DeviceProfile, type DeviceProfiles } from './profile.js';
import { expectQueue, jiffiesMapper, type QueueExpectation } from './expected-dql.js';
import type { Coverage, Interval, QueueSeries, QueueSummary, ReplayResult, Severity } from './types.js';
import { queueSummary } from './view/summary.js';
import { queueSeries } from './view/series.js';
import { captureAdvice, pointerHex } from './view/advice.js';
import { enobufsSources } from './view/enobufs.js';
import { queueCoverageOf } from './view/queue-coverage.js';
import { coverageOf, unknownReason, verdictOf } from './view/verdict.js';
import { stallThrsWhatIf } from './stall-whatif.js';
import { chooseDrivers } from './driver-evidence.js';
import { sharedNamesOf } from './view/shared-names.js';

export interface ReplayOptions {
  profile?: DeviceProfile;
  /** per-device overrides of `profile` (keyed by device name) */
  deviceProfiles?: DeviceProfiles;
  /** a stop or stuck in-flight data longer than this is a stall (ns); default 500 ms */
  stallNs?: number;
  /** cap on points per queue series (thinned, first/last and extremes kept); default: all; 0: no series at all
   * (the text verdict draws none, and thinning a long queue's points is a tenth of a small diagnose's CPU) */
  maxSeriesPoints?: number;
  /** jiffies at a known ts (e.g. from a BQL snapshot) so the DQL model runs on the kernel's jiffies */
  jiffiesAnchor?: { tsNs: bigint; jiffies: number };
  /** also make findings for the loopback device `lo` (default false; its counts are always summarised) */
  includeLoopback?: boolean;
  /** BQL stall detector what-if: the stall_thrs values (ms) to run over each queue's stream (stall-whatif.ts) */
  stallThrsMs?: number[];
  /** drivers named by kernel logs given beside the trace, by device name (driver-evidence.ts) */
  logDrivers?: ReadonlyMap<string, string>;
}

/** Severity order for verdicts and exit codes. */
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function replayTable(table: Table, opts: ReplayOptions = {}): ReplayResult {
  const src = tableChunksAligned(table) ? tableSource(table) : null;
  return replaySource(src, table.schema.metadata, () => table, opts);
}

/**
 * Replay a batch source (rows in time order: one pass, batch by batch, no whole-table copy); when the
 * source is out of order (or absent) the whole table is loaded, sorted and replayed in one piece. `spill`: where the
 * pass's per-event lists and the expected DQL's keep their older chunks (observeSource), open until this returns.
 */
export function replaySource(
  src: BatchSource | null,
  metadata: Map<string, string>,
  wholeTable: () => Table,
  opts: ReplayOptions = {},
  spill: SpillFile | null = null,
): ReplayResult {
  // a replay that draws no series keeps none of their points
  const keepSeries = opts.maxSeriesPoints !== 0;
  let obs = src ? observeSource(src, spill, keepSeries) : null;
  if (!obs) {
    const cols = readColumns(wholeTable());
    obs = observe(cols, timeOrder(cols), keepSeries);
  }
  return replayObserved(obs, metadata, opts);
}

/** The reconstruction `obs` of a table with `metadata` → expectations, findings, verdict. */
export function replayObserved(obs: Observed, metadata: Map<string, string>, opts: ReplayOptions = {}): ReplayResult {
  const kernelMeta = metadata.get(META.kernel) || '';
  const profile: DeviceProfile = { ...opts.profile };
  if (!profile.kernel) profile.kernel = kernelMeta || DEFAULT_KERNEL;
  const hz = profile.hz ?? DEFAULT_HZ;
  const sources = sourcesOf(metadata, obs);
  const result = assemble(obs, { ...opts, profile }, hz, sources);
  const wall = wallClockFromMeta(metadata.get(META.wallClock));
  result.trace.wallClock = wall ? { offsetNs: wall.wallNs - wall.traceNs, source: wall.source } : null;
  return result;
}

function sourcesOf(metadata: Map<string, string>, obs: Observed): string[] {
  const raw = metadata.get(META.sources);
  if (raw) {
    try {
      const arr = JSON.parse(raw) as { path?: string }[];
      const paths = arr.map((s) => s.path).filter((p): p is string => typeof p === 'string');
      if (paths.length > 0) return paths;
    } catch {
      /* fall through to the column */
    }
  }
  return [...obs.rows.sourceNames()];
}

function assemble(
  obs: Observed,
  opts: ReplayOptions & { profile: DeviceProfile },
  hz: number,
  sources: string[],
): ReplayResult {
  const base = obs.baseNs;
  const ns = (rel: number): bigint => base + BigInt(Math.round(rel));
  const stallNs = opts.stallNs ?? 500e6;
  const jiffiesOf = jiffiesMapper(hz, base, opts.jiffiesAnchor);
  // the driver each device is judged with: the user's, else the one the trace or a kernel log names
  const { choices, deviceProfiles } = chooseDrivers(
    obs.devices,
    opts.profile,
    opts.deviceProfiles,
    opts.logDrivers ?? new Map(),
  );
  // expected BQL per queue (the model's DQL fed with the observed stream): series and §I.8 checks
  const expected = new Map<QueueObs, QueueExpectation>();
  for (const d of obs.devices) {
    const kernel = profileFor(opts.profile, deviceProfiles, d.name).kernel ?? DEFAULT_KERNEL;
    for (const q of d.queues.values()) expected.set(q, expectQueue(q, kernel, hz, jiffiesOf, obs.firstRel));
  }
  const { findings, cannotJudge } = makeFindings(obs, {
    profile: opts.profile,
    deviceProfiles,
    hz,
    stallNs,
    includeLoopback: opts.includeLoopback ?? false,
    expected,
  });

  const queues: QueueSummary[] = [];
  const series: QueueSeries[] = [];
  const unknown: Interval[] = obs.gaps.map((g) => ({ startNs: ns(g.startRel), endNs: ns(g.endRel), state: 'UNKNOWN' }));
  const qs: QueueObs[] = [];
  for (const d of obs.devices) for (const q of [...d.queues.values()].sort((a, b) => a.queue - b.queue)) qs.push(q);
  for (const q of qs) {
    const ex = expected.get(q)!;
    queues.push(queueSummary(obs, q, ex, unknown, ns));
    if (opts.maxSeriesPoints !== 0) series.push(queueSeries(q, ex, opts.maxSeriesPoints, ns));
  }

  const whatIf =
    opts.stallThrsMs && opts.stallThrsMs.length > 0
      ? stallThrsWhatIf(obs, opts.profile.kernel ?? DEFAULT_KERNEL, hz, jiffiesOf, opts.stallThrsMs, ns)
      : undefined;
  const sorted = findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0),
  );
  const covered = coverageOf(obs);
  const shared = sharedNamesOf(obs);
  const napi = obs.napis.map((x) => ({
    dev: x.dev.name,
    napi: pointerHex(x.napi),
    polls: x.polls,
    fullPolls: x.fullPolls,
    firstNs: ns(x.firstRel),
    lastNs: ns(x.lastRel),
    maxGapNs: Math.round(x.maxGap),
    maxGapStartNs: x.maxGapStartRel === x.maxGapStartRel ? ns(x.maxGapStartRel) : null,
  }));
  const coverage: Coverage = {
    ...covered,
    unknownWhy: unknownReason(covered, obs.lastRel - obs.firstRel),
    cannotJudge,
    ...(shared.length > 0 ? { sharedNames: shared } : {}),
    queues: [],
  };
  coverage.queues = queueCoverageOf(queues, napi, coverage, obs.lastRel - obs.firstRel);
  return {
    verdict: verdictOf(sorted, coverage),
    coverage,
    ...(whatIf ? { stallWhatIf: whatIf } : {}),
    trace: {
      sources,
      events: obs.events,
      firstNs: ns(obs.firstRel),
      lastNs: ns(obs.lastRel),
      lostEvents: obs.lostEvents,
      wallClock: null,
    },
    queues,
    series,
    findings: sorted,
    drivers: choices,
    captureAdvice: captureAdvice(obs),
    napi,
    enobufs: enobufsSources(obs, (dev) => profileFor(opts.profile, deviceProfiles, dev).qdisc),
  };
}
