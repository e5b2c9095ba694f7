/**
 * `.arrow` inputs (an earlier `txreplay ingest` output, IPC file or stream) are read back. Rows are re-appended
 * through the slow path so several inputs, text and Arrow, end up in one table.
 */
import { readFile } from 'node:fs/promises';
import { tableFromIPC, type RecordBatch, type Table } from 'apache-arrow';
import type { SourceSummary } from '../parse/errors.js';
import type { RowColumns } from '../table/rows.js';
import { META } from '../table/schema.js';
import {
  COLUMNS,
  columnSpec,
  type ColumnName,
  type DictColumn,
  type TxEventRow,
  type TypedColumn,
} from '../table/catalogue.js';

export async function readArrowTable(path: string): Promise<Table> {
  return tableFromIPC(await readFile(path));
}

/** Summary of an Arrow input from its metadata (counts recorded at ingest time) and its rows. */
export function summaryOfArrow(path: string, table: Table): SourceSummary {
  const meta = table.schema.metadata;
  const eventCounts: Record<string, number> = {};
  const ev = table.getChild('event');
  // count by dictionary index per batch, not by decoding every row
  if (ev && ev.data.every((d) => d.dictionary !== undefined && d.values !== undefined)) {
    for (const data of ev.data) {
      const dict = data.dictionary!;
      const idx = data.values as ArrayLike<number>;
      const perIdx = new Float64Array(dict.length);
      for (let i = 0; i < data.length; i++) perIdx[idx[data.offset + i]!]!++;
      for (let k = 0; k < dict.length; k++) {
        if (perIdx[k]! === 0) continue;
        const name = String(dict.get(k));
        eventCounts[name] = (eventCounts[name] ?? 0) + perIdx[k]!;
      }
    }
  } else if (ev) {
    for (const v of ev) eventCounts[String(v)] = (eventCounts[String(v)] ?? 0) + 1;
  }
  return {
    path,
    format: 'arrow',
    kernel: meta.get(META.kernel) || null,
    lines: table.numRows,
    events: table.numRows,
    skipped: 0,
    comments: 0,
    lostEvents: Number(meta.get(META.lost) ?? 0),
    issues: [],
    eventCounts,
  };
}

/** One row as a plain object (tests and slow paths only). */
export function rowAt(batch: RecordBatch, i: number): TxEventRow {
  const o: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    const v: unknown = batch.getChild(c)?.get(i);
    o[c] = v === undefined ? null : v;
  }
  return o as unknown as TxEventRow;
}

/** Append a row object to the columns (slow path: Arrow re-ingest; a column the row lacks stays null). */
export function appendRow(cols: RowColumns, row: TxEventRow): void {
  const r = cols.begin();
  const cells = row as unknown as Record<ColumnName, unknown>;
  for (const name of COLUMNS) {
    const x = cells[name];
    if (x === null || x === undefined) continue;
    const kind = columnSpec(name).arrow;
    if (kind === 'dict') cols.setDict(name as DictColumn, r, String(x));
    else if (kind === 'utf8') {
      cols.raw[r] = String(x);
      cols.valid[name][r] = 1;
    } else {
      const arr = cols.values[name as TypedColumn];
      if (arr instanceof BigInt64Array) arr[r] = BigInt.asIntN(64, BigInt(x as bigint));
      else if (arr instanceof BigUint64Array) arr[r] = BigInt.asUintN(64, BigInt(x as bigint));
      else arr[r] = typeof x === 'boolean' ? (x ? 1 : 0) : Number(x);
      cols.valid[name][r] = 1;
    }
  }
  cols.commit();
}
