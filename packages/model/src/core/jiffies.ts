/**
 * Jiffies arithmetic (include/linux/jiffies.h).
 *
 * The kernel's `jiffies` is a 64-bit `unsigned long` on the machines we model. In the model a
 * jiffies value is a plain JS number, an integer below 2^53. The comparison macros work on
 * `(long)(a - b)`: with both operands below 2^53 the JS difference is exact, so its sign is the
 * sign the kernel sees as long as the two values are less than 2^63 apart, which always holds here.
 * Values computed by the kernel as `unsigned long` that may go "below zero" (e.g. `(history_head - 3) * 64`
 * in dql_check_stall) are kept as negative numbers: differences and `mod 2^k` (k ≤ 63) stay correct.
 */

/** time_after(a, b): `(long)((b) - (a)) < 0` — true when a is later than b. */
export function timeAfter(a: number, b: number): boolean {
  return b - a < 0;
}

/** time_after_eq(a, b): `(long)((a) - (b)) >= 0`. */
export function timeAfterEq(a: number, b: number): boolean {
  return a - b >= 0;
}

/** time_before(a, b) = time_after(b, a). */
export function timeBefore(a: number, b: number): boolean {
  return a - b < 0;
}

/** time_before_eq(a, b) = time_after_eq(b, a). */
export function timeBeforeEq(a: number, b: number): boolean {
  return b - a >= 0;
}

/**
 * INITIAL_JIFFIES: `((unsigned long)(unsigned int)(-300*HZ))`, so that the 32-bit jiffies wrap
 * five minutes after boot. The value of jiffies at boot for a given HZ.
 */
function initialJiffies(hz: number): number {
  return (-300 * hz) >>> 0;
}

/**
 * jiffies_to_msecs (kernel/time/time.c). Returns `unsigned int`.
 * HZ dividing 1000 (100, 250, 1000): exact multiply. HZ a multiple of 1000: round up.
 * Other HZ (e.g. 300): the kernel uses a scaled multiply that rounds up; modelled as ceil.
 */
export function jiffiesToMsecs(j: number, hz: number): number {
  if (hz <= 1000 && 1000 % hz === 0) return ((1000 / hz) * j) >>> 0;
  if (hz > 1000 && hz % 1000 === 0) return Math.ceil(j / (hz / 1000)) >>> 0;
  return Math.ceil((j * 1000) / hz) >>> 0;
}

/**
 * msecs_to_jiffies (include/linux/jiffies.h, _msecs_to_jiffies): rounds up, so a non-zero
 * millisecond value never becomes 0 jiffies. (The MAX_JIFFY_OFFSET clamp for huge values is not modelled.)
 */
export function msecsToJiffies(ms: number, hz: number): number {
  if (hz <= 1000 && 1000 % hz === 0) return Math.floor((ms + 1000 / hz - 1) / (1000 / hz));
  if (hz > 1000 && hz % 1000 === 0) return ms * (hz / 1000);
  return Math.ceil((ms * hz) / 1000);
}
