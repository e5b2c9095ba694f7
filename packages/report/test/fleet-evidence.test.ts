/**
 * Production evidence in a fleet: `txreplay bulk` over a directory holding kernel logs and `tc -s` snapshots beside
 * traces stores each as a run — the evidence as a run with no events, its findings and its `runs` row — into the
 * embedded store and a real ClickHouse server. Real data: public excerpts (fixtures/public) and a shared capture.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store, resolveStoreConfig } from '@txreplay/report';
import { REPO_ROOT, SHARED, stopTestServer, tempDir, testServerEnv } from './helpers.js';

const main = path.join(REPO_ROOT, 'packages/cli/dist/main.js');
const corpus = path.join(REPO_ROOT, 'fixtures/public');
const serverEnv = testServerEnv();
afterAll(() => stopTestServer());

/** A host's files: a trace, a syslog of five NETDEV WATCHDOG lines (txq 3), two pasted tc snapshots (idpf). */
function evidenceFleet(): string {
  const dir = tempDir('txreplay-evidence-fleet-');
  copyFileSync(path.join(SHARED, 'traces/eth0-normal/perf-script.txt'), path.join(dir, 'eth0-normal.perf-script.txt'));
  copyFileSync(path.join(corpus, '11-mtk-soc-eth-timed-out-ms-logread.syslog'), path.join(dir, 'router.syslog'));
  copyFileSync(path.join(corpus, '25-try-bulk-dequeue-requeues.tc.txt'), path.join(dir, 'idpf.tc.txt'));
  return dir;
}

interface RunRow {
  format: string;
  events: string;
  findings: string;
  kinds: string[];
}

async function runsByFormat(store: Store): Promise<Map<string, RunRow>> {
  const runs = await store.queryRows<RunRow & { run_id: string }>(
    'SELECT run_id, format, toString(events) AS events, toString(findings) AS findings FROM runs WHERE complete = 1',
  );
  const kinds = await store.queryRows<{ run_id: string; kind: string }>('SELECT run_id, kind FROM findings');
  return new Map(
    runs.map((r) => [
      r.format,
      {
        format: r.format,
        events: r.events,
        findings: r.findings,
        kinds: kinds
          .filter((k) => k.run_id === r.run_id)
          .map((k) => k.kind)
          .sort(),
      },
    ]),
  );
}

function expectEvidenceRuns(runs: Map<string, RunRow>): void {
  expect([...runs.keys()].sort()).toEqual(['kernel-log', 'perf-script', 'tc-stats']);
  // the log alone: a critical watchdog timeout, no events
  expect(runs.get('kernel-log')).toMatchObject({ events: '0', findings: '1', kinds: ['watchdog_timeout'] });
  // two snapshots 1 s apart: 3.97% requeues, ring backpressure
  expect(runs.get('tc-stats')).toMatchObject({ events: '0', kinds: ['ring_backpressure'] });
  expect(runs.get('perf-script')!.events).toBe('2989');
}

describe('bulk stores production evidence as runs of their own', () => {
  it('embedded chDB: a kernel log and tc snapshots beside a trace are three runs; a re-run skips them', async () => {
    const dir = evidenceFleet();
    const db = path.join(tempDir('txreplay-evidence-db-'), 'db');
    const first = spawnSync(process.execPath, [main, 'bulk', dir, '--db', db, '--json'], { encoding: 'utf8' });
    const j = JSON.parse(first.stdout) as { stored: number; failed: number };
    expect({ stored: j.stored, failed: j.failed }, first.stderr).toEqual({ stored: 3, failed: 0 });
    const again = spawnSync(process.execPath, [main, 'bulk', dir, '--db', db, '--json'], { encoding: 'utf8' });
    expect((JSON.parse(again.stdout) as { stored: number }).stored).toBe(0);
    const store = await Store.open(resolveStoreConfig({ db }, {}));
    try {
      expectEvidenceRuns(await runsByFormat(store));
    } finally {
      await store.close();
    }
  });

  it('a real ClickHouse server over HTTP: the same three runs', async () => {
    const dir = evidenceFleet();
    const database = `txr_evidence_${process.pid}`;
    const url = serverEnv.TXREPLAY_CLICKHOUSE_URL!;
    const r = spawnSync(
      process.execPath,
      [main, 'bulk', dir, '--clickhouse-url', url, '--database', database, '--json'],
      { encoding: 'utf8' },
    );
    expect((JSON.parse(r.stdout) as { stored: number }).stored, r.stderr).toBe(3);
    const store = await Store.open(resolveStoreConfig({ clickhouseUrl: url, database }, {}));
    try {
      expectEvidenceRuns(await runsByFormat(store));
      await store.command(`DROP DATABASE IF EXISTS ${database}`);
    } finally {
      await store.close();
    }
  });
});
