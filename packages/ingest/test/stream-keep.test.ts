/**
 * streamEvents' `keep` (io/lease.ts): a batch a consumer keeps past its onBatch keeps its values while later batches
 * are parsed into pooled buffers — in this thread and in the built package's parse workers (tiny blocks, 2 workers,
 * SharedArrayBuffers given back to the worker that filled them) — and the file written holds the same rows as without
 * it (not the same bytes: padding beyond a column's rows is whatever a reused buffer held, with or without keep);
 * `columns` writes only those. In this thread the pool seldom hands a given-back buffer out again (173 of 1 479 takes
 * on this trace with tiny blocks, main's build alike), so that case checks the API more than the reuse; the workers
 * reuse theirs batch after batch, and a batch held there without keep is overwritten (checked: the test can fail).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamEvents, type KeepBatch, type LoadOptions } from '../src/index.js';
import { buildIngestDist, TRACES } from './fixtures.js';

type Stream = typeof streamEvents;
const repoRoot = join(import.meta.dirname, '../../..');
const trace = join(TRACES, 'multiqueue', 'perf-script.txt');
const dir = mkdtempSync(join(tmpdir(), 'txreplay-keep-'));
let built: Stream;

beforeAll(async () => {
  buildIngestDist();
  const m = (await import(pathToFileURL(join(repoRoot, 'packages/ingest/dist/index.js')).href)) as {
    streamEvents: Stream;
  };
  built = m.streamEvents;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every column's values of a batch, copied (what the batch held when it was handed over). */
function snapshot(b: RecordBatch): string[] {
  return b.schema.fields.map((f) => {
    const d = b.getChild(f.name)!.data[0]!;
    return `${f.name}:${Buffer.from(d.values.buffer, d.values.byteOffset, d.values.byteLength).toString('hex')}`;
  });
}

/** Every column of an Arrow file as text (dictionary columns as their strings). */
function rowsOf(file: string): string[] {
  const table = tableFromIPC(readFileSync(file));
  return table.schema.fields.map(
    (f) =>
      `${f.name}:${JSON.stringify([...table.getChild(f.name)!], (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
  );
}

/**
 * Stream the trace, holding on to every other batch — with `keep` or (`useKeep` false) without it: [its values then,
 * its values at the end], per batch held.
 */
async function streamKeeping(
  stream: Stream,
  out: string,
  opts: LoadOptions,
  useKeep: boolean,
): Promise<[string[], string[]][]> {
  const kept: { batch: RecordBatch; handed: string[]; release: () => void }[] = [];
  let n = 0;
  await stream(
    [trace],
    out,
    (batch: RecordBatch, keep: KeepBatch) => {
      if (n++ % 2 !== 0) return;
      const release = useKeep ? keep() : () => undefined;
      expect(release).not.toBeNull();
      if (useKeep) expect(keep()).toBeNull(); // one keeper per batch
      kept.push({ batch, handed: snapshot(batch), release: release! });
    },
    opts,
  );
  const pairs = kept.map((k): [string[], string[]] => [k.handed, snapshot(k.batch)]);
  for (const k of kept) k.release();
  return pairs;
}

describe('streamEvents keep', () => {
  it.each([
    ['this thread', false],
    ['2 parse workers', true],
  ])('%s: a kept batch keeps its values; the rows written are the same', async (_name, workers) => {
    const stream = workers ? built : streamEvents;
    const opts: LoadOptions = workers ? { workers: 2, blockBytes: 64 << 10, batchRows: 1024 } : { batchRows: 1024 };
    const plain = join(dir, `plain-${workers}.arrow`);
    await stream([trace], plain, () => undefined, opts);
    const out = join(dir, `kept-${workers}.arrow`);
    const pairs = await streamKeeping(stream, out, opts, true);
    expect(pairs.length).toBeGreaterThan(4);
    for (const [handed, now] of pairs) expect(now).toEqual(handed);
    expect(rowsOf(out)).toEqual(rowsOf(plain));
  });

  it('2 parse workers: a batch held without keep is overwritten (what keep is for)', async () => {
    const opts: LoadOptions = { workers: 2, blockBytes: 64 << 10, batchRows: 1024 };
    const pairs = await streamKeeping(built, join(dir, 'unkept.arrow'), opts, false);
    expect(pairs.filter(([handed, now]) => now.join() !== handed.join()).length).toBeGreaterThan(0);
  });

  it('columns: the file holds those columns (in table order), the same rows', async () => {
    const all = join(dir, 'all.arrow');
    await streamEvents([trace], all, () => undefined, { batchRows: 1024 });
    const some = join(dir, 'some.arrow');
    await streamEvents([trace], some, () => undefined, { batchRows: 1024, columns: ['line', 'ts_ns', 'dev'] });
    expect(tableFromIPC(readFileSync(some)).schema.fields.map((f) => f.name)).toEqual(['ts_ns', 'dev', 'line']);
    const kept = new Set(['ts_ns:', 'dev:', 'line:']);
    expect(rowsOf(some)).toEqual(rowsOf(all).filter((c) => kept.has(c.slice(0, c.indexOf(':') + 1))));
  });
});
