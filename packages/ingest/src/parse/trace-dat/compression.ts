/**
 * trace.dat v7 compression: sections (and per-CPU trace data, in chunks) compressed with the algorithm named
 * in the file header. trace-cmd 3.x writes "zstd" (or "zlib"); Node 20's zlib has no zstd, so zstd goes
 * through @bokuweb/zstd-wasm (the reference libzstd compiled to WebAssembly, MIT, pinned: about 8× the speed of
 * the pure-JS fzstd on trace-cmd's chunks, which this reader used before).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Decompress `data` (`uncompressedSize` bytes once decoded). With `into`, the result may be written there (when it
 * fits: a view of it is returned) instead of into fresh memory: a caller that is done with what it decoded before
 * passes that buffer back (./reader.ts, one per CPU).
 */
export type Decompressor = ((data: Uint8Array, uncompressedSize: number, into?: Buffer) => Buffer) & {
  /**
   * Decompress into memory of the decoder's own, kept (not copied out) until the returned getter is garbage: it
   * hands out the bytes' current view (a view of WebAssembly memory, made again once that memory has grown). For a
   * large section read once (kallsyms: 5+ MB), whose copy into fresh memory cost a page fault per 4 KiB (~1,300, ~13
   * µs each on the bench VM). Absent: decompress as above.
   */
  kept?: (data: Uint8Array, uncompressedSize: number) => () => Buffer;
};

type ZstdWasm = typeof import('@bokuweb/zstd-wasm');

/** The parts of the Emscripten module of @bokuweb/zstd-wasm (its dist/common/module.js) the decoder below uses. */
interface ZstdModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(at: number): void;
  _ZSTD_getFrameContentSize(src: number, bytes: number): number;
  _ZSTD_decompress(dst: number, capacity: number, src: number, bytes: number): number;
  _ZSTD_isError(code: number): number;
}

let zstd: Promise<{ z: ZstdWasm; m: ZstdModule | null }> | undefined;

/**
 * The WebAssembly decoder, loaded and compiled once per thread, when a zstd file is first read; with its module
 * (the package exports only the simple API, whose decompress copies each result into fresh memory: ~3,000 pages
 * faulted in for the bench's trace.dat) found beside its entry point — null if it is not there.
 */
function zstdWasm(): Promise<{ z: ZstdWasm; m: ZstdModule | null }> {
  zstd ??= (async () => {
    // required, not imported: the package's entry is CommonJS, and the first import() of a `txreplay ingest` (a
    // CommonJS process until then) started node's ES module loader — resolver, translators, the CommonJS export
    // lexer: ~15–20 ms of CPU and ~350 page faults of a trace.dat read (ingest README "Speed")
    const req = createRequire(import.meta.url);
    const z = req('@bokuweb/zstd-wasm') as ZstdWasm;
    await z.init();
    let m: ZstdModule | null = null;
    try {
      const entry = req.resolve('@bokuweb/zstd-wasm');
      const mod = req(join(dirname(entry), 'module.js')) as { Module?: ZstdModule };
      if (typeof mod.Module?._ZSTD_decompress === 'function' && mod.Module.HEAPU8 !== undefined) m = mod.Module;
    } catch {
      m = null;
    }
    return { z, m };
  })();
  return zstd;
}

/** ZSTD_decompress through the module's own memory: source and result regions kept between calls. */
function moduleDecoder(m: ZstdModule): Decompressor {
  let src = 0;
  let srcCap = 0;
  let dst = 0;
  let dstCap = 0;
  const region = (at: number, cap: number, bytes: number): [number, number] => {
    if (bytes <= cap) return [at, cap];
    if (at !== 0) m._free(at);
    return [m._malloc(bytes), bytes];
  };
  /** The source in the module's memory; the result's capacity (a frame without its content size is decoded into
   * `size` bytes, the chunk header's uncompressed size, as the package's decompress does). */
  const load = (data: Uint8Array, size: number): number => {
    [src, srcCap] = region(src, srcCap, data.byteLength);
    m.HEAPU8.set(data, src);
    const content = m._ZSTD_getFrameContentSize(src, data.byteLength);
    const cap = content === -1 ? Math.max(size, 1) : content;
    if (cap < 0) throw new Error(`Failed to compress with code ${content}`);
    return cap;
  };
  const decode = (at: number, cap: number, bytes: number): number => {
    const n = m._ZSTD_decompress(at, cap, src, bytes);
    if (m._ZSTD_isError(n)) throw new Error(`Failed to compress with code ${n}`);
    return n;
  };
  const dec: Decompressor = (data, size, into) => {
    const cap = load(data, size);
    [dst, dstCap] = region(dst, dstCap, cap);
    const n = decode(dst, cap, data.byteLength);
    // HEAPU8 is read after the calls: a memory that grew has a new buffer
    const out = into !== undefined && into.length >= n ? into.subarray(0, n) : Buffer.allocUnsafeSlow(n);
    out.set(m.HEAPU8.subarray(dst, dst + n));
    return out;
  };
  dec.kept = (data, size) => {
    const cap = load(data, size);
    const at = m._malloc(cap);
    const n = decode(at, cap, data.byteLength);
    const view = (): Buffer => Buffer.from(m.HEAPU8.buffer, m.HEAPU8.byteOffset + at, n);
    keptRegions.register(view, () => m._free(at));
    return view;
  };
  return dec;
}

/** Frees a kept region (Decompressor.kept) once its getter is garbage. */
const keptRegions = new FinalizationRegistry<() => void>((free) => free());

export async function decompressorFor(name: string): Promise<Decompressor | null> {
  switch (name) {
    case 'none':
      return null;
    case 'zstd': {
      const { z, m } = await zstdWasm();
      if (m !== null) return moduleDecoder(m);
      return (data, size) => {
        // a frame without its content size is decoded into `size` bytes (the chunk header's uncompressed size)
        const out = z.decompress(data, { defaultHeapSize: Math.max(size, 1) });
        return Buffer.from(out.buffer, out.byteOffset, out.length);
      };
    }
    case 'zlib': {
      // node:zlib loaded here, not with the module: a zstd or uncompressed file never needs it (~7 ms, ~160 faults)
      const { inflateSync } = createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');
      return (data) => inflateSync(data);
    }
    default:
      throw new Error(`trace.dat: unsupported compression "${name}"`);
  }
}
