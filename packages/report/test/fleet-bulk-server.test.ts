/**
 * `txreplay bulk` into a real ClickHouse server (Debian's 18.16, testServerEnv): the runs of a fleet written in
 * batches under their locks (write-batch.ts) are whole and one part per table and partition; identical files are one
 * run; a run left without its `runs` row (the leftover of a failed write) is removed and written again whole.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Store, resolveStoreConfig } from '@txreplay/report';
import { REPO_ROOT, SHARED, tempDir, testServerEnv } from './helpers.js';

const env = testServerEnv();
const URL = env.TXREPLAY_CLICKHOUSE_URL!;
const DB = `txr_bulk_${process.pid}`;

function fleet(): string {
  const dir = tempDir('txreplay-fleet-');
  const picks: [string, string][] = [
    ['host-a', 'eth0-normal/perf-script.txt'],
    ['host-a', 'veth-stall-tbf/ftrace.txt'],
    ['host-b', 'veth-stall-tbf/perf-script.txt'],
    // the same bytes as host-a's: one run
    ['host-b', 'eth0-normal/perf-script.txt'],
  ];
  for (const [host, rel] of picks) {
    mkdirSync(path.join(dir, host), { recursive: true });
    copyFileSync(path.join(SHARED, 'traces', rel), path.join(dir, host, rel.replace('/', '-')));
  }
  return dir;
}

function bulk(dir: string): { status: number | null; out: string; err: string } {
  const main = path.join(REPO_ROOT, 'packages/cli/dist/main.js');
  const args = [main, 'bulk', dir, '--jobs', '2', '--clickhouse-url', URL, '--database', DB];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

async function withServer<T>(use: (s: Store) => Promise<T>): Promise<T> {
  const s = await Store.open(resolveStoreConfig({ clickhouseUrl: URL, database: DB }, {}));
  try {
    return await use(s);
  } finally {
    await s.close();
  }
}

const query = <T>(sql: string): Promise<T[]> => withServer((s) => s.queryRows<T>(sql));

/** Complete runs, whether each has exactly its events, and the most active parts of `events` in one partition. */
async function counts(): Promise<{ runs: number; whole: boolean; partsPerPartition: number }> {
  const runs = await query<{ expected: string; got: string }>(
    // 18.16: no correlated subqueries, a join instead
    `SELECT toString(events) AS expected, toString(n) AS got FROM runs ANY LEFT JOIN (SELECT run_id, count() AS n FROM events GROUP BY run_id) USING run_id WHERE complete = 1`,
  );
  const parts = await query<{ n: string }>(
    `SELECT toString(max(c)) AS n FROM (SELECT partition, count() AS c FROM system.parts WHERE database = '${DB}' AND table = 'events' AND active GROUP BY partition)`,
  );
  return {
    runs: runs.length,
    whole: runs.every((r) => r.expected === r.got),
    partsPerPartition: Number(parts[0]?.n ?? 0),
  };
}

describe('txreplay bulk (ClickHouse server)', () => {
  it('a batch of runs whole in one part per partition; a run without its runs row is written again whole', async () => {
    const dir = fleet();
    const first = bulk(dir);
    expect(first.status, first.err).toBe(0);
    expect(first.out).toContain('4 files: 3 stored, 1 already stored, 0 failed');
    expect(await counts()).toEqual({ runs: 3, whole: true, partsPerPartition: 1 });

    // the leftover of a failed write: a run's rows without its `runs` row
    const [victim] = await query<{ r: string }>(`SELECT run_id AS r FROM runs ORDER BY run_id LIMIT 1`);
    await withServer((s) => s.command(`ALTER TABLE runs DELETE WHERE run_id = '${victim!.r}'`));
    for (let i = 0; i < 100; i++) {
      const [m] = await query<{ n: string }>(
        `SELECT toString(count()) AS n FROM system.mutations WHERE database = '${DB}' AND is_done = 0`,
      );
      if (Number(m!.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const again = bulk(dir);
    expect(again.status, again.err).toBe(0);
    expect(again.out).toMatch(/4 files: 1 stored, 3 already stored, 0 failed/);
    expect(await counts()).toMatchObject({ runs: 3, whole: true });
  }, 240_000);
});
