import path from 'node:path';
import type { Command } from 'commander';
import type { StoreFlags } from '@txreplay/report';
import { EXIT } from '../exit.js';
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
    .argument('<traces...>', 'trace files (any text format, .gz, .arrow)')
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

/** ingest → replay → store → post-mortem (the body of `txreplay report`); `onStored` once the `runs` row is in. */
async function reportAction(traces: string[], o: ReportCliOptions, onStored: (runId: string) => void): Promise<number> {
  const [{ loadEvents }, { replayTable, verdictLine, toJson }, { writeRun, writePostMortem }] = await Promise.all([
    import('@txreplay/ingest'),
    import('@txreplay/replay'),
    import('@txreplay/report'),
  ]);
  const replayOptions = await replayOptionsFromFlags(o);
  const { profile, deviceProfiles, stallNs } = replayOptions;
  const t0 = performance.now();
  const loaded = await loadEvents(traces, { format: o.format, strict: o.strict, onProgress: readProgress() });
  endProgress();
  for (const s of loaded.summary.sources) {
    if (s.skipped > 0) process.stderr.write(`txreplay: ${s.path}: skipped ${s.skipped} unparseable line(s)\n`);
  }
  const kernel = loaded.summary.sources.find((s) => s.kernel)?.kernel;
  if (!profile.kernel && kernel) profile.kernel = kernel;
  const t1 = performance.now();
  const result = replayTable(loaded.table, { ...replayOptions, maxSeriesPoints: 2000 });
  const t2 = performance.now();

  const eventsProgress = progress('writing events');
  // what changes the conclusions is part of the run id: same trace + same options = same run
  const options: Record<string, string | number | boolean> = {
    profile: JSON.stringify(profile),
    deviceProfiles: JSON.stringify(deviceProfiles),
    includeLo: o.includeLo === true,
  };
  if (stallNs !== undefined) options.stallNs = stallNs;
  let placement = '';
  const written = await withStore(o, async (store) => {
    placement = store.describe();
    try {
      return await writeRun(
        store,
        {
          table: loaded.table,
          summary: loaded.summary,
          result,
          options,
          host: o.host,
          driver: profile.driver,
          timings: { ingestMs: t1 - t0, replayMs: t2 - t1 },
        },
        {
          onRetry: (attempt, msg, delay) =>
            process.stderr.write(
              `txreplay: ClickHouse write attempt ${attempt} failed (${msg}); retrying in ${delay} ms\n`,
            ),
          // progress only on a terminal (stdout stays the result)
          onEventsProgress: (rows, total) => eventsProgress.update(rows, total),
        },
      );
    } finally {
      eventsProgress.end();
    }
  });
  onStored(written.runId);
  // only the files the user asked for: the run itself is in the store
  const html = typeof o.html === 'string' ? path.resolve(o.html) : undefined;
  const md = o.md === undefined ? undefined : path.resolve(o.md);
  if (html || md) await writePostMortem(result, { html, md, events: loaded.table, profile, deviceProfiles });
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
