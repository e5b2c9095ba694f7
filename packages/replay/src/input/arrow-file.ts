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
import type { Worker } from 'node:worker_threads';
import type { Field, Schema } from 'apache-arrow/schema';
import { DataType } from 'apache-arrow/type';
import { Footer, type FileBlock } from 'apache-arrow/ipc/metadata/file';
import {
  Message,
  type RecordBatch as ArrowRecordBatchHeader,
  type DictionaryBatch as DictionaryBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { decodeRecordBatchHeader, type RecordBatchHeader } from './ipc-header.js';
import {
  cellOfChunk,
  newDictNames,
  REPLAY_COLUMNS,
  type BatchSource,
  type DictNames,
  type ReplayColumn,
  type RowRange,
} from './batches.js';
import type { Chunk, Names, ValueArray } from '../columns.js';
import { arrowTypeName, COLUMNS, NotATraceError } from '@txreplay/ingest/plain';
import {
  CONV_NONE,
  CONV_PTR,
  CONV_TS,
  giveSlotMemory,
  planReadAhead,
  RA_FAILED,
  RA_FREE,
  RA_MAIN,
  RA_READING,
  readAheadTuning,
  readUnit,
  slotsFor,
  startReadAheadThread,
  stopReadAheadThread,
  takeSlotMemory,
  warmConvertRange,
  type ReadAheadState,
} from './read-ahead.js';
import { planReads } from './read-plan.js';

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

/**
 * cell() reads a column this many rows at a time (a power of two, so a block's bitmap starts on a byte). Small: the
 * blocks are kept, and fresh memory costs as much as a read (a first-touched page ~15-30 µs here, a read ~5 µs).
 */
const CELL_BLOCK_ROWS = 128;
/** chunk()'s buffer set for cell()'s blocks (the pass, the row readers and firstTsNs use slots 0–4 and 99). */
const CELL_SLOT = 100;
/** Blocks cell() keeps per column (at most 4 MB of a column of 8-byte values). */
const CELL_BLOCKS_KEPT = 4096;

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

/** The flatbuffer of the message at `block` (its metadata, without the encapsulation prefix). */
function messageBytes(fd: number, block: FileBlock): Uint8Array {
  const meta = read(fd, block.metaDataLength, block.offset);
  const dv = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  // encapsulated message: 0xFFFFFFFF continuation + int32 length (format ≥ 0.15), or the bare length (legacy)
  const prefix = dv.getUint32(0, true) === 0xffffffff ? 8 : 4;
  return meta.subarray(prefix);
}

function decodeMessage(fd: number, block: FileBlock): Message {
  return Message.decode(messageBytes(fd, block));
}

/**
 * The header of the record batch the footer names at `block` (ipc-header.ts; apache-arrow's decoder for metadata
 * before V4). A message that cannot be read, or is not a record batch, makes the file corrupt.
 */
function recordBatchHeader(fd: number, path: string, block: FileBlock): RecordBatchHeader {
  let h: RecordBatchHeader | 'other' | null;
  try {
    const fb = messageBytes(fd, block);
    h = decodeRecordBatchHeader(fb);
    if (h === null) {
      const msg = Message.decode(fb);
      h = msg.isRecordBatch() ? fromArrowHeader(msg.header() as ArrowRecordBatchHeader) : 'other';
    }
  } catch (e) {
    if (e instanceof Error && 'code' in e) throw e;
    return corrupt(path, `message at byte ${block.offset}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (h === 'other')
    corrupt(path, `the footer names a record batch at byte ${block.offset}, the message there is not one`);
  return h as RecordBatchHeader;
}

function fromArrowHeader(h: ArrowRecordBatchHeader): RecordBatchHeader {
  return {
    length: h.length,
    nodes: Float64Array.from(h.nodes.flatMap((n) => [n.length, n.nullCount])),
    buffers: Float64Array.from(h.buffers.flatMap((b) => [b.offset, b.length])),
    compressed: !!h.compression,
  };
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
  if (
    DataType.isDictionary(t) ||
    DataType.isInt(t) ||
    DataType.isBool(t) ||
    DataType.isFloat(t) ||
    DataType.isTimestamp(t)
  )
    return 2;
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
export function openArrowFile(path: string, opts: OpenArrowOptions = {}): BatchSource | null {
  const fd = openSync(path, 'r');
  let worker: Worker | null = null;
  let ok = false;
  try {
    // a file of minRows rows holds at least their 8-byte ts_ns
    if (opts.readAhead && readAheadTuning.thread && fstatSync(fd).size >= readAheadTuning.minRows * 8)
      worker = startReadAheadThread(fd);
    const src = build(fd, path, worker);
    ok = src !== null;
    return src;
  } catch (e) {
    // another writer's layout (polars, DuckDB, pyarrow): the whole-table path reads it (ingest readArrowTable)
    if (e instanceof ForeignLayout) return null;
    throw e;
  } finally {
    if (!ok) {
      // the thread reads nothing before its plan: stopping it before the close is enough
      if (worker) stopReadAheadThread(worker, null);
      closeSync(fd);
    }
  }
}

export interface OpenArrowOptions {
  /**
   * The file is opened for a replay's sequential walk (BatchSource.readAhead): start the read-ahead thread now, so
   * that its start-up overlaps the footer parse and the pass's set-up.
   */
  readAhead?: boolean;
}

function build(fd: number, path: string, worker: Worker | null): BatchSource | null {
  const size = fstatSync(fd).size;
  if (size < 6) return null;
  const head = read(fd, 6, 0);
  if (new TextDecoder().decode(head) !== MAGIC) return null; // not an Arrow file (or a stream): not ours to judge
  const footer = readFooter(fd, path, size);
  const layouts = columnLayouts(footer.schema, path);
  const { batches, dictSnapshots } = readBlocks(fd, path, footer);
  return new ArrowFileSource(fd, path, footer.schema, layouts, batches, dictSnapshots, worker);
}

const corrupt = (path: string, detail: string): never => {
  throw new CorruptArrowFileError(path, detail);
};

/**
 * An Arrow file, but not a txreplay event table this reader can replay: say so (apache-arrow's reader is not
 * a safe fallback — it can loop forever on a damaged footer).
 */
const unsupported = (path: string, detail: string): never => {
  throw new NotATraceError(
    path,
    `${path}: an Arrow file txreplay cannot replay: ${detail} (write it with txreplay ingest)`,
  );
};

/**
 * A sound Arrow file in a layout this reader does not map (compressed, Utf8View/LargeUtf8 or non-Utf8
 * dictionaries, plain string columns where replay reads dictionaries): openArrowFile returns null for it.
 */
class ForeignLayout extends Error {}
/** the event table's column types as apache-arrow prints them (ingest's catalogue: no Arrow type classes loaded) */
const EVENT_TYPES = new Map<string, string>(COLUMNS.map((c) => [c, arrowTypeName(c)]));
const foreign = (detail: string): never => {
  throw new ForeignLayout(detail);
};

/** The footer, with every block it names inside the data. */
function readFooter(fd: number, path: string, size: number): Footer {
  if (size < 24) corrupt(path, `only ${size} bytes`);
  const tail = read(fd, 10, size - 10);
  const td = new DataView(tail.buffer);
  if (new TextDecoder().decode(tail.subarray(4)) !== MAGIC)
    corrupt(path, 'no footer (truncated: was the writer interrupted?)');
  const footerLen = td.getInt32(0, true);
  if (footerLen <= 0 || footerLen > size - 16)
    corrupt(path, `footer length ${footerLen} outside the file (${size} bytes)`);
  let footer: Footer;
  try {
    footer = Footer.decode(read(fd, footerLen, size - 10 - footerLen));
    for (const b of [...footer.recordBatches(), ...footer.dictionaryBatches()]) {
      if (
        !(
          b.offset >= 8 &&
          b.metaDataLength > 8 &&
          b.bodyLength >= 0 &&
          b.offset + b.metaDataLength + b.bodyLength <= size - 10 - footerLen
        )
      )
        corrupt(
          path,
          `a block (offset ${b.offset}, metadata ${b.metaDataLength}, body ${b.bodyLength}) lies outside the data`,
        );
    }
  } catch (e) {
    if (e instanceof CorruptArrowFileError || (e instanceof Error && 'code' in e)) throw e;
    return corrupt(path, `footer: ${e instanceof Error ? e.message : String(e)}`);
  }
  return footer;
}

/** Column layouts by name (flat schema: one node per field, 2 or 3 buffers per field) of the columns replay reads. */
function columnLayouts(schema: Schema, path: string): Map<string, ColumnLayout> {
  const layouts = new Map<string, ColumnLayout>();
  let node = 0;
  let buffer = 0;
  for (const f of schema.fields) {
    const nb = bufferCount(f.type);
    if (nb === null) return foreign(`column ${f.name} has type ${String(f.type)}`);
    if ((REPLAY_COLUMNS as readonly string[]).includes(f.name)) {
      const dict = DataType.isDictionary(f.type);
      // exactly the event schema's type (other widths, keys or string types: the whole-table path converts)
      if (String(f.type) !== EVENT_TYPES.get(f.name)) return foreign(`column ${f.name}: ${String(f.type)}`);
      const vt = typedCtor(dict ? f.type.indices : f.type);
      if (!vt || nb !== 2) return foreign(`column ${f.name} has type ${String(f.type)}, not the event schema's`);
      layouts.set(f.name, { field: f, node, buffer, ctor: vt.ctor, width: vt.width, dictId: dict ? f.type.id : null });
    }
    node++;
    buffer += nb;
  }
  if (!layouts.has('ts_ns') || !layouts.has('event'))
    return unsupported(path, 'no ts_ns/event columns: not a txreplay event table');

  return layouts;
}

/** Dictionary contents by "id:version" and the record batches, each with the dictionary versions in force. */
function readBlocks(
  fd: number,
  path: string,
  footer: Footer,
): { batches: BatchMeta[]; dictSnapshots: Map<string, (string | null)[]> } {
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
  let anyDelta = false;
  for (const { block, dict } of blocks) {
    const bodyOffset = block.offset + block.metaDataLength;
    if (dict) {
      let msg: Message;
      try {
        msg = decodeMessage(fd, block);
      } catch (e) {
        if (e instanceof Error && 'code' in e) throw e;
        return corrupt(path, `message at byte ${block.offset}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!msg.isDictionaryBatch())
        corrupt(path, `the footer names a dictionary batch at byte ${block.offset}, the message there is not one`);
      const h = msg.header() as DictionaryBatchHeader;
      const values = decodeDictionary(fd, path, block, h, bodyOffset, dec);
      // a delta appends to the dictionary, otherwise it replaces it
      if (h.isDelta) anyDelta = true;
      const cur = (h.isDelta ? (dictCurrent.get(h.id) ?? []) : []).concat(values);
      const v = (dictVersions.get(h.id) ?? 0) + 1;
      dictCurrent.set(h.id, cur);
      dictVersions.set(h.id, v);
      dictSnapshots.set(`${h.id}:${v}`, cur);
    } else {
      const h = recordBatchHeader(fd, path, block);
      checkRecordBatch(path, block, h);
      batches.push({ length: h.length, bodyOffset, header: h, dictVersion: new Map(dictVersions) });
    }
  }

  // Without deltas a dictionary may stand anywhere in an IPC file, also after the batches that use it (Arrow
  // columnar format, "IPC File Format"; txreplay writes each dictionary once, before the footer): it holds for all.
  if (!anyDelta)
    for (const b of batches) for (const [id, v] of dictVersions) if (!b.dictVersion.has(id)) b.dictVersion.set(id, v);
  return { batches, dictSnapshots };
}

/** A record batch this reader can walk: uncompressed, every buffer inside its body, every column as long as it. */
function checkRecordBatch(path: string, block: FileBlock, h: RecordBatchHeader): void {
  if (h.compressed) foreign('compressed record batches');
  const bodyLen = Number(block.bodyLength);
  if (!(h.length >= 0 && h.length <= 1 << 30)) corrupt(path, `record batch at byte ${block.offset}: ${h.length} rows`);
  const b = h.buffers;
  for (let k = 0; k < b.length; k += 2)
    if (!(b[k]! >= 0 && b[k + 1]! >= 0 && b[k]! + b[k + 1]! <= bodyLen))
      corrupt(path, `record batch at byte ${block.offset}: a buffer lies outside its body`);
  for (let k = 0; k < h.nodes.length; k += 2)
    if (h.nodes[k] !== h.length)
      corrupt(path, `record batch at byte ${block.offset}: a column has ${h.nodes[k]} rows, the batch ${h.length}`);
}

/** One dictionary batch's Utf8 values (null where the validity bitmap says so). */
function decodeDictionary(
  fd: number,
  path: string,
  block: FileBlock,
  h: DictionaryBatchHeader,
  bodyOffset: number,
  dec: InstanceType<typeof TextDecoder>,
): (string | null)[] {
  const data = h.data;
  if (data.compression) return foreign('compressed dictionary batch');
  const len = data.length;
  const [valid, offs, bytes] = data.buffers;
  if (!offs || !bytes) return foreign('a dictionary that is not Utf8');
  if (
    !(
      len >= 0 &&
      offs.offset + (len + 1) * 4 <= Number(block.bodyLength) &&
      bytes.offset + bytes.length <= Number(block.bodyLength)
    )
  )
    corrupt(path, `dictionary batch at byte ${block.offset}: buffers outside its body`);
  const body = read(fd, Number(block.bodyLength), bodyOffset);
  const offsets = new Int32Array(body.buffer.slice(offs.offset, offs.offset + (len + 1) * 4));
  const nullCount = data.nodes[0]?.nullCount ?? 0;
  const values: (string | null)[] = [];
  for (let k = 0; k < len; k++) {
    const isNull =
      nullCount > 0 &&
      valid !== undefined &&
      valid.length > 0 &&
      ((body[valid.offset + (k >> 3)]! >> (k & 7)) & 1) === 0;
    values.push(isNull ? null : dec.decode(body.subarray(bytes.offset + offsets[k]!, bytes.offset + offsets[k + 1]!)));
  }
  return values;
}

/**
 * The open .arrow file as a BatchSource: column chunks by positioned reads into reused buffers (per slot and
 * column), or from the read-ahead thread's slots for the sequential walk it was told about.
 */
class ArrowFileSource implements BatchSource {
  readonly numRows: number;
  readonly starts: number[] = [0];
  readonly metadata: Map<string, string>;
  readonly names = newDictNames();
  private readonly dictNamesOf: Partial<Record<ReplayColumn, Names>>;
  private readonly remaps = new Map<string, Int32Array>();
  /** reused byte buffers per (slot, column) */
  private readonly buffers = new Map<string, Uint8Array>();
  private closed = false;
  private ra: ReadAheadState | null = null;
  private slotsGiven = false;
  private readonly scratch = new Uint8Array(new ArrayBuffer(16));

  constructor(
    private readonly fd: number,
    private readonly path: string,
    schema: Schema,
    private readonly layouts: Map<string, ColumnLayout>,
    private readonly batches: BatchMeta[],
    private readonly dictSnapshots: Map<string, (string | null)[]>,
    /** the read-ahead thread started with the open (openArrowFile's readAhead), waiting for its plan */
    private worker: Worker | null,
  ) {
    this.metadata = schema.metadata;
    const names = this.names;
    this.dictNamesOf = {
      event: names.event,
      dev: names.dev,
      driver: names.driver,
      reason: names.reason,
      source: names.source,
      location: names.location,
    };
    for (const b of batches) this.starts.push(this.starts[this.starts.length - 1]! + b.length);
    this.numRows = this.starts[this.starts.length - 1]!;
    if (this.numRows < readAheadTuning.minRows) this.stopReadAhead();
  }

  /** remapFor of column `name` in batch b, kept per batch and column (chunk() asks once per row range) */
  private batchRemap(b: number, name: ReplayColumn, id: number, meta: BatchMeta): Int32Array {
    const j = REPLAY_COLUMNS.indexOf(name);
    let perBatch = this.remapByBatch[b];
    if (!perBatch) this.remapByBatch[b] = perBatch = [];
    let r = perBatch[j];
    if (!r) perBatch[j] = r = this.remapFor(name, id, meta.dictVersion.get(id) ?? 0);
    return r;
  }
  private readonly remapByBatch: (Int32Array | undefined)[][] = [];

  private remapFor(column: ReplayColumn, id: number, version: number): Int32Array {
    const key = `${column}:${id}:${version}`;
    let r = this.remaps.get(key);
    if (!r) {
      const vals = this.dictSnapshots.get(`${id}:${version}`) ?? [];
      const nm = this.dictNamesOf[column]!;
      r = new Int32Array(vals.length);
      for (let k = 0; k < vals.length; k++) r[k] = vals[k] === null ? -1 : nm.intern(vals[k]!);
      this.remaps.set(key, r);
    }
    return r;
  }

  /** Regions of column `lay` for rows [from, to) of batch `meta` (`from` a multiple of 8), or a reason it has none. */
  private regions(
    b: number,
    name: ReplayColumn,
    lay: ColumnLayout,
    meta: BatchMeta,
    from: number,
    to: number,
  ): ColumnRegions | string {
    const h = meta.header;
    const n = to - from;
    if (2 * lay.node + 1 >= h.nodes.length || 2 * lay.buffer + 3 >= h.buffers.length)
      return `record batch ${b} lacks the buffers of column ${name}`;
    const vOff = h.buffers[2 * lay.buffer]!;
    const vLen = h.buffers[2 * lay.buffer + 1]!;
    const dOff = h.buffers[2 * lay.buffer + 2]!;
    const dLen = h.buffers[2 * lay.buffer + 3]!;
    const full = lay.width === 0 ? (meta.length + 7) >> 3 : meta.length * lay.width;
    if (dLen < full) return `column ${name} of record batch ${b} is truncated`;
    const hasValidity = h.nodes[2 * lay.node + 1]! > 0 && vLen > 0;
    // rows [from, to): `from` is a multiple of 8, so bitmaps start on a byte
    const bmFrom = from >> 3;
    const bmLen = (n + 7) >> 3;
    return {
      hasValidity,
      bmPos: meta.bodyOffset + vOff + bmFrom,
      bmLen,
      vPos: meta.bodyOffset + dOff + (lay.width === 0 ? bmFrom : from * lay.width),
      vLen: lay.width === 0 ? bmLen : n * lay.width,
    };
  }

  /** Unit u into its slot on this thread (the thread had not claimed it, or failed). */
  private readUnitHere(u: number): void {
    const a = this.ra!;
    const bytes = new Uint8Array(a.mem);
    const fill = (dst: number, len: number, pos: number): void => void read(this.fd, len, pos, bytes.subarray(dst));
    readUnit(a.plan, u, (u % a.slots) * a.plan.slotBytes, a.mem, a.conv, a.bh, a.bl, fill);
  }

  /** Make unit u readable in its slot (read ahead, or read now); false when the walk went backwards. */
  private acquire(u: number): boolean {
    const a = this.ra!;
    if (u === a.current) return true;
    if (u < a.current) return false;
    // units before u are done with: their slots may be refilled
    Atomics.store(a.ctrl, 0, u);
    Atomics.notify(a.ctrl, 0);
    let st = Atomics.compareExchange(a.state, u, RA_FREE, RA_MAIN);
    if (st !== RA_FREE) {
      while ((st = Atomics.load(a.state, u)) === RA_READING) Atomics.wait(a.state, u, RA_READING);
    }
    if (st === RA_FREE || st === RA_FAILED) {
      try {
        this.readUnitHere(u);
      } catch (e) {
        Atomics.store(a.state, u, RA_FAILED);
        throw e;
      }
    }
    a.current = u;
    return true;
  }

  readAhead(slot: number, step: number, columns: readonly ReplayColumn[], tsBaseNs?: bigint): void {
    if (this.ra) return;
    const numRows = this.starts[this.starts.length - 1]!;
    const usable = !this.closed && numRows >= readAheadTuning.minRows && step > 0 && step % 8 === 0;
    const cols = usable ? this.planColumns(columns, tsBaseNs) : null;
    if (!cols || cols.size === 0) {
      this.stopReadAhead(); // the walk reads on this thread
      return;
    }
    const names = [...cols.keys()];
    const plan = planReads(
      this.batches.map((m) => m.length),
      step,
      readAheadTuning.maxUnitRows,
      names.length,
      (b, j, from, to) => {
        const g = this.regions(b, names[j]!, this.layouts.get(names[j]!)!, this.batches[b]!, from, to);
        return typeof g === 'string' ? null : g; // chunk() reports it
      },
    );
    warmConvertRange();
    const slots = slotsFor(plan.slotBytes);
    const mem = takeSlotMemory(Math.max(8, plan.slotBytes * slots));
    const state = new Int32Array(new SharedArrayBuffer(Math.max(1, plan.units) * 4));
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const bh = tsBaseNs === undefined ? 0 : Number(BigInt.asIntN(32, tsBaseNs >> 32n));
    const bl = tsBaseNs === undefined ? 0 : Number(BigInt.asUintN(32, tsBaseNs));
    const conv = [...cols.values()].map((c) => c.conv);
    this.ra = { slot, slots, cols, conv, bh, bl, plan, mem, state, ctrl, current: -1 };
    if (readAheadTuning.thread) {
      this.worker ??= startReadAheadThread(this.fd);
      if (this.worker) planReadAhead(this.worker, this.ra);
    }
  }

  /** The read-ahead columns (those this file has), each with its plan index and conversion (CONV_*). */
  private planColumns(columns: readonly ReplayColumn[], tsBaseNs: bigint | undefined): ReadAheadState['cols'] {
    const cols: ReadAheadState['cols'] = new Map();
    for (const name of columns) {
      const lay = this.layouts.get(name);
      if (!lay || cols.has(name)) continue;
      // 64-bit times and pointers are converted in the slot (the reader thread does it with the read)
      const conv =
        tsBaseNs === undefined || lay.width !== 8 || lay.dictId !== null
          ? CONV_NONE
          : name === 'ts_ns'
            ? CONV_TS
            : name === 'skbaddr' || name === 'napi'
              ? CONV_PTR
              : CONV_NONE;
      cols.set(name, { j: cols.size, conv });
    }
    return cols;
  }

  private stopReadAhead(): void {
    if (this.worker) stopReadAheadThread(this.worker, this.ra ? this.ra.ctrl : null);
    // the walk's slots go to the next walk once no thread writes them (read-ahead.ts giveSlotMemory)
    if (this.ra !== null && !this.slotsGiven) giveSlotMemory(this.ra.mem, this.worker);
    this.slotsGiven = this.ra !== null;
    this.worker = null;
  }

  chunk(b: number, name: ReplayColumn, slot: number, range?: RowRange): Chunk | null {
    const lay = this.layouts.get(name);
    const meta = this.batches[b];
    if (!lay || !meta) return null;
    const from = range ? range.from : 0;
    const to = range ? range.to : meta.length;
    const n = to - from;
    const g = this.regions(b, name, lay, meta, from, to);
    if (typeof g === 'string') throw new CorruptArrowFileError(this.path, g);
    const c = this.fromSlot(b, name, lay, meta, slot, range, g) ?? this.readChunk(lay, slot, name, g, n);
    if (lay.dictId !== null) c.remap = this.batchRemap(b, name, lay.dictId, meta);
    return c;
  }

  /** Rows `range` of column `name` from the read-ahead's slot, when the walk's unit holds them (else null). */
  private fromSlot(
    b: number,
    name: ReplayColumn,
    lay: ColumnLayout,
    meta: BatchMeta,
    slot: number,
    range: RowRange | undefined,
    g: ColumnRegions,
  ): Chunk | null {
    const a = this.ra;
    const col = a && slot === a.slot && range ? a.cols.get(name) : undefined;
    if (!a || !col || !range) return null;
    const p = a.plan;
    const span = p.unitRows[b]!;
    const k = Math.floor(range.from / span);
    const skip = range.from - k * span; // rows of the unit before the range (a multiple of 8: bitmaps start on a byte)
    const u = p.unitBase[b]! + k;
    const e = 2 * (u * p.cols + col.j);
    if (u >= p.unitBase[b + 1]! || skip % 8 !== 0 || range.to > Math.min(meta.length, k * span + span)) return null;
    if (!(p.at[e + 1]! >= 0) || !this.acquire(u)) return null;
    const n = range.to - range.from;
    const at = (u % a.slots) * p.slotBytes;
    const mem = a.mem as unknown as ArrayBuffer;
    const vAt = at + p.at[e + 1]! + (lay.width === 0 ? skip >> 3 : skip * lay.width);
    if (col.conv !== CONV_NONE)
      return { values: new Float64Array(mem, vAt, n), validity: null, offset: 0, length: n, converted: true };
    return {
      values: lay.ctor(mem, vAt, n),
      validity: g.hasValidity && p.at[e]! >= 0 ? new Uint8Array(mem, at + p.at[e]! + (skip >> 3), g.bmLen) : null,
      offset: 0,
      length: n,
    };
  }

  /** Rows [from, from + n) of column `name` by positioned reads into the (slot, column)'s reused buffer. */
  private readChunk(lay: ColumnLayout, slot: number, name: ReplayColumn, g: ColumnRegions, n: number): Chunk {
    const bmRoom = g.hasValidity ? (g.bmLen + 7) & ~7 : 0; // values stay 8-byte aligned after the bitmap
    const key = `${slot}:${name}`;
    let buf = this.buffers.get(key);
    const need = bmRoom + g.vLen;
    if (!buf || buf.length < need) {
      buf = new Uint8Array(new ArrayBuffer(Math.max(need, buf ? buf.length * 2 : 0)));
      this.buffers.set(key, buf);
    }
    if (g.hasValidity) read(this.fd, g.bmLen, g.bmPos, buf);
    read(this.fd, g.vLen, g.vPos, bmRoom === 0 ? buf : buf.subarray(bmRoom));
    const ab = buf.buffer as ArrayBuffer;
    return {
      values: lay.ctor(ab, bmRoom, n),
      validity: g.hasValidity ? new Uint8Array(ab, 0, g.bmLen) : null,
      offset: 0,
      length: n,
    };
  }

  /**
   * One value. Evidence reads the time, event, source and line of a few rows each finding: rows far apart, and
   * read again by later rules (the stop facts first, then the finding that cites the stop). The column's block of
   * CELL_BLOCK_ROWS rows around i is read with one positioned read and kept (the last CELL_BLOCKS_KEPT blocks per
   * column): on the 5 M-event bench file the 6 240 cells of 1 558 evidence rows were 6 224 reads of 2 848 distinct
   * 512-row blocks with one block kept per column; 2 328 reads of 128-row blocks with these (and onlyCode).
   */
  cell(b: number, name: ReplayColumn, i: number): number | bigint | null {
    const lay = this.layouts.get(name);
    const meta = this.batches[b];
    if (!lay || !meta || i < 0 || i >= meta.length) return null;
    if (lay.width === 0) return this.cellOne(lay, meta, name, i);
    const only = this.onlyCode(b, name, lay, meta);
    if (only !== null) return only;
    const from = i & ~(CELL_BLOCK_ROWS - 1);
    let kept = this.cellBlocks.get(name);
    if (!kept) this.cellBlocks.set(name, (kept = new Map()));
    const key = this.starts[b]! + from;
    let c = kept.get(key);
    if (!c) {
      const to = Math.min(meta.length, from + CELL_BLOCK_ROWS);
      if (typeof this.regions(b, name, lay, meta, from, to) === 'string') return this.cellOne(lay, meta, name, i);
      const read = this.chunk(b, name, CELL_SLOT, { from, to });
      if (!read) return null;
      // chunk() reads into CELL_SLOT's one buffer per column: the kept block is a copy
      c = { ...read, values: read.values.slice(), validity: read.validity ? read.validity.slice() : null };
      if (kept.size >= CELL_BLOCKS_KEPT) kept.delete(kept.keys().next().value!);
      kept.set(key, c);
    }
    return cellOfChunk(c, i - from);
  }
  /** cell()'s blocks per column, by their first row, oldest first */
  private readonly cellBlocks = new Map<ReplayColumn, Map<number, Chunk>>();

  /**
   * The value of every row of a dictionary column whose batch has a one-entry dictionary and no nulls (`source`
   * of a one-file trace): known without a read (evidence rows lie far apart: each cell of one is a read of its own).
   */
  private onlyCode(b: number, name: ReplayColumn, lay: ColumnLayout, meta: BatchMeta): number | null {
    if (lay.dictId === null || meta.header.nodes[2 * lay.node + 1] !== 0) return null;
    const remap = this.batchRemap(b, name, lay.dictId, meta);
    return remap.length === 1 ? remap[0]! : null; // as cellOfChunk reads it
  }

  /** One value by its own positioned reads (bit-packed columns; batches whose buffers chunk() would refuse). */
  private cellOne(lay: ColumnLayout, meta: BatchMeta, name: ReplayColumn, i: number): number | bigint | null {
    const h = meta.header;
    if (2 * lay.node + 1 >= h.nodes.length || 2 * lay.buffer + 3 >= h.buffers.length) return null;
    const vOff = h.buffers[2 * lay.buffer]!;
    const dOff = h.buffers[2 * lay.buffer + 2]!;
    if (h.nodes[2 * lay.node + 1]! > 0 && h.buffers[2 * lay.buffer + 1]! > 0) {
      read(this.fd, 1, meta.bodyOffset + vOff + (i >> 3), this.scratch);
      if (((this.scratch[0]! >> (i & 7)) & 1) === 0) return null;
    }
    if (lay.width === 0) {
      read(this.fd, 1, meta.bodyOffset + dOff + (i >> 3), this.scratch);
      return (this.scratch[0]! >> (i & 7)) & 1;
    }
    read(this.fd, lay.width, meta.bodyOffset + dOff + i * lay.width, this.scratch);
    const v = lay.ctor(this.scratch.buffer as ArrayBuffer, 0, 1)[0]!;
    if (lay.dictId !== null)
      return this.remapFor(name, lay.dictId, meta.dictVersion.get(lay.dictId) ?? 0)[Number(v)] ?? null;
    return v;
  }

  close(): void {
    this.stopReadAhead();
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

/** Where rows [from, to) of one column lie in the file. */
interface ColumnRegions {
  hasValidity: boolean;
  bmPos: number;
  bmLen: number;
  vPos: number;
  vLen: number;
}
