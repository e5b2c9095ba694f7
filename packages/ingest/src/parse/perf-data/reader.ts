/**
 * perf.data reader: yields the tracepoint samples (PERF_SAMPLE_RAW decoded by the embedded format files,
 * common_type → event) and lost-event windows, in the order `perf script` prints them.
 *
 * File mode: header → attrs → feature sections (HEADER_TRACING_DATA, HOSTNAME, OSRELEASE, CMDLINE) → the data
 * section streamed in chunks. Pipe mode (`perf record -o -`, header size 16): attrs arrive as
 * PERF_RECORD_HEADER_ATTR, tracing data as PERF_RECORD_HEADER_TRACING_DATA, features as HEADER_FEATURE.
 * Byte order follows the magic (tools/perf/util/header.c check_magic_endian).
 */
import type { Readable } from 'node:stream';
import { ByteCursor, fileRangePull, iteratorPull } from '../tracing-data/cursor.js';
import { commonType, decodeFields, fixedSize, type EventFormat } from '../tracing-data/eventFormat.js';
import { BATCH, batchReader } from '../tracing-data/batches.js';
import { openBinaryInput, type BinaryInput } from '../tracing-data/input.js';
import { readTracingData, type TracingData } from '../tracing-data/tracingData.js';
import { NO_FIELDS, bump, emptyStats, skipAt } from '../tracing-data/types.js';
import type {
  BinaryReaderStats,
  BinaryTraceMeta,
  BinaryTraceReader,
  BinaryTraceRecord,
  LostWindow,
  TracepointRecord,
} from '../tracing-data/types.js';
import {
  attrSize,
  parseAttr,
  parseSampleId,
  parseSampleInto,
  type ParsedSample,
  type PerfAttr,
  type SampleId,
} from './attr.js';
import { CompressedRecords } from './compressed.js';
import { FILE_HEADER_SIZE, PIPE_HEADER_SIZE, REC, recordName } from './constants.js';
import { applyFeature, parseFileHeader, perfEndian, readAttrs, readFeatures, type PerfFeatures } from './header.js';
import { RoundQueue, type Timed } from './order.js';

export interface PerfDataOptions {
  /** Emit in perf's time order (FINISHED_ROUND flushing, as `perf script`); false: file order. Default true. */
  ordered?: boolean;
  /** false: leave `fields` empty and hand the raw payload over (record.payload); default true. */
  decode?: boolean;
}

/** Queued work: thread-name changes must apply in time order, like the samples that use them. */
type Queued =
  | TracepointRecord
  | { kind: 'task'; k: 'comm'; tid: number; comm: string; ts: bigint }
  | { kind: 'task'; k: 'fork'; tid: number; ptid: number; ts: bigint }
  | { kind: 'task'; k: 'lost'; source: LostWindow['source']; sid: SampleId; count: number; ts: bigint | undefined };

class PerfState {
  le = true;
  attrs: PerfAttr[] = [];
  byId = new Map<bigint, PerfAttr>();
  tracing: TracingData | undefined;
  features: PerfFeatures = {};
  threads = new Map<number, string>();
  /** by CPU (samples of CPU -1 — none recorded — are not tracked) */
  lastTsByCpu: (bigint | undefined)[] = [];
  /** events per format, folded into stats.events by name when a batch is handed out (no string-keyed bump per event) */
  readonly eventsByFormat = new Map<string, { n: number }>();
  queue = new RoundQueue<Queued>();
  decomp: CompressedRecords | undefined;
  /** file offset of the data section's first byte (0 in pipe mode: the cursor starts at the file's start) */
  dataOffset = 0;
  /** file offset of the record being read */
  recordOffset = 0;

  constructor(
    readonly stats: BinaryReaderStats,
    readonly ordered: boolean,
    readonly decode: boolean,
    readonly onTracing: (td: TracingData) => void,
  ) {}

  /** ids below 2^53 by their Number value (perf hands out small ids): looked up without a BigInt per sample */
  byIdNumber = new Map<number, PerfAttr>();
  /** the sample being parsed (one object for all samples) */
  readonly scratch: ParsedSample = { rawStart: 0, rawEnd: 0 };

  addAttr(a: PerfAttr): void {
    this.attrs.push(a);
    for (const id of a.ids) {
      this.byId.set(id, a);
      if (id < 2n ** 53n) this.byIdNumber.set(Number(id), a);
    }
  }

  /** The attr of a sample: by id when the file has several, else the only one. */
  sampleAttr(body: Buffer): PerfAttr | undefined {
    const first = this.attrs[0];
    if (first === undefined || this.attrs.length === 1) return first;
    const pos = first.layout.idPos;
    if (pos < 0 || pos + 8 > body.length) return first;
    const lo = this.le ? body.readUInt32LE(pos) : body.readUInt32BE(pos + 4);
    const hi = this.le ? body.readUInt32LE(pos + 4) : body.readUInt32BE(pos);
    if (hi < 2 ** 21) return this.byIdNumber.get(hi * 2 ** 32 + lo) ?? first;
    const id = this.le ? body.readBigUInt64LE(pos) : body.readBigUInt64BE(pos);
    return this.byId.get(id) ?? first;
  }

  commOf(tid: number): string {
    // perf names the idle task "swapper" (tools/perf/util/session.c perf_session__register_idle_thread).
    if (tid === 0) return this.threads.get(0) ?? 'swapper';
    return this.threads.get(tid) ?? this.tracing?.cmdlines.get(tid) ?? `:${tid}`;
  }
}

function emit(st: PerfState, items: Timed<Queued>[], sink: BinaryTraceRecord[]): void {
  for (const { item } of items) apply(st, item, sink);
}

function apply(st: PerfState, q: Queued, sink: BinaryTraceRecord[]): void {
  if (q.kind === 'event') {
    q.comm = st.commOf(q.tid ?? q.pid);
    if (q.cpu >= 0) st.lastTsByCpu[q.cpu] = q.tsNs;
    let c = st.eventsByFormat.get(q.event);
    if (c === undefined) st.eventsByFormat.set(q.event, (c = { n: 0 }));
    c.n++;
    sink.push(q);
    return;
  }
  switch (q.k) {
    case 'comm':
      st.threads.set(q.tid, q.comm);
      return;
    case 'fork': {
      // thread__fork: the child starts with its parent's comm.
      const parent = st.threads.get(q.ptid);
      if (parent !== undefined && !st.threads.has(q.tid)) st.threads.set(q.tid, parent);
      return;
    }
    case 'lost': {
      st.stats.lostWindows++;
      st.stats.lostEvents += q.count;
      const w: LostWindow = { kind: 'lost', source: q.source, count: q.count };
      const cpu = q.sid.cpu;
      if (cpu !== undefined) {
        w.cpu = cpu;
        const last = cpu >= 0 ? st.lastTsByCpu[cpu] : undefined;
        if (last !== undefined) w.startNs = last;
      }
      if (q.sid.pid !== undefined) w.pid = q.sid.pid;
      if (q.sid.tid !== undefined) w.tid = q.sid.tid;
      if (q.ts !== undefined) w.endNs = q.ts;
      sink.push(w);
      return;
    }
  }
}

/** Decode one record; queue what it yields. Returns extra bytes that follow it outside header.size. */
function record(st: PerfState, type: number, body: Buffer, cur: ByteCursor, out: Queued[]): number | Promise<number> {
  switch (type) {
    case REC.SAMPLE:
      sample(st, body, out);
      return 0;
    case REC.COMM:
    case REC.FORK:
      taskRecord(st, type, body, out);
      return 0;
    case REC.LOST:
    case REC.LOST_SAMPLES:
      lostRecord(st, type, body, out);
      return 0;
    case REC.EXIT:
    case REC.FINISHED_ROUND:
    case REC.FINISHED_INIT:
    case REC.HEADER_EVENT_TYPE:
    case REC.HEADER_BUILD_ID:
    case REC.ID_INDEX:
      bump(st.stats.handled, recordName(type));
      return 0;
    case REC.HEADER_ATTR:
    case REC.HEADER_TRACING_DATA:
    case REC.HEADER_FEATURE:
      return pipeHeader(st, type, body, cur);
    case REC.AUXTRACE: {
      // { u64 size, offset, reference; u32 idx, tid, cpu, reserved } + `size` bytes of AUX data after the record.
      bump(st.stats.skipped, recordName(type));
      return Number(st.le ? body.readBigUInt64LE(8) : body.readBigUInt64BE(8));
    }
    default:
      // an unknown (or not needed) record type: header.size steps over it; counted, first offset kept
      skipAt(st.stats, recordName(type), st.recordOffset);
      return 0;
  }
}

/** A PERF_RECORD_SAMPLE: its raw tracepoint payload, decoded by common_type (or handed over undecoded). */
function sample(st: PerfState, body: Buffer, out: Queued[]): void {
  const attr = st.sampleAttr(body);
  if (attr === undefined || !attr.layout.raw) {
    bump(st.stats.skipped, 'SAMPLE(no raw)');
    return;
  }
  const s = st.scratch;
  const ok = parseSampleInto(body, body.length, attr, st.le, s);
  const td = st.tracing;
  if (!ok || s.rawEnd - s.rawStart < 8 || td === undefined) {
    bump(st.stats.skipped, !ok ? 'SAMPLE(truncated)' : 'SAMPLE(no tracing data)');
    return;
  }
  // The raw payload is in the traced kernel's byte order (the tracing data's endian flag).
  const le = td.littleEndian;
  const fmt = td.formats.get(commonType(body, s.rawStart, le));
  if (fmt === undefined) {
    st.stats.unknownEvents++;
    return;
  }
  if (s.rawEnd - s.rawStart < fixedSize(fmt)) {
    skipAt(st.stats, `SAMPLE(${fmt.event} payload shorter than its format)`, st.recordOffset);
    return;
  }
  // every property set at creation (one object shape for all samples)
  const rec: TracepointRecord = {
    kind: 'event',
    tsNs: s.time ?? 0n,
    cpu: s.cpu ?? -1,
    pid: s.pid ?? -1,
    tid: s.tid,
    comm: '',
    event: fmt.event,
    fields: st.decode ? decodeFields(fmt, body, s.rawStart, s.rawEnd, le) : NO_FIELDS,
    payload: st.decode ? undefined : { fmt, buf: body, start: s.rawStart, end: s.rawEnd, littleEndian: le },
  };
  out.push(rec);
}

/** COMM { u32 pid, tid; char comm[]; sample_id }, FORK { u32 pid, ppid, tid, ptid; u64 time; sample_id }. */
function taskRecord(st: PerfState, type: number, body: Buffer, out: Queued[]): void {
  const i32 = (at: number): number => (st.le ? body.readInt32LE(at) : body.readInt32BE(at));
  if (type === REC.COMM) {
    const z = body.indexOf(0, 16);
    const comm = body.toString('utf8', 16, z >= 0 ? z : body.length);
    out.push({ kind: 'task', k: 'comm', tid: i32(12), comm, ts: commTime(body, st) });
  } else out.push({ kind: 'task', k: 'fork', tid: i32(16), ptid: i32(20), ts: commTime(body, st) });
  bump(st.stats.handled, recordName(type));
}

/** LOST { u64 id, lost; sample_id }, LOST_SAMPLES { u64 lost; sample_id }: a lost window on the sample_id's CPU. */
function lostRecord(st: PerfState, type: number, body: Buffer, out: Queued[]): void {
  const at = type === REC.LOST ? 16 : 8;
  const count = Number(st.le ? body.readBigUInt64LE(at) : body.readBigUInt64BE(at));
  const a = st.attrs[0];
  const sid = a?.sampleIdAll ? parseSampleId(body, body.length, a.sampleType, st.le) : {};
  const source = type === REC.LOST ? 'PERF_RECORD_LOST' : 'PERF_RECORD_LOST_SAMPLES';
  out.push({ kind: 'task', k: 'lost', source, sid, count, ts: sid.time });
  bump(st.stats.handled, recordName(type));
}

/** Pipe mode's header records: HEADER_ATTR (attr + ids), HEADER_TRACING_DATA, HEADER_FEATURE. */
function pipeHeader(st: PerfState, type: number, body: Buffer, cur: ByteCursor): number | Promise<number> {
  const le = st.le;
  if (type === REC.HEADER_TRACING_DATA)
    return pipeTracingData(st, le ? body.readUInt32LE(8) : body.readUInt32BE(8), cur);
  if (type === REC.HEADER_FEATURE) {
    const feat = Number(le ? body.readBigUInt64LE(8) : body.readBigUInt64BE(8));
    return pipeFeature(st, feat, Buffer.from(body.subarray(16)));
  }
  const size = attrSize(body, 8, le);
  const a = parseAttr(body, 8, le);
  for (let p = 8 + size; p + 8 <= body.length; p += 8)
    a.ids.push(le ? body.readBigUInt64LE(p) : body.readBigUInt64BE(p));
  st.addAttr(a);
  bump(st.stats.handled, recordName(type));
  return 0;
}

/** { header; u32 size } followed by `size` bytes (tracing data + padding to 8) outside header.size. */
async function pipeTracingData(st: PerfState, size: number, cur: ByteCursor): Promise<number> {
  const buf = await cur.take(size, 'pipe-mode tracing data');
  st.tracing = await readTracingData(cursorOver(buf));
  st.onTracing(st.tracing);
  bump(st.stats.handled, 'HEADER_TRACING_DATA');
  return 0;
}

/** { header; u64 feat_id; feature data } — the file-mode feature section, inline. */
async function pipeFeature(st: PerfState, feat: number, data: Buffer): Promise<number> {
  const used = await applyFeature(feat, data, st.le, st.features);
  if (st.features.tracing !== undefined && st.tracing === undefined) {
    st.tracing = st.features.tracing;
    st.onTracing(st.tracing);
  }
  bump(used ? st.stats.handled : st.stats.skipped, `HEADER_FEATURE(${feat})`);
  return 0;
}

function le32(b: Buffer, at: number, le: boolean): number {
  return le ? b.readUInt32LE(at) : b.readUInt32BE(at);
}

function cursorOver(buf: Buffer): ByteCursor {
  let done = false;
  return new ByteCursor(async () => {
    if (done) return null;
    done = true;
    return buf;
  });
}

async function* readRecords(st: PerfState, cur: ByteCursor): AsyncGenerator<BinaryTraceRecord[]> {
  const out: Queued[] = [];
  let sink: BinaryTraceRecord[] = [];
  for (;;) {
    // awaited only when the chunk runs out: an await per record costs more than the record's decoding
    if (cur.available < 8 && !(await cur.ensure(8))) break;
    const type = cur.peekU32(0);
    const size = cur.peekU16(6);
    st.recordOffset = st.dataOffset + cur.position;
    if (size < 8) throw new Error(`perf.data: bad record size ${size} at offset ${st.recordOffset}`);
    if (cur.available < size && !(await cur.ensure(size))) {
      skipAt(st.stats, 'TRUNCATED', st.recordOffset);
      break;
    }
    // A view of the whole record (header included, so offsets match the kernel structs); used before any await.
    const body = cur.bytes(size);
    out.length = 0;
    if (type === REC.COMPRESSED || type === REC.COMPRESSED2) {
      // COMPRESSED { header; data[] }, COMPRESSED2 { header; u64 data_size; data[] }
      const payload =
        type === REC.COMPRESSED
          ? body.subarray(8)
          : body.subarray(16, 16 + Number(cur.le ? body.readBigUInt64LE(8) : body.readBigUInt64BE(8)));
      st.decomp ??= new CompressedRecords(st.le);
      bump(st.stats.handled, recordName(type));
      for (const inner of st.decomp.feed(payload)) {
        const t = le32(inner, 0, st.le);
        const r = record(st, t, inner, cur, out);
        // Only kernel records are compressed; the asynchronous (pipe header) ones cannot occur here.
        if (typeof r !== 'number') throw new Error(`perf.data: ${recordName(t)} inside a COMPRESSED record`);
      }
    } else {
      let extra = record(st, type, body, cur, out);
      if (typeof extra !== 'number') extra = await extra;
      if (extra > 0 && !(await cur.skip(extra))) break;
    }
    for (const q of out) {
      if (st.ordered) st.queue.push(q.kind === 'event' ? q.tsNs : (q.ts ?? 0n), q);
      else apply(st, q, sink);
    }
    if (st.ordered) {
      if (type === REC.FINISHED_ROUND) emit(st, st.queue.finishRound(), sink);
      else if (st.queue.size > 0) emit(st, st.queue.overflow(), sink);
    }
    if (sink.length >= BATCH) {
      foldEventCounts(st);
      yield sink;
      sink = [];
    }
  }
  if (st.decomp !== undefined && st.decomp.pending > 0) bump(st.stats.skipped, 'COMPRESSED(truncated record)');
  if (st.ordered) emit(st, st.queue.drain(), sink);
  foldEventCounts(st);
  if (sink.length > 0) yield sink;
}

/** stats.events complete up to the records handed out so far. */
function foldEventCounts(st: PerfState): void {
  for (const [name, c] of st.eventsByFormat) {
    if (c.n > 0) bump(st.stats.events, name, c.n);
    c.n = 0;
  }
}

/** COMM/FORK time from the sample_id trailer (0 for perf's synthesized records: before every sample). */
function commTime(body: Buffer, st: PerfState): bigint {
  const a = st.attrs[0];
  if (!a?.sampleIdAll) return 0n;
  return parseSampleId(body, body.length, a.sampleType, st.le).time ?? 0n;
}

export function readPerfData(
  input: string | Readable | AsyncIterable<Uint8Array>,
  opts: PerfDataOptions = {},
): BinaryTraceReader {
  const stats = emptyStats();
  let meta: BinaryTraceMeta | undefined;
  const formats = new Map<string, EventFormat>();
  const noteFormats = (td: TracingData | undefined): void => {
    if (td !== undefined) for (const f of td.formats.values()) formats.set(f.event, f);
  };
  async function* run(): AsyncGenerator<BinaryTraceRecord[]> {
    const opened = await openBinaryInput(input as BinaryInput, FILE_HEADER_SIZE);
    const le = perfEndian(opened.head);
    if (le === null) throw new Error('not a perf.data file (no PERFILE2 magic)');
    const st = new PerfState(stats, opts.ordered ?? true, opts.decode ?? true, noteFormats);
    st.le = le;
    const hsize = Number(le ? opened.head.readBigUInt64LE(8) : opened.head.readBigUInt64BE(8));
    if (hsize === PIPE_HEADER_SIZE) {
      const it = opened.chunks();
      const cur = new ByteCursor(iteratorPull(it), le);
      await cur.skip(PIPE_HEADER_SIZE);
      meta = { format: 'perf-data', variant: 'pipe', littleEndian: le };
      try {
        yield* readRecords(st, cur);
      } finally {
        stats.bytes = cur.position;
        await it.return?.();
      }
      fillMeta(meta, st);
      return;
    }
    const file = await opened.file();
    try {
      const h = parseFileHeader(opened.head);
      for (const a of await readAttrs(file.fh, h)) st.addAttr(a);
      st.features = await readFeatures(file.fh, h);
      st.tracing = st.features.tracing;
      noteFormats(st.tracing);
      meta = { format: 'perf-data', variant: 'file', littleEndian: le };
      fillMeta(meta, st);
      // A data size of 0 is what a perf record killed before it rewrote the header leaves: read to the end.
      const dataEnd = h.data.size > 0 ? h.data.offset + h.data.size : file.size;
      const cur = new ByteCursor(fileRangePull(file.fh, h.data.offset, dataEnd), le);
      st.dataOffset = h.data.offset;
      yield* readRecords(st, cur);
      stats.bytes = file.size;
    } finally {
      await file.close();
    }
  }
  // perf.data records no kallsyms
  return batchReader(
    stats,
    () => meta,
    formats,
    () => undefined,
    run,
  );
}

function fillMeta(meta: BinaryTraceMeta, st: PerfState): void {
  if (st.features.hostname !== undefined) meta.hostname = st.features.hostname;
  if (st.features.osRelease !== undefined) meta.osRelease = st.features.osRelease;
  if (st.features.cmdline !== undefined) meta.cmdline = st.features.cmdline;
  const cd = st.features.clockData;
  // a zero wall time is a perf that reserved the feature without reading the clocks
  if (cd !== undefined && cd.wallNs > 0n)
    meta.wallClock = { wallNs: cd.wallNs, traceNs: cd.clockNs, source: 'perf.data clock data' };
}
