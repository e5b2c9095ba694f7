/**
 * Several runs, encoded already, written to the embedded store with one insert per table (`txreplay bulk`): each
 * chDB insert pays a fixed price — a query parsed and planned, its pipeline threads named and accounted, a part
 * written per partition and merged later — which for a run of a few MB was about as much as the rows themselves
 * (packages/report/README.md "Fleet"). A batch of runs is one part per table and partition instead of one per run.
 *
 * Whole or absent, as writeEncodedRun: the `runs` rows (completion markers) go last, in one insert, so a crash
 * leaves rows without a complete `runs` row, which the next bulk run's orphanRuns scan finds and removes before it
 * writes those runs again; a failed insert removes what the batch wrote (dropRun) before it throws.
 */
import { columnNames } from './ddl.js';
import type { EncodedRun } from './encode-run.js';
import { StoreError, type Store } from './store.js';
import { dropRun, insertNativeBlocks, insertRows, runsRow, SIDE_TABLES } from './write.js';

/**
 * Write `runs` — none of them with rows in the store, no two alike — in one insert per table. Embedded store only:
 * it is this process's alone, so there is no other writer to lock out (a server's writers lock run by run).
 */
export async function writeEncodedBatch(store: Store, runs: readonly EncodedRun[]): Promise<void> {
  if (store.config.placement !== 'embedded') throw new Error('writeEncodedBatch: the embedded store only');
  if (runs.length === 0) return;
  const t0 = performance.now();
  try {
    const native: Buffer[] = [];
    for (const r of runs) {
      if (!('native' in r.eventsData)) throw new Error('writeEncodedBatch: a run without Native event blocks');
      native.push(...r.eventsData.native);
    }
    await insertNativeBlocks(store, native);
    for (const t of SIDE_TABLES) {
      const chunks = runs.flatMap((r) => [...(r.rows.tsv[t] ?? [])]);
      if (chunks.length > 0) await insertRows(store, t, chunks);
    }
    // the completion markers, last; write_ms: each run's encoding plus the batch's write so far
    const rows = runs.map((r) => runsRow(r, t0 - r.encodeMs)).join('');
    await store.insertTsv('runs', columnNames('runs'), rows);
  } catch (err) {
    for (const r of runs) await dropRun(store, r.runId).catch(() => undefined);
    throw new StoreError(
      `could not write ${runs.length} run${runs.length > 1 ? 's' : ''} to the ${store.describe()}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
