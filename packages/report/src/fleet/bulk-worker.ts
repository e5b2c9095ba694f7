/**
 * Worker thread of `bulkReport`: ingest + replay of one trace file at a time, the CPU-bound part. The event
 * table goes back as an Arrow IPC stream in a transferred buffer (no copy), the replay result by structured
 * clone. The worker never touches the store: chDB allows one writer process, so the parent thread writes.
 */
import { parentPort } from 'node:worker_threads';
import { tableToIPC } from 'apache-arrow';
import { loadEvents, type IngestSummary, type TraceFormat } from '@txreplay/ingest';
import { replayTable, type DeviceProfile, type ReplayOptions, type ReplayResult } from '@txreplay/replay';

export interface BulkJob {
  id: number;
  path: string;
  format?: TraceFormat;
  replay: ReplayOptions & { profile: DeviceProfile };
}

export type BulkJobResult =
  | {
      id: number;
      ok: true;
      ipc: Uint8Array;
      summary: IngestSummary;
      result: ReplayResult;
      /** the profile after the trace's kernel filled in a missing --kernel (part of the run id, as in `report`) */
      profile: DeviceProfile;
      ingestMs: number;
      replayMs: number;
    }
  | { id: number; ok: false; error: string };

async function run(job: BulkJob): Promise<BulkJobResult> {
  try {
    const t0 = performance.now();
    // workers: 0 — this thread is already one of the --jobs; nested parse workers would oversubscribe the cores
    const loaded = await loadEvents([job.path], { format: job.format, workers: 0 });
    const kernel = loaded.summary.sources.find((s) => s.kernel)?.kernel;
    const profile = { ...job.replay.profile };
    if (!profile.kernel && kernel) profile.kernel = kernel;
    const t1 = performance.now();
    const result = replayTable(loaded.table, { ...job.replay, profile, maxSeriesPoints: 2000 });
    const t2 = performance.now();
    const ipc = tableToIPC(loaded.table, 'stream');
    return {
      id: job.id,
      ok: true,
      ipc,
      summary: loaded.summary,
      result,
      profile,
      ingestMs: t1 - t0,
      replayMs: t2 - t1,
    };
  } catch (e) {
    return { id: job.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

parentPort?.on('message', (job: BulkJob) => {
  void run(job).then((r) => {
    if (r.ok) parentPort!.postMessage(r, [r.ipc.buffer as ArrayBuffer]);
    else parentPort!.postMessage(r);
  });
});
