import path from 'node:path';
import type { Command } from 'commander';
import type { ReplayResult } from '@txreplay/replay';
import type { IngestSummary } from '@txreplay/ingest';
import type { RunSummary, SourceHash, StoreFlags, StreamedTrace, WriteOptions } from '@txreplay/report';
import type { Table } from 'apache-arrow';
import { paint, verdictStyle } from '../colour.js';
import { endProgress, progress, readProgress } from '../progress.js';
import { action, onShutdown, shutdown } from '../run.js';
import { addReplayOptions, findingsExitCode, replayOptionsFromFlags, type ReplayCliOptions } from '../replay-flags.js';
import { addStoreOptions, withStore } from '../store-flags.js';

interface ReportCliOptions extends ReplayCliOptions, StoreFlags {
  html?: string | false;
  md?: string;
  host?: string;
}

/** `txreplay report TRACE|ARROW…`: ingest + replay, store everything in ClickHouse, write the post-mortem. */
export function register(program: Command): void {
  const cmd = program
    .command('report')
    .description(
      'ingest and replay traces, store runs/events/packets/intervals/series/findings in ClickHouse, write a post-mortem',
    )
    .argument(
      '<traces...>',
      'trace files (any text format, .gz, .arrow, perf.data, trace.dat) and evidence beside them or alone (kernel logs; tc -s, ethtool -S, ip -s link, ifconfig, netstat -i, /proc/net/dev, sysfs statistics/, sar -n DEV/EDEV, nstat / netstat -s, TX-queue sysfs, /proc/interrupts snapshots; bpftrace maps)',
    )
    .option('--html <file>', 'write the HTML post-mortem to this file (none without it)')
    .option('--no-html', 'do not write the HTML post-mortem (the default; kept for old scripts)')
    .option('--md <file>', 'write a Markdown post-mortem to this file (its SVG timelines beside it)')
    .option('--host <name>', 'host the trace was captured on (default: this machine)');
  addStoreOptions(cmd);
  addReplayOptions(cmd).action(
    action(async (ctx, traces: string[], o: ReportCliOptions) => {
      ctx.inputs(traces);
      if (o.html !== false) ctx.output(o.html, '--html');
      ctx.output(o.md, '--md');
      // Ctrl-C at any point: nothing partial is ever visible (the run's `runs` row is written last, post-mortems
      // are renamed into place), so stopping means letting the running store call finish and closing the store
      // (store-flags.ts), then removing temp files and exiting 130/143. A signal that arrives while synchronous
      // work (replay) runs is delivered right after it.
      const { removeInsertTempFiles } = await import('@txreplay/report');
      let storedRunId: string | null = null;
      ctx.onInterrupt((exitCode) => {
        // the temp files go at the very exit, after the store's own step (registered when it opened) let the
        // running insert finish (it reads its temp file) and after any insert the writer began meanwhile
        process.once('exit', removeInsertTempFiles);
        onShutdown(() => {
          process.stderr.write(
            storedRunId
              ? `\ntxreplay: interrupted after run ${storedRunId} was stored; the post-mortem was not written\n`
              : '\ntxreplay: interrupted; the run was not stored (nothing partial is visible; run report again)\n',
          );
        });
        void shutdown(exitCode);
      });
      // the same exit code as diagnose: 1 with warning/critical findings, 7 when the verdict is unknown
      return await reportAction(traces, o, (runId) => (storedRunId = runId));
    }),
  );
}

type ReplayFlagOptions = Awaited<ReturnType<typeof replayOptionsFromFlags>>;

/**
 * A trace ingested and replayed: its events as a table, or streamed into a temporary Arrow file. `replay` gives the
 * result (replayed once, the first time it is called; `timings.replayMs` is set then): a streamed run into the
 * embedded store is replayed by the writer while chDB reads its events (report's writeStreamedRun).
 */
interface Replayed {
  replay: () => Promise<ReplayResult>;
  summary: RunSummary;
  timings: { ingestMs: number; replayMs: number };
  table: Table | null;
  streamed: StreamedTrace | null;
  /** evidence was given beside the traces (its wall clock may place the run: the replay must come first) */
  evidence: boolean;
}

/**
 * Ingest, then (when `replay` is called) replay and add the evidence given beside the traces (kernel logs, tc/ethtool
 * snapshots, bpftrace maps) as diagnose adds it; evidence alone is a run with no events. Large text traces (report's
 * streamsReport) stream: parsed batch by batch into a temporary Arrow file and replayed from it, never a whole table
 * in memory; a post-mortem (--html/--md) draws from the whole table.
 */
async function ingestForReplay(paths: string[], o: ReportCliOptions, replay: ReplayFlagOptions): Promise<Replayed> {
  const [{ loadEvents }, rp, rep] = await Promise.all([
    import('@txreplay/ingest'),
    import('@txreplay/replay'),
    import('@txreplay/report'),
  ]);
  const { profile } = replay;
  const t0 = performance.now();
  const load = { format: o.format, strict: o.strict, onProgress: readProgress() };
  const { traces, evidence } = await rp.splitEvidence(paths, load);
  const stream =
    traces.length > 0 && o.html === undefined && o.md === undefined && (await rep.streamsReport(traces, load));
  const logDrivers = await rp.evidenceDrivers(evidence);
  // the replay's options: the profile takes the kernel the trace names
  const optionsFor = (traceSummary: IngestSummary | null) => {
    const kernel = traceSummary?.sources.find((s) => s.kernel)?.kernel;
    if (!profile.kernel && kernel) profile.kernel = kernel;
    return { ...replay, maxSeriesPoints: 2000, logDrivers };
  };
  // a streamed trace is replayed by the parse's own process (report's streamTrace), whose memory is gone after
  const streamed = stream ? await rep.streamTrace(traces, load, { replayOptions: optionsFor }) : null;
  const loaded = streamed || traces.length === 0 ? null : await loadEvents(traces, load);
  endProgress();
  const traceSummary = streamed?.summary ?? loaded?.summary ?? null;
  for (const s of traceSummary?.sources ?? []) {
    if (s.skipped > 0) process.stderr.write(`txreplay: ${s.path}: skipped ${s.skipped} unparseable line(s)\n`);
  }
  const timings = { ingestMs: performance.now() - t0 - (streamed?.replayMs ?? 0), replayMs: 0 };
  const opts = optionsFor(traceSummary);
  const replayOnce = async (): Promise<ReplayResult> => {
    const t1 = performance.now();
    let result: ReplayResult | null = streamed?.result ?? null;
    // the events insert runs beside this pass: its lists spill to disk so that memory stays bounded
    if (streamed && !result) result = await rp.replayArrowFile(streamed.arrowFile, opts, true);
    else if (loaded) result = rp.replayTable(loaded.table, opts);
    if (evidence.length > 0) {
      const onNote = (note: string): boolean => process.stderr.write(`txreplay: ${note}\n`);
      result = await rp.addEvidence(result, evidence, { ...opts, bootTime: o.bootTime, onNote });
    }
    timings.replayMs = performance.now() - t1 + (streamed?.replayMs ?? 0);
    return result!;
  };
  let replayed: Promise<ReplayResult> | undefined;
  const summary = rep.withEvidenceSources(traceSummary, evidence);
  // evidence alone: a run with no events (its findings and its `runs` row)
  const table = loaded?.table ?? (streamed ? null : rep.noEvents());
  return {
    replay: () => (replayed ??= replayOnce()),
    summary,
    timings,
    table,
    streamed,
    evidence: evidence.length > 0,
  };
}

/** True when the flags name the embedded store (a bad flag: false here, the store's opening says why). */
async function embeddedStore(o: ReportCliOptions): Promise<boolean> {
  const { resolveStoreConfig } = await import('@txreplay/report');
  try {
    return resolveStoreConfig(o).placement === 'embedded';
  } catch {
    return false;
  }
}

/** What changes the conclusions is part of the run id: same trace + same options = same run. */
function runOptions(replay: ReplayFlagOptions, o: ReportCliOptions): Record<string, string | number | boolean> {
  const options: Record<string, string | number | boolean> = {
    profile: JSON.stringify(replay.profile),
    deviceProfiles: JSON.stringify(replay.deviceProfiles),
    includeLo: o.includeLo === true,
  };
  if (replay.stallNs !== undefined) options.stallNs = replay.stallNs;
  return options;
}

/**
 * The run id's input for a streamed trace: its files' hashes (computed beside the replay), then the evidence's, as
 * writeRun hashes the summary's sources — else a trace with a log beside it would be the trace's own run.
 */
async function runHashes(
  streamed: StreamedTrace,
  sources: readonly { path: string }[],
  hashSources: (paths: string[]) => Promise<SourceHash[]>,
): Promise<SourceHash[]> {
  const traceHashes = await streamed.hashes;
  const evidencePaths = sources.slice(traceHashes.length).map((s) => s.path);
  return evidencePaths.length > 0 ? [...traceHashes, ...(await hashSources(evidencePaths))] : traceHashes;
}

/** ingest → replay → store → post-mortem (the body of `txreplay report`); `onStored` once the `runs` row is in. */
async function reportAction(traces: string[], o: ReportCliOptions, onStored: (runId: string) => void): Promise<number> {
  const [{ verdictLine, toJson }, { writeRun, writeStreamedRun, writePostMortem, hashSources }] = await Promise.all([
    import('@txreplay/replay'),
    import('@txreplay/report'),
  ]);
  const replayOptions = await replayOptionsFromFlags(o);
  const { profile, deviceProfiles } = replayOptions;
  const { replay, summary, timings, table, streamed, evidence } = await ingestForReplay(traces, o, replayOptions);
  // a streamed run into chDB is replayed by the writer while the store reads its events; else replay now (to a
  // server: beside the hashing thread; with evidence, whose wall clock the events would have to wait for)
  const overlap = streamed !== null && !evidence && (await embeddedStore(o));
  const replayed = overlap ? null : await replay();

  const eventsProgress = progress('writing events');
  const options = runOptions(replayOptions, o);
  let placement = '';
  const run = { summary, options, host: o.host, driver: profile.driver, timings };
  const writeOptions: WriteOptions = {
    onRetry: (attempt, msg, delay) =>
      process.stderr.write(`txreplay: ClickHouse write attempt ${attempt} failed (${msg}); retrying in ${delay} ms\n`),
    // progress only on a terminal (stdout stays the result)
    onEventsProgress: (rows, total) => eventsProgress.update(rows, total),
  };
  let written: Awaited<ReturnType<typeof writeRun>>;
  try {
    // hashed before the store opens (their memory and chDB's never add up), unless the replay overlaps the insert
    const streamedHashes = async () => (streamed ? runHashes(streamed, summary.sources, hashSources) : undefined);
    let hashes = overlap ? undefined : await streamedHashes();
    written = await withStore(o, async (store) => {
      placement = store.describe();
      hashes ??= await streamedHashes();
      try {
        return streamed
          ? await writeStreamedRun(
              store,
              {
                ...run,
                ...(replayed ? { result: replayed } : { replay }),
                arrowFile: streamed.arrowFile,
                events: streamed.events,
                lastNs: streamed.lastNs,
                packets: streamed.packets,
                hashes,
              },
              // the store closes right after: its merges would be cancelled (stream-write.ts closesStore)
              { ...writeOptions, closesStore: true },
            )
          : await writeRun(store, { ...run, result: replayed!, table: table! }, writeOptions);
      } finally {
        eventsProgress.end();
      }
    });
  } finally {
    streamed?.remove();
  }
  onStored(written.runId);
  // replayed by now, unless the run was stored already
  const result = await replay();
  // only the files the user asked for: the run itself is in the store
  const html = typeof o.html === 'string' ? path.resolve(o.html) : undefined;
  const md = o.md === undefined ? undefined : path.resolve(o.md);
  if (html || md) await writePostMortem(result, { html, md, events: table ?? undefined, profile, deviceProfiles });
  if (o.json) {
    // the replay JSON (packages/replay/README.md "JSON schema") plus where the run was stored
    const stored = { ...written, placement, html: html ?? null, md: md ?? null };
    process.stdout.write(`${JSON.stringify({ ...JSON.parse(toJson(result)), stored })}\n`);
    return findingsExitCode(result);
  }
  const verdict = verdictLine(result);
  const style = verdictStyle(verdict);
  process.stdout.write(`${style ? paint(process.stdout, style, verdict) : verdict}\n`);
  process.stdout.write(
    `${written.status === 'written' ? 'stored' : 'already stored'} run ${written.runId}: ${written.events} events, ${written.packets} packets, ` +
      `${result.findings.length} findings in the ${placement}\n`,
  );
  if (html) process.stdout.write(`post-mortem: ${html}\n`);
  if (md) process.stdout.write(`post-mortem (Markdown): ${md}\n`);
  return findingsExitCode(result);
}
