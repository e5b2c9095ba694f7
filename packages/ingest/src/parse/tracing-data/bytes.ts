/**
 * Integer reads of the hot per-record paths (perf.data samples, trace.dat ring-buffer events, the column plans),
 * as byte arithmetic V8 inlines wherever it is used. Buffer.readUInt32LE is a call that, when not inlined into a
 * large caller, returns a value past 2^31 (a pointer half, a timestamp half) as a new heap number: ~7 MB of
 * garbage per 490 k perf.data samples (ingest README "Speed"). Out of range they defer to the Buffer method, which
 * throws as before (a damaged file is reported, not read as zeros).
 */

/** u32 at buf[at]: little-endian when le, else big-endian. */
export function u32(buf: Uint8Array, at: number, le: boolean): number {
  if (at < 0 || at + 4 > buf.length) return le ? (buf as Buffer).readUInt32LE(at) : (buf as Buffer).readUInt32BE(at);
  return le
    ? (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0
    : ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** s32 at buf[at]. */
export function i32(buf: Uint8Array, at: number, le: boolean): number {
  return u32(buf, at, le) | 0;
}

/** u16 at buf[at]. */
export function u16(buf: Uint8Array, at: number, le: boolean): number {
  if (at < 0 || at + 2 > buf.length) return le ? (buf as Buffer).readUInt16LE(at) : (buf as Buffer).readUInt16BE(at);
  return le ? buf[at]! | (buf[at + 1]! << 8) : (buf[at]! << 8) | buf[at + 1]!;
}
