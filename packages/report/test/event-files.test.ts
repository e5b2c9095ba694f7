/**
 * The embedded store keeps a streamed run's events as the Arrow file the parse wrote (event-files.ts): `events` is a
 * Merge table of `events_stored` (every other run's rows) and one view per streamed run. On real captures: the rows
 * a query of `events` sees equal those the MergeTree path stores; a run deleted and stored again; a write that dies
 * before its `runs` row leaves nothing counted as a run, and the next write of it cleans up; a v5 store (events in
 * the MergeTree) migrates with its rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { loadEvents } from '@txreplay/ingest';
import { replayArrowFile, replayTable } from '@txreplay/replay';
import {
  Store,
  STORE_SCHEMA_VERSION,
  computeRunId,
  dropRun,
  resolveStoreConfig,
  streamTrace,
  writeRun,
  writeStreamedRun,
  type StoreConfig,
} from '@txreplay/report';
import { attachEventsFile } from '../src/event-files.js';
import { REPO_ROOT, SHARED, tempDir } from './helpers.js';

const WALL_END_NS = 1_765_000_000_000_000_000n;
const CAPTURES = [
  ['multiqueue', 'perf-script.txt'],
  ['veth-stall-tbf', 'perf-script.txt'],
  ['eth0-normal', 'ftrace.txt'],
  ['veth-peer-down', 'bpftrace.txt'],
].map(([c, f]) => path.join(SHARED, 'traces', c!, f!));

/** Row count and an order-independent digest of every column but run_id of `table`, as a query of it sees them. */
async function digestOf(store: Store, table: 'events' | 'packets', runId: string): Promise<string> {
  const cols = store.columns(table).filter((c) => c !== 'run_id');
  const rows = await store.queryRows<{ n: string; h: string }>(
    `SELECT toString(count()) AS n, toString(groupBitXor(cityHash64(${cols.join(', ')}))) AS h FROM ${table} WHERE run_id = '${runId}'`,
  );
  return `${rows[0]!.n} rows, ${rows[0]!.h}`;
}

/** The digests of the run's events and lifecycles */
async function eventsDigest(store: Store, runId: string): Promise<string> {
  return `events ${await digestOf(store, 'events', runId)}; packets ${await digestOf(store, 'packets', runId)}`;
}

/** The tables `events` and `packets` read the run's rows from (Merge's `_table`) */
async function sourcesOf(store: Store, runId: string): Promise<string[]> {
  const rows = await store.queryRows<{ t: string }>(
    `SELECT DISTINCT _table AS t FROM events WHERE run_id = '${runId}' UNION ALL SELECT DISTINCT _table FROM packets WHERE run_id = '${runId}'`,
  );
  return rows.map((r) => r.t).sort();
}

function runViews(runId: string): string[] {
  return [`events_run_${runId}`, `packets_run_${runId}`];
}

async function count(store: Store, sql: string): Promise<number> {
  return Number((await store.queryRows<{ n: string }>(`SELECT toString(count()) AS n FROM ${sql}`))[0]!.n);
}

/** A streamed write of `file` (the writer replays), with `options` keeping it a run of its own. */
async function streamed(store: Store, file: string, options: Record<string, string>) {
  const s = await streamTrace([file], { batchRows: 4096 });
  try {
    const input = {
      wallClockEndNs: WALL_END_NS,
      summary: s.summary,
      replay: () => replayArrowFile(s.arrowFile, { maxSeriesPoints: 2000 }),
      lastNs: s.lastNs,
      options,
      arrowFile: s.arrowFile,
      events: s.events,
      packets: s.packets,
      hashes: await s.hashes,
    };
    return { input, written: await writeStreamedRun(store, input), trace: s };
  } catch (e) {
    s.remove();
    throw e;
  }
}

/** The whole-table write of `file` (into MergeTree): the rows every file-backed run is compared with. */
async function writeWhole(store: Store, file: string, runPath: string): Promise<{ runId: string; rows: number }> {
  const { table, summary } = await loadEvents([file]);
  const result = replayTable(table, { maxSeriesPoints: 2000 });
  const w = await writeRun(store, { table, summary, result, options: { path: runPath }, wallClockEndNs: WALL_END_NS });
  return { runId: w.runId, rows: table.numRows };
}

describe('embedded store: streamed runs keep their events as Arrow files', () => {
  let cfg: StoreConfig;
  let store: Store;
  let filesDir: string;
  beforeAll(async () => {
    cfg = resolveStoreConfig({ db: path.join(tempDir('txreplay-evfiles-'), 'db') }, {});
    store = await Store.open(cfg);
    filesDir = path.join(cfg.dbDir!, 'event-files', 'txreplay');
  });
  afterAll(async () => {
    await store?.close();
  });

  it.each(CAPTURES)('%s: the rows of `events` equal the MergeTree path, read from the run view', async (file) => {
    const { written, trace } = await streamed(store, file, { path: 'streamed' });
    trace.remove();
    const w = await writeWhole(store, file, 'whole');
    expect(written.events).toBe(w.rows);
    expect(await sourcesOf(store, written.runId)).toEqual(runViews(written.runId));
    expect(await sourcesOf(store, w.runId)).toEqual(['events_stored', 'packets_stored']);
    expect(await eventsDigest(store, written.runId)).toBe(await eventsDigest(store, w.runId));
    expect(existsSync(path.join(filesDir, `${written.runId}.arrow`))).toBe(true);
  });

  it('a run replayed before the write (evidence beside the trace: no overlap): its events are a view too', async () => {
    const file = CAPTURES[2]!;
    const s = await streamTrace([file], { batchRows: 4096 });
    const result = await replayArrowFile(s.arrowFile, { maxSeriesPoints: 2000 });
    const written = await writeStreamedRun(store, {
      wallClockEndNs: WALL_END_NS,
      summary: s.summary,
      result,
      lastNs: s.lastNs,
      options: { path: 'replayed first' },
      arrowFile: s.arrowFile,
      events: s.events,
      packets: s.packets,
      hashes: await s.hashes,
    });
    s.remove();
    expect(await sourcesOf(store, written.runId)).toEqual(runViews(written.runId));
    const w = await writeWhole(store, file, 'replayed first, whole');
    expect(await eventsDigest(store, written.runId)).toBe(await eventsDigest(store, w.runId));
  });

  it('a run deleted and stored again: view and file gone, then the same rows', async () => {
    const first = await streamed(store, CAPTURES[0]!, { path: 'deleted, stored again' });
    first.trace.remove();
    const before = await eventsDigest(store, first.written.runId);
    await dropRun(store, first.written.runId);
    expect(await count(store, `events WHERE run_id = '${first.written.runId}'`)).toBe(0);
    expect(await count(store, `system.tables WHERE name LIKE '%_run_${first.written.runId}'`)).toBe(0);
    expect(await count(store, `packets WHERE run_id = '${first.written.runId}'`)).toBe(0);
    expect(readdirSync(filesDir).filter((f) => f.startsWith(first.written.runId))).toEqual([]);
    const again = await streamed(store, CAPTURES[0]!, { path: 'deleted, stored again' });
    again.trace.remove();
    expect(again.written).toMatchObject({ runId: first.written.runId, status: 'written' });
    expect(await eventsDigest(store, again.written.runId)).toBe(before);
    const twice = await streamed(store, CAPTURES[0]!, { path: 'deleted, stored again' });
    twice.trace.remove();
    expect(twice.written.status).toBe('exists');
  });

  it('a write that died before its runs row: nothing counted as a run; the next write cleans up and stores it', async () => {
    const file = CAPTURES[1]!;
    const options = { path: 'died before the runs row' };
    const s = await streamTrace([file], { batchRows: 4096 });
    // what a writer had done when it died: the run's file linked in and its view created, no `runs` row
    const runId = computeRunId(await s.hashes, options);
    const tags = { host: 'h', kernel: 'k', driver: '' };
    await attachEventsFile(store, s.arrowFile, { runId, tags, wallOffsetNs: 0n });
    s.remove();
    expect(await count(store, `runs WHERE run_id = '${runId}'`)).toBe(0);
    // readers count complete runs only: the dashboards' and export's filter
    expect(
      await count(store, `events WHERE run_id IN (SELECT run_id FROM runs WHERE complete = 1) AND run_id = '${runId}'`),
    ).toBe(0);
    const { written, trace } = await streamed(store, file, options);
    trace.remove();
    expect(written).toMatchObject({ runId, status: 'written' });
    // the leftover's rows (tags h/k, offset 0) were replaced by the run's own
    expect(await count(store, `events WHERE run_id = '${runId}' AND host = 'h'`)).toBe(0);
    const w = await writeWhole(store, file, 'died, whole');
    expect(await eventsDigest(store, runId)).toBe(await eventsDigest(store, w.runId));
  });
});

it('a version-5 store (events in a MergeTree) migrates: its rows stay, new streamed runs become files', async () => {
  const cfg = resolveStoreConfig({ db: path.join(tempDir('txreplay-evfiles-v5-'), 'db') }, {});
  const file = CAPTURES[0]!;
  const old = await Store.open(cfg, { migrateTo: 5 });
  const { w, before } = await (async () => {
    try {
      const w = await writeWhole(old, file, 'v5');
      return { w, before: await eventsDigest(old, w.runId) };
    } finally {
      await old.close();
    }
  })();
  const store = await Store.open(cfg);
  try {
    expect(await store.schemaVersion()).toBe(STORE_SCHEMA_VERSION);
    const engines = await store.queryRows<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = 'txreplay' AND (name LIKE 'events%' OR name LIKE 'packets%') ORDER BY name`,
    );
    expect(engines).toEqual([
      { name: 'events', engine: 'Merge' },
      { name: 'events_stored', engine: 'MergeTree' },
      { name: 'packets', engine: 'Merge' },
      { name: 'packets_stored', engine: 'MergeTree' },
    ]);
    expect(await eventsDigest(store, w.runId)).toBe(before);
    const { written, trace } = await streamed(store, file, { path: 'after the migration' });
    trace.remove();
    expect(await sourcesOf(store, written.runId)).toEqual(runViews(written.runId));
    expect(await eventsDigest(store, written.runId)).toBe(before);
  } finally {
    await store.close();
  }
});

/**
 * A writer process killed (SIGKILL) once its run's view exists, before the `runs` row: the compiled packages (pnpm
 * build), the replay the writer calls waiting for the view and then killing its own process.
 */
const CRASHING_WRITER = `
const [db, file] = process.argv.slice(2);
const rep = await import(${JSON.stringify(path.join(REPO_ROOT, 'packages/report/dist/index.js'))});
const { replayArrowFile } = await import(${JSON.stringify(path.join(REPO_ROOT, 'packages/replay/dist/index.js'))});
const store = await rep.Store.open(rep.resolveStoreConfig({ db }, {}));
const s = await rep.streamTrace([file], { batchRows: 4096 });
await rep.writeStreamedRun(store, {
  wallClockEndNs: ${WALL_END_NS}n, summary: s.summary, lastNs: s.lastNs, options: { path: 'killed' },
  arrowFile: s.arrowFile, events: s.events, packets: s.packets, hashes: await s.hashes,
  replay: async () => {
    for (;;) {
      const rows = await store.queryRows("SELECT toString(count()) AS n FROM system.tables WHERE name LIKE 'events_run_%'");
      if (rows[0].n !== '0') process.kill(process.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 5));
    }
  },
});
`;

it('a writer process killed after its view, before its runs row: no run visible; the next write stores it whole', async () => {
  const db = path.join(tempDir('txreplay-evfiles-kill-'), 'db');
  const file = CAPTURES[0]!;
  // a file, not `-e`: the writer forks its parse child with this process's execArgv
  const script = path.join(path.dirname(db), 'writer.mjs');
  writeFileSync(script, CRASHING_WRITER);
  const child = spawnSync(process.execPath, [script, db, file], { encoding: 'utf8' });
  expect(child.signal, child.stderr).toBe('SIGKILL');
  const store = await Store.open(resolveStoreConfig({ db }, {}));
  try {
    const views = await store.queryRows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = 'txreplay' AND name LIKE 'events_run_%'`,
    );
    expect(views).toHaveLength(1);
    const runId = views[0]!.name.slice('events_run_'.length);
    // the leftover's rows are there, but no `runs` row: readers (dashboards, export) count no run
    expect(await count(store, `events WHERE run_id = '${runId}'`)).toBeGreaterThan(0);
    expect(await count(store, 'runs')).toBe(0);
    expect(await count(store, 'events WHERE run_id IN (SELECT run_id FROM runs WHERE complete = 1)')).toBe(0);
    const { written, trace } = await streamed(store, file, { path: 'killed' });
    trace.remove();
    expect(written).toMatchObject({ runId, status: 'written' });
    const w = await writeWhole(store, file, 'killed, whole');
    expect(await eventsDigest(store, runId)).toBe(await eventsDigest(store, w.runId));
    expect(await count(store, 'runs')).toBe(2);
  } finally {
    await store.close();
  }
});
