/**
 * A BatchSource over record batches that arrive while the pass runs (ingest's streamEvents): the latest batches
 * stay in memory (a window), older ones are dropped, and once the stream has ended the Arrow file it was written to
 * serves every row by offset (arrow-file.ts). Rows outside the window before that are not readable: asking for one
 * throws OutsideWindow, and the caller replays the written file instead (the same result, one pass later).
 */
import type { Data, RecordBatch, Vector } from 'apache-arrow';
import { chunkOfData, type Chunk } from '../columns.js';
import {
  cellOfChunk,
  DICT_COLUMNS,
  newDictNames,
  REPLAY_COLUMNS,
  RowAccess,
  sliceChunk,
  type BatchSource,
  type DictNames,
  type ReplayColumn,
  type RowRange,
} from './batches.js';

/** A row the stream has not delivered yet, or one already dropped from the window. */
export class OutsideWindow extends Error {
  constructor(what: string) {
    super(`streamed replay: ${what} is outside the window`);
    this.name = 'OutsideWindow';
  }
}

/**
 * Columns only evidence reads (per row, after the pass: rules/context.ts evidenceOf, RowAccess.netCookie): the
 * window does not copy them — once the stream has ended they are read from the file, the window's batches too.
 */
const EVIDENCE_ONLY: ReadonlySet<ReplayColumn> = new Set<ReplayColumn>(['source', 'line', 'location', 'net_cookie']);
/** What the pass reads of rows outside its current range (observer.ts bindIfindex), through BatchReaders. */
export const WINDOW_ROW_COLUMNS: readonly ReplayColumn[] = ['ts_ns', 'event', 'dev', 'queue', 'ifindex', 'skbaddr'];

export class StreamSource implements BatchSource {
  numRows = 0;
  readonly starts: number[] = [0];
  readonly metadata = new Map<string, string>();
  readonly names: DictNames = newDictNames();
  /** batches in memory: batch index → the replay columns' data */
  private readonly window = new Map<number, Map<ReplayColumn, Data>>();
  /** the buffers of the batches in the window, reused once their batch leaves it (no allocation per batch) */
  private readonly pool = new BufferPool();
  private readonly owned = new Map<number, ArrayBuffer[]>();
  /** batches in the window held rather than copied: the release that gives their buffers back to the stream */
  private readonly kept = new Map<number, () => void>();
  /** per column: dictionary Vector → remap into `names` (chunkOfData's cache) */
  private readonly caches = new Map<ReplayColumn, Map<unknown, Int32Array>>(REPLAY_COLUMNS.map((c) => [c, new Map()]));
  private file: BatchSource | null = null;
  /** the file's remaps (its own DictNames) translated into `names`, by the file's remap */
  private readonly translated = new Map<Int32Array, Int32Array>();

  get numBatches(): number {
    return this.starts.length - 1;
  }

  /**
   * Append a batch's replay columns; returns its index. The stream reuses the batch's buffers once it is written
   * (ingest's streamEvents): `keep` (streamEvents' KeepBatch) holds them until the batch leaves the window; a batch
   * it cannot hold (or without `keep`) is copied.
   */
  push(batch: RecordBatch, keep?: () => (() => void) | null): number {
    const cols = new Map<ReplayColumn, Data>();
    const owned: ArrayBuffer[] = [];
    const release = keep?.() ?? null;
    for (const name of REPLAY_COLUMNS) {
      if (EVIDENCE_ONLY.has(name)) continue;
      const v = batch.getChild(name) as Vector | null;
      const d = v?.data[0];
      if (d) cols.set(name, release ? d : copyOf(d, this.pool, owned));
    }
    const b = this.numBatches;
    this.window.set(b, cols);
    this.owned.set(b, owned);
    if (release) this.kept.set(b, release);
    this.numRows += batch.numRows;
    this.starts.push(this.numRows);
    return b;
  }

  /** Batches before `b` leave memory. */
  dropBefore(b: number): void {
    for (const [k, cols] of this.window) {
      if (k >= b) continue;
      // each batch carries its own dictionary snapshot: its remap goes with it
      for (const [name, d] of cols) if (d.dictionary) this.caches.get(name)!.delete(d.dictionary);
      this.window.delete(k);
      // nothing reads a dropped batch's buffers: readers copy (BatchReader.load), views live for one range
      for (const buf of this.owned.get(k) ?? []) this.pool.release(buf);
      this.owned.delete(k);
      this.kept.get(k)?.();
      this.kept.delete(k);
    }
  }

  /** The file every batch was written to: rows outside the window are read from it from now on. */
  attach(file: BatchSource): void {
    this.file = file;
    for (const [k, v] of file.metadata) this.metadata.set(k, v);
  }

  chunk(b: number, name: ReplayColumn, slot: number, range?: RowRange): Chunk | null {
    const cols = EVIDENCE_ONLY.has(name) ? undefined : this.window.get(b);
    if (cols) {
      const d = cols.get(name);
      if (!d) return null;
      const dn = DICT_COLUMNS[name];
      const c = chunkOfData(d, dn ? this.names[dn] : null, this.caches.get(name)!);
      return sliceChunk(c, range, name === 'ptr_hashed');
    }
    if (!this.file) throw new OutsideWindow(`record batch ${b}`);
    const c = this.file.chunk(b, name, slot, range);
    const dn = DICT_COLUMNS[name];
    if (c?.remap && dn) c.remap = this.translate(c.remap, dn);
    return c;
  }

  cell(b: number, name: ReplayColumn, i: number): number | bigint | null {
    const cols = EVIDENCE_ONLY.has(name) ? undefined : this.window.get(b);
    if (cols) {
      const c = this.chunk(b, name, 0);
      return c ? cellOfChunk(c, i) : null;
    }
    if (!this.file) throw new OutsideWindow(`record batch ${b}`);
    const v = this.file.cell(b, name, i);
    const dn = DICT_COLUMNS[name];
    if (v === null || !dn) return v;
    const s = this.file.names[dn].names[Number(v)];
    return s === undefined ? null : this.names[dn].intern(s);
  }

  /** A remap into the file source's names as one into ours. */
  private translate(remap: Int32Array, dn: keyof DictNames): Int32Array {
    let t = this.translated.get(remap);
    if (!t) {
      const from = this.file!.names[dn].names;
      const to = this.names[dn];
      t = new Int32Array(remap.length);
      for (let k = 0; k < remap.length; k++) t[k] = remap[k]! < 0 ? -1 : to.intern(from[remap[k]!]!);
      this.translated.set(remap, t);
    }
    return t;
  }

  close(): void {
    this.dropBefore(Number.POSITIVE_INFINITY);
    this.file?.close();
  }
}

/**
 * ArrayBuffers by byte length: a window batch's column buffers go back here when it is dropped and the next batch's
 * copies reuse them. Fresh buffers per batch (~6 MB of ~20 columns every 64k rows) kept the garbage collector busy
 * for a sixth of the pass's thread (profile of a 1 GB diagnose: 5.2 s of GC against 0.8 s for ingest alone).
 */
class BufferPool {
  /** spare buffers by size class (a power of two: batches of the stream differ in rows, buffers in bytes) */
  private readonly free = new Map<number, ArrayBuffer[]>();
  take(bytes: number): ArrayBuffer {
    const size = sizeClass(bytes);
    return this.free.get(size)?.pop() ?? new ArrayBuffer(size);
  }
  release(buf: ArrayBuffer): void {
    let list = this.free.get(buf.byteLength);
    if (!list) this.free.set(buf.byteLength, (list = []));
    // a window holds a few batches: more spares than that are never needed again
    if (list.length < 32) list.push(buf);
  }
}

function sizeClass(bytes: number): number {
  let size = 4096;
  while (size < bytes) size *= 2;
  return size;
}

/** A column chunk with buffers of its own (same type, offset, length, null count, dictionary), from `pool`. */
function copyOf(d: Data, pool: BufferPool, owned: ArrayBuffer[]): Data {
  const bm = d.nullBitmap as Uint8Array | undefined;
  const own = <T extends ArrayLike<number> | undefined>(a: T): T => {
    if (a === undefined) return a;
    const src = a as unknown as Uint8Array;
    const buf = pool.take(src.byteLength);
    owned.push(buf);
    const Ctor = src.constructor as new (b: ArrayBuffer, o: number, n: number) => Uint8Array;
    const copy = new Ctor(buf, 0, src.length);
    copy.set(src);
    return copy as unknown as T;
  };
  return d.clone(d.type, d.offset, d.length, d.nullCount, [
    own(d.valueOffsets as ArrayLike<number> | undefined),
    own(d.values as ArrayLike<number>),
    bm === undefined || bm.length === 0 ? bm : own(bm),
    undefined,
  ] as never);
}

/**
 * RowAccess for the streamed pass: until the stream ends, a row at or past what has arrived (`frontier`) is
 * outside the window (the look-ahead that binds an ifindex to a device name may reach it).
 */
export class StreamRowAccess extends RowAccess {
  frontier = Number.POSITIVE_INFINITY;
  override at(row: number): number {
    if (row >= this.frontier) throw new OutsideWindow(`row ${row}`);
    return super.at(row);
  }
}
