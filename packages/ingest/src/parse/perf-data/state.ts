/**
 * The perf.data reader's running state (./reader.ts): attrs, threads, the round queue of samples, and emitting
 * queued records in order into a RecordSink — per sample a few typed-array reads, no object.
 */
import { fixedSize, type EventFormat } from '../tracing-data/eventFormat.js';
import type { TracingData } from '../tracing-data/tracingData.js';
import { bump } from '../tracing-data/types.js';
import type { BinaryReaderStats, LostWindow, RecordSink } from '../tracing-data/types.js';
import type { ParsedSample, PerfAttr, SampleId } from './attr.js';
import type { CompressedRecords } from './compressed.js';
import type { PerfFeatures } from './header.js';
import { SampleQueue, warmQueue } from './order.js';

warmQueue();

/** Queued task records: thread-name changes must apply in time order, like the samples that use them. */
export type Task =
  | { k: 'comm'; tid: number; comm: string }
  | { k: 'fork'; tid: number; ptid: number }
  | { k: 'lost'; source: LostWindow['source']; sid: SampleId; count: number; ts: bigint | undefined };

/** ids spanned by the array PerfState looks sample ids up in (else its Map) */
const DENSE_IDS = 1 << 16;

export class PerfState {
  le = true;
  attrs: PerfAttr[] = [];
  byId = new Map<bigint, PerfAttr>();
  tracing: TracingData | undefined;
  features: PerfFeatures = {};
  threads = new Map<number, string>();
  /** `:tid` names of tasks perf never saw a COMM for, made once per tid */
  private readonly unnamed = new Map<number, string>();
  /** last sample time by CPU (halves; samples of CPU -1 — none recorded — are not tracked) */
  private readonly lastHi: number[] = [];
  private readonly lastLo: number[] = [];
  /** the formats seen, by index (the queue's fmt column), with their event counts and fixed sizes */
  private readonly fmtIndex = new Map<EventFormat, number>();
  readonly fmts: EventFormat[] = [];
  readonly fmtMin: number[] = [];
  private readonly fmtCount: number[] = [];
  readonly queue: SampleQueue<Task>;
  decomp: CompressedRecords | undefined;
  /** file offset of the data section's first byte (0 in pipe mode: the cursor starts at the file's start) */
  dataOffset = 0;
  /** file offset of the record being read */
  recordOffset = 0;
  /** records emitted since the reader last paused */
  emitted = 0;
  /** bytes after the record outside header.size, or their promise (a pipe-mode header record): awaited next */
  pendingExtra: number | Promise<number> = 0;
  /** the type of the record pendingExtra belongs to */
  pendingType = 0;

  constructor(
    readonly stats: BinaryReaderStats,
    readonly ordered: boolean,
    readonly onTracing: (td: TracingData) => void,
  ) {
    this.queue = new SampleQueue<Task>(ordered);
  }

  /** ids below 2^53 by their Number value (perf hands out small ids): looked up without a BigInt per sample */
  byIdNumber = new Map<number, PerfAttr>();
  /** the sample being parsed (one object for all samples) */
  readonly scratch: ParsedSample = {
    pid: -1,
    tid: Number.NaN,
    cpu: -1,
    // doubles from the start (-0): a uint32 half past 2^30 would change the field's representation, and with it the
    // object's map, under code already optimized for it
    timeHi: -0,
    timeLo: -0,
    rawStart: 0,
    rawEnd: 0,
  };

  /** every attr lays its samples out alike (one sample_type / read_format): no id lookup per sample */
  private uniform = true;

  addAttr(a: PerfAttr): void {
    const first = this.attrs[0];
    if (first !== undefined && (first.sampleType !== a.sampleType || first.readFormat !== a.readFormat))
      this.uniform = false;
    this.attrs.push(a);
    for (const id of a.ids) {
      this.byId.set(id, a);
      if (id < 2n ** 53n) this.byIdNumber.set(Number(id), a);
    }
    this.denseIds();
  }

  /**
   * byIdNumber as an array from the smallest id, when the ids span fewer than DENSE_IDS (perf hands out consecutive
   * ids, one per event and CPU): a file whose attrs differ (perf's dummy event has another sample_type) looks up
   * every sample's id, and an array load is cheaper than a Map lookup
   */
  private denseIds(): void {
    const ids = [...this.byIdNumber.keys()];
    const min = Math.min(...ids);
    const span = Math.max(...ids) - min + 1;
    this.idBase = min;
    // filled first: packed elements, not a sparse array V8 might keep as a dictionary
    this.byIdDense = ids.length > 0 && span <= DENSE_IDS ? new Array<PerfAttr | undefined>(span).fill(undefined) : null;
    if (this.byIdDense !== null) for (const [id, a] of this.byIdNumber) this.byIdDense[id - min] = a;
  }

  private idBase = 0;
  private byIdDense: (PerfAttr | undefined)[] | null = null;

  /** the buffer viewOf last made a view of, and that view */
  private viewBuf: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  /** A DataView of `buf` (the chunk the records are read in place from: made once per chunk). */
  viewOf(buf: Uint8Array): DataView {
    if (buf !== this.viewBuf) {
      this.viewBuf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }

  /** The attr of the sample at view[base, base + size): by id when the file's attrs differ, else the first. */
  sampleAttr(view: DataView, base: number, size: number): PerfAttr | undefined {
    const first = this.attrs[0];
    // sample() uses the attr for its layout alone
    if (first === undefined || this.uniform) return first;
    const pos = first.layout.idPos;
    if (pos < 0 || pos + 8 > size) return first;
    const at = base + pos;
    const lo = view.getUint32(this.le ? at : at + 4, this.le);
    const hi = view.getUint32(this.le ? at + 4 : at, this.le);
    const dense = this.byIdDense;
    if (hi === 0 && dense !== null) {
      const k = lo - this.idBase;
      return (k >= 0 && k < dense.length ? dense[k] : undefined) ?? first;
    }
    if (hi < 2 ** 21) return this.byIdNumber.get(hi * 2 ** 32 + lo) ?? first;
    const id = view.getBigUint64(at, this.le);
    return this.byId.get(id) ?? first;
  }

  /** common_type (u16) → the queue's format index, -1: no format in the file, -2: not looked up yet */
  private readonly typeIndex = new Int32Array(1 << 16).fill(-2);
  private typeIndexOf: TracingData | undefined;

  /** The queue's format index of a payload's common_type in `td`, -1 if it has none (a typed-array load per sample). */
  formatOfType(td: TracingData, type: number): number {
    if (td !== this.typeIndexOf) {
      this.typeIndex.fill(-2);
      this.typeIndexOf = td;
    }
    let f = this.typeIndex[type]!;
    if (f === -2) {
      const fmt = td.formats.get(type);
      f = fmt === undefined ? -1 : this.formatIndex(fmt);
      this.typeIndex[type] = f;
    }
    return f;
  }

  /** The queue's index of a format (its minimum payload size at fmtMin[index]). */
  formatIndex(fmt: EventFormat): number {
    let i = this.fmtIndex.get(fmt);
    if (i === undefined) {
      i = this.fmts.length;
      this.fmtIndex.set(fmt, i);
      this.fmts.push(fmt);
      this.fmtMin.push(fixedSize(fmt));
      this.fmtCount.push(0);
    }
    return i;
  }

  /** the last task looked up by commOf and its name (NaN: none; forgotten when a COMM or FORK is applied) */
  private lastTid = Number.NaN;
  private lastTidComm = '';
  private lastTidTracing: TracingData | undefined;

  commOf(tid: number): string {
    // samples of one task come in runs: no Map lookups for those
    // (the saved cmdlines come with the tracing data, which pipe mode may bring late)
    if (tid === this.lastTid && this.tracing === this.lastTidTracing) return this.lastTidComm;
    const c = this.commOfTid(tid);
    this.lastTid = tid;
    this.lastTidTracing = this.tracing;
    this.lastTidComm = c;
    return c;
  }

  private commOfTid(tid: number): string {
    // perf names the idle task "swapper" (tools/perf/util/session.c perf_session__register_idle_thread).
    if (tid === 0) return this.threads.get(0) ?? 'swapper';
    const c = this.threads.get(tid) ?? this.tracing?.cmdlines.get(tid);
    if (c !== undefined) return c;
    let u = this.unnamed.get(tid);
    if (u === undefined) this.unnamed.set(tid, (u = `:${tid}`));
    return u;
  }

  /** Emit what the queue hands out now (in order) into the sink. */
  emit(sink: RecordSink): void {
    const q = this.queue;
    // the queue's columns are replaced only when it grows, at a push: not while it hands records out
    const { fmt, hi, lo, cpu, pid, tid, start, end, bufs, chunk } = q;
    const pool = q.pool;
    const le = this.tracing?.littleEndian ?? true;
    let n = 0;
    for (let s = q.next(); s >= 0; s = q.next()) {
      n++;
      const f = fmt[s]!;
      if (f < 0) {
        this.task(q.takeTask(s), sink);
        continue;
      }
      const t = tid[s]!;
      const c = cpu[s]!;
      const comm = this.commOf(t === t ? t : pid[s]!);
      if (c >= 0) {
        this.lastHi[c] = hi[s]!;
        this.lastLo[c] = lo[s]!;
      }
      this.fmtCount[f]!++;
      sink.event(
        this.fmts[f]!,
        bufs[s]!,
        start[s]!,
        end[s]!,
        le,
        // int32 bit patterns: no heap number per call (RecordSink)
        hi[s]! | 0,
        lo[s]! | 0,
        c,
        pid[s]!,
        t === t ? t : undefined,
        comm,
      );
      // the sink copied what it keeps: the chunk may be reused once none of its samples is queued
      bufs[s] = undefined;
      if (pool !== undefined) pool.release(chunk[s]!);
    }
    this.emitted += n;
  }

  private task(q: Task, sink: RecordSink): void {
    // a task's name may change here
    this.lastTid = Number.NaN;
    switch (q.k) {
      case 'comm':
        this.threads.set(q.tid, q.comm);
        return;
      case 'fork': {
        // thread__fork: the child starts with its parent's comm.
        const parent = this.threads.get(q.ptid);
        if (parent !== undefined && !this.threads.has(q.tid)) this.threads.set(q.tid, parent);
        return;
      }
      case 'lost': {
        this.stats.lostWindows++;
        this.stats.lostEvents += q.count;
        const w: LostWindow = { kind: 'lost', source: q.source, count: q.count };
        const cpu = q.sid.cpu;
        if (cpu !== undefined) {
          w.cpu = cpu;
          const h = cpu >= 0 ? this.lastHi[cpu] : undefined;
          if (h !== undefined) w.startNs = (BigInt(h) << 32n) | BigInt(this.lastLo[cpu]!);
        }
        if (q.sid.pid !== undefined) w.pid = q.sid.pid;
        if (q.sid.tid !== undefined) w.tid = q.sid.tid;
        if (q.ts !== undefined) w.endNs = q.ts;
        sink.lost(w);
        return;
      }
    }
  }

  /** stats.events complete up to the records emitted so far. */
  foldEventCounts(): void {
    this.fmtCount.forEach((n, i) => {
      if (n > 0) bump(this.stats.events, this.fmts[i]!.event, n);
      this.fmtCount[i] = 0;
    });
  }
}
