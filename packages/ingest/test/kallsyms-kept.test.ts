/**
 * A zstd trace.dat's kallsyms section is decoded into WebAssembly memory and read there (Decompressor.kept), not
 * copied out: the symbols must be those of the text copied out as before, also after that memory has grown (which
 * detaches every earlier view of it).
 */
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLayout } from '../src/parse/trace-dat/layout.js';
import { parseKallsyms } from '../src/parse/tracing-data/kallsyms.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traceDat = path.join(repoRoot, 'fixtures/captured/tbf-shaped-tracecmd/trace.dat');

/** Every 997th code symbol's address of the text, plus one past it: what %pS resolves. */
function sampleAddresses(text: string): bigint[] {
  const out: bigint[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^([0-9a-f]{16}) [^Aa] /.exec(line);
    if (m && i % 997 === 0 && m[1] !== '0000000000000000') out.push(BigInt(`0x${m[1]}`), BigInt(`0x${m[1]}`) + 0x11n);
  });
  return out;
}

describe('kallsyms kept in WebAssembly memory', () => {
  it('resolves as the copied text does, before and after the memory grows', async () => {
    const fh = await open(traceDat, 'r');
    try {
      const lay = await readLayout(fh, (await fh.stat()).size);
      expect(lay.compression).toBe('zstd');
      const dec = lay.decompress!;
      expect(dec.kept).toBeDefined();
      const kept = lay.kallsymsBytes;
      const first = kept();
      const copied = Buffer.from(first);
      expect(first.length).toBeGreaterThan(1 << 20);
      const addrs = sampleAddresses(copied.toString('utf8'));
      expect(addrs.length).toBeGreaterThan(100);
      const fromKept = parseKallsyms(kept);
      const fromCopy = parseKallsyms(copied);
      const before = addrs.map((a) => fromKept.resolve(a));
      expect(before).toEqual(addrs.map((a) => fromCopy.resolve(a)));
      expect(before.filter((s) => s === undefined)).toEqual([]);
      // a 96 MiB frame makes the decoder's memory grow: the views made before are detached
      const { compress } = createRequire(import.meta.url)('@bokuweb/zstd-wasm') as typeof import('@bokuweb/zstd-wasm');
      const big = compress(Buffer.alloc(96 << 20, 7), 1);
      expect(dec(big, 96 << 20).length).toBe(96 << 20);
      expect(first.length).toBe(0);
      expect(kept().equals(copied)).toBe(true);
      // fresh look-ups (beyond the cached ones) read the names through the new view
      const after = addrs.map((a) => fromKept.resolve(a + 1n));
      expect(after).toEqual(addrs.map((a) => fromCopy.resolve(a + 1n)));
    } finally {
      await fh.close();
    }
  });
});
