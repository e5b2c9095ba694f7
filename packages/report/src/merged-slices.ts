/**
 * A big run's rows into the embedded store in slices, each merged into one part before the next, so the process's
 * memory does not grow with the trace. chDB writes each block it reads from a file as a part of its own (an Arrow
 * record batch of ~25 K events, a 16,384-row Native block of lifecycles), and every active part costs the process
 * ~30–40 KiB while its table is open (the part's columns, serializations and checksums, its primary index): ~240
 * `events` and ~100 `packets` parts per GB of text, ~10 MiB per GB with the background merges stopped for the run
 * (stream-write.ts withoutMerges). Here the first slice goes into the table as it is (a trace of up to ~1 GB pays
 * no merge), each later one into a table of the same structure of its own (`<table>__slice`), whose parts one
 * `OPTIMIZE … FINAL` merges into one per partition (a vertical merge, key columns first: for the events, measured at
 * 16 record batches a slice, +15 MiB beside the insert's own peak, at 32 +30, 64 +50, 120 +130);
 * `MOVE PARTITION … TO TABLE` hands the merged part over and the slice table is dropped (its merged-away parts with
 * it: MergeTree otherwise keeps outdated parts in memory for `old_parts_lifetime`). The cost is the merge: each row
 * past the first slice read and written once more (events: ~5 s of CPU per GB of text, load ~5).
 *
 * The slice table has background merges disabled by size (a merge of parts over 1 byte is never chosen), so only the
 * OPTIMIZE merges; chDB opens one store per process, so a slice table left by a process that died mid-run is this
 * store's leftover and is dropped before the next run's first.
 */
import { quoteIdent, quoteString, type TableName } from './ddl.js';
import type { Store } from './store.js';

/** The slice table's own merges never run: none of its parts is small enough to be chosen */
const NO_BACKGROUND_MERGES = 'max_bytes_to_merge_at_max_space_in_pool = 1, max_bytes_to_merge_at_min_space_in_pool = 1';

/**
 * Insert `slices` slices of a run's rows of `table`: `insertSlice(i, into)` inserts slice `i` into the table named
 * `into` (quoted `<db>.<table>`); slice 0 straight into `table`, the others merged first.
 */
export async function insertMergedSlices(
  store: Store,
  table: TableName,
  slices: number,
  insertSlice: (i: number, into: string) => Promise<void>,
): Promise<void> {
  const name = `${table}__slice`;
  const slice = `${quoteIdent(store.database)}.${quoteIdent(name)}`;
  const target = store.table(table);
  await store.command(`DROP TABLE IF EXISTS ${slice} SYNC`);
  try {
    if (slices > 0) await insertSlice(0, target);
    for (let i = 1; i < slices; i++) {
      await store.command(`CREATE TABLE ${slice} AS ${target}`);
      await store.command(`ALTER TABLE ${slice} MODIFY SETTING ${NO_BACKGROUND_MERGES}`);
      await insertSlice(i, slice);
      await mergeInto(store, name, target);
      await store.command(`DROP TABLE ${slice} SYNC`);
    }
  } finally {
    await store.command(`DROP TABLE IF EXISTS ${slice} SYNC`).catch(() => undefined);
  }
}

/** Merge the slice table's parts into one per partition and move them to `target`. */
async function mergeInto(store: Store, name: string, target: string): Promise<void> {
  const slice = `${quoteIdent(store.database)}.${quoteIdent(name)}`;
  const parts = await store.queryRows<{ partition_id: string; n: string }>(
    `SELECT partition_id, toString(count()) AS n FROM system.parts WHERE database = ${quoteString(store.database)} AND table = ${quoteString(name)} AND active GROUP BY partition_id`,
  );
  if (parts.some((p) => Number(p.n) > 1)) await store.command(`OPTIMIZE TABLE ${slice} FINAL`);
  for (const p of parts)
    await store.command(`ALTER TABLE ${slice} MOVE PARTITION ID ${quoteString(p.partition_id)} TO TABLE ${target}`);
}
