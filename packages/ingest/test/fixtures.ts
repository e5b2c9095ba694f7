/** Shared helpers for the ingest tests: where the real captures are, and a parse-once cache. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Table } from 'apache-arrow';
import { loadEvents, type IngestSummary, type LoadOptions } from '../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SHARED = process.env.TXREPLAY_SHARED ?? resolve(repoRoot, '../shared');
export const TRACES = join(SHARED, 'traces');

/** Build packages/ingest/dist (tsc -b, then scripts/build-wasm.mjs: the catalogue ids and the WebAssembly kernel): tests that load the workers. */
export function buildIngestDist(): void {
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'packages/ingest'], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  execFileSync(process.execPath, [join(repoRoot, 'packages/ingest/scripts/build-wasm.mjs')], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
}

/** loadEvents of the built package (its parse workers run the WebAssembly kernel): build it first, then import it. */
export type BuiltLoadEvents = (
  inputs: string[],
  opts?: LoadOptions,
) => Promise<{ table: Table; summary: IngestSummary }>;
export async function builtLoadEvents(): Promise<BuiltLoadEvents> {
  buildIngestDist();
  const m = (await import(pathToFileURL(join(repoRoot, 'packages/ingest/dist/index.js')).href)) as {
    loadEvents: BuiltLoadEvents;
  };
  return m.loadEvents;
}

export interface GroundTruth {
  event_counts: Record<string, Record<string, number>>;
  trace_facts: {
    net_dev_xmit_rc: Record<string, number>;
    net_dev_start_xmit_queue_mapping?: Record<string, number>;
    kfree_skb_reasons?: Record<string, number>;
  };
}

export function traceDirs(): string[] {
  if (!existsSync(TRACES)) throw new Error(`shared traces not found at ${TRACES} (set TXREPLAY_SHARED)`);
  return readdirSync(TRACES)
    .filter((d) => existsSync(join(TRACES, d, 'ground-truth.json')))
    .sort();
}

export function groundTruth(dir: string): GroundTruth {
  return JSON.parse(readFileSync(join(TRACES, dir, 'ground-truth.json'), 'utf8')) as GroundTruth;
}

/** Path of `file` (as named in ground-truth.json) in `dir`, or its `.gz` variant. */
export function tracePath(dir: string, file: string): string {
  const p = join(TRACES, dir, file);
  if (existsSync(p)) return p;
  if (existsSync(`${p}.gz`)) return `${p}.gz`;
  throw new Error(`${p}(.gz) missing`);
}

const cache = new Map<string, Promise<{ table: Table; summary: IngestSummary }>>();
/** Parse each fixture once per test file. */
export function load(path: string): Promise<{ table: Table; summary: IngestSummary }> {
  let p = cache.get(path);
  if (!p) {
    p = loadEvents([path]);
    cache.set(path, p);
  }
  return p;
}

/** Histogram over rows of `event`, keyed by a function of the row index. */
export function histogram(table: Table, event: string, key: (i: number) => string): Record<string, number> {
  const ev = table.getChild('event')!;
  const h: Record<string, number> = {};
  for (let i = 0; i < table.numRows; i++) {
    if (ev.get(i) !== event) continue;
    const k = key(i);
    h[k] = (h[k] ?? 0) + 1;
  }
  return h;
}
