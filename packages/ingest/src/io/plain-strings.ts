/**
 * Dictionary columns as plain Utf8 strings, batch by batch: for outputs whose dictionaries cannot be written
 * once before the rows (an Arrow IPC *stream* on stdout, Parquet, which dictionary-encodes by itself). A reader
 * then needs no delta-dictionary support (polars has none).
 */
import { type Data, DataType, Field, makeData, RecordBatch, Schema, Struct, Utf8, type Vector } from 'apache-arrow';

const encoder = new TextEncoder();

/** The schema with every dictionary field as Utf8 (same names, nullability and metadata). */
export function plainSchema(schema: Schema): Schema {
  return new Schema(
    schema.fields.map((f) =>
      DataType.isDictionary(f.type) ? new Field(f.name, new Utf8(), f.nullable, f.metadata) : f,
    ),
    schema.metadata,
  );
}

/** UTF-8 bytes of every dictionary entry (null entries as null), cached per dictionary vector. */
const encodedCache = new WeakMap<Vector, (Uint8Array | null)[]>();
function encodedOf(dict: Vector): (Uint8Array | null)[] {
  let enc = encodedCache.get(dict);
  if (enc === undefined) {
    enc = [];
    for (const v of dict) enc.push(v === null || v === undefined ? null : encoder.encode(String(v)));
    encodedCache.set(dict, enc);
  }
  return enc;
}

function plainData(d: Data): Data {
  const dict = d.dictionary!;
  const enc = encodedOf(dict);
  const idx = d.values as Int32Array;
  const n = d.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (d.getValid(i)) total += enc[idx[d.offset + i]!]?.length ?? 0;
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const e = d.getValid(i) ? enc[idx[d.offset + i]!] : null;
    if (e) bytes.set(e, offsets[i]!);
  }
  const bitmap = d.nullCount > 0 && d.nullBitmap ? copyBits(d.nullBitmap, d.offset, n) : null;
  return makeData({
    type: new Utf8(),
    length: n,
    nullCount: d.nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    data: bytes,
  });
}

function copyBits(bits: Uint8Array, offset: number, n: number): Uint8Array {
  if (offset === 0) return bits.subarray(0, (n + 7) >> 3);
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if ((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** The batch with its dictionary columns decoded to Utf8 (other columns shared, not copied). */
export function plainStringBatch(batch: RecordBatch, schema: Schema = plainSchema(batch.schema)): RecordBatch {
  const children = batch.data.children.map((c) => (DataType.isDictionary(c.type) ? plainData(c) : c));
  const data = makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children });
  return new RecordBatch(schema, data);
}
