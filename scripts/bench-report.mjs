#!/usr/bin/env node
/**
 * Report benchmark (not a test). Events of a large trace (the shared multiqueue capture repeated to
 * BENCH_EVENTS rows, default 2,000,000; or BENCH_ARROW=file.arrow, e.g. the bench:ingest output) are written
 *   (a) to the ClickHouse server by txreplay's bulk path (Arrow buffers → Native blocks → one streamed HTTP
 *       insert; the RowBinary and TSV variants of the same path are timed too), and
 *   (b) the same rows, pre-encoded as a TSV file, with `clickhouse-client --query "INSERT … FORMAT TSV"`,
 * in the same run, into identical tables; prints rows/s for both and the ratio a/b (goal ≥ 0.9).
 * Also (c) rows/s into the embedded chDB store. Best of BENCH_REPS (default 2) per path.
 * Server: $TXREPLAY_CLICKHOUSE_URL (+ $TXREPLAY_CLICKHOUSE_TCP_PORT for clickhouse-client, default 9000),
 * else a private one from scripts/clickhouse-test-server.sh. Run after `pnpm build` (pnpm bench:report).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// BENCH_REPORT_GB: the streamed `report` benchmark (peak RSS on a generated trace) instead
if (process.env.BENCH_REPORT_GB) {
  await import('./bench-report-stream.mjs');
  process.exit(0);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TXREPLAY_SHARED ?? resolve(root, '../shared');
const imp = (p) => import(pathToFileURL(join(root, p)).href);
const { loadEvents } = await imp('packages/ingest/dist/index.js');
const { Store, resolveStoreConfig, encodeEventsTsv, insertEvents } = await imp('packages/report/dist/index.js');
const { Table } = await import(
  pathToFileURL(join(root, 'packages/report/node_modules/apache-arrow/Arrow.node.mjs')).href
);

const targetRows = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const reps = Number(process.env.BENCH_REPS ?? 2);
const work = mkdtempSync(join(tmpdir(), 'txreplay-bench-report-'));
const log = (s) => process.stdout.write(s + '\n');

// --- server -------------------------------------------------------------------------------------------
let env = {};
let startedServer = false;
if (process.env.TXREPLAY_CLICKHOUSE_URL) {
  env = {
    TXREPLAY_CLICKHOUSE_URL: process.env.TXREPLAY_CLICKHOUSE_URL,
    TXREPLAY_CLICKHOUSE_TCP_PORT: process.env.TXREPLAY_CLICKHOUSE_TCP_PORT ?? '9000',
  };
} else {
  const out = execFileSync(join(root, 'scripts/clickhouse-test-server.sh'), ['start'], {
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: work },
  });
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
  startedServer = true;
}
const stopServer = () => {
  if (startedServer)
    execFileSync(join(root, 'scripts/clickhouse-test-server.sh'), ['stop'], {
      env: { ...process.env, ...env, TMPDIR: work },
    });
};

try {
  // --- the large trace ---------------------------------------------------------------------------------
  let table;
  if (process.env.BENCH_ARROW) {
    ({ table } = await loadEvents([process.env.BENCH_ARROW]));
  } else {
    const { table: base } = await loadEvents([join(shared, 'traces/multiqueue/perf-script.txt')]);
    const copies = Math.max(1, Math.ceil(targetRows / base.numRows));
    table = new Table(Array.from({ length: copies }, () => base.batches).flat());
  }
  const rows = table.numRows;
  log(`txreplay bench:report — ${rows.toLocaleString('en-US')} events`);

  // --- (a) txreplay → server ---------------------------------------------------------------------------
  const server = await Store.open(
    resolveStoreConfig({ clickhouseUrl: env.TXREPLAY_CLICKHOUSE_URL, database: 'txr_bench' }, {}),
  );
  log(`server: ${server.describe()}`);
  const runId = 'b'.repeat(32);
  const recreate = async (name) => {
    await server.command(`DROP TABLE IF EXISTS txr_bench.${name}`);
    await server.command(`CREATE TABLE txr_bench.${name} AS txr_bench.events`);
  };
  const EVENT_COLUMNS = (
    await server.queryRows(`SELECT name FROM system.columns WHERE database = 'txr_bench' AND table = 'events'`)
  ).map((r) => r.name);
  const countOf = async (name) =>
    Number((await server.queryRows(`SELECT toString(count()) AS n FROM txr_bench.${name}`))[0].n);

  // pre-encode the same rows for clickhouse-client (not timed)
  const tsvFile = join(work, 'events.tsv');
  {
    const ws = createWriteStream(tsvFile);
    for (const chunk of encodeEventsTsv(table, { runId, wallOffsetNs: 0n, nanos: server.caps.dateTime64 })) {
      if (!ws.write(chunk)) await new Promise((r) => ws.once('drain', r));
    }
    await new Promise((r) => ws.end(r));
  }
  const tsvBytes = statSync(tsvFile).size;
  log(`TSV: ${(tsvBytes / 1e6).toFixed(1)} MB (${(tsvBytes / rows).toFixed(0)} bytes/row)`);

  // exactly what writeRun does for the events of a run (insertEvents), into the `events` table of the bench
  // database; the RowBinary and TSV wire formats of the same path are timed for the record
  const timeTxreplay = async (format) => {
    await server.command('TRUNCATE TABLE txr_bench.events');
    const t0 = performance.now();
    await insertEvents(server, table, { runId, wallOffsetNs: 0n, format });
    const s = (performance.now() - t0) / 1000;
    if ((await countOf('events')) !== rows) throw new Error(`txreplay ${format} insert: row count mismatch`);
    return s;
  };
  const timeClient = async () => {
    await recreate('events_client');
    const t0 = performance.now();
    await new Promise((res, rej) => {
      const child = spawn(
        'clickhouse-client',
        [
          '--host',
          '127.0.0.1',
          '--port',
          env.TXREPLAY_CLICKHOUSE_TCP_PORT,
          '--query',
          `INSERT INTO txr_bench.events_client (${EVENT_COLUMNS.join(', ')}) FORMAT TSV`,
        ],
        { stdio: ['pipe', 'inherit', 'inherit'] },
      );
      createReadStream(tsvFile).pipe(child.stdin);
      child.on('error', rej);
      child.on('exit', (code) => (code === 0 ? res() : rej(new Error(`clickhouse-client exited ${code}`))));
    });
    const s = (performance.now() - t0) / 1000;
    if ((await countOf('events_client')) !== rows) throw new Error('clickhouse-client insert: row count mismatch');
    return s;
  };

  let bestA = Infinity;
  let bestR = Infinity;
  let bestT = Infinity;
  let bestB = Infinity;
  for (let i = 0; i < reps; i++) {
    // alternate the order so no path always runs first on a cold (or last on a busy) server
    const order = i % 2 === 0 ? ['N', 'C', 'R', 'T'] : ['T', 'R', 'C', 'N'];
    for (const o of order) {
      if (o === 'N') bestA = Math.min(bestA, await timeTxreplay('Native'));
      if (o === 'R') bestR = Math.min(bestR, await timeTxreplay('RowBinary'));
      if (o === 'T') bestT = Math.min(bestT, await timeTxreplay('TabSeparated'));
      if (o === 'C') bestB = Math.min(bestB, await timeClient());
    }
  }
  await server.command('TRUNCATE TABLE txr_bench.events');
  await server.command('DROP TABLE IF EXISTS txr_bench.events_client');
  await server.close();
  const rateA = rows / bestA;
  const rateB = rows / bestB;
  log(
    `(a) txreplay → server (Arrow → Native → HTTP):    ${Math.round(rateA).toLocaleString('en-US')} rows/s (${bestA.toFixed(2)} s)`,
  );
  log(
    `    same path as RowBinary:                        ${Math.round(rows / bestR).toLocaleString('en-US')} rows/s (${bestR.toFixed(2)} s; ratio to (b) ${(bestB / bestR).toFixed(2)})`,
  );
  log(
    `    same path as TSV:                              ${Math.round(rows / bestT).toLocaleString('en-US')} rows/s (${bestT.toFixed(2)} s; ratio to (b) ${(bestB / bestT).toFixed(2)})`,
  );
  log(
    `(b) clickhouse-client INSERT … FORMAT TSV:      ${Math.round(rateB).toLocaleString('en-US')} rows/s (${bestB.toFixed(2)} s, ${(tsvBytes / 1e6 / bestB).toFixed(1)} MB/s)`,
  );
  log(`ratio a/b: ${(rateA / rateB).toFixed(2)} (goal ≥ 0.9)`);

  // --- (c) embedded chDB -------------------------------------------------------------------------------
  const emb = await Store.open(resolveStoreConfig({ db: join(work, 'chdb') }, {}));
  let bestC = Infinity;
  for (let i = 0; i < reps; i++) {
    await emb.command('TRUNCATE TABLE txreplay.events');
    const t0 = performance.now();
    await insertEvents(emb, table, { runId, wallOffsetNs: 0n });
    bestC = Math.min(bestC, (performance.now() - t0) / 1000);
    const got = Number((await emb.queryRows('SELECT toString(count()) AS n FROM txreplay.events'))[0].n);
    if (got !== rows) throw new Error(`embedded insert: ${got} rows, expected ${rows}`);
  }
  await emb.close();
  log(
    `(c) txreplay → embedded chDB ${emb.caps.version} (Native file): ${Math.round(rows / bestC).toLocaleString('en-US')} rows/s (${bestC.toFixed(2)} s)`,
  );
} finally {
  stopServer();
  rmSync(work, { recursive: true, force: true });
}
