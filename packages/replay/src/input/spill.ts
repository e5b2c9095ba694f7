/**
 * A private file the per-event lists of a streamed pass (growable.ts) write their older values to, chunk by chunk:
 * transmit, completion and poll times grow with the trace (~14 MiB per GB), and the rules and the expected DQL read
 * them back only after the pass — by binary search or in order — so they need not stay in memory. Written with
 * positioned writes, read back a chunk at a time; the file lives in the caller's temporary directory.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** Values per spilled chunk (128 KiB of float64): a list keeps at most one chunk in memory, and one read back. */
const SPILL_CHUNK = 16384;
/**
 * Live skbs a pass keeps in memory before it writes the idle ones out (observe/skb-spill.ts): 65,536 lifecycle
 * records and their index are ~5 MiB; a real trace's live skbs (in flight, or awaiting their address's reuse) are
 * far fewer, a trace whose addresses never come back passes it after ~0.7 GB of text.
 */
const LIVE_SKBS = 65536;

export class SpillFile {
  private fd: number | null = null;
  private end = 0;
  private closed = false;
  /** files beside this one that close with it (the pass's idle skbs) */
  private readonly others: { close(): void }[] = [];

  constructor(
    readonly path: string,
    /** values per chunk (tests use a few to spill the shared captures) */
    readonly chunk: number = SPILL_CHUNK,
    /** live skbs kept in memory before idle ones go to `${path}.skbs` (tests use a few; 0: none go) */
    readonly liveSkbs: number = LIVE_SKBS,
  ) {}

  /** The files that close with this one. */
  get attached(): readonly object[] {
    return this.others;
  }

  /** `other` closes (and removes its file) when this does. */
  closeWith(other: { close(): void }): void {
    this.others.push(other);
  }

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
    for (const o of this.others.splice(0)) o.close();
    this.closed = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
