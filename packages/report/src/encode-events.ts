/**
 * Arrow event table (packages/ingest/src/schema.ts) → TabSeparated chunks for the `events` table.
 * Works on the raw column buffers of each record batch (typed arrays, null bitmaps, dictionaries escaped
 * once per batch) instead of materialising one JS object per event.
 */
import { Type, type Data, type Table, type RecordBatch } from 'apache-arrow';
import { COLUMNS } from '@txreplay/ingest';
import { EVENT_COLUMNS } from './ddl.js';
import { tsvEscape, TSV_NULL, WallClockFormatter } from './tsv.js';

type CellText = (row: number) => string;

function isValid(d: Data, row: number): boolean {
  const bm = d.nullBitmap;
  if (!bm || bm.length === 0 || d.nullCount === 0) return true;
  const i = d.offset + row;
  return ((bm[i >> 3]! >> (i & 7)) & 1) === 1;
}

const textCache = new WeakMap<Data, (string | null)[]>();

/**
 * Escaped text of every value of a Utf8 vector (dictionary values). Ingest shares one growing dictionary
 * across batches (first chunks never change), so results are cached per Data chunk.
 */
function utf8Texts(d: Data): (string | null)[] {
  const cached = textCache.get(d);
  if (cached) return cached;
  const out: (string | null)[] = new Array(d.length);
  const offs = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < d.length; i++) {
    if (!isValid(d, i)) {
      out[i] = null;
      continue;
    }
    const start = offs[d.offset + i]!;
    const end = offs[d.offset + i + 1]!;
    out[i] = tsvEscape(buf.toString('utf8', start, end));
  }
  textCache.set(d, out);
  return out;
}

function columnText(d: Data): CellText {
  const t = d.type.typeId;
  const nullable = d.nullCount > 0;
  if (t === Type.Dictionary) {
    const dictData = (d.dictionary as unknown as { data: Data[] }).data;
    // a dictionary vector may span several Data chunks (delta dictionaries): flatten
    const texts: (string | null)[] = [];
    for (const dd of dictData) for (const s of utf8Texts(dd)) texts.push(s);
    const idx = d.values as ArrayLike<number>;
    const off = d.offset;
    return (row) => {
      if (nullable && !isValid(d, row)) return TSV_NULL;
      return texts[Number(idx[off + row])] ?? TSV_NULL;
    };
  }
  if (t === Type.Utf8 || t === Type.LargeUtf8) {
    const offs = d.valueOffsets as ArrayLike<number | bigint>;
    const bytes = d.values as Uint8Array;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return (row) => {
      if (nullable && !isValid(d, row)) return TSV_NULL;
      const start = Number(offs[d.offset + row]!);
      const end = Number(offs[d.offset + row + 1]!);
      return tsvEscape(buf.toString('utf8', start, end));
    };
  }
  if (t === Type.Bool) {
    const bits = d.values as Uint8Array;
    return (row) => {
      if (nullable && !isValid(d, row)) return TSV_NULL;
      const i = d.offset + row;
      return (bits[i >> 3]! >> (i & 7)) & 1 ? '1' : '0';
    };
  }
  if (t === Type.Int || t === Type.Float) {
    const vals = d.values as ArrayLike<number | bigint>;
    const off = d.offset;
    return (row) => {
      if (nullable && !isValid(d, row)) return TSV_NULL;
      return String(vals[off + row]);
    };
  }
  throw new Error(`events: unsupported Arrow column type ${String(d.type)}`);
}

export interface EncodeEventsOptions {
  runId: string;
  /** wall clock minus trace clock, ns: `time = ts_ns + wallOffsetNs` */
  wallOffsetNs: bigint;
  /** DateTime64(9) text (true) or DateTime seconds (false, servers before 20.1) */
  nanos: boolean;
  /** rows per yielded chunk */
  chunkRows?: number;
}

/** The events table's column list, in the order the encoder writes them. */
export const EVENT_INSERT_COLUMNS = EVENT_COLUMNS.map((c) => c.name);

/** Yields TSV text, `chunkRows` rows at a time, for all batches of `table`. */
export function* encodeEvents(table: Table, opts: EncodeEventsOptions): Generator<string> {
  const chunkRows = opts.chunkRows ?? 8192;
  const clock = new WallClockFormatter(opts.nanos);
  const runIdText = tsvEscape(opts.runId);
  for (const batch of table.batches as RecordBatch[]) {
    const cols: CellText[] = [];
    let ts: BigInt64Array | null = null;
    let tsOff = 0;
    for (const name of EVENT_INSERT_COLUMNS) {
      if (name === 'run_id' || name === 'time') continue;
      const idx = batch.schema.fields.findIndex((f) => f.name === name);
      if (idx < 0) throw new Error(`events: the Arrow table has no column ${name} (schema ${COLUMNS.join(',')})`);
      const d = batch.data.children[idx]!;
      if (name === 'ts_ns') {
        ts = d.values as BigInt64Array;
        tsOff = d.offset;
      }
      cols.push(columnText(d));
    }
    if (!ts) throw new Error('events: no ts_ns column');
    const n = batch.numRows;
    // cols[0] is ts_ns; the `time` column goes right after it (see EVENT_COLUMNS)
    const tsText = cols[0]!;
    const rest = cols.slice(1);
    let out = '';
    let inChunk = 0;
    for (let r = 0; r < n; r++) {
      let line = runIdText + '\t' + tsText(r) + '\t' + clock.format(ts[tsOff + r]! + opts.wallOffsetNs);
      for (let c = 0; c < rest.length; c++) line += '\t' + rest[c]!(r);
      out += line + '\n';
      if (++inChunk >= chunkRows) {
        yield out;
        out = '';
        inChunk = 0;
      }
    }
    if (out.length > 0) yield out;
  }
}
