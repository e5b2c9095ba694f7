/**
 * The fast paths must not change a single answer: replaying a table record batch by record batch,
 * straight from an .arrow file (column buffers read on demand), and the whole-table fallback for
 * rows out of time order all give the same result, to the JSON byte.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table } from 'apache-arrow';
import { ingestToArrow, loadEvents } from '@txreplay/ingest';
import {
  observe,
  observeSource,
  openArrowFile,
  readColumns,
  replayArrowFile,
  replayTable,
  tableSource,
  timeOrder,
  toJson,
} from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

describe('batched, file and whole-table replay agree', () => {
  for (const [capture, file] of [
    ['multiqueue', 'perf-script.txt'],
    ['veth-backpressure', 'ftrace.txt.gz'],
    ['veth-peer-down', 'perf-script.txt'],
  ] as const) {
    it(`${capture}/${file}`, async () => {
      const input = path.join(traces, capture, file);
      const { table } = await loadEvents([input]);
      const reference = toJson(replayTable(table, { maxSeriesPoints: 500 }));
      expect(JSON.parse(reference).findings.length).toBeGreaterThan(0);

      // many small record batches: lifecycles, CPU batches and look-ahead cross batch boundaries
      const small = (await loadEvents([input], { batchRows: 777 })).table;
      expect(small.batches.length).toBeGreaterThan(10);
      expect(observeSource(tableSource(small))).not.toBeNull();
      expect(toJson(replayTable(small, { maxSeriesPoints: 500 }))).toBe(reference);

      // an .arrow file read column buffer by column buffer
      const dir = mkdtempSync(path.join(tmpdir(), 'txr-batched-'));
      const arrow = path.join(dir, 'x.arrow');
      await ingestToArrow([input], arrow, { batchRows: 777 });
      const src = openArrowFile(arrow);
      expect(src).not.toBeNull(); // the direct reader understood ingest's file (dictionaries, deltas, layout)
      expect(src!.starts.length).toBeGreaterThan(10);
      src!.close();
      const noSources = (j: string): string => j.replace(/"sources":\[[^\]]*\]/, '');
      const fromFile = toJson(await replayArrowFile(arrow, { maxSeriesPoints: 500 }));
      expect(noSources(fromFile)).toBe(noSources(reference));
      // large record batches are read in 8192-row ranges: ranges split batches mid-way
      const big = path.join(dir, 'big.arrow');
      await ingestToArrow([input], big, { batchRows: 20000 });
      expect(noSources(toJson(await replayArrowFile(big, { maxSeriesPoints: 500 })))).toBe(noSources(reference));

      // rows out of time order (batches reversed): the batch pass refuses, the sorted whole table answers
      const reversed = new Table([...small.batches].reverse());
      expect(observeSource(tableSource(reversed))).toBeNull();
      expect(toJson(replayTable(reversed, { maxSeriesPoints: 500 }))).toBe(reference);

      // the legacy whole-table entry point sees the same queues
      const cols = readColumns(table);
      const legacy = observe(cols, timeOrder(cols));
      const batched = observeSource(tableSource(small))!;
      const counts = (o: typeof legacy): string =>
        o.devices
          .map(
            (d) =>
              `${d.name}:${[...d.queues.values()].map((q) => `${q.queue}/${q.xmitOk}/${q.txBusy}/${q.qdiscDrops}/${q.completions}/${q.backlog}`).join(',')}`,
          )
          .join(' ');
      expect(counts(batched)).toBe(counts(legacy));
    });
  }
});
