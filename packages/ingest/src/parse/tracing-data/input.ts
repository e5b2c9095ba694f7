/**
 * Opening a binary trace: a path or a stream, gzip-compressed or not (detected by the 1f 8b magic, whatever
 * the name). Readers that need random access (perf.data file mode: the feature sections follow the data;
 * trace.dat: per-CPU buffers at offsets) get a file handle — a stream is spooled to a temporary file first.
 * Readers that can stream (perf.data pipe mode) read the chunks as they come.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';

/**
 * A gunzip stream; node:zlib is loaded by the first one, not with the module: a plain perf.data or trace.dat never
 * needs it (~7 ms of CPU, ~160 page faults of every binary read).
 */
function createGunzip(opts: import('node:zlib').ZlibOptions): import('node:zlib').Gunzip {
  return (createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib')).createGunzip(opts);
}

export type BinaryInput = string | Readable | AsyncIterable<Uint8Array>;

export interface OpenedFile {
  fh: FileHandle;
  size: number;
  close(): Promise<void>;
}

export interface OpenedInput {
  /** The first bytes of the (decompressed) input: at least `headBytes` unless the input is shorter. */
  head: Buffer;
  /** The whole input as chunks (head included). Use either this or file(), once. */
  chunks(): AsyncIterator<Uint8Array>;
  /** The whole input as a random-access file (spooled to a temp file when the input is a stream or gzip). */
  file(): Promise<OpenedFile>;
}

async function readHead(it: AsyncIterator<Uint8Array>, n: number): Promise<{ head: Buffer; parts: Buffer[] }> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
    parts.push(b);
    have += b.length;
  }
  return { head: Buffer.concat(parts, have), parts };
}

function replay(parts: Buffer[], rest: AsyncIterator<Uint8Array>): AsyncIterator<Uint8Array> {
  let i = 0;
  return {
    next: async () => (i < parts.length ? { done: false, value: parts[i++]! } : rest.next()),
  };
}

function toIterable(input: Readable | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return input as AsyncIterable<Uint8Array>;
}

export async function openBinaryInput(input: BinaryInput, headBytes = 4096): Promise<OpenedInput> {
  if (typeof input === 'string') {
    const fh = await open(input, 'r');
    const probe = Buffer.alloc(2);
    await fh.read(probe, 0, 2, 0);
    if (probe[0] !== 0x1f || probe[1] !== 0x8b) {
      const size = (await fh.stat()).size;
      const head = Buffer.alloc(Math.min(headBytes, size));
      await fh.read(head, 0, head.length, 0);
      let used = false;
      return {
        head,
        chunks: () => {
          used = true;
          void fh.close();
          return createReadStream(input, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]();
        },
        file: async () => {
          if (used) throw new Error('input already consumed');
          return { fh, size, close: () => fh.close() };
        },
      };
    }
    await fh.close();
    return openStream(
      createReadStream(input, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 })),
      headBytes,
    );
  }
  return openStream(input, headBytes);
}

async function openStream(input: Readable | AsyncIterable<Uint8Array>, headBytes: number): Promise<OpenedInput> {
  const it0 = toIterable(input)[Symbol.asyncIterator]();
  const first = await readHead(it0, 2);
  if (first.head[0] === 0x1f && first.head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    const src = Readable.from({ [Symbol.asyncIterator]: () => replay(first.parts, it0) });
    src.pipe(gunzip);
    return openStream(gunzip, headBytes);
  }
  const it1 = replay(first.parts, it0);
  const { head, parts } = await readHead(it1, headBytes);
  const all = (): AsyncIterator<Uint8Array> => replay(parts, it1);
  return {
    head: head.subarray(0, headBytes),
    chunks: all,
    file: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'txreplay-bin-'));
      const path = join(dir, 'spool');
      await pipeline(Readable.from({ [Symbol.asyncIterator]: all }), createWriteStream(path));
      const fh = await open(path, 'r');
      const size = (await fh.stat()).size;
      return {
        fh,
        size,
        close: async () => {
          await fh.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
