import path from 'node:path';
import type { Command } from 'commander';
import { loadEvents, NotATraceError, StrictParseError } from '@txreplay/ingest';
import { replayTable, verdictLine } from '@txreplay/replay';
import { Store, StoreError, removeInsertTempFiles, resolveStoreConfig, writeRun, writePostMortem, type StoreFlags } from '@txreplay/report';
import { EXIT } from '../exit.js';
import { addReplayOptions, profilesFromOptions, type ReplayCliOptions } from './diagnose.js';

/** Store flags shared by `report`, `query` and `export`. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--clickhouse-url <url>', 'ClickHouse server over HTTP (default: $TXREPLAY_CLICKHOUSE_URL, $CLICKHOUSE_URL, else the embedded store)')
    .option('--db <dir>', 'embedded chDB data directory (default: $TXREPLAY_DB or ~/.local/share/txreplay/chdb)')
    .option('--database <name>', 'ClickHouse database (default: $CLICKHOUSE_DATABASE or txreplay)');
}

/** Open the store with the documented exit code (5) when ClickHouse fails after retries. */
export async function openStoreForCli(o: StoreFlags): Promise<Store> {
  try {
    return await Store.open(resolveStoreConfig(o));
  } catch (e) {
    process.exitCode = EXIT.store;
    throw e;
  }
}

interface ReportCliOptions extends ReplayCliOptions, StoreFlags {
  html?: string | false;
  md?: string;
  host?: string;
}

/** `txreplay report TRACE|ARROW…`: ingest + replay, store everything in ClickHouse, write the post-mortem. */
export function register(program: Command): void {
  const cmd = program
    .command('report')
    .description('ingest and replay traces, store runs/events/packets/intervals/series/findings in ClickHouse, write a post-mortem')
    .argument('<traces...>', 'trace files (any text format, .gz, .arrow)')
    .option('--html <file>', 'HTML post-mortem path (default: txreplay-<run>.html in the current directory)')
    .option('--no-html', 'do not write the HTML post-mortem')
    .option('--md <file>', 'also write a Markdown post-mortem')
    .option('--host <name>', 'host the trace was captured on (default: this machine)');
  addStoreOptions(cmd);
  addReplayOptions(cmd).action(async (traces: string[], o: ReportCliOptions) => {
    // Ctrl-C at any point: nothing partial is ever visible (the run's `runs` row is written last, post-mortems
    // are renamed into place), so stopping means removing temp files and exiting 130. One handler for the whole
    // command: a signal that arrives while synchronous work (replay) runs is delivered right after it.
    const onSigint = (): void => {
      removeInsertTempFiles();
      process.stderr.write(
        storedRunId
          ? `\ntxreplay: interrupted after run ${storedRunId} was stored; the post-mortem was not written\n`
          : '\ntxreplay: interrupted; the run was not stored (nothing partial is visible; run report again)\n',
      );
      process.exit(EXIT.interrupted);
    };
    storedRunId = null;
    process.on('SIGINT', onSigint);
    try {
      await reportAction(traces, o);
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
}

/** Set once the run's `runs` row is in: what an interrupt message says. */
let storedRunId: string | null = null;

/** ingest → replay → store → post-mortem (the body of `txreplay report`). */
async function reportAction(traces: string[], o: ReportCliOptions): Promise<void> {
  const { profile, devices: deviceProfiles } = profilesFromOptions(o);
  const stallNs = o.stallMs !== undefined ? Number(o.stallMs) * 1e6 : undefined;
  if (stallNs !== undefined && (!Number.isFinite(stallNs) || stallNs <= 0)) {
    process.exitCode = EXIT.usage;
    throw new Error(`bad --stall-ms "${o.stallMs}"`);
  }
  const t0 = performance.now();
  let loaded: Awaited<ReturnType<typeof loadEvents>>;
  const progress =
    process.stderr.isTTY === true
      ? (read: number, total: number | null): void => {
          process.stderr.write(`\rreading ${(read / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`);
        }
      : undefined;
  try {
    loaded = await loadEvents(traces, { format: o.format, strict: o.strict, onProgress: progress });
    if (progress) process.stderr.write('\n');
  } catch (e) {
    if (e instanceof NotATraceError) process.exitCode = EXIT.notATrace;
    else if (e instanceof StrictParseError) process.exitCode = EXIT.parseError;
    throw e;
  }
  for (const s of loaded.summary.sources) {
    if (s.skipped > 0) process.stderr.write(`txreplay: ${s.path}: skipped ${s.skipped} unparseable line(s)\n`);
  }
  const kernel = loaded.summary.sources.find((s) => s.kernel)?.kernel;
  if (!profile.kernel && kernel) profile.kernel = kernel;
  const t1 = performance.now();
  const result = replayTable(loaded.table, { profile, deviceProfiles, stallNs, maxSeriesPoints: 2000, includeLoopback: o.includeLo === true });
  const t2 = performance.now();

  const store = await openStoreForCli(o);
  const tty = process.stderr.isTTY === true;
  let written;
  try {
    // what changes the conclusions is part of the run id: same trace + same options = same run
    const options: Record<string, string | number | boolean> = {
      profile: JSON.stringify(profile),
      deviceProfiles: JSON.stringify(deviceProfiles),
      includeLo: o.includeLo === true,
    };
    if (stallNs !== undefined) options.stallNs = stallNs;
    written = await writeRun(
      store,
      { table: loaded.table, summary: loaded.summary, result, options, host: o.host, timings: { ingestMs: t1 - t0, replayMs: t2 - t1 } },
      {
        onRetry: (attempt, msg, delay) => process.stderr.write(`txreplay: ClickHouse write attempt ${attempt} failed (${msg}); retrying in ${delay} ms\n`),
        // progress only on a terminal (stdout stays the result)
        onEventsProgress: tty ? (rows, total) => process.stderr.write(`\rwriting events ${rows}/${total}`) : undefined,
      },
    );
  } catch (e) {
    if (e instanceof StoreError) process.exitCode = EXIT.store;
    throw e;
  } finally {
    if (tty) process.stderr.write('\n');
    await store.close();
  }
  storedRunId = written.runId;
  process.stdout.write(`${verdictLine(result)}\n`);
  process.stdout.write(
    `${written.status === 'written' ? 'stored' : 'already stored'} run ${written.runId}: ${written.events} events, ${written.packets} packets, ` +
      `${result.findings.length} findings in the ${store.describe()}\n`,
  );
  const html = o.html === false ? undefined : path.resolve(o.html ?? `txreplay-${written.runId.slice(0, 12)}.html`);
  if (html || o.md) await writePostMortem(result, { html, md: o.md, events: loaded.table });
  if (html) process.stdout.write(`post-mortem: ${html}\n`);
  if (o.md) process.stdout.write(`post-mortem (Markdown): ${path.resolve(o.md)}\n`);
}
