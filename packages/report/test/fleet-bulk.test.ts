/**
 * `txreplay bulk` on real captures from ../shared: parallel ingest+replay with one writer, a corrupt file that
 * does not stop the others (exit 8), resumption by content hash, and Ctrl-C leaving no partial run.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Store, resolveStoreConfig } from '@txreplay/report';
import { REPO_ROOT, SHARED, tempDir } from './helpers.js';

const main = path.join(REPO_ROOT, 'packages/cli/dist/main.js');

/** Run the CLI; `interruptAfterMs`: SIGINT it then (as Ctrl-C would). */
function cli(args: string[], interruptAfterMs?: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
    if (interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
  });
}

/** A small fleet: real captures under host directories, plus one file that is not a trace. */
function fleetDir(copies = 1): { dir: string; traces: number } {
  const dir = tempDir('txreplay-fleet-');
  const picks: [string, string][] = [
    ['host-a', 'eth0-normal/perf-script.txt'],
    ['host-a', 'eth0-normal/ftrace.txt'],
    ['host-b', 'veth-stall-tbf/perf-script.txt'],
    ['host-b', 'eth0-normal/bpftrace.txt'],
  ];
  for (const [host, rel] of picks) {
    mkdirSync(path.join(dir, host), { recursive: true });
    for (let k = 0; k < copies; k++) {
      // each copy its own content (a comment line), so the content hash makes it a run of its own
      const text = readFileSync(path.join(SHARED, 'traces', rel), 'utf8');
      const name = rel.replace('/', '-').replace(/(\.\w+)$/, `${k > 0 ? `-${k}` : ''}$1`);
      if (k === 0) copyFileSync(path.join(SHARED, 'traces', rel), path.join(dir, host, name));
      else writeFileSync(path.join(dir, host, name), `# copy ${k}\n${text}`);
    }
  }
  writeFileSync(path.join(dir, 'host-b', 'notes.txt'), 'not a trace at all\n');
  return { dir, traces: picks.length * copies };
}

async function storeCounts(
  db: string,
): Promise<{ runs: number; hosts: string[]; whole: boolean; partsPerPartition: number }> {
  const store = await Store.open(resolveStoreConfig({ db }, {}));
  try {
    // parts of the events table per partition: a batch of runs is one insert, so one part per partition (the
    // embedded store's `events` is a Merge table; the rows are in `events_stored`, event-files.ts)
    const parts = await store.queryRows<{ n: string }>(
      `SELECT toString(max(c)) AS n FROM (SELECT partition, count() AS c FROM system.parts WHERE database = 'txreplay' AND table = 'events_stored' AND active GROUP BY partition)`,
    );
    const rows = await store.queryRows<{ run_id: string; host: string; expected: string; got: string }>(
      `SELECT run_id, host, toString(events) AS expected,
              toString((SELECT count() FROM events AS e WHERE e.run_id = r.run_id)) AS got
       FROM runs AS r WHERE complete = 1 ORDER BY host, run_id`,
    );
    return {
      runs: rows.length,
      hosts: [...new Set(rows.map((r) => r.host))],
      whole: rows.every((r) => r.expected === r.got),
      partsPerPartition: Number(parts[0]?.n ?? 0),
    };
  } finally {
    await store.close();
  }
}

describe('txreplay bulk (embedded chDB)', () => {
  it('stores every trace with its host, lists the corrupt file and exits 8; a re-run skips them all', async () => {
    const { dir, traces } = fleetDir();
    const db = path.join(tempDir('txreplay-chdb-'), 'db');
    const first = await cli(['bulk', dir, '--jobs', '2', '--host-from-dir', '--db', db, '--json']);
    expect(first.code, first.err).toBe(8);
    const j = JSON.parse(first.out) as {
      files: { path: string; status: string; error?: string }[];
      stored: number;
      failed: number;
    };
    expect(j.stored).toBe(traces);
    expect(j.failed).toBe(1);
    expect(j.files.find((f) => f.status === 'failed')!.path).toMatch(/notes\.txt$/);
    // the 4 runs written as one batch (write-batch.ts): one part per partition, not one per run
    expect(await storeCounts(db)).toEqual({
      runs: traces,
      hosts: ['host-a', 'host-b'],
      whole: true,
      partsPerPartition: 1,
    });

    const again = await cli(['bulk', dir, '--jobs', '2', '--host-from-dir', '--db', db]);
    expect(again.code).toBe(8);
    expect(again.out).toContain(`5 files: 0 stored, ${traces} already stored, 1 failed`);
    expect(again.out).toMatch(/skipped {2}.*host-a-?.*already stored as run [0-9a-f]{32}/);
    expect(await storeCounts(db)).toMatchObject({ runs: traces, whole: true });
  }, 240_000);

  it('two identical files in one batch: one run stored, the other skipped as that run', async () => {
    const dir = tempDir('txreplay-fleet-');
    const src = path.join(SHARED, 'traces', 'veth-stall-tbf/ftrace.txt');
    for (const name of ['a.txt', 'b.txt']) copyFileSync(src, path.join(dir, name));
    const db = path.join(tempDir('txreplay-chdb-'), 'db');
    const r = await cli(['bulk', dir, '--jobs', '1', '--db', db, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { files: { status: string; runId: string }[]; stored: number; skipped: number };
    expect([j.stored, j.skipped]).toEqual([1, 1]);
    expect(j.files[0]!.runId).toBe(j.files[1]!.runId);
    expect(await storeCounts(db)).toMatchObject({ runs: 1, whole: true });
  }, 240_000);

  it('Ctrl-C leaves no partial run (exit 130); running again stores the rest', async () => {
    // enough files that the interrupt lands mid-run on a fast machine too: 80 runs take longer than 3 s even in
    // write batches (a run is stored whole or not at all; a batch's runs rows go last)
    const { dir, traces } = fleetDir(20);
    const db = path.join(tempDir('txreplay-chdb-'), 'db');
    const interrupted = await cli(['bulk', path.join(dir, 'host-*', '*.txt'), '--jobs', '1', '--db', db], 3000);
    expect(interrupted.code, interrupted.err).toBe(130);
    expect(interrupted.err).toMatch(/interrupted; stored runs are whole, none is partial/);
    const mid = await storeCounts(db);
    expect(mid.whole).toBe(true);
    expect(mid.runs).toBeLessThan(traces);
    const rest = await cli(['bulk', path.join(dir, 'host-*', '*.txt'), '--jobs', '1', '--db', db]);
    expect(rest.out).toContain(
      `${traces + 1} files: ${traces - mid.runs} stored, ${mid.runs} already stored, 1 failed`,
    );
    expect(await storeCounts(db)).toMatchObject({ runs: traces, whole: true });
  }, 240_000);
});
