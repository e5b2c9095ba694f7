/**
 * An Arrow IPC *file* (`txreplay ingest -o x.arrow`) as a BatchSource that reads, per record batch, only
 * the buffers of the columns replay uses (positioned reads into reused buffers): no whole-file load, no
 * per-row objects. The footer gives the record-batch and dictionary blocks; each block's flatbuffer
 * message gives the buffer regions of the body (Arrow columnar format, "IPC File Format").
 *
 * Anything this reader does not handle (compressed bodies, nested or unexpected column types) makes
 * openArrowFile return null: the caller then falls back to apache-arrow's full reader.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataType, type Field, type Schema } from 'apache-arrow';
import { Footer, type FileBlock } from 'apache-arrow/ipc/metadata/file';
import { Message, type RecordBatch as RecordBatchHeader, type DictionaryBatch as DictionaryBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { newDictNames, REPLAY_COLUMNS, type BatchSource, type DictNames, type ReplayColumn, type RowRange } from './batches.js';
import type { Chunk, Names, ValueArray } from './columns.js';

const MAGIC = 'ARROW1';

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
 * Open an .arrow file for replay, or null when it needs apache-arrow's full reader (not an IPC file,
 * compressed, or an unexpected layout). Throws only on I/O errors.
 */
export function openArrowFile(path: string): BatchSource | null {
  const fd = openSync(path, 'r');
  let ok = false;
  try {
    const src = build(fd);
    ok = src !== null;
    return src;
  } catch (e) {
    if (e instanceof Error && 'code' in e) throw e; // I/O error: report it
    return null; // a layout this reader does not know: the full reader will explain or cope
  } finally {
    if (!ok) closeSync(fd);
  }
}

function build(fd: number): BatchSource | null {
  const size = fstatSync(fd).size;
  if (size < 24) return null;
  const head = read(fd, 6, 0);
  const tail = read(fd, 10, size - 10);
  const td = new DataView(tail.buffer);
  if (new TextDecoder().decode(head) !== MAGIC || new TextDecoder().decode(tail.subarray(4)) !== MAGIC) return null;
  const footerLen = td.getInt32(0, true);
  if (footerLen <= 0 || footerLen > size - 16) return null;
  const footer = Footer.decode(read(fd, footerLen, size - 10 - footerLen));
  const schema: Schema = footer.schema;

  // column layouts by name (flat schema: one node per field, 2 or 3 buffers per field)
  const layouts = new Map<string, ColumnLayout>();
  let node = 0;
  let buffer = 0;
  for (const f of schema.fields) {
    const nb = bufferCount(f.type);
    if (nb === null) return null;
    if ((REPLAY_COLUMNS as readonly string[]).includes(f.name)) {
      const dict = DataType.isDictionary(f.type);
      const vt = typedCtor(dict ? f.type.indices : f.type);
      if (!vt || nb !== 2) return null;
      layouts.set(f.name, { field: f, node, buffer, ctor: vt.ctor, width: vt.width, dictId: dict ? f.type.id : null });
    }
    node++;
    buffer += nb;
  }
  if (!layouts.has('ts_ns') || !layouts.has('event')) return null;

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
    const msg = decodeMessage(fd, block);
    const bodyOffset = block.offset + block.metaDataLength;
    if (dict) {
      if (!msg.isDictionaryBatch()) return null;
      const h = msg.header() as DictionaryBatchHeader;
      const data = h.data;
      if (data.compression) return null;
      const len = data.length;
      const [valid, offs, bytes] = data.buffers;
      if (!offs || !bytes) return null;
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
      if (!msg.isRecordBatch()) return null;
      const h = msg.header() as RecordBatchHeader;
      if (h.compression) return null;
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
    if (!fnode || !vreg || !dreg) throw new Error(`arrow: record batch ${b} lacks the buffers of column ${name}`);
    const full = lay.width === 0 ? (meta.length + 7) >> 3 : meta.length * lay.width;
    if (dreg.length < full) throw new Error(`arrow: column ${name} of record batch ${b} is truncated`);
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
