/**
 * Summary of an event table (an ingest output): schema, time span, counts per event and per device.
 * Used by `txreplay inspect`. Works per record batch on the dictionary indices, without per-row objects.
 */
import { readArrowTable } from '../io/arrowInput.js';
import type { Data, Table } from 'apache-arrow';
import { META } from './schema.js';

export interface TableInspection {
  path: string;
  rows: number;
  batches: number;
  schema: { name: string; type: string; nullable: boolean }[];
  metadata: Record<string, string>;
  /** first/last ts_ns as decimal strings (exact), span in seconds */
  timeSpan: { firstNs: string; lastNs: string; seconds: number } | null;
  eventCounts: Record<string, number>;
  /** rows per `dev` (net/napi events) and per `ifindex=N` (qdisc events, which carry no name) */
  deviceCounts: Record<string, number>;
  lostEvents: number;
}

function countDict(data: Data, into: Map<string, number>, skip: Uint8Array | null, prefix = ''): void {
  const idx = data.values as Int32Array;
  const dict = data.dictionary;
  if (!dict) return;
  const perIdx = new Map<number, number>();
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) continue;
    if (skip && skip[i]) continue;
    const k = idx[i]!;
    perIdx.set(k, (perIdx.get(k) ?? 0) + 1);
  }
  for (const [k, n] of perIdx) {
    const name = prefix + String(dict.get(k));
    into.set(name, (into.get(name) ?? 0) + n);
  }
}

function inspectTable(table: Table, path = ''): TableInspection {
  let min: bigint | null = null;
  let max: bigint | null = null;
  const events = new Map<string, number>();
  const devices = new Map<string, number>();
  const names = table.schema.fields.map((f) => f.name);
  const col = (n: string): number => names.indexOf(n);
  for (const batch of table.batches) {
    const d = batch.data.children;
    const ts = d[col('ts_ns')]!.values as BigInt64Array;
    for (let i = 0; i < ts.length && i < batch.numRows; i++) {
      const v = ts[i]!;
      if (min === null || v < min) min = v;
      if (max === null || v > max) max = v;
    }
    countDict(d[col('event')]!, events, null);
    const devData = d[col('dev')]!;
    countDict(devData, devices, null);
    const ifData = d[col('ifindex')]!;
    const ifv = ifData.values as Int32Array;
    const perIf = new Map<number, number>();
    for (let i = 0; i < batch.numRows; i++) {
      if (devData.getValid(i) || !ifData.getValid(i)) continue;
      perIf.set(ifv[i]!, (perIf.get(ifv[i]!) ?? 0) + 1);
    }
    for (const [k, n] of perIf) devices.set(`ifindex=${k}`, (devices.get(`ifindex=${k}`) ?? 0) + n);
  }
  const meta = Object.fromEntries(table.schema.metadata);
  const sorted = (m: Map<string, number>): Record<string, number> =>
    Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  return {
    path,
    rows: table.numRows,
    batches: table.batches.length,
    schema: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
    metadata: meta,
    timeSpan:
      min === null || max === null
        ? null
        : { firstNs: min.toString(), lastNs: max.toString(), seconds: Number(max - min) / 1e9 },
    eventCounts: sorted(events),
    deviceCounts: sorted(devices),
    lostEvents: Number(meta[META.lost] ?? 0),
  };
}

export async function inspectArrowFile(path: string): Promise<TableInspection> {
  // foreign layouts (polars, DuckDB, pyarrow) are read into the event schema first (../io/arrowInput.ts)
  return inspectTable(await readArrowTable(path), path);
}
