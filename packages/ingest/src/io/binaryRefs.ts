/**
 * The records a binary worker reads (./binaryWorker.ts), handed to the main thread as references into the file's
 * bytes: per event its format, where its payload lies (a SharedArrayBuffer chunk and offsets), time, CPU, task and
 * comm, in typed arrays — the main thread replays them into its row builder (./binaryRows.ts) as if it had read
 * the file itself. Reading (zstd, ring pages, the perf round queue) and building rows then run on two cores.
 *
 * Payload bytes are not copied when the reader's chunk is a SharedArrayBuffer (perf.data file chunks read with
 * `sharedChunks`); any other payload (zstd output, gunzipped streams) is copied with the view the reader handed it
 * in (a trace.dat page, one perf record) into a shared spill buffer: a reader never rewrites a view it handed out.
 * No apache-arrow here.
 */
import type { EventFormat } from '../parse/tracing-data/eventFormat.js';
import type { LostWindow, RecordSink } from '../parse/tracing-data/types.js';

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

const SPILL = 1 << 20;
const INITIAL = 1 << 12;

/** The worker's sink: records the reader's events as references, taken per message with take(). */
export class RefSink implements RecordSink {
  private n = 0;
  private cap = INITIAL;
  private fmt = new Int32Array(INITIAL);
  private chunk = new Int32Array(INITIAL);
  private start = new Int32Array(INITIAL);
  private end = new Int32Array(INITIAL);
  private hi = new Uint32Array(INITIAL);
  private lo = new Uint32Array(INITIAL);
  private cpu = new Int32Array(INITIAL);
  private pid = new Int32Array(INITIAL);
  private tid = new Float64Array(INITIAL);
  private comm = new Int32Array(INITIAL);
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

  /** The records so far (and what they refer to that the main thread has not seen), and start afresh. */
  take(): EventRefs {
    const n = this.n;
    const cut = <A extends Int32Array | Uint32Array | Float64Array>(a: A): A => a.slice(0, n) as A;
    const refs: EventRefs = {
      n,
      fmt: cut(this.fmt),
      chunk: cut(this.chunk),
      start: cut(this.start),
      end: cut(this.end),
      hi: cut(this.hi),
      lo: cut(this.lo),
      cpu: cut(this.cpu),
      pid: cut(this.pid),
      tid: cut(this.tid),
      comm: cut(this.comm),
      le: this.le,
      chunks: this.chunks,
      lost: this.losts,
      newFormats: this.newFormats,
      newComms: this.newComms,
    };
    this.n = 0;
    this.chunks = [];
    this.chunkIdx.clear();
    this.spilled.clear();
    this.lastBuf = null;
    this.losts = [];
    this.newFormats = [];
    this.newComms = [];
    // the spill buffer's rest serves the next message (it is listed again there when used)
    return refs;
  }

  private slot(): number {
    if (this.n === this.cap) this.grow();
    return this.n++;
  }

  private grow(): void {
    const k = (this.cap *= 2);
    const more = <A extends Int32Array | Uint32Array | Float64Array>(a: A, b: A): A => {
      b.set(a as never);
      return b;
    };
    this.fmt = more(this.fmt, new Int32Array(k));
    this.chunk = more(this.chunk, new Int32Array(k));
    this.start = more(this.start, new Int32Array(k));
    this.end = more(this.end, new Int32Array(k));
    this.hi = more(this.hi, new Uint32Array(k));
    this.lo = more(this.lo, new Uint32Array(k));
    this.cpu = more(this.cpu, new Int32Array(k));
    this.pid = more(this.pid, new Int32Array(k));
    this.tid = more(this.tid, new Float64Array(k));
    this.comm = more(this.comm, new Int32Array(k));
  }

  /** Where `buf`'s bytes are in this message's chunks: lastChunk, lastAt (of buf[0]). */
  private locate(buf: Buffer): void {
    const ab = buf.buffer;
    if (ab instanceof SharedArrayBuffer) {
      this.lastChunk = this.chunkOf(ab);
      this.lastAt = buf.byteOffset;
    } else {
      // outside shared memory: the view (a ring-buffer page, a decompressed record) is copied into the spill buffer
      // once per message
      let place = this.spilled.get(buf);
      if (place === undefined) {
        const len = buf.length;
        if (this.spill === null || this.spillAt + len > this.spill.length) {
          this.spill = new Uint8Array(new SharedArrayBuffer(Math.max(SPILL, len)));
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
    }
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
