/**
 * The run's wall time in the store on both placements (embedded chDB, the real ClickHouse 18.16 server): the
 * trace's own wall clock is stored with where it came from; without one `runs.wall_offset_ns` is NULL and
 * `runs.wall_clock` '' (never the file's mtime). A store made before v5 (wall_offset_ns Int64) is migrated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { Store, resolveStoreConfig, writeRun, type StoreConfig } from '@txreplay/report';
import { buildEventTable, summaryFor, testServerEnv, stopTestServer, tempDir } from './helpers.js';
import { multiqueueResult, smallEvents } from './fixtures.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

const placements: [string, () => StoreConfig][] = [
  [
    'embedded chDB',
    () => resolveStoreConfig({ db: path.join(tempDir('txreplay-chdb-'), 'db'), database: 'txr_wall' }, {}),
  ],
  [
    'ClickHouse server',
    () =>
      resolveStoreConfig({ clickhouseUrl: serverEnv.TXREPLAY_CLICKHOUSE_URL, database: `txr_wall_${process.pid}` }, {}),
  ],
];

describe.each(placements)('run wall time on %s', (_name, cfg) => {
  let store: Store;
  const dir = tempDir('txreplay-wall-');

  beforeAll(async () => {
    const config = cfg();
    // a v4 store as the code before v5 made it: wall_offset_ns Int64, no wall_clock column
    const v4 = await Store.open(config, { migrateTo: 4 });
    await v4.command(`ALTER TABLE ${v4.table('runs')} MODIFY COLUMN wall_offset_ns Int64 DEFAULT 0`);
    await v4.close();
    store = await Store.open(config);
  });
  afterAll(async () => {
    await store?.close();
  });

  it("wall time: the given or the trace's own is stored with its source; without one wall_offset_ns is NULL", async () => {
    const src2 = path.join(dir, 'wall.perf-script.txt');
    writeFileSync(src2, 'another pretend trace\n');
    const t2 = buildEventTable(smallEvents().map((r) => ({ ...r, source: src2 })));
    const base = multiqueueResult();
    const own = {
      ...base,
      trace: { ...base.trace, wallClock: { offsetNs: 1_700_000_000_000_000_000n, source: 'perf.data clock data' } },
    };
    const known = await writeRun(store, { table: t2, summary: summaryFor(t2, src2), result: own });
    const unknown = await writeRun(store, {
      table: t2,
      summary: summaryFor(t2, src2),
      result: base,
      options: { x: 1 },
    });
    const rows = await store.queryRows<{ run_id: string; off: string | null; src: string; last: string }>(
      `SELECT run_id, toString(wall_offset_ns) AS off, wall_clock AS src, toString(last_ns) AS last FROM runs WHERE run_id IN ('${known.runId}', '${unknown.runId}')`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.run_id, r]));
    expect(by[known.runId]).toMatchObject({ off: '1700000000000000000', src: 'perf.data clock data' });
    expect(by[unknown.runId]).toMatchObject({ off: null, src: '' });
    const types = await store.queryRows<{ t: string }>(
      `SELECT type AS t FROM system.columns WHERE database = '${store.database}' AND table = 'runs' AND name = 'wall_offset_ns'`,
    );
    expect(types[0]?.t).toBe('Nullable(Int64)');
  });
});
