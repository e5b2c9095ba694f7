/**
 * Test helper: rewrite a little-endian perf.data as the same recording from a big-endian host would be
 * (header, attrs — with the flag bitfields mirrored —, ids, the features the reader uses, the tracing data with
 * its endian flag, record headers, the sample / COMM / FORK / EXIT / LOST fields and sample_id trailers, and
 * every raw tracepoint payload field by its format). No big-endian capture exists here; this exercises every
 * byte-order branch of the reader against the same events.
 */
import type { EventFormat } from '../src/parse/tracing-data/index.js';

const SAMPLE = {
  IP: 1n,
  TID: 2n,
  TIME: 4n,
  ADDR: 8n,
  READ: 16n,
  CALLCHAIN: 32n,
  ID: 64n,
  CPU: 128n,
  PERIOD: 256n,
  STREAM_ID: 512n,
  RAW: 1024n,
  IDENTIFIER: 1n << 16n,
};

export function perfDataToBigEndian(src: Buffer, formats: Map<number, EventFormat>): Buffer {
  const out = Buffer.from(src);
  const sw = (at: number, n: number): void => {
    out.subarray(at, at + n).reverse();
  };
  const u16 = (at: number): number => src.readUInt16LE(at);
  const u32 = (at: number): number => src.readUInt32LE(at);
  const u64 = (at: number): number => Number(src.readBigUInt64LE(at));

  // perf_file_header: magic, size, attr_size, 3 sections, 4 feature-bitmap words — all u64.
  for (let at = 0; at < 104; at += 8) sw(at, 8);
  const attrSize = u64(16);
  const attrs = { off: u64(24), size: u64(32) };
  const data = { off: u64(40), size: u64(48) };
  const features: number[] = [];
  for (let w = 0; w < 4; w++)
    for (let b = 0; b < 64; b++) if ((src.readBigUInt64LE(72 + w * 8) >> BigInt(b)) & 1n) features.push(w * 64 + b);

  let sampleType = -1n;
  for (let at = attrs.off; at < attrs.off + attrs.size; at += attrSize) {
    const size = u32(at + 4);
    const st = src.readBigUInt64LE(at + 24);
    // The samples all come from the tracepoint attrs (RAW); the dummy attr perf adds never samples, and its
    // sample_id trailer bits are the same.
    if (st & SAMPLE.RAW) {
      if (sampleType >= 0n && st !== sampleType)
        throw new Error('perfDataToBigEndian: tracepoint attrs with different sample_type');
      sampleType = st;
    }
    sw(at, 4);
    sw(at + 4, 4);
    for (let p = 8; p < 48; p += 8) sw(at + p, 8);
    // Bitfields are allocated from the other end on big-endian: bit i becomes bit 63 - i.
    const flags = src.readBigUInt64LE(at + 40);
    let mirrored = 0n;
    for (let i = 0n; i < 64n; i++) if ((flags >> i) & 1n) mirrored |= 1n << (63n - i);
    out.writeBigUInt64BE(mirrored, at + 40);
    for (const [p, n] of [
      [48, 4],
      [52, 4],
      [56, 8],
      [64, 8],
      [72, 8],
      [80, 8],
      [88, 4],
      [92, 4],
      [96, 8],
      [104, 4],
      [108, 2],
      [110, 2],
      [112, 4],
      [116, 4],
      [120, 8],
      [128, 8],
    ] as const)
      if (p + n <= size) sw(at + p, n);
    const ids = at + attrSize - 16;
    const idsOff = u64(ids);
    const idsSize = u64(ids + 8);
    sw(ids, 8);
    sw(ids + 8, 8);
    for (let p = idsOff; p < idsOff + idsSize; p += 8) sw(p, 8);
  }

  const table = data.off + data.size;
  features.forEach((feat, i) => {
    const off = u64(table + i * 16);
    const size = u64(table + i * 16 + 8);
    sw(table + i * 16, 8);
    sw(table + i * 16 + 8, 8);
    if (feat === 1) swapTracingData(src, out, off);
    else if (feat === 3 || feat === 4) sw(off, 4);
    else if (feat === 11) {
      const n = u32(off);
      sw(off, 4);
      for (let k = 0, p = off + 4; k < n && p < off + size; k++) {
        const len = u32(p);
        sw(p, 4);
        p += 4 + len;
      }
    }
  });

  const trailer = (end: number): void => {
    const words: [bigint, number[]][] = [
      [SAMPLE.TID, [4, 4]],
      [SAMPLE.TIME, [8]],
      [SAMPLE.ID, [8]],
      [SAMPLE.STREAM_ID, [8]],
      [SAMPLE.CPU, [4, 4]],
      [SAMPLE.IDENTIFIER, [8]],
    ];
    let p = end - words.filter(([bit]) => sampleType & bit).length * 8;
    for (const [bit, parts] of words) {
      if (!(sampleType & bit)) continue;
      for (const n of parts) {
        sw(p, n);
        p += n;
      }
    }
  };

  for (let at = data.off; at < data.off + data.size; ) {
    const type = u32(at);
    const size = u16(at + 6);
    sw(at, 4);
    sw(at + 4, 2);
    sw(at + 6, 2);
    const end = at + size;
    switch (type) {
      case 9: {
        let p = at + 8;
        const step = (bit: bigint, parts: number[]): void => {
          if (!(sampleType & bit)) return;
          for (const n of parts) {
            sw(p, n);
            p += n;
          }
        };
        step(SAMPLE.IDENTIFIER, [8]);
        step(SAMPLE.IP, [8]);
        step(SAMPLE.TID, [4, 4]);
        step(SAMPLE.TIME, [8]);
        step(SAMPLE.ADDR, [8]);
        step(SAMPLE.ID, [8]);
        step(SAMPLE.STREAM_ID, [8]);
        step(SAMPLE.CPU, [4, 4]);
        step(SAMPLE.PERIOD, [8]);
        if (sampleType & SAMPLE.READ) throw new Error('perfDataToBigEndian: PERF_SAMPLE_READ not handled');
        if (sampleType & SAMPLE.CALLCHAIN) {
          const nr = u64(p);
          for (let k = 0; k <= nr; k++, p += 8) sw(p, 8);
        }
        if (sampleType & SAMPLE.RAW) {
          const n = u32(p);
          sw(p, 4);
          swapPayload(src, out, p + 4, n, formats);
        }
        break;
      }
      case 3:
        sw(at + 8, 4);
        sw(at + 12, 4);
        trailer(end);
        break;
      case 4:
      case 7:
        for (let p = 8; p < 24; p += 4) sw(at + p, 4);
        sw(at + 24, 8);
        trailer(end);
        break;
      case 2:
        sw(at + 8, 8);
        sw(at + 16, 8);
        trailer(end);
        break;
      case 13:
        sw(at + 8, 8);
        trailer(end);
        break;
    }
    at = end;
  }
  return out;
}

/** The tracing-data block: endian flag to 1 (big), every size/count word swapped. Returns where it ends. */
export function swapTracingData(src: Buffer, out: Buffer, off: number): number {
  const sw = (at: number, n: number): void => {
    out.subarray(at, at + n).reverse();
  };
  let p = off + 10;
  p = src.indexOf(0, p) + 1; // version
  out[p] = 1;
  p += 2;
  sw(p, 4); // page size
  p += 4;
  const sized8 = (): void => {
    const n = Number(src.readBigUInt64LE(p));
    sw(p, 8);
    p += 8 + n;
  };
  for (const tag of ['header_page', 'header_event']) {
    p += tag.length + 1;
    sized8();
  }
  let n = src.readUInt32LE(p);
  sw(p, 4);
  p += 4;
  for (let i = 0; i < n; i++) sized8();
  const systems = src.readUInt32LE(p);
  sw(p, 4);
  p += 4;
  for (let s = 0; s < systems; s++) {
    p = src.indexOf(0, p) + 1;
    n = src.readUInt32LE(p);
    sw(p, 4);
    p += 4;
    for (let i = 0; i < n; i++) sized8();
  }
  for (let k = 0; k < 2; k++) {
    const len = src.readUInt32LE(p);
    sw(p, 4);
    p += 4 + len;
  }
  sized8(); // saved_cmdlines
  return p;
}

/** One raw tracepoint payload: every field (common ones included) in the other byte order. */
export function swapPayload(
  src: Buffer,
  out: Buffer,
  start: number,
  len: number,
  formats: Map<number, EventFormat>,
): void {
  const sw = (at: number, n: number): void => {
    if (n > 1) out.subarray(at, at + n).reverse();
  };
  const fmt = formats.get(src.readUInt16LE(start));
  if (fmt === undefined) throw new Error(`perfDataToBigEndian: no format for common_type ${src.readUInt16LE(start)}`);
  for (const f of [...fmt.common, ...fmt.fields]) {
    const at = start + f.offset;
    if (at + f.size > start + len) continue;
    if (f.kind === 'int') sw(at, f.size);
    else if (f.kind === 'array') for (let e = at; e + f.elemSize <= at + f.size; e += f.elemSize) sw(e, f.elemSize);
    else if (f.kind === 'dynString' || f.kind === 'dynArray') {
      const loc = src.readUInt32LE(at);
      if (f.kind === 'dynArray') {
        const a = start + (loc & 0xffff) + (f.relative ? f.offset + f.size : 0);
        for (let e = a; e + f.elemSize <= a + (loc >>> 16); e += f.elemSize) sw(e, f.elemSize);
      }
      sw(at, 4);
    }
  }
}
