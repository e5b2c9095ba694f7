/**
 * Several runs, encoded already, written with one insert per table (`txreplay bulk`): each insert pays a fixed
 * price — a query parsed and planned, its pipeline threads named and accounted, a part written per partition and
 * merged later, on a server a request — which for a run of a few MB was about as much as its rows (README "Fleet").
 * A batch of runs is one part per table and partition instead of one per run.
 *
 * Whole or absent, as writeEncodedRun: the `runs` rows (completion markers) go last, in one insert. A failed batch
 * removes what it wrote and the caller writes its runs one by one (writeEncodedRun, with its retries). On a server
 * the batch holds every run's lock (lock.ts, taken in run-id order so two batch writers cannot deadlock) and asks
 * once which of them are there already, whole or in part; the embedded store is this process's alone.
 */
import { columnNames, quoteString, TABLES } from './ddl.js';
import type { EncodedRun } from './encode-run.js';
import { withLock } from './lock.js';
import type { Store } from './store.js';
import { dropRun, dropRunRows, insertNativeBlocks, insertRows, runsRow, SIDE_TABLES } from './write.js';

/** The inserts of a batch: events, side tables, then the `runs` rows. */
async function insertBatch(store: Store, runs: readonly EncodedRun[]): Promise<void> {
  const t0 = performance.now();
  const native: Buffer[] = [];
  for (const r of runs) {
    if (!('native' in r.eventsData)) throw new Error('writeEncodedBatch: a run without Native event blocks');
    native.push(...r.eventsData.native);
  }
  await insertNativeBlocks(store, 'events', native);
  for (const t of SIDE_TABLES) {
    const chunks = runs.flatMap((r) => [...(r.rows.tsv[t] ?? [])]);
    if (chunks.length > 0) await insertRows(store, t, chunks);
    // a run encoded with Native side rows (a streamed run's packets) keeps them Native
    const blocks = runs.flatMap((r) => [...(r.nativeRows?.[t] ?? [])]);
    if (blocks.length > 0) await insertNativeBlocks(store, t, blocks, undefined, true);
  }
  // the completion markers, last; write_ms: each run's encoding plus the batch's write so far
  const rows = runs.map((r) => runsRow(r, t0 - r.encodeMs)).join('');
  await store.insertTsv('runs', columnNames('runs'), rows);
}

/** insertBatch; when it fails, what it wrote is removed (dropRun) before the error goes on. */
async function insertOrRemove(store: Store, runs: readonly EncodedRun[]): Promise<void> {
  try {
    await insertBatch(store, runs);
  } catch (err) {
    for (const r of runs) await dropRun(store, r.runId);
    throw err;
  }
}

/** Of `runIds`: the complete ones, and the tables that hold rows of each incomplete one (leftovers). One query. */
async function batchRowCounts(
  store: Store,
  runIds: readonly string[],
): Promise<{ complete: Set<string>; leftovers: Map<string, (typeof TABLES)[number][]> }> {
  const ids = runIds.map(quoteString).join(', ');
  const parts = TABLES.map(
    (t) =>
      `SELECT run_id AS r, ${quoteString(t)} AS t, toString(max(${t === 'runs' ? 'complete' : '0'})) AS c FROM ${store.readTable(t)} WHERE run_id IN (${ids}) GROUP BY run_id`,
  );
  const rows = await store.queryRows<{ r: string; t: (typeof TABLES)[number]; c: string }>(parts.join(' UNION ALL '));
  const complete = new Set(rows.filter((x) => x.t === 'runs' && Number(x.c) === 1).map((x) => x.r));
  const leftovers = new Map<string, (typeof TABLES)[number][]>();
  for (const x of rows) if (!complete.has(x.r)) leftovers.set(x.r, [...(leftovers.get(x.r) ?? []), x.t]);
  return { complete, leftovers };
}

/** `work` holding the lock of every run in `runIds` (server), taken in id order; kept when `keep` says so. */
function withRunLocks<T>(
  store: Store,
  runIds: readonly string[],
  work: () => Promise<T>,
  keep: () => Promise<boolean>,
): Promise<T> {
  const ids = [...runIds].sort();
  const take = (k: number): Promise<T> =>
    k === ids.length
      ? work()
      : withLock(
          store,
          `run_${ids[k]}`,
          () => take(k + 1),
          async () => undefined,
          { keepOnError: keep },
        );
  return take(0);
}

/**
 * Write `runs` (one shard's, no two alike) in one insert per table; returns the ids of those that were there
 * already. Embedded: every run must be new to the store (bulk knows its complete runs and leftovers). Server: under
 * the runs' locks, the complete ones are left and the leftovers of failed writes removed first. Throws when the
 * batch failed, its rows removed — or, when even that failed, the server's locks kept so the next writer of those
 * runs removes them (lock.ts keepOnError).
 */
export async function writeEncodedBatch(store: Store, runs: readonly EncodedRun[]): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  if (store.config.placement === 'embedded') {
    await insertOrRemove(store, runs);
    return new Set();
  }
  const ids = runs.map((r) => r.runId);
  let written: EncodedRun[] = [];
  // asked by every lock on the way out of a failure: the removal is tried once
  let removal: Promise<boolean> | undefined;
  const keep = (): Promise<boolean> =>
    (removal ??= (async () => {
      for (const r of written) await dropRun(store, r.runId);
      return false;
    })().catch(() => true));
  return withRunLocks(
    store,
    ids,
    async () => {
      const { complete, leftovers } = await batchRowCounts(store, ids);
      for (const [id, tables] of leftovers) await dropRunRows(store, id, tables);
      written = runs.filter((r) => !complete.has(r.runId));
      await insertBatch(store, written);
      return complete;
    },
    keep,
  );
}
