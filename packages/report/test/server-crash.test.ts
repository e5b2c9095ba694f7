/**
 * The real ClickHouse 18.16 server is SIGKILLed in the middle of a large events write. After a restart the
 * run is absent (no `runs` row, nothing visible to readers that filter on complete runs); a retry leaves it
 * whole, exactly once. Then the same with the writer's own retry/backoff riding out the crash.
 *
 * This file always starts a PRIVATE server (scripts/clickhouse-test-server.sh with its own state dir): killing
 * the shared CI server would break the other test files running in parallel against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Table } from 'apache-arrow';
import { loadEvents, type IngestSummary } from '@txreplay/ingest';
import { replayTable, type ReplayResult } from '@txreplay/replay';
import { Store, StoreError, resolveStoreConfig, writeRun, runExists, dropRun } from '@txreplay/report';
import { REPO_ROOT, SHARED } from './helpers.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts/clickhouse-test-server.sh');
const stateDir = mkdtempSync(path.join(tmpdir(), 'txreplay-crashtest-'));
const env: Record<string, string> = {};

function script(cmd: 'start' | 'stop' | 'restart'): string {
  return execFileSync(SCRIPT, [cmd], { encoding: 'utf8', env: { ...process.env, ...env, TMPDIR: stateDir } });
}

function serverPid(): number {
  return Number(readFileSync(env.TXREPLAY_CLICKHOUSE_PID_FILE!, 'utf8').trim());
}

let table: Table;
let summary: IngestSummary;
let result: ReplayResult;
const REPEAT = 10;

beforeAll(async () => {
  for (const k of Object.keys(process.env)) if (k.startsWith('TXREPLAY_CLICKHOUSE_')) delete env[k];
  const out = execFileSync(SCRIPT, ['start'], {
    encoding: 'utf8',
    env: { ...process.env, TXREPLAY_CLICKHOUSE_DIR: '', TMPDIR: stateDir },
  });
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  expect(env.TXREPLAY_CLICKHOUSE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  // a large write: the real multiqueue capture's events, 10 times over (~295k rows, ~50 MB of TSV)
  const loaded = await loadEvents([path.join(SHARED, 'traces/multiqueue/perf-script.txt')]);
  result = replayTable(loaded.table, { maxSeriesPoints: 500 });
  const batches = Array.from({ length: REPEAT }, () => loaded.table.batches).flat();
  table = new Table(batches);
  summary = loaded.summary;
});

afterAll(() => {
  if (env.TXREPLAY_CLICKHOUSE_DIR) script('stop');
  rmSync(stateDir, { recursive: true, force: true });
});

async function counts(store: Store, runId: string): Promise<{ events: number; runs: number; visible: number }> {
  const rows = await store.queryRows<{ events: string; runs: string; visible: string }>(
    `SELECT
       (SELECT toString(count()) FROM events WHERE run_id = '${runId}') AS events,
       (SELECT toString(count()) FROM runs WHERE run_id = '${runId}') AS runs,
       (SELECT toString(count()) FROM events WHERE run_id IN (SELECT run_id FROM runs WHERE complete = 1)) AS visible`,
  );
  return { events: Number(rows[0]!.events), runs: Number(rows[0]!.runs), visible: Number(rows[0]!.visible) };
}

describe('server killed during a large write', () => {
  it('without retry: the run is absent after restart; a retry writes it whole, once', async () => {
    const config = resolveStoreConfig({ clickhouseUrl: env.TXREPLAY_CLICKHOUSE_URL, database: 'txr_crash' }, {});
    const store = await Store.open(config, { retry: { attempts: 1, initialDelayMs: 100, maxDelayMs: 100 } });
    let killedAt = 0;
    const err = await writeRun(
      store,
      { table, summary, result },
      {
        retry: { attempts: 1, initialDelayMs: 100, maxDelayMs: 100 },
        insertBlockRows: 65536, // the server commits blocks as they arrive: some rows land before the kill
        onEventsProgress: (rows) => {
          if (!killedAt && rows >= table.numRows * 0.8) {
            killedAt = rows;
            process.kill(serverPid(), 'SIGKILL');
          }
        },
      },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(killedAt).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(
      /^could not write run [0-9a-f]{32} to the ClickHouse server http:\/\/127\.0\.0\.1:\d+.* after 1 attempt: /,
    );
    await store.close();

    script('restart');
    const after = await Store.open(config);
    const runId = (err as Error).message.match(/run ([0-9a-f]{32})/)![1]!;
    expect(await runExists(after, runId)).toBe(false);
    const c0 = await counts(after, runId);
    expect(c0.runs).toBe(0);
    expect(c0.visible).toBe(0); // whatever blocks landed, no reader sees them as a run
    process.stdout.write(
      `crash test: killed at ${killedAt} rows streamed; ${c0.events} orphan rows on disk before the retry\n`,
    );

    const w = await writeRun(after, { table, summary, result });
    expect(w).toMatchObject({ status: 'written', runId, events: table.numRows });
    expect(await counts(after, runId)).toEqual({ events: table.numRows, runs: 1, visible: table.numRows });
    // and once more: still one copy
    expect((await writeRun(after, { table, summary, result })).status).toBe('exists');
    expect(await counts(after, runId)).toEqual({ events: table.numRows, runs: 1, visible: table.numRows });
    await dropRun(after, runId);
    expect(await counts(after, runId)).toEqual({ events: 0, runs: 0, visible: 0 });
    await after.close();
  });

  it('with retry and backoff: the writer rides out a crash + restart and leaves exactly one copy', async () => {
    const config = resolveStoreConfig({ clickhouseUrl: env.TXREPLAY_CLICKHOUSE_URL, database: 'txr_crash' }, {});
    const store = await Store.open(config);
    let killed = false;
    const retries: string[] = [];
    const w = await writeRun(
      store,
      { table, summary, result },
      {
        retry: { attempts: 8, initialDelayMs: 300, maxDelayMs: 3000 },
        insertBlockRows: 65536,
        onRetry: (attempt, msg) => retries.push(`${attempt}: ${msg}`),
        onEventsProgress: (rows) => {
          if (!killed && rows >= table.numRows * 0.8) {
            killed = true;
            process.kill(serverPid(), 'SIGKILL');
            // bring it back a little later, as an operator or systemd would
            const child = spawn(SCRIPT, ['restart'], {
              env: { ...process.env, ...env, TMPDIR: stateDir },
              stdio: 'ignore',
            });
            child.unref();
          }
        },
      },
    );
    expect(killed).toBe(true);
    expect(w.status).toBe('written');
    expect(w.attempts).toBeGreaterThanOrEqual(2);
    expect(retries.length).toBe(w.attempts - 1);
    expect(await counts(store, w.runId)).toEqual({ events: table.numRows, runs: 1, visible: table.numRows });
    await store.close();
  });
});
