/**
 * The records a binary worker reads (./binaryWorker.ts), handed to the main thread as references into the file's
 * bytes: per event its format, where its payload lies (a shared chunk and offsets), time, CPU, task and
 * comm, in typed arrays — the main thread replays them into its row builder (./binaryRows.ts) as if it had read
 * the file itself. Reading (zstd, ring pages, the perf round queue) and building rows then run on two cores.
 *
 * Payloads are copied with the view the reader handed them in (a perf.data file chunk, a trace.dat page, one
 * decompressed perf record) into a shared spill buffer, once per message: a reader never rewrites a view it handed
 * out. The spill and column buffers come back from the main thread once replayed and are reused, so memory stays a
 * few messages' worth whatever the file's size (shared memory left to the garbage collector piled up: 305 MB peak
 * for a 159 MB perf.data against 179 MB for 53 MB).
 * No apache-arrow here.
 */
import type { EventFormat } from '../parse/tracing-data/eventFormat.js';
import type { LostWindow, RecordSink } from '../parse/tracing-data/types.js';
import { BufferPool } from '../table/rows.js';

/** One message's records (at most a reader step's: a few thousand, or one perf round). */
export interface EventRefs {
  n: number;
  /** per record: index into the formats sent so far, or -1 - i for lost[i] */
  fmt: Int32Array;
  /** index into `chunks` */
  chunk: Int32Array;
  start: Int32Array;
  end: Int32Array;
  hi: Uint32Array;
  lo: Uint32Array;
  cpu: Int32Array;
  pid: Int32Array;
  /** NaN: no tid */
  tid: Float64Array;
  /** index into the comms sent so far */
  comm: Int32Array;
  le: boolean;
  chunks: SharedArrayBuffer[];
  lost: LostWindow[];
  newFormats: EventFormat[];
  newComms: string[];
}

/** spill buffer size: a perf.data chunk (1 MiB and the rest of a record before it) fits */
const SPILL = 2 << 20;

type Column = Int32Array | Uint32Array | Float64Array;
type ColumnCtor<A extends Column> = {
  new (buf: ArrayBufferLike, off: number, n: number): A;
  BYTES_PER_ELEMENT: number;
};
const INITIAL = 1 << 12;

/** The worker's sink: records the reader's events as references, taken per message with take(). */
export class RefSink implements RecordSink {
  /** SharedArrayBuffers the main thread gave back (./binaryThread.ts): memory stays a few messages' worth */
  private readonly pool = new BufferPool(true);
  private n = 0;
  private cap = INITIAL;
  private fmt = this.shared(Int32Array, INITIAL);
  private chunk = this.shared(Int32Array, INITIAL);
  private start = this.shared(Int32Array, INITIAL);
  private end = this.shared(Int32Array, INITIAL);
  private hi = this.shared(Uint32Array, INITIAL);
  private lo = this.shared(Uint32Array, INITIAL);
  private cpu = this.shared(Int32Array, INITIAL);
  private pid = this.shared(Int32Array, INITIAL);
  private tid = this.shared(Float64Array, INITIAL);
  private comm = this.shared(Int32Array, INITIAL);
  private le = true;
  private chunks: SharedArrayBuffer[] = [];
  private readonly chunkIdx = new Map<ArrayBufferLike, number>();
  /** the view the last record lay in, its chunk index and the offset of its first byte there */
  private lastBuf: Buffer | null = null;
  private lastChunk = 0;
  private lastAt = 0;
  private losts: LostWindow[] = [];
  private readonly formats = new Map<EventFormat, number>();
  private newFormats: EventFormat[] = [];
  private lastFmt: EventFormat | null = null;
  private lastFmtIdx = 0;
  private readonly comms = new Map<string, number>();
  private newComms: string[] = [];
  private lastComm = '';
  private lastCommIdx = -1;
  private spill: Uint8Array | null = null;
  private spillAt = 0;
  /** views copied into the spill buffer in this message, at their offset there */
  private readonly spilled = new Map<Buffer, { chunk: number; at: number }>();

  get size(): number {
    return this.n;
  }

  event(
    fmt: EventFormat,
    buf: Buffer,
    start: number,
    end: number,
    le: boolean,
    tsHi: number,
    tsLo: number,
    cpu: number,
    pid: number,
    tid: number | undefined,
    comm: string,
  ): void {
    const i = this.slot();
    this.le = le;
    this.fmt[i] = fmt === this.lastFmt ? this.lastFmtIdx : this.formatIdx(fmt);
    // records come in runs from one chunk or page: located once per run
    if (buf !== this.lastBuf) this.locate(buf);
    const at = this.lastAt;
    this.chunk[i] = this.lastChunk;
    this.start[i] = at + start;
    this.end[i] = at + end;
    this.hi[i] = tsHi;
    this.lo[i] = tsLo;
    this.cpu[i] = cpu;
    this.pid[i] = pid;
    this.tid[i] = tid ?? Number.NaN;
    this.comm[i] = comm === this.lastComm && this.lastCommIdx >= 0 ? this.lastCommIdx : this.commIdx(comm);
  }

  lost(w: LostWindow): void {
    const i = this.slot();
    this.losts.push(w);
    this.fmt[i] = -this.losts.length;
  }

  /**
   * The records so far (and what they refer to that the main thread has not seen), and start afresh. The columns
   * are SharedArrayBuffers handed over whole (a message copies none of them); the next message gets new ones.
   */
  take(): EventRefs {
    const refs: EventRefs = {
      n: this.n,
      fmt: this.fmt,
      chunk: this.chunk,
      start: this.start,
      end: this.end,
      hi: this.hi,
      lo: this.lo,
      cpu: this.cpu,
      pid: this.pid,
      tid: this.tid,
      comm: this.comm,
      le: this.le,
      chunks: this.chunks,
      lost: this.losts,
      newFormats: this.newFormats,
      newComms: this.newComms,
    };
    this.alloc(this.cap, 0);
    // this message's spill buffers come back once it is replayed: the next message starts a new one
    this.spill = null;
    this.n = 0;
    this.chunks = [];
    this.chunkIdx.clear();
    this.spilled.clear();
    this.lastBuf = null;
    this.losts = [];
    this.newFormats = [];
    this.newComms = [];
    return refs;
  }

  /** Buffers of a message the main thread has replayed (refsBuffers), free for the next messages. */
  recycle(buffers: readonly SharedArrayBuffer[]): void {
    for (const b of buffers) this.pool.give(b);
  }

  /** A typed array of n elements in a pooled SharedArrayBuffer. */
  private shared<A extends Column>(Ctor: ColumnCtor<A>, n: number): A {
    return new Ctor(this.pool.take(n * Ctor.BYTES_PER_ELEMENT), 0, n);
  }

  private slot(): number {
    if (this.n === this.cap) this.grow();
    return this.n++;
  }

  private grow(): void {
    this.cap *= 2;
    this.alloc(this.cap, this.n);
  }

  /** New column arrays of `cap` rows, the first `keep` rows copied over. */
  private alloc(cap: number, keep: number): void {
    const more = <A extends Column>(a: A, Ctor: ColumnCtor<A>): A => {
      const b = this.shared(Ctor, cap);
      if (keep > 0) {
        b.set(a.subarray(0, keep) as never);
        // grown within a message: the smaller array is this sink's alone, free again
        this.pool.give(a.buffer);
      }
      return b;
    };
    this.fmt = more(this.fmt, Int32Array);
    this.chunk = more(this.chunk, Int32Array);
    this.start = more(this.start, Int32Array);
    this.end = more(this.end, Int32Array);
    this.hi = more(this.hi, Uint32Array);
    this.lo = more(this.lo, Uint32Array);
    this.cpu = more(this.cpu, Int32Array);
    this.pid = more(this.pid, Int32Array);
    this.tid = more(this.tid, Float64Array);
    this.comm = more(this.comm, Int32Array);
  }

  /**
   * Where `buf`'s bytes are in this message's chunks (lastChunk, lastAt of buf[0]): the view is copied into the
   * spill buffer once per message.
   */
  private locate(buf: Buffer): void {
    let place = this.spilled.get(buf);
    if (place === undefined) {
      const len = buf.length;
      if (this.spill === null || this.spillAt + len > this.spill.length) {
        this.spill = new Uint8Array(this.pool.take(len <= SPILL ? SPILL : len));
        this.spillAt = 0;
      }
      this.spill.set(buf, this.spillAt);
      place = { chunk: this.chunkOf(this.spill.buffer as SharedArrayBuffer), at: this.spillAt };
      // 8-byte aligned, as the views were
      this.spillAt += (len + 7) & ~7;
      this.spilled.set(buf, place);
    }
    this.lastChunk = place.chunk;
    this.lastAt = place.at;
    this.lastBuf = buf;
  }

  private chunkOf(ab: SharedArrayBuffer): number {
    let c = this.chunkIdx.get(ab);
    if (c === undefined) {
      c = this.chunks.length;
      this.chunks.push(ab);
      this.chunkIdx.set(ab, c);
    }
    return c;
  }

  private formatIdx(fmt: EventFormat): number {
    let f = this.formats.get(fmt);
    if (f === undefined) {
      f = this.formats.size;
      this.formats.set(fmt, f);
      this.newFormats.push(fmt);
    }
    this.lastFmt = fmt;
    this.lastFmtIdx = f;
    return f;
  }

  private commIdx(comm: string): number {
    let c = this.comms.get(comm);
    if (c === undefined) {
      c = this.comms.size;
      this.comms.set(comm, c);
      this.newComms.push(comm);
    }
    this.lastComm = comm;
    this.lastCommIdx = c;
    return c;
  }
}

/** Every SharedArrayBuffer of a message (to give back once it is replayed). */
export function refsBuffers(m: EventRefs): SharedArrayBuffer[] {
  const cols = [m.fmt, m.chunk, m.start, m.end, m.hi, m.lo, m.cpu, m.pid, m.tid, m.comm];
  return [...m.chunks, ...cols.map((c) => c.buffer as SharedArrayBuffer)];
}

/** The main thread's side: replays messages into a sink, keeping the formats and comms sent so far. */
export class RefReplay {
  private readonly formats: EventFormat[] = [];
  private readonly comms: string[] = [];

  replay(m: EventRefs, sink: RecordSink): void {
    for (const f of m.newFormats) this.formats.push(f);
    for (const c of m.newComms) this.comms.push(c);
    const bufs = m.chunks.map((ab) => Buffer.from(ab));
    const { fmt, chunk, start, end, hi, lo, cpu, pid, tid, comm, le } = m;
    const formats = this.formats;
    const comms = this.comms;
    for (let i = 0; i < m.n; i++) {
      const f = fmt[i]!;
      if (f < 0) {
        sink.lost(m.lost[-f - 1]!);
        continue;
      }
      const t = tid[i]!;
      sink.event(
        formats[f]!,
        bufs[chunk[i]!]!,
        start[i]!,
        end[i]!,
        le,
        hi[i]!,
        lo[i]!,
        cpu[i]!,
        pid[i]!,
        t === t ? t : undefined,
        comms[comm[i]!]!,
      );
    }
  }
}
