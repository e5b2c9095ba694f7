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
  /** where a sample's fields sit (from sampleType/readFormat, once per attr) */
  layout: SampleLayout;
  /** the layout's walk as code, for little- / big-endian files (sampleParser), made when first needed */
  parseLe: SampleParser | null;
  parseBe: SampleParser | null;
}

/**
 * The byte positions of a PERF_RECORD_SAMPLE's fields for one attr (perf_output_sample order), so a sample is read
 * without testing BigInt bits: fixed positions up to PERIOD, then the variable READ / CALLCHAIN parts before RAW.
 * sample_type bits are all below 2^25, so Number(sampleType) is exact.
 */
interface SampleLayout {
  /** -1: absent */
  idPos: number;
  tidPos: number;
  timePos: number;
  cpuPos: number;
  /** where READ (or what follows it) starts */
  fixedEnd: number;
  /** READ: -1 none; else bytes per value (8, +8 with ID, +8 with LOST) */
  readPer: number;
  readTimes: number;
  readGroup: boolean;
  callchain: boolean;
  raw: boolean;
}

function sampleLayout(st: bigint, rf: bigint): SampleLayout {
  const has = (bit: bigint): boolean => (st & bit) !== 0n;
  let p = 8;
  const take = (bit: bigint): number => {
    if (!has(bit)) return -1;
    p += 8;
    return p - 8;
  };
  let idPos = take(SAMPLE.IDENTIFIER);
  take(SAMPLE.IP);
  const tidPos = take(SAMPLE.TID);
  const timePos = take(SAMPLE.TIME);
  take(SAMPLE.ADDR);
  const id = take(SAMPLE.ID);
  if (idPos < 0) idPos = id;
  take(SAMPLE.STREAM_ID);
  const cpuPos = take(SAMPLE.CPU);
  take(SAMPLE.PERIOD);
  const rfHas = (bit: bigint): boolean => (rf & bit) !== 0n;
  return {
    idPos,
    tidPos,
    timePos,
    cpuPos,
    fixedEnd: p,
    readPer: has(SAMPLE.READ) ? 8 + (rfHas(READ_FORMAT.ID) ? 8 : 0) + (rfHas(READ_FORMAT.LOST) ? 8 : 0) : -1,
    readTimes: (rfHas(READ_FORMAT.TOTAL_TIME_ENABLED) ? 8 : 0) + (rfHas(READ_FORMAT.TOTAL_TIME_RUNNING) ? 8 : 0),
    readGroup: rfHas(READ_FORMAT.GROUP),
    callchain: has(SAMPLE.CALLCHAIN),
    raw: has(SAMPLE.RAW),
  };
}

function u64(b: Buffer, at: number, le: boolean): bigint {
  return le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
}

/** Parse a perf_event_attr from b[at, at + size). */
export function parseAttr(b: Buffer, at: number, le: boolean): PerfAttr {
  const type = le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  const flags = u64(b, at + 40, le);
  const sampleType = u64(b, at + 24, le);
  const readFormat = u64(b, at + 32, le);
  return {
    type,
    config: u64(b, at + 8, le),
    sampleType,
    readFormat,
    layout: sampleLayout(sampleType, readFormat),
    // The flags are C bitfields: a big-endian compiler allocates them from the most significant bit, so
    // sample_id_all (bit 18 on little-endian) is bit 63 - 18 there (header.c perf_event__attr_swap/swap_bitfield).
    sampleIdAll: (flags & (le ? ATTR_FLAG_SAMPLE_ID_ALL : 1n << (63n - ATTR_FLAG_SAMPLE_ID_BIT))) !== 0n,
    ids: [],
    parseLe: null,
    parseBe: null,
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

/** The fields of a sample the reader keeps (absent: pid -1, tid NaN, cpu -1, time 0). */
export interface ParsedSample {
  pid: number;
  tid: number;
  cpu: number;
  /** PERF_SAMPLE_TIME as two uint32 halves: no BigInt per sample, exact at any value */
  timeHi: number;
  timeLo: number;
  /** PERF_SAMPLE_RAW payload: buf[rawStart, rawEnd) (absolute offsets in the buffer the record sits in). */
  rawStart: number;
  rawEnd: number;
}

/** Reads a sample's fields (ParsedSample) from view[base, base + size); false: shorter than its layout. */
export type SampleParser = (view: DataView, base: number, size: number, out: ParsedSample) => boolean;

/**
 * The walk of a PERF_RECORD_SAMPLE (header included) in the kernel's order (perf_output_sample) up to the raw
 * data, for one layout and byte order, as generated code: each field's position a constant and each read one
 * DataView load of a constant byte order (made once per attr and order, PerfAttr.parseLe / parseBe). What follows
 * RAW (branch stack, regs, ...) is not needed. The record lies whole in the view (the reader hands over records
 * inside their chunk), so every read is in range. A loop over the layout read through the byte arithmetic of
 * ../tracing-data/bytes.ts u32, four loads and a range check per field, was ~420 instructions per sample, and a
 * DataView read of a byte order known only at run time is a builtin call (callgrind, 2026-12-07).
 */
export function sampleParser(l: SampleLayout, le: boolean): SampleParser {
  const get = (kind: 'Int32' | 'Uint32', at: string): string => `view.get${kind}(base + ${at}, ${le})`;
  // a u64 count's low half (the counts are far below 2^32)
  const low = (at: string): string => get('Uint32', le ? at : `${at} + 4`);
  const code = [
    `if (${l.fixedEnd} > size) return false;`,
    `out.pid = ${l.tidPos < 0 ? '-1' : get('Int32', `${l.tidPos}`)};`,
    `out.tid = ${l.tidPos < 0 ? 'NaN' : get('Int32', `${l.tidPos + 4}`)};`,
    `out.timeHi = ${l.timePos < 0 ? '0' : get('Uint32', `${le ? l.timePos + 4 : l.timePos}`)};`,
    `out.timeLo = ${l.timePos < 0 ? '0' : get('Uint32', `${le ? l.timePos : l.timePos + 4}`)};`,
    `out.cpu = ${l.cpuPos < 0 ? '-1' : get('Uint32', `${l.cpuPos}`)};`,
    `let p = ${l.fixedEnd};`,
  ];
  if (l.readPer >= 0 && l.readGroup)
    code.push(`if (p + 8 > size) return false; p += 8 + ${l.readTimes} + ${low('p')} * ${l.readPer};`);
  else if (l.readPer >= 0) code.push(`p += ${l.readTimes + l.readPer};`);
  if (l.callchain) code.push(`if (p + 8 > size) return false; p += 8 + ${low('p')} * 8;`);
  code.push('out.rawStart = base; out.rawEnd = base;');
  if (l.raw) {
    code.push(`if (p + 4 > size) return false; const n = ${get('Uint32', 'p')}; if (p + 4 + n > size) return false;`);
    code.push('out.rawStart = base + p + 4; out.rawEnd = base + p + 4 + n;');
  }
  try {
    // the source is made here from the layout's numbers and literals: no text of the file
    return new Function('view', 'base', 'size', 'out', `'use strict'; ${code.join('\n')} return true;`) as SampleParser;
  } catch {
    // code from strings refused (node --disallow-code-generation-from-strings): the same walk as a loop
    return (view, base, size, out) => walkSample(l, le, view, base, size, out);
  }
}

/** sampleParser's walk read from the layout at run time (where code cannot be generated). */
function walkSample(l: SampleLayout, le: boolean, view: DataView, base: number, size: number, out: ParsedSample) {
  if (l.fixedEnd > size) return false;
  out.pid = l.tidPos < 0 ? -1 : view.getInt32(base + l.tidPos, le);
  out.tid = l.tidPos < 0 ? Number.NaN : view.getInt32(base + l.tidPos + 4, le);
  out.timeHi = l.timePos < 0 ? 0 : view.getUint32(base + (le ? l.timePos + 4 : l.timePos), le);
  out.timeLo = l.timePos < 0 ? 0 : view.getUint32(base + (le ? l.timePos : l.timePos + 4), le);
  out.cpu = l.cpuPos < 0 ? -1 : view.getUint32(base + l.cpuPos, le);
  let p = l.fixedEnd;
  if (l.readPer >= 0 && l.readGroup) {
    if (p + 8 > size) return false;
    p += 8 + l.readTimes + view.getUint32(base + (le ? p : p + 4), le) * l.readPer;
  } else if (l.readPer >= 0) p += l.readTimes + l.readPer;
  if (l.callchain) {
    if (p + 8 > size) return false;
    p += 8 + view.getUint32(base + (le ? p : p + 4), le) * 8;
  }
  out.rawStart = base;
  out.rawEnd = base;
  if (l.raw) {
    if (p + 4 > size) return false;
    const n = view.getUint32(base + p, le);
    if (p + 4 + n > size) return false;
    out.rawStart = base + p + 4;
    out.rawEnd = base + p + 4 + n;
  }
  return true;
}
