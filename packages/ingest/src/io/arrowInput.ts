/**
 * `.arrow` inputs (an earlier `txreplay ingest` output, IPC file or stream) are read back. Rows are re-appended
 * through the slow path so several inputs, text and Arrow, end up in one table.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { tableFromIPC, type RecordBatch, type Table } from 'apache-arrow';
import type { SourceSummary } from '../parse/errors.js';
import type { RowColumns } from '../table/rows.js';
import { COLUMNS, META, type TxEventRow } from '../table/schema.js';

/** True when the file starts with the Arrow IPC file magic or a stream continuation marker. */
export async function looksLikeArrow(path: string): Promise<boolean> {
  if (path === '-') return false;
  if (path.endsWith('.arrow') || path.endsWith('.feather') || path.endsWith('.arrows')) return true;
  // peeking at a named pipe (`<(perf script)`) would fail (ESPIPE) or eat its first bytes (opening it connects
  // the writer): only regular files are checked, and stat() does not open
  if (!(await stat(path)).isFile()) return false;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, 8, 0);
    if (bytesRead >= 6 && buf.toString('latin1', 0, 6) === 'ARROW1') return true;
    return bytesRead >= 4 && buf.readUInt32LE(0) === 0xffffffff;
  } finally {
    await fh.close();
  }
}

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

/** Append a row object to the columns (slow path: Arrow re-ingest). */
export function appendRow(cols: RowColumns, row: TxEventRow): void {
  const r = cols.begin();
  const v = cols.valid;
  cols.tsNs[r] = row.ts_ns;
  v.ts_ns[r] = 1;
  const setI = (arr: Int32Array | Uint32Array | Int16Array, key: keyof TxEventRow): void => {
    const x = row[key];
    if (x !== null && x !== undefined) {
      arr[r] = Number(x);
      v[key as keyof typeof v][r] = 1;
    }
  };
  setI(cols.cpu, 'cpu');
  setI(cols.pid, 'pid');
  setI(cols.ifindex, 'ifindex');
  setI(cols.queue, 'queue');
  setI(cols.len, 'len');
  setI(cols.rc, 'rc');
  setI(cols.work, 'work');
  setI(cols.budget, 'budget');
  setI(cols.txqState, 'txq_state');
  setI(cols.packets, 'packets');
  setI(cols.handle, 'handle');
  setI(cols.parent, 'parent');
  setI(cols.stallLen, 'stall_len');
  setI(cols.line, 'line');
  if (row.skbaddr !== null) {
    cols.skbaddr[r] = BigInt.asUintN(64, row.skbaddr);
    v.skbaddr[r] = 1;
  }
  if (row.napi !== null) {
    cols.napi[r] = BigInt.asUintN(64, row.napi);
    v.napi[r] = 1;
  }
  if (row.jiffies !== null) {
    cols.jiffies[r] = BigInt.asUintN(64, row.jiffies);
    v.jiffies[r] = 1;
  }
  if (row.ptr_hashed !== null) {
    cols.ptrHashed[r] = row.ptr_hashed ? 1 : 0;
    v.ptr_hashed[r] = 1;
  }
  if (row.comm !== null) cols.setDict('comm', r, row.comm);
  cols.setDict('event', r, row.event);
  if (row.dev !== null) cols.setDict('dev', r, row.dev);
  if (row.driver !== null) cols.setDict('driver', r, row.driver);
  if (row.reason !== null) cols.setDict('reason', r, row.reason);
  if (row.location !== null) cols.setDict('location', r, row.location);
  cols.setDict('source', r, row.source);
  if (row.raw !== null) {
    cols.raw[r] = row.raw;
    v.raw[r] = 1;
  }
  cols.commit();
}
