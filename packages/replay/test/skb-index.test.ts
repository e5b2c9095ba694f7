/**
 * SkbIndex (the lifecycle pool's skb → slot table: low key word and slot in the table, the full key in the slot's
 * record) agrees with Map under skb-like churn, with slots handed out and freed as the observer does, keys that share
 * their low 32 bits (same offset in two 4 GiB regions) and a table that starts small and rehashes.
 */
import { describe, it, expect } from 'vitest';
import { LC_KEY, LC_STRIDE, SkbIndex } from '../src/observe/skb-index.js';

describe('SkbIndex', () => {
  it('matches Map over 200k lookups / adds / deletes of aligned kernel-like pointers', () => {
    const slots = 1 << 14;
    const lc = new Float64Array(slots * LC_STRIDE);
    const idx = new SkbIndex(4, lc);
    const free: number[] = [];
    for (let s = slots - 1; s >= 0; s--) free.push(s);
    const ref = new Map<number, number>();
    let x = 0x2545f491;
    const rnd = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    // two regions whose keys have the same low 32 bits: the table's low word alone cannot tell them apart
    const keyOf = (r: number): number => ((r & 1) === 0 ? 0x1f8881 : 0x1f8882) * 2 ** 32 + ((r >>> 1) % 4096) * 256;
    for (let i = 0; i < 200_000; i++) {
      const r = rnd();
      const k = keyOf(r >>> 4);
      idx.key = k;
      switch (r & 3) {
        case 0:
        case 1: {
          const cand = free[free.length - 1]!;
          const got = idx.getOrAddKey(cand);
          expect(got).toBe(ref.get(k) ?? -1);
          if (got < 0) {
            ref.set(k, free.pop()!);
            expect(lc[cand * LC_STRIDE + LC_KEY]).toBe(k);
          }
          break;
        }
        case 2: {
          const had = ref.get(k);
          idx.deleteKey();
          if (had !== undefined) {
            ref.delete(k);
            free.push(had);
          }
          break;
        }
        default:
          expect(idx.getKey()).toBe(ref.get(k) ?? -1);
      }
    }
    expect(idx.size).toBe(ref.size);
    for (const [k, v] of ref) {
      idx.key = k;
      expect(idx.getKey()).toBe(v);
    }
    idx.key = -1; // an absent pointer is never a key
    expect(idx.getOrAddKey(0)).toBe(-1);
    expect(idx.getKey()).toBe(-1);
    expect(idx.size).toBe(ref.size);
  });
});
