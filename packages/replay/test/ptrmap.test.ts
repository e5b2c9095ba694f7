/** PtrMap (open addressing, backward-shift deletion) agrees with Map under random skb-like churn. */
import { describe, it, expect } from 'vitest';
import { PtrMap } from '../src/input/ptrmap.js';

describe('PtrMap', () => {
  it('matches Map over 200k random set/get/delete of aligned kernel-like pointers', () => {
    const m = new PtrMap(8);
    const ref = new Map<number, number>();
    let x = 0x2545f491;
    const rnd = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    // 53-bit keys like 0xffff8881xxxxxx00 truncated: few distinct values so slots get reused and deleted
    const keyOf = (r: number): number => (0x1f8881 * 2 ** 32 + (r % 4096) * 256) % 2 ** 53;
    for (let i = 0; i < 200_000; i++) {
      const r = rnd();
      const k = keyOf(r >>> 4);
      switch (r & 3) {
        case 0:
        case 1:
          m.set(k, i);
          ref.set(k, i);
          break;
        case 2:
          m.delete(k);
          ref.delete(k);
          break;
        default:
          expect(m.get(k)).toBe(ref.get(k) ?? -1);
      }
    }
    expect(m.size).toBe(ref.size);
    for (const [k, v] of ref) expect(m.get(k)).toBe(v);
    expect(m.get(-1)).toBe(-1); // absent pointer is never a key
  });

  it('getOrAdd returns the present value or adds (one probe), like get-then-set on Map', () => {
    const m = new PtrMap(4);
    const ref = new Map<number, number>();
    let x = 0x1234567;
    const rnd = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    for (let i = 0; i < 100_000; i++) {
      const r = rnd();
      // keys above 2^32 and below 2^53 (both halves of the hash), some repeated
      const k = 0x1f8881 * 2 ** 32 + ((r >>> 3) % 8192) * 64;
      if ((r & 7) === 0) {
        m.delete(k);
        ref.delete(k);
        continue;
      }
      const had = ref.get(k);
      expect(m.getOrAdd(k, i)).toBe(had ?? -1);
      if (had === undefined) ref.set(k, i);
    }
    expect(m.size).toBe(ref.size);
    for (const [k, v] of ref) expect(m.get(k)).toBe(v);
    expect(m.getOrAdd(-1, 5)).toBe(-1);
    expect(m.get(-1)).toBe(-1); // never added
    expect(m.size).toBe(ref.size);
  });
});
