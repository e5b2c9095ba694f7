/**
 * A file range read ahead: while the reader decodes chunk k, chunks k+1.. are being read by libuv's thread
 * pool (on the other core), so the reader does not wait for the copy out of the page cache at every chunk. With
 * the read awaited at each chunk (./cursor.ts fileRangePull) the main thread sat idle 10–20% of a 159 MB perf.data's
 * run (ingest README "Speed"). Only for perf.data's data section, whose chunks are pooled (./chunkPool.ts).
 *
 * Each chunk is read at ROOM bytes into its buffer, so the unread rest of the previous chunk (a record straddling
 * the two; header.size is a u16, so the rest is below ROOM) is copied just before it when the chunk is handed over.
 */
import type { FileHandle } from 'node:fs/promises';
import type { ChunkPool } from './chunkPool.js';
import type { ChunkPull } from './cursor.js';

/** room for the carried-over rest of a record (perf_event_header.size is a u16) */
export const ROOM = 0x10000;
/**
 * chunks read ahead: more than one, so a read the thread pool starts late (a busy machine) is not waited for at the
 * next chunk; each costs a pooled chunk of memory
 */
const DEPTH = 3;

interface Ahead {
  buf: Buffer;
  /** bytes read into buf[ROOM, ROOM + got) (a short read only at the range's end or on error) */
  done: Promise<number>;
}

/** Read fh[at, at + len) into buf at `into`, all of it unless the file ends first. */
async function readFully(fh: FileHandle, buf: Buffer, into: number, len: number, at: number): Promise<number> {
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, into + got, len - got, at + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * fileRangePull with DEPTH chunks read ahead (`chunk` bytes at a time, pooled buffers of ROOM + chunk bytes). A rest
 * longer than ROOM or a need beyond the chunk read ahead (small test chunks) takes the plain path: a fresh buffer.
 */
export function fileRangeReadAhead(
  fh: FileHandle,
  start: number,
  end: number,
  chunk: number,
  pool: ChunkPool,
): ChunkPull {
  let pos = start;
  // reads in flight, oldest first
  const ahead: Ahead[] = [];
  const startReads = (): void => {
    while (ahead.length < DEPTH && pos < end) {
      const len = Math.min(end - pos, chunk);
      const buf = pool.spare();
      const done = readFully(fh, buf, ROOM, len, pos);
      // a read left pending when the reader stops early (an error, a truncated file) must not fail unhandled
      done.catch(() => undefined);
      pos += len;
      ahead.push({ buf, done });
    }
  };
  const pull: ChunkPull = async (minBytes, prefix) => {
    startReads();
    const a = ahead.shift();
    if (a === undefined) return null;
    const got = await a.done;
    const keep = prefix?.length ?? 0;
    if (got === 0) return null;
    if (keep > ROOM || got < minBytes) return slowPath(a.buf, got, prefix, minBytes);
    const previous = pool.adopt(a.buf);
    if (prefix !== undefined) prefix.copy(a.buf, ROOM - keep);
    // the rest is copied: the previous chunk may be reused once its queued samples are emitted
    pool.retire(previous);
    startReads();
    return a.buf.subarray(ROOM - keep, ROOM + got);
  };
  /**
   * prefix + what was read ahead + the rest of minBytes, in a buffer of its own (not pooled): the reads still in
   * flight are the bytes that follow, so they are awaited and copied in first (only with chunks smaller than a
   * record: tests)
   */
  const slowPath = async (ab: Buffer, got: number, prefix: Buffer | undefined, minBytes: number): Promise<Buffer> => {
    const parts: Buffer[] = [];
    if (prefix !== undefined) parts.push(Buffer.from(prefix));
    parts.push(Buffer.from(ab.subarray(ROOM, ROOM + got)));
    pool.giveSpare(ab);
    let have = got;
    for (let a = ahead.shift(); a !== undefined; a = ahead.shift()) {
      const n = await a.done;
      parts.push(Buffer.from(a.buf.subarray(ROOM, ROOM + n)));
      pool.giveSpare(a.buf);
      have += n;
    }
    const more = Math.min(end - pos, Math.max(0, minBytes - have));
    const extra = Buffer.allocUnsafe(more);
    const n = await readFully(fh, extra, 0, more, pos);
    pos += n;
    parts.push(extra.subarray(0, n));
    pool.retire(pool.adoptUntracked());
    return Buffer.concat(parts);
  };
  pull.prefixes = true;
  return pull;
}
