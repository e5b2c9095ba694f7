import type { Command } from 'commander';
import type { BulkFileResult, BulkProgress, OpenOptions, StoreFlags } from '@txreplay/report';
import { EXIT } from '../exit.js';
import { action, fail, shutdown } from '../run.js';
import { addReplayOptions, replayOptionsFromFlags, type ReplayCliOptions } from '../replay-flags.js';
import { addStoreOptions, withStore } from '../store-flags.js';
import { statusLine } from '../progress.js';

interface BulkCliOptions extends ReplayCliOptions, StoreFlags {
  jobs?: string;
  host?: string;
  hostFromDir?: boolean;
  ttlDays?: string;
  cluster?: string;
  clusterUrls?: string;
}

/**
 * `txreplay bulk DIR|GLOB…`: every trace file ingested, replayed and stored in parallel (library:
 * @txreplay/report bulkReport). Exit 0 when every file is stored or was already; EXIT.bulkFailures when some
 * could not be read (each listed); 5 when the store fails; 130 on Ctrl-C (stored runs stay, none is partial).
 */
export function register(program: Command): void {
  const cmd = program
    .command('bulk')
    .description('ingest, replay and store many trace files in parallel (skips files already stored)')
    .argument('<inputs...>', 'trace files, directories (recursive) or globs (--json: the per-file summary as JSON)')
    .option(
      '-j, --jobs <n>',
      'parallel jobs: ingest+replay threads; on the embedded store the writer is one of them (default: number of cores)',
    )
    .option('--host <name>', 'host the traces were captured on (default: this machine)')
    .option('--host-from-dir', 'host of each file = the name of the directory it is in')
    .option('--ttl-days <n>', 'drop rows this many days after their time (ClickHouse 20.1+)')
    .option(
      '--cluster <name>',
      'a ClickHouse cluster: local tables on every shard + Distributed tables (README "Cluster")',
    )
    .option('--cluster-urls <urls>', "with --cluster: every shard's HTTP URL, comma-separated, in shard order");
  addStoreOptions(cmd);
  addReplayOptions(cmd).action(
    action(async (ctx, inputs: string[], o: BulkCliOptions) => {
      // inputs and threads first, without loading the store: the threads start while it loads and opens
      const { expandInputs, replayThreads, resolveStoreConfig, startBulkThreads } = await import(
        '@txreplay/report/bulk-start'
      );
      const jobs = o.jobs === undefined ? (await import('node:os')).availableParallelism() : Number(o.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) fail(EXIT.usage, `bad --jobs "${o.jobs}": a whole number ≥ 1`);
      let files: ReturnType<typeof expandInputs>;
      try {
        files = expandInputs(inputs);
      } catch (e) {
        return fail(EXIT.usage, e instanceof Error ? e.message : String(e));
      }
      const openOptions = storeOpenOptions(o);
      const threads = startBulkThreads(replayThreads(jobs, placementOf(o, resolveStoreConfig), files.length));
      try {
        const { bulkReport, removeInsertTempFiles } = await import('@txreplay/report');
        const replay = await replayOptionsFromFlags(o);
        ctx.onInterrupt((exitCode) => {
          removeInsertTempFiles();
          process.stderr.write(
            '\ntxreplay: interrupted; stored runs are whole, none is partial (run bulk again to finish)\n',
          );
          // not process.exit: the embedded engine must finish its running query and close first (exiting under it
          // crashes chDB: SIGSEGV), which the shutdown steps registered by withStore do before exit 130
          void shutdown(exitCode);
        });
        const line = statusLine();
        const results = await withStore(
          o,
          (store) =>
            bulkReport(store, files, {
              jobs,
              replay,
              format: o.format,
              host: o.hostFromDir ? 'parent-dir' : o.host,
              onProgress: process.stderr.isTTY === true ? (p) => line.update(progressLine(p)) : undefined,
              threads,
            }),
          openOptions,
        );
        line.end();
        process.stdout.write(o.json ? `${JSON.stringify(summaryJson(results), null, 2)}\n` : summaryText(results));
        return results.some((r) => r.status === 'failed') ? EXIT.bulkFailures : EXIT.ok;
      } finally {
        await threads.stop();
      }
    }),
  );
}

/** Where the runs go (the threads to start depend on it); a bad URL is the store's error to report, later. */
function placementOf(o: BulkCliOptions, resolve: (o: StoreFlags) => { placement: 'embedded' | 'server' }) {
  try {
    return resolve(o).placement;
  } catch {
    return 'server';
  }
}

function storeOpenOptions(o: BulkCliOptions): OpenOptions {
  const out: OpenOptions = {};
  if (o.ttlDays !== undefined) {
    const days = Number(o.ttlDays);
    if (!Number.isInteger(days) || days < 1)
      fail(EXIT.usage, `bad --ttl-days "${o.ttlDays}": a whole number of days ≥ 1`);
    out.layout = { ttlDays: days };
  }
  if (o.clusterUrls && !o.cluster) fail(EXIT.usage, '--cluster-urls needs --cluster NAME');
  if (o.cluster) {
    if (!o.clusterUrls) fail(EXIT.usage, "--cluster needs --cluster-urls (each shard's HTTP URL, in shard order)");
    out.cluster = {
      name: o.cluster,
      nodeUrls: o.clusterUrls
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    };
  }
  return out;
}

function progressLine(p: BulkProgress): string {
  const s = p.elapsedMs / 1000;
  const rate = s > 0 ? p.bytesDone / s : 0;
  const eta = rate > 0 ? (p.bytesTotal - p.bytesDone) / rate : 0;
  const mb = (b: number): string => (b / 1e6).toFixed(1);
  return `files ${p.filesDone}/${p.filesTotal}  ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB  ${mb(rate)} MB/s  ETA ${Math.ceil(eta)} s   `;
}

function summaryText(results: BulkFileResult[]): string {
  const lines = results.map((r) => {
    const t = `${(r.ms / 1000).toFixed(2)} s`;
    if (r.status === 'failed') return `failed   ${r.path}: ${r.error}`;
    if (r.status === 'skipped') return `skipped  ${r.path}: already stored as run ${r.runId}`;
    return `stored   ${r.path}: run ${r.runId}, ${r.events} events, ${r.findings} findings, ${r.verdict}, ${t}`;
  });
  const n = (s: BulkFileResult['status']): number => results.filter((r) => r.status === s).length;
  lines.push(`${results.length} files: ${n('stored')} stored, ${n('skipped')} already stored, ${n('failed')} failed`);
  return `${lines.join('\n')}\n`;
}

function summaryJson(results: BulkFileResult[]): object {
  const n = (s: BulkFileResult['status']): number => results.filter((r) => r.status === s).length;
  return { files: results, stored: n('stored'), skipped: n('skipped'), failed: n('failed') };
}
