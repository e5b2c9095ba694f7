/**
 * PERF_RECORD_COMPRESSED / COMPRESSED2 (`perf record -z`): the ring-buffer data as one zstd stream cut into
 * records (tools/perf/util/session.c perf_session__process_compressed_event: one decompression context for
 * the whole session, and a record may straddle two COMPRESSED records — the remainder is carried over).
 */
import { Decompress } from 'fzstd';

export class CompressedRecords {
  private rest: Buffer = Buffer.alloc(0);
  private readonly parts: Uint8Array[] = [];
  private readonly z = new Decompress((chunk) => {
    this.parts.push(chunk);
  });

  constructor(private readonly le: boolean) {}

  /** Feed one record's compressed payload; returns the complete records now available (header included). */
  feed(payload: Uint8Array): Buffer[] {
    this.z.push(payload);
    if (this.parts.length === 0) return [];
    const buf = Buffer.concat([this.rest, ...this.parts]);
    this.parts.length = 0;
    const out: Buffer[] = [];
    let p = 0;
    while (p + 8 <= buf.length) {
      const size = this.le ? buf.readUInt16LE(p + 6) : buf.readUInt16BE(p + 6);
      if (size < 8) throw new Error(`perf.data: bad record size ${size} inside a COMPRESSED record`);
      if (p + size > buf.length) break;
      out.push(buf.subarray(p, p + size));
      p += size;
    }
    this.rest = Buffer.from(buf.subarray(p));
    return out;
  }

  /** Bytes of an unfinished record left at the end. */
  get pending(): number {
    return this.rest.length;
  }
}
