/**
 * Repeated timeouts per device and queue: how many, how far apart, how long the queue had been stuck, and what the
 * driver did in between. dev_watchdog() re-arms every watchdog_timeo after calling ndo_tx_timeout(), so a queue
 * that never recovers shows up every few seconds with a growing "timed out N ms".
 */
import type { DeviceRef, KernelRecord } from './types.js';

export interface TimeoutSeries extends DeviceRef {
  queue?: number;
  /** Watchdog timeouts and driver ring dumps of this device/queue. */
  count: number;
  firstLine: number;
  lastLine: number;
  firstTsBootNs?: bigint;
  lastTsBootNs?: bigint;
  /** Mean spacing of the events with printk stamps. */
  meanIntervalMs?: number;
  /** Largest "timed out N ms" (v6.5+) or driver "usecs since last trans" seen: how long the queue sat stopped. */
  maxStuckMs?: number;
  /** Recovery records of the device between the first event and the next series' start: resets, levels, EQ recovery. */
  recoveries: number;
}

const key = (r: DeviceRef & { queue?: number }): string => `${r.busId ?? ''}|${r.dev ?? ''}|${r.queue ?? ''}`;

/** Group timeout evidence by device and queue, in order of first appearance. */
export function summarizeTimeouts(records: readonly KernelRecord[]): TimeoutSeries[] {
  const series = new Map<string, TimeoutSeries & { stamps: bigint[] }>();
  for (const r of records) {
    if (r.kind !== 'watchdog_timeout' && r.kind !== 'tx_hang_dump' && r.kind !== 'tx_timeout_dump') continue;
    const k = key(r);
    let s = series.get(k);
    if (!s) {
      s = { count: 0, firstLine: r.firstLine, lastLine: r.lastLine, recoveries: 0, stamps: [] };
      if (r.driver !== undefined) s.driver = r.driver;
      if (r.busId !== undefined) s.busId = r.busId;
      if (r.dev !== undefined) s.dev = r.dev;
      if (r.queue !== undefined) s.queue = r.queue;
      series.set(k, s);
    }
    s.count++;
    s.lastLine = r.lastLine;
    if (r.tsBootNs !== undefined) s.stamps.push(r.tsBootNs);
    const stuckMs = r.kind === 'watchdog_timeout' ? r.timedOutMs : r.kind === 'tx_timeout_dump' && r.sinceLastTransUs !== undefined ? r.sinceLastTransUs / 1000 : undefined;
    if (stuckMs !== undefined) s.maxStuckMs = Math.max(s.maxStuckMs ?? 0, stuckMs);
  }
  const out: TimeoutSeries[] = [];
  for (const { stamps, ...s } of series.values()) {
    if (stamps.length > 0) {
      s.firstTsBootNs = stamps[0]!;
      s.lastTsBootNs = stamps[stamps.length - 1]!;
    }
    if (stamps.length > 1) s.meanIntervalMs = Number((stamps[stamps.length - 1]! - stamps[0]!) / BigInt(stamps.length - 1)) / 1e6;
    // A recovery record names the device but rarely the queue: count those of the device within the series' lines.
    s.recoveries = records.filter(
      (x) =>
        x.kind === 'tx_recovery' &&
        x.action !== 'eq_dump' &&
        x.firstLine >= s.firstLine &&
        x.firstLine <= s.lastLine + 3 &&
        ((x.dev !== undefined && x.dev === s.dev) || (x.busId !== undefined && x.busId === s.busId) || (x.dev === undefined && x.busId === undefined)),
    ).length;
    out.push(s);
  }
  return out;
}
