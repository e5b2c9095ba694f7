/**
 * Test helper: rewrite a little-endian trace.dat (file version 6, uncompressed) as a big-endian kernel and
 * trace-cmd would have written it: endian flag, every size/count/offset word, the options the reader uses, the
 * ring-buffer page headers, event headers (type_len in the top 5 bits on big-endian: kbuffer type_len4host) and
 * every payload field by its format. Exercises the byte-order branches of the trace.dat reader.
 */
import type { EventFormat } from '../src/parse/tracing-data/index.js';
import { swapPayload, swapTracingData } from './perfSwap.js';

export function traceDatV6ToBigEndian(src: Buffer, formats: Map<number, EventFormat>): Buffer {
  const out = Buffer.from(src);
  const sw = (at: number, n: number): void => {
    out.subarray(at, at + n).reverse();
  };
  if (src.toString('latin1', 10, 12) !== '6\0') throw new Error('traceDatV6ToBigEndian: not a version 6 file');
  const pageSize = src.readUInt32LE(14);
  let p = swapTracingData(src, out, 0);
  const cpus = src.readUInt32LE(p);
  sw(p, 4);
  p += 4;
  for (;;) {
    const tag = src.toString('latin1', p, p + 10);
    p += 10;
    if (tag === 'options  \0') {
      for (;;) {
        const id = src.readUInt16LE(p);
        sw(p, 2);
        p += 2;
        if (id === 0) break;
        const size = src.readUInt32LE(p);
        sw(p, 4);
        p += 4;
        if (id === 8) sw(p, 4); // CPUCOUNT
        if (id === 11) sw(p, 8); // TRACEID
        p += size;
      }
      continue;
    }
    if (tag !== 'flyrecord\0') throw new Error(`traceDatV6ToBigEndian: unexpected "${tag}"`);
    break;
  }
  for (let c = 0; c < cpus; c++, p += 16) {
    const off = Number(src.readBigUInt64LE(p));
    const size = Number(src.readBigUInt64LE(p + 8));
    sw(p, 8);
    sw(p + 8, 8);
    for (let page = off; page < off + size; page += pageSize) swapPage(src, out, page, formats);
  }
  return out;
}

function swapPage(src: Buffer, out: Buffer, page: number, formats: Map<number, EventFormat>): void {
  const sw = (at: number, n: number): void => {
    out.subarray(at, at + n).reverse();
  };
  const commit = Number(src.readBigUInt64LE(page + 8) & 0xffffffffn);
  sw(page, 8);
  sw(page + 8, 8);
  const data = page + 16;
  const size = commit & ((1 << 27) - 1);
  if (((commit >>> 30) & 1) === 1) sw(data + size, 8);
  for (let p = data; p + 4 <= data + size; ) {
    const h = src.readUInt32LE(p);
    const typeLen = h & 31;
    out.writeUInt32BE(((typeLen << 27) | (h >>> 5)) >>> 0, p);
    if (typeLen === 29) {
      const len = src.readUInt32LE(p + 4);
      sw(p + 4, 4);
      p += 4 + len;
    } else if (typeLen === 30 || typeLen === 31) {
      sw(p + 4, 4);
      p += 8;
    } else if (typeLen === 0) {
      const len = (src.readUInt32LE(p + 4) - 4 + 3) & ~3;
      sw(p + 4, 4);
      swapPayload(src, out, p + 8, len, formats);
      p += 8 + len;
    } else {
      swapPayload(src, out, p + 4, typeLen * 4, formats);
      p += 4 + typeLen * 4;
    }
  }
}
