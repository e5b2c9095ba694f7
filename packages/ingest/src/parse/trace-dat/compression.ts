/**
 * trace.dat v7 compression: sections (and per-CPU trace data, in chunks) compressed with the algorithm named
 * in the file header. trace-cmd 3.x writes "zstd" (or "zlib"); Node 20's zlib has no zstd, so zstd goes
 * through fzstd (pure JS, no native build, MIT, pinned).
 */
import { decompress as zstdDecompress } from 'fzstd';
import { inflateSync } from 'node:zlib';

export type Decompressor = (data: Uint8Array, uncompressedSize: number) => Buffer;

export function decompressorFor(name: string): Decompressor | null {
  switch (name) {
    case 'none':
      return null;
    case 'zstd':
      return (data, size) => {
        const out = zstdDecompress(data, new Uint8Array(size));
        return Buffer.from(out.buffer, out.byteOffset, out.length);
      };
    case 'zlib':
      return (data) => inflateSync(data);
    default:
      throw new Error(`trace.dat: unsupported compression "${name}"`);
  }
}
