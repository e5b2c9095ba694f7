/**
 * A record batch's IPC message header (Arrow columnar format, "Encapsulated message format": the flatbuffer
 * Message { version, header_type, header: RecordBatch { length, nodes: [FieldNode], buffers: [Buffer], compression } })
 * read straight from its bytes into two typed arrays. An .arrow file's footer names one such message per record
 * batch and the replay reader needs all of them before its pass (arrow-file.ts readBlocks: every buffer inside its
 * body): apache-arrow's Message.decode makes two objects per column and batch and reads each int64 through a
 * BigInt — on a 5 M-event file (201 batches) ~30 ms of the open on the calling thread, ~900 fresh pages and ~120 ms
 * of optimizing compiles on others, for values the pass reads as plain numbers.
 */

/** The record batch's rows, and per field node [length, null_count] and per buffer [offset, length] pairs. */
export interface RecordBatchHeader {
  length: number;
  /** field node k: length at 2k, null count at 2k + 1 */
  nodes: Float64Array;
  /** buffer k (offset within the body, length): at 2k, 2k + 1 */
  buffers: Float64Array;
  /** a BodyCompression table is present (compressed buffers) */
  compressed: boolean;
}

/** Message.header_type of a record batch (MessageHeader union: NONE, Schema, DictionaryBatch, RecordBatch, …). */
const HEADER_RECORD_BATCH = 3;
/** MetadataVersion V4: before it a Buffer struct carried a page id (24 bytes, not 16) */
const METADATA_V4 = 3;

/**
 * The header of the message `fb` (the flatbuffer after the continuation marker and length), or 'other' when the
 * message is not a record batch, or null when it predates metadata V4 (apache-arrow's decoder reads it). Throws when
 * an offset points outside `fb` (a damaged file).
 */
export function decodeRecordBatchHeader(fb: Uint8Array): RecordBatchHeader | 'other' | null {
  const dv = new DataView(fb.buffer, fb.byteOffset, fb.byteLength);
  const msg = table(dv, u32(dv, 0));
  if (i16(dv, msg, 0, 0) < METADATA_V4) return null;
  if (u8(dv, msg, 1) !== HEADER_RECORD_BATCH) return 'other';
  const rb = tableAt(dv, msg, 2);
  if (rb < 0) return 'other';
  return {
    length: i64(dv, rb, 0),
    nodes: structPairs(dv, rb, 1),
    buffers: structPairs(dv, rb, 2),
    compressed: fieldPos(dv, rb, 3) >= 0,
  };
}

function check(dv: DataView, pos: number, bytes: number): number {
  if (!(pos >= 0 && pos + bytes <= dv.byteLength)) throw new Error(`flatbuffer offset ${pos} outside the message`);
  return pos;
}
const u32 = (dv: DataView, pos: number): number => dv.getUint32(check(dv, pos, 4), true);

/** A table at `pos`: its position (the vtable is found through it). */
function table(dv: DataView, pos: number): number {
  check(dv, pos, 4);
  check(dv, pos - dv.getInt32(pos, true), 4);
  return pos;
}

/** Where field `id` of the table at `t` lies, -1 when absent (defaulted). */
function fieldPos(dv: DataView, t: number, id: number): number {
  const vt = t - dv.getInt32(t, true);
  const vtSize = dv.getUint16(check(dv, vt, 4), true);
  const slot = 4 + 2 * id;
  if (slot + 2 > vtSize) return -1;
  const off = dv.getUint16(check(dv, vt + slot, 2), true);
  return off === 0 ? -1 : t + off;
}

function u8(dv: DataView, t: number, id: number): number {
  const p = fieldPos(dv, t, id);
  return p < 0 ? 0 : dv.getUint8(check(dv, p, 1));
}
function i16(dv: DataView, t: number, id: number, dflt: number): number {
  const p = fieldPos(dv, t, id);
  return p < 0 ? dflt : dv.getInt16(check(dv, p, 2), true);
}
function i64(dv: DataView, t: number, id: number): number {
  const p = fieldPos(dv, t, id);
  return p < 0 ? 0 : int64At(dv, check(dv, p, 8));
}
/** An int64 as a number (exact below 2^53, as apache-arrow's bigIntToNumber gives it). */
const int64At = (dv: DataView, p: number): number => dv.getInt32(p + 4, true) * 4294967296 + dv.getUint32(p, true);

/** The table field `id` of `t` points to, -1 when absent. */
function tableAt(dv: DataView, t: number, id: number): number {
  const p = fieldPos(dv, t, id);
  return p < 0 ? -1 : table(dv, p + u32(dv, p));
}

/** A vector of 16-byte structs of two int64 (FieldNode, Buffer) as [a0, b0, a1, b1, …]; empty when absent. */
function structPairs(dv: DataView, t: number, id: number): Float64Array {
  const p = fieldPos(dv, t, id);
  if (p < 0) return new Float64Array(0);
  const vec = p + u32(dv, p);
  const n = u32(dv, vec);
  check(dv, vec + 4, n * 16);
  const out = new Float64Array(2 * n);
  for (let k = 0; k < 2 * n; k++) out[k] = int64At(dv, vec + 4 + 8 * k);
  return out;
}
