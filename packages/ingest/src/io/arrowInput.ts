/**
 * `.arrow` inputs (an earlier `txreplay ingest` output, or an event table written by another tool: polars,
 * pyarrow, DuckDB, ClickHouse; IPC file or stream) are read back. A table in txreplay's own layout is used as
 * it is; any other layout of the same columns (other column order, batch sizes, plain or other-keyed
 * dictionary strings, Utf8/LargeUtf8/Utf8View, nullable columns, other integer widths, missing optional
 * columns) is rebuilt row by row into the event schema, so every command sees the one layout replay reads.
 * Rows are re-appended through the same slow path when several inputs, text and Arrow, make one table.
 */
import { readFile } from 'node:fs/promises';
import { Table, tableFromIPC, type RecordBatch, type Schema } from 'apache-arrow';
import { NotATraceError, type SourceSummary } from '../parse/errors.js';
import { EventColumns, makeEventSchema } from '../table/columns.js';
import type { RowColumns } from '../table/rows.js';
import { META } from '../table/schema.js';
import { wallClockFromMeta } from '../parse/wallClock.js';
import {
  COLUMNS,
  columnSpec,
  type ColumnName,
  type DictColumn,
  type TxEventRow,
  type TypedColumn,
} from '../table/catalogue.js';

/** An Arrow event table from `path`, in txreplay's layout (see the file comment). */
export async function readArrowTable(path: string): Promise<Table> {
  const table = tableFromIPC(await readFile(path));
  if (!table.schema.fields.some((f) => f.name === 'event') || !table.schema.fields.some((f) => f.name === 'ts_ns'))
    throw new NotATraceError(path, `${path} is an Arrow file but not a txreplay event table (no ts_ns/event columns).`);
  return ownLayout(table.schema) ? table : conformed(table);
}

const EVENT_SCHEMA = makeEventSchema();

/** Same columns in the same order with the same Arrow types (nullability aside) as ingest writes. */
function ownLayout(schema: Schema): boolean {
  const want = EVENT_SCHEMA.fields;
  if (schema.fields.length !== want.length) return false;
  return schema.fields.every((f, i) => f.name === want[i]!.name && String(f.type) === String(want[i]!.type));
}

/** Rebuild a foreign layout into the event schema, keeping its metadata (summary counts, if it has ours). */
function conformed(table: Table): Table {
  const cols = new EventColumns();
  const batches: RecordBatch[] = [];
  for (const batch of table.batches) {
    for (let i = 0; i < batch.numRows; i++) {
      appendRow(cols, rowAt(batch, i));
      if (cols.full) batches.push(cols.flush());
    }
  }
  if (cols.length > 0 || batches.length === 0) batches.push(cols.flush());
  const out = new Table(batches);
  for (const [k, v] of table.schema.metadata) out.schema.metadata.set(k, v);
  return out;
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
    wallClock: wallClockFromMeta(meta.get(META.wallClock)),
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
