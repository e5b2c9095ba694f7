/**
 * The idle lifecycles' file (open-evict.ts: a hash table of pages on disk, a filter in memory): every record written
 * out comes back whole under its address, once; an address never written out is not found; what is left at the end
 * comes out once each, and the file goes. Enough records that the file doubles several times and pages overflow.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { EvictedLifecycles } from '../src/open-evict.js';
import { OpenColumns } from '../src/open-packets.js';
import { tempDir } from './helpers.js';

/** slab-like addresses: 0xffff888x_xxxxxx00 in steps of 256 bytes, and the lifecycle's fields from its number */
function fill(o: OpenColumns, s: number, k: number): void {
  o.skbHi[s] = 0xffff8880 + (k >>> 24);
  o.skbLo[s] = ((k << 8) >>> 0) + 0x40;
  o.dev[s] = k % 7;
  o.dropReason[s] = k % 3;
  o.location[s] = k % 11;
  o.source[s] = 1;
  o.firstLine[s] = k + 1;
  o.queue[s] = (k % 5) - 1;
  o.xmitRc[s] = -1;
  o.txBusy[s] = k % 2;
  o.len[s] = 60 + (k % 1400);
  o.queuedRel[s] = k * 1000.5;
  o.startXmitRel[s] = k % 4 === 0 ? Number.NaN : k * 1000.5 + 3;
  o.xmitRel[s] = Number.NaN;
  o.freedRel[s] = Number.NaN;
  o.fate[s] = 2;
}

const FIELDS = ['skbHi', 'skbLo', 'dev', 'dropReason', 'location', 'source', 'firstLine', 'queue'] as const;
const TIMES = ['xmitRc', 'txBusy', 'len', 'queuedRel', 'startXmitRel', 'xmitRel', 'freedRel', 'fate'] as const;
const row = (o: OpenColumns, s: number): unknown[] => [...FIELDS, ...TIMES].map((f) => o[f][s]);

it('records come back whole under their address, once; the rest drain once each; the file goes', () => {
  const file = path.join(tempDir('txreplay-evict-'), 'packets.spill.open');
  const ev = new EvictedLifecycles(file);
  const o = new OpenColumns();
  const s = o.alloc();
  const want = o.alloc();
  const N = 21_000;
  for (let k = 0; k < N; k++) {
    fill(o, s, k);
    ev.put(o, s);
  }
  expect(ev.size).toBe(N);
  expect(existsSync(file)).toBe(true);
  // every third back, in another order than written
  for (let k = N - 1; k >= 0; k -= 3) {
    fill(o, want, k);
    expect(ev.take(o.skbHi[want]!, o.skbLo[want]!, o, s)).toBe(true);
    expect(row(o, s)).toEqual(row(o, want));
    // once only
    expect(ev.take(o.skbHi[want]!, o.skbLo[want]!, o, s)).toBe(false);
  }
  // addresses never written out
  for (let k = N; k < N + 5000; k++) {
    fill(o, want, k);
    expect(ev.take(o.skbHi[want]!, o.skbLo[want]!, o, s)).toBe(false);
  }
  expect(ev.size).toBe(N - N / 3);
  const seen = new Set<number>();
  ev.drain(o, s, () => {
    const k = o.firstLine[s]! - 1;
    expect(seen.has(k)).toBe(false);
    seen.add(k);
    fill(o, want, k);
    expect(row(o, s)).toEqual(row(o, want));
  });
  expect(seen.size).toBe(N - N / 3);
  for (let k = N - 1; k >= 0; k -= 3) expect(seen.has(k)).toBe(false);
  expect(existsSync(file)).toBe(false);
  expect(ev.size).toBe(0);
});

it('an address whose upper bits above the 53rd differ is the same skb (as the open table has it)', () => {
  const ev = new EvictedLifecycles(path.join(tempDir('txreplay-evict-'), 'packets.spill.open'));
  const o = new OpenColumns();
  const s = o.alloc();
  fill(o, s, 42);
  ev.put(o, s);
  const hi = o.skbHi[s]!;
  expect(ev.take((hi ^ 0x80000000) >>> 0, o.skbLo[s]!, o, s)).toBe(true);
  expect(o.skbHi[s]).toBe(hi);
  ev.close();
});
