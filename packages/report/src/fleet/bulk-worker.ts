/**
 * Worker thread of `bulkReport`: ingest, replay and the encoding of every row of one trace file at a time — all
 * the CPU-bound work of a run. The encoded run (encode-run.ts encodeRun: Native event blocks, TSV side rows) goes back
 * in transferred buffers (fleet/transfer.ts: no copy), so the parent thread, the one writer (chDB allows one
 * writer process), only hands bytes to ClickHouse.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { loadEvents, type TraceFormat, type TraceInput } from '@txreplay/ingest';
import type { Table } from 'apache-arrow';
import {
  addEvidence,
  replayTable,
  splitEvidence,
  type DeviceProfile,
  type DeviceProfiles,
  type ReplayOptions,
  type ReplayResult,
} from '@txreplay/replay';
import type { ServerCaps } from '../caps.js';
import type { StoreConfig } from '../config.js';
import { encodeRun, type SourceHash } from '../encode-run.js';
import { noEvents, withEvidenceSources, type RunSummary } from '../evidence-run.js';
import { runOptions } from './run-options.js';
import { toTransfer, type WireRun } from './transfer.js';

export interface BulkJob {
  id: number;
  path: string;
  format?: TraceFormat;
  replay: ReplayOptions & { profile: DeviceProfile; deviceProfiles: DeviceProfiles };
  hash: SourceHash;
  host?: string;
  caps: ServerCaps;
  placement: StoreConfig['placement'];
}

export type BulkJobResult =
  | {
      id: number;
      ok: true;
      run: WireRun;
      findings: number;
      verdict: ReplayResult['verdict'];
      ingestMs: number;
      replayMs: number;
      /** CPU time (user + system) of this thread for the job: Linux only */
      cpuMs?: number;
    }
  | { id: number; ok: false; error: string };

/**
 * One file's events, or — a kernel log, a tc/ethtool snapshot, bpftrace maps — its evidence inputs and no events
 * (a run of evidence alone: evidence-run.ts).
 */
async function loadRun(job: BulkJob): Promise<{ table: Table; summary: RunSummary; evidence: TraceInput[] | null }> {
  const { evidence } = await splitEvidence([job.path], { format: job.format });
  if (evidence.length > 0) return { table: noEvents(), summary: withEvidenceSources(null, evidence), evidence };
  // workers: 0 — this thread is already one of the --jobs; nested parse workers would oversubscribe the cores
  const loaded = await loadEvents([job.path], { format: job.format, workers: 0 });
  return { ...loaded, evidence: null };
}

/** This thread's CPU time so far, ms (Linux: /proc/thread-self/schedstat, ns on the CPU); undefined elsewhere. */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

async function run(job: BulkJob): Promise<{ r: BulkJobResult; transfer: ArrayBuffer[] }> {
  try {
    const cpu0 = threadCpuMs();
    const t0 = performance.now();
    const loaded = await loadRun(job);
    const kernel = loaded.summary.sources.find((s) => s.kernel)?.kernel;
    const profile = { ...job.replay.profile };
    if (!profile.kernel && kernel) profile.kernel = kernel;
    const t1 = performance.now();
    const result = loaded.evidence
      ? await addEvidence(null, loaded.evidence)
      : replayTable(loaded.table, { ...job.replay, profile, maxSeriesPoints: 2000 });
    const t2 = performance.now();
    const encoded = encodeRun(
      {
        table: loaded.table,
        summary: loaded.summary,
        result,
        options: runOptions(profile, job.replay),
        host: job.host,
        driver: profile.driver,
        timings: { ingestMs: t1 - t0, replayMs: t2 - t1 },
        hashes: [job.hash],
      },
      job.caps,
      job.placement,
    );
    const { wire, transfer } = toTransfer(encoded);
    const cpu1 = threadCpuMs();
    const r: BulkJobResult = {
      id: job.id,
      ok: true,
      run: wire,
      findings: result.findings.length,
      verdict: result.verdict,
      ingestMs: t1 - t0,
      replayMs: t2 - t1,
      ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuMs: cpu1 - cpu0 } : {}),
    };
    return { r, transfer };
  } catch (e) {
    return { r: { id: job.id, ok: false, error: e instanceof Error ? e.message : String(e) }, transfer: [] };
  }
}

parentPort?.on('message', (job: BulkJob) => {
  void run(job).then(({ r, transfer }) => parentPort!.postMessage(r, transfer));
});
