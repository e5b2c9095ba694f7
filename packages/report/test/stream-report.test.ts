/**
 * A streamed `report` (stream-report.ts: parse batch by batch into an Arrow file, replay from it, events to the
 * store batch by batch) stores exactly the rows of the whole-table path, on both placements: a real capture in
 * small batches, written once each way under two option sets, then every table's rows compared (run id aside).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { loadEvents } from '@txreplay/ingest';
import { replayArrowFile, replayTable, type ReplayResult } from '@txreplay/replay';
import {
  Store,
  hashSources,
  resolveStoreConfig,
  streamTrace,
  streamsReport,
  writeRun,
  writeStreamedRun,
  type StreamedWriteOptions,
  type StoreConfig,
} from '@txreplay/report';
import { SHARED, testServerEnv, stopTestServer, tempDir } from './helpers.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const FILE = path.join(SHARED, 'traces', 'multiqueue', 'perf-script.txt');

const placements: [string, () => StoreConfig][] = [
  ['embedded chDB', () => resolveStoreConfig({ db: path.join(tempDir('txreplay-chdb-'), 'db') }, {})],
  [
    'ClickHouse server',
    () =>
      resolveStoreConfig(
        { clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database: `txr_stream_${process.pid}` },
        {},
      ),
  ],
];

/** Per table: row count and an order-independent digest of every column but run_id. */
async function digest(store: Store, runId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['events', 'packets', 'queue_intervals', 'series', 'findings']) {
    const cols = store.columns(t as 'events').filter((c) => c !== 'run_id');
    const rows = await store.queryRows<{ n: string; h: string }>(
      `SELECT toString(count()) AS n, toString(groupBitXor(cityHash64(${cols.join(', ')}))) AS h FROM ${t} WHERE run_id = '${runId}'`,
    );
    out[t] = `${rows[0]!.n} rows, ${rows[0]!.h}`;
  }
  return out;
}

it('streams text inputs of 64 MiB and more only (a 4.9 MB capture is loaded whole)', async () => {
  expect(await streamsReport([FILE])).toBe(false);
  expect(await streamsReport([FILE], {}, 0)).toBe(true);
  expect(await streamsReport([FILE], { format: 'arrow' }, 0)).toBe(false);
});

describe.each(placements)('streamed report on %s', (_name, cfg) => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(cfg());
  });
  afterAll(async () => {
    await store?.close();
  });

  /** Store `file` streamed and whole (same wall clock, option sets apart), and compare every table's rows. */
  async function compare(file: string, packetWindowRows?: number, slicing?: StreamedWriteOptions) {
    // small batches: the lifecycles and the events cross many batch boundaries
    const streamed = await streamTrace([file], { batchRows: 4096 }, { packetWindowRows });
    // the newest event, known when the parse ends: the events' wall clock before the replay has run
    const result = await replayArrowFile(streamed.arrowFile, { maxSeriesPoints: 2000 });
    expect(streamed.lastNs).toBe(result.trace.lastNs);
    // the capture carries no wall clock: both runs get the same one, else each is placed at its own write time
    const wallClockEndNs = 1_765_000_000_000_000_000n;
    let replays = 0;
    const s = await writeStreamedRun(
      store,
      {
        wallClockEndNs,
        summary: streamed.summary,
        // the writer replays (chDB: while it reads the events)
        replay: () => {
          replays++;
          return replayArrowFile(streamed.arrowFile, { maxSeriesPoints: 2000 });
        },
        lastNs: streamed.lastNs,
        options: {
          path: 'streamed',
          packetWindowRows: packetWindowRows ?? 0,
          ...(slicing ? { slicing: JSON.stringify(slicing) } : {}),
        },
        arrowFile: streamed.arrowFile,
        events: streamed.events,
        packets: streamed.packets,
        hashes: await streamed.hashes,
      },
      slicing,
    );
    expect(replays).toBe(1);
    // the worker thread's hashes are hashSources' (the run id must not depend on who hashed)
    expect(await streamed.hashes).toEqual(await hashSources([file]));
    streamed.remove();
    expect(existsSync(streamed.arrowFile)).toBe(false);

    const { table, summary } = await loadEvents([file]);
    const whole = replayTable(table, { maxSeriesPoints: 2000 });
    const options = { path: 'whole', packetWindowRows: packetWindowRows ?? 0 };
    const w = await writeRun(store, { table, summary, result: whole, options, wallClockEndNs });
    expect(s).toMatchObject({ status: 'written', events: table.numRows, packets: w.packets });
    expect(await digest(store, s.runId)).toEqual(await digest(store, w.runId));
    return s;
  }

  it('stores the rows the whole-table path stores, and removes its temporary file', async () => {
    const s = await compare(FILE);
    expect(s.packets).toBe(8011); // one lifecycle per net_dev_queue (real-capture.test.ts)
  });

  it('events and lifecycles in merged slices (chDB: a direct part, then slices each merged into one part): the same rows', async () => {
    // 29,484 events in 4,096-row batches: 8 batches, 2 inserted as they are, then slices [2, 5) and [5, 8); 8,011
    // lifecycles in 1,000-row blocks: 9 blocks, 3 as they are, then [3, 5), [5, 7), [7, 9)
    await compare(FILE, undefined, {
      eventSlicing: { directBatches: 2, sliceBatches: 3 },
      packetSlicing: { blockRows: 1000, directBlocks: 3, sliceBlocks: 2 },
    });
    const left = await store.queryRows<{ n: string }>(
      `SELECT toString(count()) AS n FROM system.tables WHERE database = '${store.database}' AND name LIKE '%slice%'`,
    );
    expect(left[0]!.n).toBe('0');
  });

  it('a trace more out of order than the lifecycle window: derived from the written file, the same rows', async () => {
    // bpftrace prints each CPU's buffer in turn; a window of 64 candidates is too small for this capture
    const s = await compare(path.join(SHARED, 'traces', 'veth-stall-napi-starved', 'bpftrace.txt'), 64);
    expect(s.packets).toBe(459);
  });

  it('a wall clock only the replay knows (a kernel log beside the trace): the events take it, as the whole path does', async () => {
    const streamed = await streamTrace([FILE], { batchRows: 4096 });
    // the capture has no wall clock of its own: the events go in placed "now", then again with the replay's
    const wallClock = { offsetNs: 1_700_000_000_000_000_000n, source: 'kernel log kern.log' };
    const withWall = (r: ReplayResult): ReplayResult => ({ ...r, trace: { ...r.trace, wallClock } });
    const s = await writeStreamedRun(store, {
      summary: streamed.summary,
      replay: async () => withWall(await replayArrowFile(streamed.arrowFile, { maxSeriesPoints: 2000 })),
      lastNs: streamed.lastNs,
      options: { path: 'streamed, wall clock from evidence' },
      arrowFile: streamed.arrowFile,
      events: streamed.events,
      packets: streamed.packets,
      hashes: await streamed.hashes,
    });
    streamed.remove();
    const { table, summary } = await loadEvents([FILE]);
    const result = withWall(replayTable(table, { maxSeriesPoints: 2000 }));
    const w = await writeRun(store, { table, summary, result, options: { path: 'whole, wall clock from evidence' } });
    expect(await digest(store, s.runId)).toEqual(await digest(store, w.runId));
  });

  it('a replay that fails while the events go in: the write fails and leaves no row of the run', async () => {
    const streamed = await streamTrace([FILE], { batchRows: 4096 });
    const input = {
      summary: streamed.summary,
      replay: () => Promise.reject(new Error('replay failed')),
      lastNs: streamed.lastNs,
      options: { path: 'streamed, replay fails' },
      arrowFile: streamed.arrowFile,
      events: streamed.events,
      packets: streamed.packets,
      hashes: await streamed.hashes,
    };
    // the replay's own error, not a failed write's
    await expect(writeStreamedRun(store, input)).rejects.toThrow(/^replay failed$/);
    streamed.remove();
    const left = await store.queryRows<{ n: string }>(
      `SELECT toString(count()) AS n FROM events WHERE run_id NOT IN (SELECT run_id FROM runs)`,
    );
    expect(left).toEqual([{ n: '0' }]);
  });
});
