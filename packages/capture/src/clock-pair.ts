/**
 * The wall clock and the trace's clock read together, for the capture header (`wall_ns=… mono_ns=…`): the trace's
 * own wall clock, so a reader never has to guess it from a file's mtime. The trace clock is CLOCK_MONOTONIC (perf
 * `-k CLOCK_MONOTONIC`, bpftrace `nsecs` = ktime_get_ns()), which process.hrtime reads (libuv uv_hrtime:
 * clock_gettime(CLOCK_MONOTONIC) on Linux). Date.now() has 1 ms resolution: the pair is good to about a millisecond.
 */
export function readClockPair(): { wallNs: bigint; monoNs: bigint } {
  const before = process.hrtime.bigint();
  const wallMs = Date.now();
  const after = process.hrtime.bigint();
  return { wallNs: BigInt(wallMs) * 1_000_000n, monoNs: (before + after) / 2n };
}
