/** PtrMap (open addressing, backward-shift deletion) agrees with Map under random skb-like churn. */
import { describe, it, expect } from 'vitest';
import { PtrMap } from '../src/ptrmap.js';

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
});
