/**
 * An Arrow IPC *file* (`txreplay ingest -o x.arrow`) as a BatchSource that reads, per record batch, only
 * the buffers of the columns replay uses (positioned reads into reused buffers): no whole-file load, no
 * per-row objects. The footer gives the record-batch and dictionary blocks; each block's flatbuffer
 * message gives the buffer regions of the body (Arrow columnar format, "IPC File Format").
 *
 * A damaged file (truncated, metadata out of bounds) is reported as CorruptArrowFileError and an Arrow file
 * this reader cannot replay (other schema, compressed, unexpected column types) as NotATraceError, both with
 * the path and what is wrong. Neither is handed to apache-arrow's reader: it can loop forever on a damaged
 * footer.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataType, type Field, type Schema } from 'apache-arrow';
import { Footer, type FileBlock } from 'apache-arrow/ipc/metadata/file';
import { Message, type RecordBatch as RecordBatchHeader, type DictionaryBatch as DictionaryBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { newDictNames, REPLAY_COLUMNS, type BatchSource, type DictNames, type ReplayColumn, type RowRange } from './batches.js';
import type { Chunk, Names, ValueArray } from './columns.js';
import { NotATraceError } from '@txreplay/ingest';

const MAGIC = 'ARROW1';

/**
 * A structurally broken .arrow file (truncated, footer or message metadata out of bounds). Thrown rather than
 * handing the file to apache-arrow's reader, which can loop forever on such input.
 */
export class CorruptArrowFileError extends NotATraceError {
  constructor(path: string, detail: string) {
    super(path, `${path}: not a readable Arrow IPC file: ${detail}`);
    this.name = 'CorruptArrowFileError';
  }
}

interface ColumnLayout {
  field: Field;
  /** index of the field's FieldNode */
  node: number;
  /** index of its validity buffer; values buffer is the next one */
  buffer: number;
  ctor: (buf: ArrayBuffer, byteOffset: number, length: number) => ValueArray;
  /** bytes per value (0 = bit-packed bool) */
  width: number;
  dictId: number | null;
}

interface BatchMeta {
  length: number;
  bodyOffset: number;
  header: RecordBatchHeader;
  /** dictionary versions in force for this batch, by dictionary id */
  dictVersion: Map<number, number>;
}

function read(fd: number, length: number, position: number, into?: Uint8Array): Uint8Array {
  const buf = into ?? new Uint8Array(new ArrayBuffer(length));
  let off = 0;
  while (off < length) {
    const n = readSync(fd, buf, off, length - off, position + off);
    if (n <= 0) throw new Error(`arrow: unexpected end of file at byte ${position + off}`);
    off += n;
  }
  return buf;
}

function decodeMessage(fd: number, block: FileBlock): Message {
  const meta = read(fd, block.metaDataLength, block.offset);
  const dv = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  // encapsulated message: 0xFFFFFFFF continuation + int32 length (format ≥ 0.15), or the bare length (legacy)
  const prefix = dv.getUint32(0, true) === 0xffffffff ? 8 : 4;
  return Message.decode(meta.subarray(prefix));
}

function typedCtor(t: DataType): { ctor: ColumnLayout['ctor']; width: number } | null {
  if (DataType.isBool(t)) return { ctor: (b, o, n) => new Uint8Array(b, o, (n + 7) >> 3), width: 0 };
  if (DataType.isInt(t)) {
    const s = t.isSigned;
    switch (t.bitWidth) {
      case 8:
        return { ctor: (b, o, n) => (s ? new Int8Array(b, o, n) : new Uint8Array(b, o, n)), width: 1 };
      case 16:
        return { ctor: (b, o, n) => (s ? new Int16Array(b, o, n) : new Uint16Array(b, o, n)), width: 2 };
      case 32:
        return { ctor: (b, o, n) => (s ? new Int32Array(b, o, n) : new Uint32Array(b, o, n)), width: 4 };
      case 64:
        return { ctor: (b, o, n) => (s ? new BigInt64Array(b, o, n) : new BigUint64Array(b, o, n)), width: 8 };
    }
  }
  return null;
}

/** Buffers per top-level field in an IPC record batch (flat schemas only). */
function bufferCount(t: DataType): number | null {
  if (DataType.isDictionary(t) || DataType.isInt(t) || DataType.isBool(t) || DataType.isFloat(t) || DataType.isTimestamp(t)) return 2;
  if (DataType.isUtf8(t) || DataType.isBinary(t)) return 3;
  if (DataType.isNull(t)) return 0;
  return null;
}

/**
 * Open an .arrow file for replay, or null when it does not start with the Arrow magic (not ours to judge).
 * An Arrow file that is truncated or inconsistent throws CorruptArrowFileError; one this reader cannot replay
 * (another schema, compressed, unexpected column types) throws NotATraceError — both name the file and what
 * is wrong. I/O errors are thrown as they are.
 */
export function openArrowFile(path: string): BatchSource | null {
  const fd = openSync(path, 'r');
  let ok = false;
  try {
    const src = build(fd, path);
    ok = src !== null;
    return src;
  } finally {
    if (!ok) closeSync(fd);
  }
}

function build(fd: number, path: string): BatchSource | null {
  const size = fstatSync(fd).size;
  const corrupt = (detail: string): never => {
    throw new CorruptArrowFileError(path, detail);
  };
  // an Arrow file, but not a txreplay event table this reader can replay: say so (apache-arrow's reader is
  // not a safe fallback — it can loop forever on a damaged footer)
  const unsupported = (detail: string): never => {
    throw new NotATraceError(path, `${path}: an Arrow file txreplay cannot replay: ${detail} (write it with txreplay ingest)`);
  };
  if (size < 6) return null;
  const head = read(fd, 6, 0);
  if (new TextDecoder().decode(head) !== MAGIC) return null; // not an Arrow file (or a stream): not ours to judge
  if (size < 24) corrupt(`only ${size} bytes`);
  const tail = read(fd, 10, size - 10);
  const td = new DataView(tail.buffer);
  if (new TextDecoder().decode(tail.subarray(4)) !== MAGIC) corrupt('no footer (truncated: was the writer interrupted?)');
  const footerLen = td.getInt32(0, true);
  if (footerLen <= 0 || footerLen > size - 16) corrupt(`footer length ${footerLen} outside the file (${size} bytes)`);
  let footer: Footer;
  try {
    footer = Footer.decode(read(fd, footerLen, size - 10 - footerLen));
    for (const b of [...footer.recordBatches(), ...footer.dictionaryBatches()]) {
      if (!(b.offset >= 8 && b.metaDataLength > 8 && b.bodyLength >= 0 && b.offset + b.metaDataLength + b.bodyLength <= size - 10 - footerLen))
        corrupt(`a block (offset ${b.offset}, metadata ${b.metaDataLength}, body ${b.bodyLength}) lies outside the data`);
    }
  } catch (e) {
    if (e instanceof CorruptArrowFileError || (e instanceof Error && 'code' in e)) throw e;
    return corrupt(`footer: ${e instanceof Error ? e.message : String(e)}`);
  }
  const schema: Schema = footer.schema;

  // column layouts by name (flat schema: one node per field, 2 or 3 buffers per field)
  const layouts = new Map<string, ColumnLayout>();
  let node = 0;
  let buffer = 0;
  for (const f of schema.fields) {
    const nb = bufferCount(f.type);
    if (nb === null) return unsupported(`column ${f.name} has type ${String(f.type)}`);
    if ((REPLAY_COLUMNS as readonly string[]).includes(f.name)) {
      const dict = DataType.isDictionary(f.type);
      const vt = typedCtor(dict ? f.type.indices : f.type);
      if (!vt || nb !== 2) return unsupported(`column ${f.name} has type ${String(f.type)}, not the event schema's`);
      layouts.set(f.name, { field: f, node, buffer, ctor: vt.ctor, width: vt.width, dictId: dict ? f.type.id : null });
    }
    node++;
    buffer += nb;
  }
  if (!layouts.has('ts_ns') || !layouts.has('event')) return unsupported('no ts_ns/event columns: not a txreplay event table');

  // dictionaries and record batches in file order: a batch uses the dictionaries (and deltas) before it
  const blocks: { block: FileBlock; dict: boolean }[] = [
    ...[...footer.dictionaryBatches()].map((block) => ({ block, dict: true })),
    ...[...footer.recordBatches()].map((block) => ({ block, dict: false })),
  ].sort((a, b) => a.block.offset - b.block.offset);
  // dictionary contents by "id:version": each record batch records the versions in force before it
  const dictSnapshots = new Map<string, (string | null)[]>();
  const dictCurrent = new Map<number, (string | null)[]>();
  const dictVersions = new Map<number, number>();
  const batches: BatchMeta[] = [];
  const dec = new TextDecoder();
  for (const { block, dict } of blocks) {
    let msg: Message;
    try {
      msg = decodeMessage(fd, block);
    } catch (e) {
      if (e instanceof Error && 'code' in e) throw e;
      return corrupt(`message at byte ${block.offset}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const bodyOffset = block.offset + block.metaDataLength;
    if (dict) {
      if (!msg.isDictionaryBatch()) corrupt(`the footer names a dictionary batch at byte ${block.offset}, the message there is not one`);
      const h = msg.header() as DictionaryBatchHeader;
      const data = h.data;
      if (data.compression) return unsupported('compressed dictionary batch');
      const len = data.length;
      const [valid, offs, bytes] = data.buffers;
      if (!offs || !bytes) return unsupported('a dictionary that is not Utf8');
      if (!(len >= 0 && offs.offset + (len + 1) * 4 <= Number(block.bodyLength) && bytes.offset + bytes.length <= Number(block.bodyLength)))
        corrupt(`dictionary batch at byte ${block.offset}: buffers outside its body`);
      const body = read(fd, Number(block.bodyLength), bodyOffset);
      const offsets = new Int32Array(body.buffer.slice(offs.offset, offs.offset + (len + 1) * 4));
      const nullCount = data.nodes[0]?.nullCount ?? 0;
      const values: (string | null)[] = [];
      for (let k = 0; k < len; k++) {
        const isNull = nullCount > 0 && valid !== undefined && valid.length > 0 && ((body[valid.offset + (k >> 3)]! >> (k & 7)) & 1) === 0;
        values.push(isNull ? null : dec.decode(body.subarray(bytes.offset + offsets[k]!, bytes.offset + offsets[k + 1]!)));
      }
      // a delta appends to the dictionary, otherwise it replaces it
      const cur = (h.isDelta ? (dictCurrent.get(h.id) ?? []) : []).concat(values);
      const v = (dictVersions.get(h.id) ?? 0) + 1;
      dictCurrent.set(h.id, cur);
      dictVersions.set(h.id, v);
      dictSnapshots.set(`${h.id}:${v}`, cur);
    } else {
      if (!msg.isRecordBatch()) corrupt(`the footer names a record batch at byte ${block.offset}, the message there is not one`);
      const h = msg.header() as RecordBatchHeader;
      if (h.compression) return unsupported('compressed record batches');
      const bodyLen = Number(block.bodyLength);
      if (!(h.length >= 0 && h.length <= 1 << 30)) corrupt(`record batch at byte ${block.offset}: ${h.length} rows`);
      for (const r of h.buffers) if (!(r.offset >= 0 && r.length >= 0 && r.offset + r.length <= bodyLen)) corrupt(`record batch at byte ${block.offset}: a buffer lies outside its body`);
      for (const nd of h.nodes) if (nd.length !== h.length) corrupt(`record batch at byte ${block.offset}: a column has ${nd.length} rows, the batch ${h.length}`);
      batches.push({ length: h.length, bodyOffset, header: h, dictVersion: new Map(dictVersions) });
    }
  }

  const names = newDictNames();
  const dictNamesOf: Partial<Record<ReplayColumn, Names>> = {
    event: names.event,
    dev: names.dev,
    driver: names.driver,
    reason: names.reason,
    source: names.source,
    location: names.location,
  };
  const remaps = new Map<string, Int32Array>();
  const remapFor = (column: ReplayColumn, id: number, version: number): Int32Array => {
    const key = `${column}:${id}:${version}`;
    let r = remaps.get(key);
    if (!r) {
      const vals = dictSnapshots.get(`${id}:${version}`) ?? [];
      const nm = dictNamesOf[column]!;
      r = new Int32Array(vals.length);
      for (let k = 0; k < vals.length; k++) r[k] = vals[k] === null ? -1 : nm.intern(vals[k]!);
      remaps.set(key, r);
    }
    return r;
  };

  const starts = [0];
  for (const b of batches) starts.push(starts[starts.length - 1]! + b.length);
  // reused byte buffers per (slot, column)
  const buffers = new Map<string, Uint8Array>();
  let closed = false;

  const chunk = (b: number, name: ReplayColumn, slot: number, range?: RowRange): Chunk | null => {
    const lay = layouts.get(name);
    const meta = batches[b];
    if (!lay || !meta) return null;
    const h = meta.header;
    const from = range ? range.from : 0;
    const to = range ? range.to : meta.length;
    const n = to - from;
    const fnode = h.nodes[lay.node];
    const vreg = h.buffers[lay.buffer];
    const dreg = h.buffers[lay.buffer + 1];
    if (!fnode || !vreg || !dreg) throw new CorruptArrowFileError(path, `record batch ${b} lacks the buffers of column ${name}`);
    const full = lay.width === 0 ? (meta.length + 7) >> 3 : meta.length * lay.width;
    if (dreg.length < full) throw new CorruptArrowFileError(path, `column ${name} of record batch ${b} is truncated`);
    const hasValidity = fnode.nullCount > 0 && vreg.length > 0;
    // rows [from, to): `from` is a multiple of 8, so bitmaps start on a byte
    const bmFrom = from >> 3;
    const bmLen = (n + 7) >> 3;
    const vFrom = lay.width === 0 ? bmFrom : from * lay.width;
    const vLen = lay.width === 0 ? bmLen : n * lay.width;
    const bmRoom = hasValidity ? (bmLen + 7) & ~7 : 0; // values stay 8-byte aligned after the bitmap
    const key = `${slot}:${name}`;
    let buf = buffers.get(key);
    const need = bmRoom + vLen;
    if (!buf || buf.length < need) {
      buf = new Uint8Array(new ArrayBuffer(Math.max(need, buf ? buf.length * 2 : 0)));
      buffers.set(key, buf);
    }
    if (hasValidity) read(fd, bmLen, meta.bodyOffset + vreg.offset + bmFrom, buf);
    read(fd, vLen, meta.bodyOffset + dreg.offset + vFrom, bmRoom === 0 ? buf : buf.subarray(bmRoom));
    const ab = buf.buffer as ArrayBuffer;
    const c: Chunk = {
      values: lay.ctor(ab, bmRoom, n),
      validity: hasValidity ? new Uint8Array(ab, 0, bmLen) : null,
      offset: 0,
      length: n,
    };
    if (lay.dictId !== null) c.remap = remapFor(name, lay.dictId, meta.dictVersion.get(lay.dictId) ?? 0);
    return c;
  };

  const scratch = new Uint8Array(new ArrayBuffer(16));
  const cell = (b: number, name: ReplayColumn, i: number): number | bigint | null => {
    const lay = layouts.get(name);
    const meta = batches[b];
    if (!lay || !meta || i < 0 || i >= meta.length) return null;
    const h = meta.header;
    const fnode = h.nodes[lay.node];
    const vreg = h.buffers[lay.buffer];
    const dreg = h.buffers[lay.buffer + 1];
    if (!fnode || !vreg || !dreg) return null;
    if (fnode.nullCount > 0 && vreg.length > 0) {
      read(fd, 1, meta.bodyOffset + vreg.offset + (i >> 3), scratch);
      if (((scratch[0]! >> (i & 7)) & 1) === 0) return null;
    }
    if (lay.width === 0) {
      read(fd, 1, meta.bodyOffset + dreg.offset + (i >> 3), scratch);
      return (scratch[0]! >> (i & 7)) & 1;
    }
    read(fd, lay.width, meta.bodyOffset + dreg.offset + i * lay.width, scratch);
    const v = lay.ctor(scratch.buffer as ArrayBuffer, 0, 1)[0]!;
    if (lay.dictId !== null) return remapFor(name, lay.dictId, meta.dictVersion.get(lay.dictId) ?? 0)[Number(v)] ?? null;
    return v;
  };

  return {
    numRows: starts[starts.length - 1]!,
    cell,
    starts,
    metadata: schema.metadata,
    names,
    chunk,
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  } satisfies BatchSource;
}

export type { DictNames };
