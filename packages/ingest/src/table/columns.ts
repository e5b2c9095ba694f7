/**
 * The Arrow side of the row builder (./rows.ts): the event schema and record batches. `flush()` turns the rows
 * so far into one Arrow RecordBatch.
 *
 * Strings are dictionary-encoded with ONE growing dictionary per column for the whole output. Each batch's
 * dictionary is a chunked Vector whose first chunk never changes, so the Arrow IPC writer emits the new strings
 * as delta dictionary batches (the IPC file format allows deltas, not replacements).
 */
import {
  Bool,
  Data,
  Dictionary,
  Field,
  Int16,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Uint32,
  Uint64,
  Utf8,
  Vector,
  makeData,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { DICT_COLUMNS, RowColumns, joinBytes, type BatchBuffers, type BufferPool, type DictColumn } from './rows.js';
import { COLUMNS, NON_NULL_COLUMNS, columnSpec, type ColumnName } from './catalogue.js';

export {
  BufferPool,
  DICT_COLUMN_NAMES,
  type BatchBuffers,
  type DictColumn,
} from './rows.js';

function dictType(id: number): Dictionary<Utf8, Int32> {
  return new Dictionary(new Utf8(), new Int32(), id, false);
}

/** The Arrow type of a column (dictionary ids: the column's place in DICT_COLUMNS). */
function arrowTypeOf(name: ColumnName): DataType {
  switch (columnSpec(name).arrow) {
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'uint32':
      return new Uint32();
    case 'uint64':
      return new Uint64();
    case 'bool':
      return new Bool();
    case 'utf8':
      return new Utf8();
    case 'dict':
      return dictType(DICT_COLUMNS.indexOf(name as DictColumn));
  }
}

/**
 * An all-null column of `name`'s catalogue type, `length` rows: what a table written before the column existed
 * holds in it (the report encoders use it for older .arrow files).
 */
export function nullColumnData(name: ColumnName, length: number): Data {
  if (!columnSpec(name).nullable) throw new Error(`column ${name} cannot be null`);
  return vectorFromArray(new Array<null>(length).fill(null), arrowTypeOf(name)).data[0]!;
}

/** The one Arrow schema of the event table (metadata is attached by the writers). */
export function makeEventSchema(metadata?: Map<string, string>): Schema {
  const fields = COLUMNS.map((name) => {
    const nullable = !NON_NULL_COLUMNS.includes(name);
    return new Field(name, arrowTypeOf(name), nullable);
  });
  return new Schema(fields, metadata ?? new Map());
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Build a Utf8 Data from strings (null entries become nulls). */
function utf8Data(values: readonly (string | null)[]): Data<Utf8> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const encoded: Uint8Array[] = new Array<Uint8Array>(n);
  let total = 0;
  let nulls = 0;
  const valid = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls++;
      encoded[i] = EMPTY;
    } else {
      const b = encoder.encode(v);
      encoded[i] = b;
      total += b.length;
      valid[i >> 3]! |= 1 << (i & 7);
    }
    offsets[i + 1] = total;
  }
  const data = joinBytes(encoded, total);
  return makeData({
    type: new Utf8(),
    length: n,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? valid : null,
    valueOffsets: offsets,
    data,
  });
}

/** The Arrow dictionary of one column: every string so far, as chunks whose first chunk never changes. */
class ArrowDictionary {
  private readonly chunks: Data<Utf8>[] = [];
  private vector: Vector<Utf8> | null = null;

  snapshot(pending: string[]): Vector<Utf8> {
    if (pending.length > 0 || this.vector === null) {
      this.chunks.push(utf8Data(pending));
      this.vector = new Vector(this.chunks.slice());
    }
    return this.vector;
  }
}

const DICT_SET: ReadonlySet<string> = new Set(DICT_COLUMNS);

/** Row builder plus the Arrow schema: `flush()` / `batchOf()` make record batches. */
export class EventColumns extends RowColumns {
  readonly schema: Schema;
  private readonly arrowDicts = new Map<DictColumn, ArrowDictionary>(
    DICT_COLUMNS.map((d) => [d, new ArrowDictionary()]),
  );

  constructor(capacity?: number, schema: Schema = makeEventSchema()) {
    super(capacity);
    this.schema = schema;
  }

  /**
   * Flush rows [0, length) into a RecordBatch and reset for the next batch. With a pool, the batch's buffers come
   * from it (give them back with buffersOf once the batch is written and dropped).
   */
  flush(pool?: BufferPool): RecordBatch {
    return this.batchOf(this.takeBuffers(pool));
  }

  /** The RecordBatch of `b` with this output's dictionaries (dictionary indices must already be this output's). */
  batchOf(b: BatchBuffers): RecordBatch {
    const n = b.n;
    const children: Data[] = [];
    this.schema.fields.forEach((field, c) => {
      const name = field.name as ColumnName;
      const base = {
        type: field.type as DataType,
        length: n,
        nullCount: b.nullCounts[c]!,
        nullBitmap: b.bitmaps[c] ?? null,
      };
      if (columnSpec(name).arrow === 'utf8') {
        children.push(
          makeData({ ...base, type: new Utf8(), valueOffsets: b.rawOffsets, data: b.values[c] as Uint8Array }),
        );
      } else if (DICT_SET.has(name)) {
        const d = name as DictColumn;
        children.push(
          makeData({
            ...base,
            type: field.type as Dictionary<Utf8, Int32>,
            data: b.values[c] as Int32Array,
            dictionary: this.arrowDicts.get(d)!.snapshot(this.dicts[d].takePending()),
          }),
        );
      } else {
        children.push(makeData({ ...base, data: b.values[c] } as never));
      }
    });
    const structData = makeData({ type: new Struct(this.schema.fields), length: n, nullCount: 0, children });
    return new RecordBatch(this.schema, structData);
  }
}
