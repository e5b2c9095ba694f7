/**
 * The report/query/export commands of the CLI, run in-process through commander (the same register()
 * functions main.ts wires), on the bundled real capture: embedded store by default, server by URL.
 * Credentials: a password is used but never printed, also not when it is wrong. The ClickHouse test server
 * is the one report's tests use (packages/report/test/helpers.ts); the store itself is tested there.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { register as registerReport } from '../src/commands/report.js';
import { register as registerQuery } from '../src/commands/query.js';
import { register as registerExport } from '../src/commands/export.js';
import { CliError } from '../src/exit.js';
import { REPO_ROOT, testServerEnv, stopTestServer, tempDir } from '../../report/test/helpers.js';

const serverEnv = testServerEnv();
afterAll(() => stopTestServer());
afterEach(() => {
  process.exitCode = 0;
});

const EXAMPLE = path.join(REPO_ROOT, 'examples/multiqueue.perf-script.txt.gz');

async function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ out: string; err: unknown }> {
  const program = new Command().exitOverride();
  registerReport(program);
  registerQuery(program);
  registerExport(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  let err: unknown = null;
  try {
    await program.parseAsync(['node', 'txreplay', ...args]);
  } catch (e) {
    err = e;
  } finally {
    process.stdout.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { out, err };
}

// the embedded store is the default: make sure no server URL leaks in from the environment
const NO_SERVER = { TXREPLAY_CLICKHOUSE_URL: undefined, CLICKHOUSE_URL: undefined };

describe('txreplay report / query / export', () => {
  const dir = tempDir('txreplay-cli-');
  const db = path.join(dir, 'db');
  const html = path.join(dir, 'multiqueue.html');

  it('report: ingest + replay + store (embedded) + HTML post-mortem; a second run finds it stored', async () => {
    const first = await run(['report', EXAMPLE, '--db', db, '--html', html], NO_SERVER);
    expect(first.err).toBeNull();
    expect(first.out).toMatch(/^PROBLEM: 3 critical/m);
    expect(first.out).toMatch(
      /^stored run [0-9a-f]{32}: 29484 events, 8011 packets, \d+ findings in the embedded chDB store /m,
    );
    expect(first.out).toContain(`post-mortem: ${html}`);
    expect(readFileSync(html, 'utf8')).toContain('<svg class="timeline"');
    // without --html/--md, report writes no file of its own (the run is in the store)
    const cwdBefore = readdirSync(process.cwd()).sort();
    const second = await run(['report', EXAMPLE, '--db', db], NO_SERVER);
    expect(readdirSync(process.cwd()).sort()).toEqual(cwdBefore);
    expect(second.err).toBeNull();
    expect(second.out).toMatch(/^already stored run [0-9a-f]{32}/m);
    expect(second.out).not.toContain('post-mortem:');
  });

  it('query: table, csv and json against the embedded store', async () => {
    const csv = await run(['query', 'SELECT count() AS n FROM events', '--db', db, '--format', 'csv'], NO_SERVER);
    expect(csv.out).toBe('"n"\n29484\n');
    const json = await run(
      [
        'query',
        "SELECT dev, queue FROM findings WHERE kind = 'lost_wakeup' ORDER BY queue",
        '--db',
        db,
        '--format',
        'json',
      ],
      NO_SERVER,
    );
    expect(
      json.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { dev: 'vs0', queue: 1 },
      { dev: 'vs0', queue: 2 },
      { dev: 'vs0', queue: 3 },
    ]);
    const table = await run(
      ['query', 'SELECT event, count() AS n FROM events GROUP BY event ORDER BY n DESC LIMIT 2', '--db', db],
      NO_SERVER,
    );
    expect(table.out).toMatch(
      /^event\s+n\n-+\s+-+\nqdisc:qdisc_dequeue\s+8063\nnet:net_dev_queue\s+8011\n\(2 rows\)\n$/,
    );
    const bad = await run(['query', 'SELECT 1', '--db', db, '--format', 'xml'], NO_SERVER);
    expect(String(bad.err)).toMatch(/--format: expected one of table, csv, tsv, json, parquet, arrow/);
    expect(process.exitCode).toBe(2);
  });

  it('export --csv writes findings, series, runs and queue intervals', async () => {
    const out = path.join(dir, 'csv');
    const r = await run(['export', '--csv', out, '--db', db], NO_SERVER);
    expect(r.err).toBeNull();
    for (const t of ['findings', 'series', 'runs', 'queue_intervals']) {
      expect(existsSync(path.join(out, `${t}.csv`))).toBe(true);
      expect(readFileSync(path.join(out, `${t}.csv`), 'utf8').endsWith('\n')).toBe(true); // POSIX text file
    }
    expect(r.out).toMatch(/runs\.csv: 1 rows/);
  });

  it('report to the server by URL, with a user and password from the environment; the password is never printed', async () => {
    const password = serverEnv.TXREPLAY_CLICKHOUSE_TEST_PASSWORD!;
    const user = serverEnv.TXREPLAY_CLICKHOUSE_TEST_USER!;
    expect(password).toMatch(/^pw-/);
    const env = { CLICKHOUSE_USER: user, CLICKHOUSE_PASSWORD: password, CLICKHOUSE_DATABASE: `txr_cli_${process.pid}` };
    const r = await run(['report', EXAMPLE, '--clickhouse-url', serverEnv.TXREPLAY_CLICKHOUSE_URL!, '--no-html'], env);
    expect(r.err).toBeNull();
    expect(r.out).toMatch(/stored run [0-9a-f]{32}: 29484 events/);
    expect(r.out).toContain(
      `ClickHouse server ${serverEnv.TXREPLAY_CLICKHOUSE_URL} (user ${user}, password set), database txr_cli_${process.pid} (ClickHouse 18.16`,
    );
    expect(r.out).not.toContain(password);
    // credentials inside the URL work the same (that they stay out of messages: report's store-config test)
    const url = serverEnv.TXREPLAY_CLICKHOUSE_URL!.replace('http://', `http://${user}:${password}@`);
    const q = await run(['query', 'SELECT count() AS n FROM events', '--clickhouse-url', url, '--format', 'csv'], {
      CLICKHOUSE_DATABASE: `txr_cli_${process.pid}`,
    });
    expect(q.out).toBe('"n"\n29484\n');
  });

  it('a wrong password fails with one sentence, exit code 5, no password', async () => {
    const wrong = 'not-the-password-42';
    const r = await run(['query', 'SELECT 1', '--clickhouse-url', serverEnv.TXREPLAY_CLICKHOUSE_URL!], {
      CLICKHOUSE_USER: serverEnv.TXREPLAY_CLICKHOUSE_TEST_USER,
      CLICKHOUSE_PASSWORD: wrong,
    });
    // the StoreError, as every error, leaves the command as one sentence with its exit code (src/run.ts)
    expect(r.err).toBeInstanceOf(CliError);
    expect((r.err as CliError).exitCode).toBe(5);
    expect(process.exitCode).toBe(5);
    const msg = (r.err as Error).message;
    expect(msg).toMatch(
      /^could not reach the ClickHouse server http:\/\/127\.0\.0\.1:\d+ \(user txreplay_test, password set\), database txreplay: .*Wrong password/,
    );
    expect(msg).not.toContain(wrong);
    expect(msg.split('\n')).toHaveLength(1);
  });
});
