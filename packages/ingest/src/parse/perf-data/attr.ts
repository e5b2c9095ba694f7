/**
 * perf_event_attr fields the reader needs, and the sample / sample_id layouts they imply
 * (tools/perf/util/evsel.c evsel__parse_sample and perf_evsel__parse_id_sample).
 */
import { ATTR_FLAG_SAMPLE_ID_ALL, ATTR_FLAG_SAMPLE_ID_BIT, READ_FORMAT, SAMPLE } from './constants.js';

export interface PerfAttr {
  type: number;
  config: bigint;
  sampleType: bigint;
  readFormat: bigint;
  sampleIdAll: boolean;
  ids: bigint[];
}

function u64(b: Buffer, at: number, le: boolean): bigint {
  return le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
}

/** Parse a perf_event_attr from b[at, at + size). */
export function parseAttr(b: Buffer, at: number, le: boolean): PerfAttr {
  const type = le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  const flags = u64(b, at + 40, le);
  return {
    type,
    config: u64(b, at + 8, le),
    sampleType: u64(b, at + 24, le),
    readFormat: u64(b, at + 32, le),
    // The flags are C bitfields: a big-endian compiler allocates them from the most significant bit, so
    // sample_id_all (bit 18 on little-endian) is bit 63 - 18 there (header.c perf_event__attr_swap/swap_bitfield).
    sampleIdAll: (flags & (le ? ATTR_FLAG_SAMPLE_ID_ALL : 1n << (63n - ATTR_FLAG_SAMPLE_ID_BIT))) !== 0n,
    ids: [],
  };
}

/** attr.size (u32 at offset 4): the size of the attr as written, for records that embed one. */
export function attrSize(b: Buffer, at: number, le: boolean): number {
  return le ? b.readUInt32LE(at + 4) : b.readUInt32BE(at + 4);
}

/** Bytes of the sample_id trailer non-sample records carry when sample_id_all is set. */
function sampleIdSize(st: bigint): number {
  let n = 0;
  for (const bit of [SAMPLE.TID, SAMPLE.TIME, SAMPLE.ID, SAMPLE.STREAM_ID, SAMPLE.CPU, SAMPLE.IDENTIFIER])
    if (st & bit) n += 8;
  return n;
}

export interface SampleId {
  pid?: number;
  tid?: number;
  time?: bigint;
  id?: bigint;
  cpu?: number;
}

/** Parse the sample_id trailer at the end of body[0, end). */
export function parseSampleId(body: Buffer, end: number, st: bigint, le: boolean): SampleId {
  let p = end - sampleIdSize(st);
  const out: SampleId = {};
  if (p < 8) return out;
  if (st & SAMPLE.TID) {
    out.pid = le ? body.readInt32LE(p) : body.readInt32BE(p);
    out.tid = le ? body.readInt32LE(p + 4) : body.readInt32BE(p + 4);
    p += 8;
  }
  if (st & SAMPLE.TIME) {
    out.time = u64(body, p, le);
    p += 8;
  }
  if (st & SAMPLE.ID) {
    out.id = u64(body, p, le);
    p += 8;
  }
  if (st & SAMPLE.STREAM_ID) p += 8;
  if (st & SAMPLE.CPU) {
    out.cpu = le ? body.readUInt32LE(p) : body.readUInt32BE(p);
    p += 8;
  }
  if (st & SAMPLE.IDENTIFIER) out.id = u64(body, p, le);
  return out;
}

export interface ParsedSample extends SampleId {
  /** PERF_SAMPLE_RAW payload: body[rawStart, rawEnd). */
  rawStart: number;
  rawEnd: number;
}

/** Offset (from the record start) of the sample id, or -1: the same for every attr of a file (perf's id_pos). */
export function sampleIdPos(st: bigint): number {
  if (st & SAMPLE.IDENTIFIER) return 8;
  if (!(st & SAMPLE.ID)) return -1;
  let p = 8;
  for (const bit of [SAMPLE.IP, SAMPLE.TID, SAMPLE.TIME, SAMPLE.ADDR]) if (st & bit) p += 8;
  return p;
}

/**
 * Walk a PERF_RECORD_SAMPLE body (header included) in the kernel's order (perf_output_sample) up to the raw
 * data; what follows RAW (branch stack, regs, ...) is not needed.
 */
export function parseSample(body: Buffer, size: number, attr: PerfAttr, le: boolean): ParsedSample | null {
  const st = attr.sampleType;
  let p = 8;
  const out: ParsedSample = { rawStart: 0, rawEnd: 0 };
  const r32 = (at: number): number => (le ? body.readUInt32LE(at) : body.readUInt32BE(at));
  if (st & SAMPLE.IDENTIFIER) {
    out.id = u64(body, p, le);
    p += 8;
  }
  if (st & SAMPLE.IP) p += 8;
  if (st & SAMPLE.TID) {
    out.pid = r32(p) | 0;
    out.tid = r32(p + 4) | 0;
    p += 8;
  }
  if (st & SAMPLE.TIME) {
    out.time = u64(body, p, le);
    p += 8;
  }
  if (st & SAMPLE.ADDR) p += 8;
  if (st & SAMPLE.ID) {
    out.id = u64(body, p, le);
    p += 8;
  }
  if (st & SAMPLE.STREAM_ID) p += 8;
  if (st & SAMPLE.CPU) {
    out.cpu = r32(p);
    p += 8;
  }
  if (st & SAMPLE.PERIOD) p += 8;
  if (st & SAMPLE.READ) {
    const rf = attr.readFormat;
    const per = 8 + (rf & READ_FORMAT.ID ? 8 : 0) + (rf & READ_FORMAT.LOST ? 8 : 0);
    const times = (rf & READ_FORMAT.TOTAL_TIME_ENABLED ? 8 : 0) + (rf & READ_FORMAT.TOTAL_TIME_RUNNING ? 8 : 0);
    if (rf & READ_FORMAT.GROUP) {
      if (p + 8 > size) return null;
      const nr = Number(u64(body, p, le));
      p += 8 + times + nr * per;
    } else p += times + per;
  }
  if (st & SAMPLE.CALLCHAIN) {
    if (p + 8 > size) return null;
    const nr = Number(u64(body, p, le));
    p += 8 + nr * 8;
  }
  if (st & SAMPLE.RAW) {
    if (p + 4 > size) return null;
    const n = r32(p);
    out.rawStart = p + 4;
    out.rawEnd = p + 4 + n;
    if (out.rawEnd > size) return null;
  }
  return out;
}
