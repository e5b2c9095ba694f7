/**
 * A real two-shard cluster: scripts/clickhouse-test-cluster.sh starts two clickhouse-server processes on
 * loopback ports, both declaring cluster `txreplay_test` (shard 1 + shard 2). `txreplay bulk --cluster` stores
 * real captures; rows land on both shards, each run on exactly one, and fleet queries through the Distributed
 * tables return the totals. If the cluster cannot start, this fails (execFileSync throws): it never skips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Store, resolveStoreConfig } from '@txreplay/report';
import { REPO_ROOT, SHARED, tempDir } from './helpers.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts/clickhouse-test-cluster.sh');
const stateDir = tempDir('txreplay-cluster-');
const env: Record<string, string> = {};
const DB = 'txr_fleet';

beforeAll(() => {
  const out = execFileSync(SCRIPT, ['start'], { encoding: 'utf8', env: { ...process.env, TMPDIR: stateDir } });
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
}, 120_000);

afterAll(() => {
  if (env.TXREPLAY_CLUSTER_STATE)
    execFileSync(SCRIPT, ['stop'], {
      env: { ...process.env, TMPDIR: stateDir, TXREPLAY_CLUSTER_STATE: env.TXREPLAY_CLUSTER_STATE },
    });
});

function fleet(): string {
  const dir = tempDir('txreplay-fleet-');
  const picks: [string, string][] = [
    ['host-a', 'eth0-normal/perf-script.txt'],
    ['host-a', 'eth0-normal/ftrace.txt'],
    ['host-b', 'veth-stall-tbf/perf-script.txt'],
    ['host-b', 'eth0-normal/bpftrace.json'],
    ['host-c', 'eth0-normal/bpftrace.txt'],
    ['host-c', 'veth-stall-tbf/ftrace.txt'],
  ];
  for (const [host, rel] of picks) {
    mkdirSync(path.join(dir, host), { recursive: true });
    copyFileSync(path.join(SHARED, 'traces', rel), path.join(dir, host, rel.replace('/', '-')));
  }
  return dir;
}

async function rows<T>(url: string, database: string, sql: string): Promise<T[]> {
  const s = await Store.open(resolveStoreConfig({ clickhouseUrl: url, database }, {}), {
    cluster:
      database === DB
        ? { name: env.TXREPLAY_CLUSTER_NAME!, nodeUrls: env.TXREPLAY_CLUSTER_URLS!.split(',') }
        : undefined,
  });
  try {
    return await s.queryRows<T>(sql);
  } finally {
    await s.close();
  }
}

describe('two-shard ClickHouse cluster on loopback', () => {
  it('bulk --cluster: rows on both shards, one run on one shard, totals through the Distributed tables', async () => {
    const urls = env.TXREPLAY_CLUSTER_URLS!.split(',');
    expect(urls).toHaveLength(2);
    const dir = fleet();
    const args = [
      'bulk',
      dir,
      '--host-from-dir',
      '--clickhouse-url',
      urls[0]!,
      '--cluster',
      env.TXREPLAY_CLUSTER_NAME!,
    ];
    const r = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'packages/cli/dist/main.js'), ...args, '--cluster-urls', urls.join(','), '--database', DB],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('6 files: 6 stored, 0 already stored, 0 failed');

    const perShard: { runs: string; events: string; ids: string[] }[] = [];
    for (const u of urls) {
      const [x] = await rows<{ runs: string; events: string; ids: string[] }>(
        u,
        `${DB}_local`,
        `SELECT toString(count()) AS runs, toString(sum(events)) AS events, groupArray(run_id) AS ids FROM runs`,
      );
      perShard.push(x!);
    }
    expect(perShard.every((s) => Number(s.runs) > 0)).toBe(true); // rows landed on both shards
    expect(perShard[0]!.ids.filter((id) => perShard[1]!.ids.includes(id))).toEqual([]); // a run on one shard only

    // through the Distributed tables (queried on the second node): the totals of both shards
    const [tot] = await rows<{ runs: string; events: string; stored: string; hosts: string }>(
      urls[1]!,
      DB,
      `SELECT toString(count()) AS runs, toString(sum(events)) AS events,
              toString((SELECT count() FROM events)) AS stored, toString(uniqExact(host)) AS hosts FROM runs`,
    );
    expect(Number(tot!.runs)).toBe(6);
    expect(Number(tot!.events)).toBe(Number(perShard[0]!.events) + Number(perShard[1]!.events));
    expect(Number(tot!.stored)).toBe(Number(tot!.events));
    expect(Number(tot!.hosts)).toBe(3);
    // a fleet query by host without a join: host is on every fact row
    const byHost = await rows<{ host: string; events: string }>(
      urls[0]!,
      DB,
      `SELECT host, toString(count()) AS events FROM events GROUP BY host ORDER BY host`,
    );
    expect(byHost.map((h) => h.host)).toEqual(['host-a', 'host-b', 'host-c']);

    // resumable through the cluster: every file is found stored
    const again = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'packages/cli/dist/main.js'), ...args, '--cluster-urls', urls.join(','), '--database', DB],
      {
        encoding: 'utf8',
      },
    );
    expect(again.stdout).toContain('6 files: 0 stored, 6 already stored, 0 failed');
  }, 300_000);
});
