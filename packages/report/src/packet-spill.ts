/**
 * Closed per-skb lifecycles of a streamed `report`, kept on disk: a run of a 10 GB trace has tens of millions, more
 * than memory holds as rows. They are appended in columnar chunks (typed arrays, no object per packet) to a file in
 * the report's private temporary directory, and read back chunk by chunk as the `packets` table's TSV when the run
 * is written (any number of times: a retried write reads them again). Their wall-clock column needs the run's wall
 * offset, known only once the whole trace is read, so they cannot be encoded as they close.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { OpenPacket } from './packets.js';
import { FATES, PacketTsv, type PacketColumns, type PacketWall } from './packet-tsv.js';
import type { TsvValue } from './tsv.js';
import type { PacketNative } from './packet-native.js';

/** Rows per chunk (about 4.5 MB of columns) */
const CHUNK_ROWS = 65536;

/** One chunk's columns; the field order is the file's. */
class Chunk {
  n = 0;
  readonly u32: Uint32Array[];
  readonly i32: Int32Array[];
  /** len, then the relative times (NaN: not seen) */
  readonly f64: Float64Array[];
  readonly fate: Uint8Array;

  constructor(readonly rows: number) {
    this.u32 = ['skbHi', 'skbLo', 'dev', 'dropReason', 'location', 'source', 'firstLine'].map(
      () => new Uint32Array(rows),
    );
    this.i32 = ['queue', 'xmitRc', 'txBusy'].map(() => new Int32Array(rows));
    this.f64 = ['len', 'queuedRel', 'startXmitRel', 'xmitRel', 'freedRel'].map(() => new Float64Array(rows));
    this.fate = new Uint8Array(rows);
  }

  arrays(): Column[] {
    return [...this.u32, ...this.i32, ...this.f64, this.fate];
  }

  add(p: OpenPacket): void {
    const i = this.n++;
    const [hi, lo, dev, reason, location, source, line] = this.u32 as [Uint32Array, ...Uint32Array[]];
    hi[i] = p.skbHi;
    lo![i] = p.skbLo;
    dev![i] = p.dev;
    reason![i] = p.dropReason;
    location![i] = p.location;
    source![i] = p.source;
    line![i] = p.firstLine;
    const [queue, rc, busy] = this.i32 as [Int32Array, Int32Array, Int32Array];
    queue[i] = p.queue;
    rc[i] = p.xmitRc;
    busy[i] = p.txBusy;
    const [len, queued, start, xmit, freed] = this.f64 as [Float64Array, ...Float64Array[]];
    len[i] = p.len;
    queued![i] = p.queuedRel;
    start![i] = p.startXmitRel;
    xmit![i] = p.xmitRel;
    freed![i] = p.freedRel;
    this.fate[i] = FATES.indexOf(p.fate);
  }

  columns(): PacketColumns {
    const [skbHi, skbLo, dev, dropReason, location, source, firstLine] = this.u32 as Uint32Array[];
    const [queue, xmitRc, txBusy] = this.i32 as Int32Array[];
    const [len, queuedRel, startXmitRel, xmitRel, freedRel] = this.f64 as Float64Array[];
    return {
      n: this.n,
      ...{ skbHi: skbHi!, skbLo: skbLo!, dev: dev!, dropReason: dropReason!, location: location!, source: source! },
      ...{ firstLine: firstLine!, queue: queue!, xmitRc: xmitRc!, txBusy: txBusy!, len: len! },
      ...{ queuedRel: queuedRel!, startXmitRel: startXmitRel!, xmitRel: xmitRel!, freedRel: freedRel! },
      fate: this.fate,
    };
  }
}

type Column = Uint32Array | Int32Array | Float64Array | Uint8Array;

/** The bytes of a chunk's first `n` rows of `a`. */
const head = (a: Column, n: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);

/** Rows per Native block of the packets (file-insert.ts's block of a bounded insert) */
const NATIVE_BLOCK_ROWS = 16384;

/** Rows [a, b) of a chunk's columns (views, no copy). */
function sliceColumns(c: PacketColumns, a: number, b: number): PacketColumns {
  if (a === 0 && b === c.n) return c;
  const out = { n: b - a } as Record<string, unknown>;
  for (const [k, v] of Object.entries(c)) if (k !== 'n') out[k] = (v as Column).subarray(a, b);
  return out as unknown as PacketColumns;
}

/** Fill `buf` from the file's current position (a read may return less than asked). */
function readFully(fd: number, buf: Uint8Array): void {
  for (let at = 0; at < buf.length; ) {
    const got = readSync(fd, buf, at, buf.length - at, null);
    if (got === 0) throw new Error('packets spill file ended early');
    at += got;
  }
}

/** A closed spill file's layout: its rows, and the rows of each of its chunks in order. */
export interface SpillIndex {
  count: number;
  rowsPerChunk: number;
  chunkRows: number[];
}

/** Lifecycles appended as they close, then read back as the `packets` table's TSV. */
export class PacketSpill {
  count = 0;
  private readonly chunk: Chunk;
  private fd: number | null;
  /** rows of each chunk in the file, in order */
  private readonly chunkRows: number[] = [];
  private readonly rowsPerChunk: number;

  /** A new spill file (`written`: one complete already, e.g. by the derivation thread, opened to be read back). */
  constructor(
    private readonly file: string,
    rowsPerChunk = CHUNK_ROWS,
    written?: SpillIndex,
  ) {
    this.chunk = new Chunk(written ? 0 : rowsPerChunk);
    this.fd = written ? null : openSync(file, 'w');
    if (written) {
      this.rowsPerChunk = written.rowsPerChunk;
      this.chunkRows.push(...written.chunkRows);
      this.count = written.count;
    } else this.rowsPerChunk = rowsPerChunk;
  }

  /** What another thread needs to read the closed file back (`new PacketSpill(file, _, index)`). */
  index(): SpillIndex {
    return { count: this.count, rowsPerChunk: this.rowsPerChunk, chunkRows: [...this.chunkRows] };
  }

  add(p: OpenPacket): void {
    this.chunk.add(p);
    this.count++;
    if (this.chunk.n === this.chunk.rows) this.flush();
  }

  private flush(): void {
    const n = this.chunk.n;
    if (n === 0 || this.fd === null) return;
    for (const a of this.chunk.arrays()) writeSync(this.fd, head(a, n));
    this.chunkRows.push(n);
    this.chunk.n = 0;
  }

  /** No more lifecycles: the file is complete. */
  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /**
   * The `packets` rows as TSV chunks (run-rows.ts's encoding: key columns `k`, then the lifecycle, `wall` for its
   * time column), read back from the file one chunk at a time. Iterable any number of times.
   */
  tsv(k: TsvValue[], wall: PacketWall, baseNs: bigint, strings: readonly string[]): Iterable<Buffer> {
    const encoder = new PacketTsv(k, wall, baseNs, strings);
    return this.mapChunks(function* (c) {
      yield* encoder.chunks(c);
    });
  }

  /**
   * The same rows as Native blocks of at most `blockRows` (packet-native.ts). Iterable any number of times. chDB
   * writes a Native block it reads as one part however big (its insert squashes small blocks, never splits big ones),
   * and a part's memory grows with its rows: 65,536-row blocks took ~70 MiB more at peak than 16,384-row ones.
   */
  native(encoder: PacketNative, blockRows = NATIVE_BLOCK_ROWS): Iterable<Buffer> {
    return this.mapChunks(function* (c) {
      for (let a = 0; a < c.n; a += blockRows) yield encoder.block(sliceColumns(c, a, Math.min(c.n, a + blockRows)));
    });
  }

  /** `encode` of every chunk of the file, read back one at a time; a new read of the file per iteration. */
  private mapChunks(encode: (c: PacketColumns) => Iterable<Buffer>): Iterable<Buffer> {
    const { file, chunkRows } = this;
    const { rowsPerChunk } = this;
    return {
      *[Symbol.iterator]() {
        const fd = openSync(file, 'r');
        try {
          const c = new Chunk(rowsPerChunk);
          for (const n of chunkRows) {
            for (const a of c.arrays()) readFully(fd, head(a, n));
            c.n = n;
            yield* encode(c.columns());
          }
        } finally {
          closeSync(fd);
        }
      },
    };
  }
}
