/**
 * trace.dat v7 compression: sections (and per-CPU trace data, in chunks) compressed with the algorithm named
 * in the file header. trace-cmd 3.x writes "zstd" (or "zlib"); Node 20's zlib has no zstd, so zstd goes
 * through @bokuweb/zstd-wasm (the reference libzstd compiled to WebAssembly, MIT, pinned: about 8× the speed of
 * the pure-JS fzstd on trace-cmd's chunks, which this reader used before).
 */
import { inflateSync } from 'node:zlib';

export type Decompressor = (data: Uint8Array, uncompressedSize: number) => Buffer;

type ZstdWasm = typeof import('@bokuweb/zstd-wasm');

let zstd: Promise<ZstdWasm> | undefined;

/** The WebAssembly decoder, loaded and compiled once per thread, when a zstd file is first read. */
function zstdWasm(): Promise<ZstdWasm> {
  zstd ??= (async () => {
    const z = await import('@bokuweb/zstd-wasm');
    await z.init();
    return z;
  })();
  return zstd;
}

export async function decompressorFor(name: string): Promise<Decompressor | null> {
  switch (name) {
    case 'none':
      return null;
    case 'zstd': {
      const z = await zstdWasm();
      return (data, size) => {
        // a frame without its content size is decoded into `size` bytes (the chunk header's uncompressed size)
        const out = z.decompress(data, { defaultHeapSize: Math.max(size, 1) });
        return Buffer.from(out.buffer, out.byteOffset, out.length);
      };
    }
    case 'zlib':
      return (data) => inflateSync(data);
    default:
      throw new Error(`trace.dat: unsupported compression "${name}"`);
  }
}
