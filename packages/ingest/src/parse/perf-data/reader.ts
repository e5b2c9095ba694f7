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
import { ChunkPool } from '../tracing-data/chunkPool.js';
import { ROOM, fileRangeReadAhead } from '../tracing-data/readAhead.js';
import type { EventFormat } from '../tracing-data/eventFormat.js';
import { BATCH, batchReader } from '../tracing-data/batches.js';
import { openBinaryInput, type BinaryInput } from '../tracing-data/input.js';
import { readTracingData, type TracingData } from '../tracing-data/tracingData.js';
import { bump, emptyStats, skipAt } from '../tracing-data/types.js';
import type { BinaryTraceMeta, BinaryTraceReader, RecordSink } from '../tracing-data/types.js';
import { attrSize, parseAttr, parseSampleId, sampleParser } from './attr.js';
import { CompressedRecords } from './compressed.js';
import { FILE_HEADER_SIZE, PIPE_HEADER_SIZE, REC, recordName } from './constants.js';
import { applyFeature, parseFileHeader, perfEndian, readAttrs, readFeatures } from './header.js';
import { PerfState } from './state.js';

/**
 * bytes of the data section read at a time. A pooled chunk is kept while any sample queued from it waits for its
 * round (two rounds of up to ~4.6 MB in the bench's perf.data): 256 KiB chunks hold about that span, 1 MiB ones up
 * to a chunk more per end plus three read ahead — 1 MiB chunks took ~9 MB of pool, ~2,300 page faults (~13 µs each
 * on the bench VM), 256 KiB ones ~1,200 (ingest README "Speed")
 */
const CHUNK_BYTES = 1 << 18;

export interface PerfDataOptions {
  /** Emit in perf's time order (FINISHED_ROUND flushing, as `perf script`); false: file order. Default true. */
  ordered?: boolean;
  /** false: leave `fields` empty and hand the raw payload over (record.payload); default true. */
  decode?: boolean;
  /**
   * The sink copies what it keeps (the row builder): the file's chunks are read into reused buffers, each used
   * again once its queued samples are emitted (../tracing-data/chunkPool.ts). Default false.
   */
  reuseChunks?: boolean;
}

/**
 * Decode one record at buf[base, base + size); queue what it yields. Returns extra bytes that follow it outside
 * header.size. Samples are read in place; the rare other records get a view of their own.
 */
function record(st: PerfState, type: number, buf: Buffer, base: number, size: number, cur: ByteCursor) {
  if (type === REC.SAMPLE) {
    sample(st, buf, base, size);
    return 0;
  }
  const body = buf.subarray(base, base + size);
  switch (type) {
    case REC.COMM:
    case REC.FORK:
      taskRecord(st, type, body);
      return 0;
    case REC.LOST:
    case REC.LOST_SAMPLES:
      lostRecord(st, type, body);
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

/** A PERF_RECORD_SAMPLE: its raw tracepoint payload's place and format (by common_type), queued. */
function sample(st: PerfState, buf: Buffer, base: number, size: number): void {
  const view = st.viewOf(buf);
  const attr = st.sampleAttr(view, base, size);
  if (attr === undefined || !attr.layout.raw) {
    bump(st.stats.skipped, 'SAMPLE(no raw)');
    return;
  }
  const s = st.scratch;
  const parse = st.le
    ? (attr.parseLe ??= sampleParser(attr.layout, true))
    : (attr.parseBe ??= sampleParser(attr.layout, false));
  const ok = parse(view, base, size, s);
  const td = st.tracing;
  if (!ok || s.rawEnd - s.rawStart < 8 || td === undefined) {
    bump(st.stats.skipped, !ok ? 'SAMPLE(truncated)' : 'SAMPLE(no tracing data)');
    return;
  }
  // The raw payload is in the traced kernel's byte order (the tracing data's endian flag): common_type, a u16.
  // (a DataView read in a byte order known only at run time is a builtin call: the order as a literal)
  const type = td.littleEndian ? view.getUint16(s.rawStart, true) : view.getUint16(s.rawStart, false);
  const f = st.formatOfType(td, type);
  if (f < 0) {
    st.stats.unknownEvents++;
    return;
  }
  const fmt = st.fmts[f]!;
  if (s.rawEnd - s.rawStart < st.fmtMin[f]!) {
    skipAt(st.stats, `SAMPLE(${fmt.event} payload shorter than its format)`, st.recordOffset);
    return;
  }
  const q = st.queue;
  const slot = q.push(s.timeHi, s.timeLo);
  q.fmt[slot] = f;
  q.bufs[slot] = buf;
  q.chunk[slot] = q.pool === undefined ? -1 : q.pool.hold();
  q.start[slot] = s.rawStart;
  q.end[slot] = s.rawEnd;
  q.cpu[slot] = s.cpu;
  q.pid[slot] = s.pid;
  q.tid[slot] = s.tid;
}

/** COMM { u32 pid, tid; char comm[]; sample_id }, FORK { u32 pid, ppid, tid, ptid; u64 time; sample_id }. */
function taskRecord(st: PerfState, type: number, body: Buffer): void {
  const i32 = (at: number): number => (st.le ? body.readInt32LE(at) : body.readInt32BE(at));
  if (type === REC.COMM) {
    const z = body.indexOf(0, 16);
    const comm = body.toString('utf8', 16, z >= 0 ? z : body.length);
    st.queue.pushTask(commTime(body, st), { k: 'comm', tid: i32(12), comm });
  } else st.queue.pushTask(commTime(body, st), { k: 'fork', tid: i32(16), ptid: i32(20) });
  bump(st.stats.handled, recordName(type));
}

/** LOST { u64 id, lost; sample_id }, LOST_SAMPLES { u64 lost; sample_id }: a lost window on the sample_id's CPU. */
function lostRecord(st: PerfState, type: number, body: Buffer): void {
  const at = type === REC.LOST ? 16 : 8;
  const count = Number(st.le ? body.readBigUInt64LE(at) : body.readBigUInt64BE(at));
  const a = st.attrs[0];
  const sid = a?.sampleIdAll ? parseSampleId(body, body.length, a.sampleType, st.le) : {};
  const source = type === REC.LOST ? 'PERF_RECORD_LOST' : 'PERF_RECORD_LOST_SAMPLES';
  st.queue.pushTask(sid.time ?? 0n, { k: 'lost', source, sid, count, ts: sid.time });
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

/** A COMPRESSED / COMPRESSED2 record: the records inside, decoded as they come out of the zstd stream. */
function compressed(st: PerfState, type: number, body: Buffer, cur: ByteCursor): void {
  // COMPRESSED { header; data[] }, COMPRESSED2 { header; u64 data_size; data[] }
  const payload =
    type === REC.COMPRESSED
      ? body.subarray(8)
      : body.subarray(16, 16 + Number(st.le ? body.readBigUInt64LE(8) : body.readBigUInt64BE(8)));
  st.decomp ??= new CompressedRecords(st.le);
  // the inner records lie in the decompressor's output, and its stream may keep views of the chunks it was fed
  st.queue.pool?.stop();
  bump(st.stats.handled, recordName(type));
  for (const inner of st.decomp.feed(payload)) {
    const t = le32(inner, 0, st.le);
    const r = record(st, t, inner, 0, inner.length, cur);
    // Only kernel records are compressed; the asynchronous (pipe header) ones cannot occur here.
    if (typeof r !== 'number') throw new Error(`perf.data: ${recordName(t)} inside a COMPRESSED record`);
  }
}

/** Whether the queue may hand something out after a record of `type` (all of it, in file order, when not ordered). */
function ready(st: PerfState, type: number): boolean {
  const q = st.queue;
  if (!st.ordered) return q.size > 0;
  if (type === REC.FINISHED_ROUND) return q.finishRound();
  return q.size > 0 && q.overflow();
}

/** What syncRecords stopped at. */
const NEED = 0;
const PAUSE = 1;
const ASYNC = 2;

/**
 * The records that lie whole in the cursor's chunk, decoded and emitted in a plain loop: V8 optimizes a hot loop
 * in a plain function while it runs (on-stack replacement), not one in an async generator, which a reader calls
 * once — there the loop ran unoptimized for the whole file (about 2.5× the CPU of a warm run). Returns NEED (the
 * next record is not whole in the chunk), PAUSE (a batch was emitted) or ASYNC (st.pendingExtra must be awaited,
 * then after() run).
 */
function syncRecords(st: PerfState, cur: ByteCursor, sink: RecordSink): number {
  const le = st.le;
  for (;;) {
    if (cur.available < 8) return NEED;
    // the record in place (header included, so offsets match the kernel structs); used before any await
    const buf = cur.chunk;
    const base = cur.offset;
    // perf_event_header { u32 type; u16 misc, size }, read through the chunk's view in a literal byte order (the
    // cursor's byte arithmetic, not inlined here, was ~70 instructions per record; callgrind, 2026-12-07)
    const view = st.viewOf(buf);
    const type = le ? view.getUint32(base, true) : view.getUint32(base, false);
    const size = le ? view.getUint16(base + 6, true) : view.getUint16(base + 6, false);
    st.recordOffset = st.dataOffset + cur.position;
    if (size < 8) throw new Error(`perf.data: bad record size ${size} at offset ${st.recordOffset}`);
    if (cur.available < size) return NEED;
    cur.advance(size);
    if (type === REC.COMPRESSED || type === REC.COMPRESSED2) compressed(st, type, buf.subarray(base, base + size), cur);
    else {
      const extra = record(st, type, buf, base, size, cur);
      if (extra !== 0) {
        st.pendingExtra = extra;
        st.pendingType = type;
        return ASYNC;
      }
    }
    if (after(st, type, sink)) return PAUSE;
  }
}

/** After a record of `type`: emit what the queue may hand out; true when a batch's worth was emitted. */
function after(st: PerfState, type: number, sink: RecordSink): boolean {
  if (ready(st, type)) st.emit(sink);
  return st.emitted >= BATCH;
}

async function* readRecords(st: PerfState, cur: ByteCursor, sink: RecordSink): AsyncGenerator<void> {
  for (;;) {
    // awaited only when the chunk runs out: an await per record costs more than the record's decoding
    const r = syncRecords(st, cur, sink);
    if (r === NEED) {
      if (!(await cur.ensure(8))) break;
      const size = cur.peekU16(6);
      st.recordOffset = st.dataOffset + cur.position;
      if (size < 8) throw new Error(`perf.data: bad record size ${size} at offset ${st.recordOffset}`);
      if (cur.available < size && !(await cur.ensure(size))) {
        skipAt(st.stats, 'TRUNCATED', st.recordOffset);
        break;
      }
      continue;
    }
    if (r === ASYNC) {
      const extra = await st.pendingExtra;
      st.pendingExtra = 0;
      if (extra > 0 && !(await cur.skip(extra))) break;
      if (!after(st, st.pendingType, sink)) continue;
    }
    st.foldEventCounts();
    st.emitted = 0;
    yield;
  }
  if (st.decomp !== undefined && st.decomp.pending > 0) bump(st.stats.skipped, 'COMPRESSED(truncated record)');
  if (st.queue.drain()) st.emit(sink);
  st.foldEventCounts();
  yield;
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
  async function* run(sink: RecordSink): AsyncGenerator<void> {
    const opened = await openBinaryInput(input as BinaryInput, FILE_HEADER_SIZE);
    const le = perfEndian(opened.head);
    if (le === null) throw new Error('not a perf.data file (no PERFILE2 magic)');
    const st = new PerfState(stats, opts.ordered ?? true, noteFormats);
    st.le = le;
    const hsize = Number(le ? opened.head.readBigUInt64LE(8) : opened.head.readBigUInt64BE(8));
    if (hsize === PIPE_HEADER_SIZE) {
      const it = opened.chunks();
      const cur = new ByteCursor(iteratorPull(it), le);
      await cur.skip(PIPE_HEADER_SIZE);
      meta = { format: 'perf-data', variant: 'pipe', littleEndian: le };
      try {
        yield* readRecords(st, cur, sink);
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
      // a chunk and the longest record rest carried over (header.size is a u16)
      const pool = opts.reuseChunks === true ? new ChunkPool(CHUNK_BYTES + ROOM) : undefined;
      st.queue.pool = pool;
      // pooled chunks are read one ahead (the next is read while this one is decoded)
      const pull =
        pool !== undefined
          ? fileRangeReadAhead(file.fh, h.data.offset, dataEnd, CHUNK_BYTES, pool)
          : fileRangePull(file.fh, h.data.offset, dataEnd, CHUNK_BYTES);
      const cur = new ByteCursor(pull, le);
      st.dataOffset = h.data.offset;
      yield* readRecords(st, cur, sink);
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
    opts.decode ?? true,
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
