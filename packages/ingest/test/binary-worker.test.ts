/**
 * The binary worker changes nothing: the built package reading perf.data / trace.dat in a worker thread (its
 * batches remapped into the output's dictionaries on the main thread, buffers shared and given back) gives the
 * same table, dictionaries and summary as the reader in this thread — on a shared perf.data, a compressed trace.dat
 * with %pS locations (kallsyms), and one with lost-event pages, each after a text input (the worker's batches go
 * after the rows already in the output's columns). The worker script is compiled JavaScript, so this test builds
 * the ingest package first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLUMNS, loadEvents } from '../src/index.js';
import { TRACES, builtLoadEvents, type BuiltLoadEvents } from './fixtures.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = path.join(repoRoot, 'fixtures/captured');
const either = (p: string): string => (existsSync(p) ? p : `${p}.gz`);

let built: BuiltLoadEvents;
beforeAll(async () => {
  built = await builtLoadEvents();
}, 120_000);

function columns(t: Table): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of COLUMNS) {
    const v = t.getChild(name);
    out[name] = v === null ? [] : Array.from({ length: t.numRows }, (_, i) => v.get(i));
  }
  return out;
}

describe('binary inputs in a worker thread', () => {
  const text = either(path.join(TRACES, 'multiqueue', 'perf-script.txt'));
  for (const binary of [
    either(path.join(TRACES, 'veth-backpressure', 'perf.data')),
    path.join(captured, 'requeue-bulk-tracecmd', 'trace.dat'),
    path.join(captured, 'lossy-tracecmd', 'trace.dat'),
  ]) {
    it(`${path.basename(path.dirname(binary))}/${path.basename(binary)}: the same table and summary`, async () => {
      const inThread = await loadEvents([text, binary], { workers: 0 });
      const inWorker = await built([text, binary], { workers: 1 });
      expect(inWorker.table.numRows).toBe(inThread.table.numRows);
      expect(columns(inWorker.table)).toEqual(columns(inThread.table));
      expect(inWorker.summary).toEqual(inThread.summary);
    });
  }
});
