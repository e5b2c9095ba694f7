/**
 * A private file the per-event lists of a streamed pass (growable.ts) write their older values to, chunk by chunk:
 * transmit, completion and poll times grow with the trace (~14 MiB per GB), and the rules and the expected DQL read
 * them back only after the pass — by binary search or in order — so they need not stay in memory. Written with
 * positioned writes, read back a chunk at a time; the file lives in the caller's temporary directory.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** Values per spilled chunk (128 KiB of float64): a list keeps at most one chunk in memory, and one read back. */
const SPILL_CHUNK = 16384;

export class SpillFile {
  private fd: number | null = null;
  private end = 0;
  private closed = false;

  constructor(
    readonly path: string,
    /** values per chunk (tests use a few to spill the shared captures) */
    readonly chunk: number = SPILL_CHUNK,
  ) {}

  /** Append `v` (a whole chunk); returns its byte offset in the file. */
  write(v: Float64Array | Int32Array): number {
    if (this.closed) throw new Error(`spill file ${this.path} is closed`);
    this.fd ??= openSync(this.path, 'w+');
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    const at = this.end;
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, at + done);
    this.end += bytes.length;
    return at;
  }

  /** Fill `into` from byte offset `at` (a chunk written by `write`). */
  read(into: Float64Array | Int32Array, at: number): void {
    if (this.fd === null) throw new Error(`spill file ${this.path} is closed`);
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, at + done);
      if (n === 0) throw new Error(`spill file ${this.path}: short read at ${at + done}`);
      done += n;
    }
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.end;
  }

  close(): void {
    this.closed = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
