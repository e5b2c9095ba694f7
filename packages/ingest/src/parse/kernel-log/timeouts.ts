/**
 * Repeated timeouts per device and queue: how many, how far apart, how long the queue had been stuck, and what the
 * driver did in between. dev_watchdog() re-arms every watchdog_timeo after calling ndo_tx_timeout(), so a queue
 * that never recovers shows up every few seconds with a growing "timed out N ms".
 */
import { eventQueue, timeoutEvents } from './events.js';
import { naiveWallUs } from './time.js';
import type { DeviceRef, KernelRecord } from './types.js';

export interface TimeoutSeries extends DeviceRef {
  queue?: number;
  /** Timeout events of this device/queue (a NETDEV WATCHDOG line and the driver dump right after it count once). */
  count: number;
  firstLine: number;
  lastLine: number;
  firstTsBootNs?: bigint;
  lastTsBootNs?: bigint;
  /**
   * Mean spacing of the events, on the clock every one of them has: printk stamps, else wall instants (a zoned
   * stamp), else the wall time as written (`Dec  6 10:12:01`, dmesg -T: a local time, differences still hold).
   */
  meanIntervalMs?: number;
  /** the first and last event's wall stamp as written, when the log has them (a log without printk stamps) */
  firstWall?: string;
  lastWall?: string;
  /** Largest "timed out N ms" (v6.5+) or driver "usecs since last trans" seen: how long the queue sat stopped. */
  maxStuckMs?: number;
  /** Recovery records of the device between the first event and the next series' start: resets, levels, EQ recovery. */
  recoveries: number;
  /**
   * When the queue last sent, from the first watchdog line that prints "timed out N ms" (v6.5+): its printk stamp
   * − N ms. dev_watchdog() measures N from the queue's trans_start, which every transmit on it advances.
   */
  stuckSinceTsBootNs?: bigint;
  /**
   * Two or more watchdog lines whose "timed out N ms" grew with the time between them (the stamp − N agrees within
   * CONTINUOUS_SLACK_NS): dev_watchdog() found the same trans_start every time, so nothing left the queue between the
   * lines — one stall that the ndo_tx_timeout() calls in between did not end, not several.
   */
  continuous?: boolean;
}

/** printk runs after the jiffies sample and N is whole jiffies in ms: the stamp − N of one stall jitters by a few ms. */
const CONTINUOUS_SLACK_NS = 500_000_000n;

/** stamp − "timed out N ms" of every watchdog line that has both, in order. */
function sentLastNs(records: readonly KernelRecord[]): bigint[] {
  const out: bigint[] = [];
  for (const r of records)
    if (r.kind === 'watchdog_timeout' && r.tsBootNs !== undefined && r.timedOutMs !== undefined)
      out.push(r.tsBootNs - BigInt(r.timedOutMs) * 1_000_000n);
  return out;
}

const key = (r: DeviceRef, queue: number | undefined): string => `${r.busId ?? ''}|${r.dev ?? ''}|${queue ?? ''}`;

/** Every record's wall time in ns (zoned instants, else as written); empty when one has none. */
function wallStampsNs(records: readonly KernelRecord[]): bigint[] {
  const out: bigint[] = [];
  const zoned = records.every((r) => r.wallTimeUs !== undefined);
  for (const r of records) {
    const us = zoned ? r.wallTimeUs : r.wall !== undefined ? naiveWallUs(r.wall)?.us : undefined;
    if (us === undefined) return [];
    out.push(us * 1000n);
  }
  return out;
}

/** Mean spacing of wall stamps, undefined for fewer than two (or stamps that go back: a log out of order). */
function meanSpacingNs(stamps: readonly bigint[]): number | undefined {
  if (stamps.length < 2) return undefined;
  const span = stamps[stamps.length - 1]! - stamps[0]!;
  return span < 0n ? undefined : Number(span / BigInt(stamps.length - 1));
}

/** A driver's reset follows the timeout that asked for it within seconds (reset task, then link up). */
const RECOVERY_WITHIN_NS = 10_000_000_000n;

function soonAfter(r: { tsBootNs?: bigint }, lastTsBootNs: bigint | undefined): boolean {
  return r.tsBootNs === undefined || lastTsBootNs === undefined || r.tsBootNs - lastTsBootNs <= RECOVERY_WITHIN_NS;
}

/**
 * Whether a recovery record belongs to a timeout series (counted in TimeoutSeries.recoveries): it names the series'
 * device (a recovery rarely names the queue) and comes within 3 lines and RECOVERY_WITHIN_NS of its last line.
 */
export function isSeriesRecovery(
  x: DeviceRef & { firstLine: number; tsBootNs?: bigint },
  s: Pick<TimeoutSeries, 'firstLine' | 'lastLine' | 'lastTsBootNs' | 'dev' | 'busId'>,
): boolean {
  return (
    x.firstLine >= s.firstLine &&
    x.firstLine <= s.lastLine + 3 &&
    soonAfter(x, s.lastTsBootNs) &&
    ((x.dev !== undefined && x.dev === s.dev) ||
      (x.busId !== undefined && x.busId === s.busId) ||
      (x.dev === undefined && x.busId === undefined))
  );
}

/** Group timeout events (a watchdog line with the dump that follows it counts once) by device and queue. */
export function summarizeTimeouts(records: readonly KernelRecord[]): TimeoutSeries[] {
  const series = new Map<string, TimeoutSeries & { stamps: bigint[]; walls: KernelRecord[] }>();
  for (const e of timeoutEvents(records)) {
    const r = e.first;
    const queue = eventQueue(e);
    const k = key(r, queue);
    let s = series.get(k);
    if (!s) {
      s = { count: 0, firstLine: r.firstLine, lastLine: r.lastLine, recoveries: 0, stamps: [], walls: [] };
      if (r.driver !== undefined) s.driver = r.driver;
      if (r.busId !== undefined) s.busId = r.busId;
      if (r.dev !== undefined) s.dev = r.dev;
      if (queue !== undefined) s.queue = queue;
      series.set(k, s);
    }
    s.count++;
    s.lastLine = Math.max(r.lastLine, ...e.dumps.map((d) => d.lastLine));
    if (r.tsBootNs !== undefined) s.stamps.push(r.tsBootNs);
    s.walls.push(r);
    const stuck = [
      e.watchdog?.timedOutMs,
      ...e.dumps.map((d) =>
        d.kind === 'tx_timeout_dump' && d.sinceLastTransUs !== undefined ? d.sinceLastTransUs / 1000 : undefined,
      ),
    ];
    for (const ms of stuck) if (ms !== undefined) s.maxStuckMs = Math.max(s.maxStuckMs ?? 0, ms);
  }
  const out: TimeoutSeries[] = [];
  for (const { stamps, walls, ...s } of series.values()) {
    if (stamps.length > 0) {
      s.firstTsBootNs = stamps[0]!;
      s.lastTsBootNs = stamps[stamps.length - 1]!;
    }
    const sent = sentLastNs(walls);
    if (sent.length > 0) s.stuckSinceTsBootNs = sent[0]!;
    if (sent.length > 1) {
      let lo = sent[0]!;
      let hi = sent[0]!;
      for (const t of sent) {
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
      s.continuous = hi - lo <= CONTINUOUS_SLACK_NS;
    }
    const firstWall = walls[0]?.wall;
    const lastWall = walls[walls.length - 1]?.wall;
    if (firstWall !== undefined && lastWall !== undefined) {
      s.firstWall = firstWall;
      s.lastWall = lastWall;
    }
    if (stamps.length > 1)
      s.meanIntervalMs = Number((stamps[stamps.length - 1]! - stamps[0]!) / BigInt(stamps.length - 1)) / 1e6;
    else {
      const spacing = meanSpacingNs(wallStampsNs(walls));
      if (spacing !== undefined) s.meanIntervalMs = spacing / 1e6;
    }
    // A recovery record names the device but rarely the queue: count those of the device within the series' lines.
    s.recoveries = records.filter(
      (x) => x.kind === 'tx_recovery' && x.action !== 'eq_dump' && isSeriesRecovery(x, s),
    ).length;
    out.push(s);
  }
  return out;
}
