/**
 * Deterministic PRNG for the simulator: xoshiro128** seeded through splitmix32. No Math.random, no Date:
 * the same seed gives the same run, byte for byte.
 */
export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * One xoshiro128** step; the output as a *signed* int32. The hot path never returns an unsigned 32-bit value or a
   * float across a call: a uint32 above 2^31 or a double is boxed (a HeapNumber allocation) when it leaves a
   * function that is not inlined, which was the simulator's last per-event allocation. Same stream as before.
   */
  private stepI32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** uniform unsigned 32-bit integer */
  nextU32(): number {
    return this.stepI32() >>> 0;
  }

  /** uniform in [0, 1) with 32 bits of resolution */
  nextFloat(): number {
    return (this.stepI32() >>> 0) / 4294967296;
  }

  /** uniform integer in [0, n) */
  nextInt(n: number): number {
    return Math.floor(((this.stepI32() >>> 0) / 4294967296) * n);
  }

  /** exponential inter-arrival with the given mean, in integer ns (>= 1) */
  nextExpNs(meanNs: number): number {
    const u = 1 - (this.stepI32() >>> 0) / 4294967296; // (0, 1]
    return Math.max(1, Math.round(-Math.log(u) * meanNs));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
