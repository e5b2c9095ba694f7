/**
 * A finding's span when its evidence carries no time on any clock the trace has (startNs = endNs = 0): counter
 * snapshots (tc -s, ethtool -S, ip -s link, TX-queue sysfs files, /proc/interrupts, nstat), or a log's local stamps as written (Finding.logWall). Shared by the text verdict
 * and the post-mortems, which otherwise show a span on the trace clock.
 */
import type { Finding } from '../types.js';

/** Evidence from tc -s, ethtool -S, ip -s link, TX-queue sysfs or /proc/interrupts snapshots: no time of its own. */
export const isCounterEvent = (event: string): boolean =>
  event.startsWith('tc:') ||
  event.startsWith('ethtool:') ||
  event.startsWith('sysfs:') ||
  event.startsWith('ip:') ||
  event.startsWith('procfs:') ||
  event.startsWith('nstat:');

/** The span in words, or null when the finding has times (or none at all: the caller says so its own way). */
export function timelessSpan(f: Finding): string | null {
  if (f.startNs !== 0n || f.endNs !== 0n) return null;
  if (f.evidence.length > 0 && f.evidence.every((e) => isCounterEvent(e.event)))
    return 'between counter snapshots (counters carry no time)';
  const w = f.logWall;
  if (w && f.evidence.length > 0 && f.evidence.every((e) => e.event.startsWith('sar:')))
    return `${w.first} → ${w.last} (sar's local time; it gives no zone)`;
  if (w) return `${w.first === w.last ? w.first : `${w.first} → ${w.last}`} (the log's local time; it gives no zone)`;
  return null;
}
