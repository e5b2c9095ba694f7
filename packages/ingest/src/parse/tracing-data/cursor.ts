/**
 * A forward byte cursor over chunks (a file range, a stream, or one buffer), with endian-aware getters.
 * Binary traces can be GBs: the cursor holds one chunk (1 MiB by default, or the size asked for) at a time.
 * Getters are synchronous and assume `need()` was awaited for the bytes they read.
 */
import type { FileHandle } from 'node:fs/promises';
import { u16, u32 } from './bytes.js';

const CHUNK = 1 << 20;
const EMPTY = Buffer.alloc(0);

/**
 * Produces the next chunk (at least 1 byte), or null at the end. A pull marked `prefixes` puts the `prefix` it is
 * given (the unread rest of the previous chunk) at the start of the chunk it returns: a record straddling two
 * chunks costs a copy of the rest, not of a whole new chunk.
 */
export interface ChunkPull {
  (minBytes: number, prefix?: Buffer): Promise<Buffer | null>;
  prefixes?: boolean;
}

export function fileRangePull(fh: FileHandle, start: number, end: number, chunk = CHUNK): ChunkPull {
  let pos = start;
  const pull: ChunkPull = async (minBytes, prefix) => {
    if (pos >= end) return null;
    const keep = prefix?.length ?? 0;
    const len = Math.min(end - pos, Math.max(chunk, minBytes));
    const buf = Buffer.allocUnsafe(keep + len);
    if (prefix !== undefined) prefix.copy(buf, 0);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await fh.read(buf, keep + got, len - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    pos += got;
    return got === 0 ? null : buf.subarray(0, keep + got);
  };
  pull.prefixes = true;
  return pull;
}

export function iteratorPull(it: AsyncIterator<Uint8Array>): ChunkPull {
  return async () => {
    for (;;) {
      const r = await it.next();
      if (r.done) return null;
      if (r.value.length > 0)
        return Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
    }
  };
}

export function bufferPull(buf: Buffer): ChunkPull {
  let done = false;
  return async () => {
    if (done || buf.length === 0) return null;
    done = true;
    return buf;
  };
}

export class ByteCursor {
  private buf: Buffer = EMPTY;
  private off = 0;
  /** Bytes consumed before buf[off]. */
  private base = 0;
  private ended = false;

  constructor(
    private readonly pull: ChunkPull,
    public le: boolean = true,
  ) {}

  /** Bytes consumed so far (relative to where the cursor started). */
  get position(): number {
    return this.base + this.off;
  }

  get available(): number {
    return this.buf.length - this.off;
  }

  /** The chunk being read and the offset of the next byte in it: records read in place (valid until ensure). */
  get chunk(): Buffer {
    return this.buf;
  }
  get offset(): number {
    return this.off;
  }
  /** Move past n bytes known to be readable. */
  advance(n: number): void {
    this.off += n;
  }

  /** Make n bytes readable; false if the input ends first. */
  async ensure(n: number): Promise<boolean> {
    if (this.buf.length - this.off >= n) return true;
    if (this.ended) return false;
    if (this.pull.prefixes === true) return this.ensurePrefixed(n);
    const parts: Buffer[] = [this.buf.subarray(this.off)];
    let have = parts[0]!.length;
    while (have < n) {
      const c = await this.pull(n - have);
      if (c === null) {
        this.ended = true;
        break;
      }
      parts.push(c);
      have += c.length;
    }
    this.base += this.off;
    this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    this.off = 0;
    return have >= n;
  }

  /** ensure() for a pull that carries the rest over itself. */
  private async ensurePrefixed(n: number): Promise<boolean> {
    while (this.buf.length - this.off < n) {
      const rest = this.buf.subarray(this.off);
      const c = await this.pull(n - rest.length, rest);
      if (c === null) {
        this.ended = true;
        return false;
      }
      this.base += this.off;
      this.buf = c;
      this.off = 0;
    }
    return true;
  }

  async need(n: number, what: string): Promise<void> {
    if (!(await this.ensure(n)))
      throw new Error(`truncated input: ${what} needs ${n} bytes at offset ${this.position}`);
  }

  /** Skip n bytes, pulling through chunks without keeping them. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      const a = this.buf.length - this.off;
      if (a >= n) {
        this.off += n;
        return true;
      }
      this.off += a;
      n -= a;
      if (!(await this.ensure(Math.min(n, CHUNK)))) return false;
    }
    return true;
  }

  u8(): number {
    return this.buf[this.off++]!;
  }
  u16(): number {
    const v = this.le ? this.buf.readUInt16LE(this.off) : this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    const v = this.le ? this.buf.readUInt32LE(this.off) : this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  u64(): bigint {
    const v = this.le ? this.buf.readBigUInt64LE(this.off) : this.buf.readBigUInt64BE(this.off);
    this.off += 8;
    return v;
  }
  /** u64 that must fit a JS number (sizes, offsets). */
  u64n(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`64-bit size/offset ${v} too large`);
    return Number(v);
  }
  /** u32 / u16 at `rel` bytes ahead, without moving (ensure() first): record headers read without a view. */
  peekU32(rel: number): number {
    return u32(this.buf, this.off + rel, this.le);
  }
  peekU16(rel: number): number {
    return u16(this.buf, this.off + rel, this.le);
  }
  /** A view of the next n bytes without moving (valid until the next ensure/need). */
  view(n: number): Buffer {
    return this.buf.subarray(this.off, this.off + n);
  }
  /** A view of the next n bytes (valid until the next ensure/need); the cursor moves past them. */
  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
  /** A copy of the next n bytes (needed when kept past the next ensure). */
  async take(n: number, what: string): Promise<Buffer> {
    await this.need(n, what);
    return Buffer.from(this.bytes(n));
  }
  /** NUL-terminated string (the NUL is consumed). */
  async cstring(what: string): Promise<string> {
    for (let look = 64; ; look *= 2) {
      const ok = await this.ensure(look);
      const end = this.buf.indexOf(0, this.off);
      if (end >= 0 && end < this.off + Math.max(look, this.available)) {
        const s = this.buf.toString('utf8', this.off, end);
        this.off = end + 1;
        return s;
      }
      if (!ok) throw new Error(`truncated input: unterminated ${what} at offset ${this.position}`);
    }
  }
}
