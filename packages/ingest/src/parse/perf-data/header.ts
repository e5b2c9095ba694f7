/**
 * perf.data file-mode header, attribute table and feature sections (tools/perf/util/header.c
 * perf_session__read_header, perf_header__process_sections; Documentation/perf.data-file-format.txt).
 */
import type { FileHandle } from 'node:fs/promises';
import { ByteCursor, bufferPull } from '../tracing-data/cursor.js';
import { readTracingData, type TracingData } from '../tracing-data/tracingData.js';
import { parseAttr, type PerfAttr } from './attr.js';
import { FEAT, PERF_MAGIC2_BE, PERF_MAGIC2_LE } from './constants.js';

export interface PerfFileHeader {
  littleEndian: boolean;
  headerSize: number;
  attrSize: number;
  attrs: { offset: number; size: number };
  data: { offset: number; size: number };
  features: number[];
}

/** Endianness from the magic: "PERFILE2" byte-reversed means the writer was big-endian. */
export function perfEndian(head: Buffer): boolean | null {
  if (head.length < 8) return null;
  const m = head.readBigUInt64LE(0);
  if (m === PERF_MAGIC2_LE) return true;
  if (m === PERF_MAGIC2_BE) return false;
  return null;
}

export function parseFileHeader(b: Buffer): PerfFileHeader {
  const le = perfEndian(b);
  if (le === null) throw new Error('not a perf.data file (no PERFILE2 magic)');
  const u = (at: number): number => Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
  const features: number[] = [];
  // adds_features: DECLARE_BITMAP(256) = 4 u64 words in the writer's byte order.
  for (let w = 0; w < 4; w++) {
    const word = le ? b.readBigUInt64LE(72 + w * 8) : b.readBigUInt64BE(72 + w * 8);
    for (let bit = 0; bit < 64; bit++) if ((word >> BigInt(bit)) & 1n) features.push(w * 64 + bit);
  }
  return {
    littleEndian: le,
    headerSize: u(8),
    attrSize: u(16),
    attrs: { offset: u(24), size: u(32) },
    data: { offset: u(40), size: u(48) },
    features,
  };
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(b, got, len - got, pos + got);
    if (bytesRead === 0) throw new Error(`perf.data truncated: wanted ${len} bytes at ${pos}`);
    got += bytesRead;
  }
  return b;
}

/** perf_file_attr entries: perf_event_attr (attr_size - 16 bytes) + perf_file_section of its u64 ids. */
export async function readAttrs(fh: FileHandle, h: PerfFileHeader): Promise<PerfAttr[]> {
  const le = h.littleEndian;
  const n = h.attrSize > 0 ? Math.floor(h.attrs.size / h.attrSize) : 0;
  const table = await readAt(fh, h.attrs.offset, n * h.attrSize);
  const attrs: PerfAttr[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * h.attrSize;
    const attr = parseAttr(table, at, le);
    const idsAt = at + h.attrSize - 16;
    const idsOff = Number(le ? table.readBigUInt64LE(idsAt) : table.readBigUInt64BE(idsAt));
    const idsSize = Number(le ? table.readBigUInt64LE(idsAt + 8) : table.readBigUInt64BE(idsAt + 8));
    if (idsSize > 0) {
      const ids = await readAt(fh, idsOff, idsSize);
      for (let p = 0; p + 8 <= idsSize; p += 8) attr.ids.push(le ? ids.readBigUInt64LE(p) : ids.readBigUInt64BE(p));
    }
    attrs.push(attr);
  }
  return attrs;
}

export interface PerfFeatures {
  tracing?: TracingData;
  hostname?: string;
  osRelease?: string;
  cmdline?: string[];
  /** HEADER_CLOCK_DATA (`perf record -k`): gettimeofday() and the sample clock read back to back */
  clockData?: { clockid: number; wallNs: bigint; clockNs: bigint };
}

/** perf's do_write_string format: u32 len (padded, NUL included), then the bytes. */
function perfString(b: Buffer, at: number, le: boolean): { s: string; next: number } {
  const len = le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  const raw = b.subarray(at + 4, at + 4 + len);
  const z = raw.indexOf(0);
  return { s: raw.toString('utf8', 0, z >= 0 ? z : raw.length), next: at + 4 + len };
}

/** Decode one feature section's bytes (file mode: at its perf_file_section; pipe mode: HEADER_FEATURE body). */
export async function applyFeature(feat: number, b: Buffer, le: boolean, into: PerfFeatures): Promise<boolean> {
  switch (feat) {
    case FEAT.TRACING_DATA:
      into.tracing = await readTracingData(new ByteCursor(bufferPull(b)));
      return true;
    case FEAT.HOSTNAME:
      into.hostname = perfString(b, 0, le).s;
      return true;
    case FEAT.OSRELEASE:
      into.osRelease = perfString(b, 0, le).s;
      return true;
    case FEAT.CMDLINE: {
      const n = le ? b.readUInt32LE(0) : b.readUInt32BE(0);
      const args: string[] = [];
      let p = 4;
      for (let i = 0; i < n && p + 4 <= b.length; i++) {
        const r = perfString(b, p, le);
        args.push(r.s);
        p = r.next;
      }
      into.cmdline = args;
      return true;
    }
    case FEAT.CLOCK_DATA: {
      if (b.length < 24) return false;
      const u64 = (at: number): bigint => (le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
      into.clockData = { clockid: le ? b.readUInt32LE(4) : b.readUInt32BE(4), wallNs: u64(8), clockNs: u64(16) };
      return true;
    }
    default:
      return false;
  }
}

const READ_FEATURES = new Set<number>([
  FEAT.TRACING_DATA,
  FEAT.HOSTNAME,
  FEAT.OSRELEASE,
  FEAT.CMDLINE,
  FEAT.CLOCK_DATA,
]);

/** The feature section table follows the data section: one perf_file_section per set bit, in bit order. */
export async function readFeatures(fh: FileHandle, h: PerfFileHeader): Promise<PerfFeatures> {
  const le = h.littleEndian;
  const out: PerfFeatures = {};
  if (h.features.length === 0) return out;
  const table = await readAt(fh, h.data.offset + h.data.size, h.features.length * 16);
  for (let i = 0; i < h.features.length; i++) {
    const feat = h.features[i]!;
    if (!READ_FEATURES.has(feat)) continue;
    const off = Number(le ? table.readBigUInt64LE(i * 16) : table.readBigUInt64BE(i * 16));
    const size = Number(le ? table.readBigUInt64LE(i * 16 + 8) : table.readBigUInt64BE(i * 16 + 8));
    if (size === 0) continue;
    await applyFeature(feat, await readAt(fh, off, size), le, out);
  }
  return out;
}
