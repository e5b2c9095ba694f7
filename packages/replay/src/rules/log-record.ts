/**
 * What every kernel-log finding needs of a record: its time on the trace clock, the device as the log names it, the
 * line to quote back, and the stamps as written when the log has no clock at all.
 */
import { naiveWallUs, sameKernelLogDevice, type KernelRecord } from '@txreplay/ingest/plain';
import type { Evidence, Finding } from '../types.js';

export type DeviceNamed = { dev?: string; busId?: string; driver?: string };

/** A record's time on the trace clock: printk's since-boot stamp when the envelope has one, else wall time. */
export function logTimeNs(r: { tsBootNs?: bigint; wallTimeUs?: bigint }): bigint {
  return r.tsBootNs ?? (r.wallTimeUs !== undefined ? r.wallTimeUs * 1000n : 0n);
}

/** The device as the log names it: interface name, else PCI address (igb on older kernels prints no ifname). */
export function logDeviceName(r: DeviceNamed): string {
  return r.dev ?? r.busId ?? (r.driver !== undefined ? `(${r.driver})` : '(unknown device)');
}

export function evidenceOf(r: KernelRecord, source: string, note?: string): Evidence {
  const first = r.evidence.find((l) => l.trim() !== '') ?? '';
  return {
    tsNs: logTimeNs(r),
    event: `log:${r.kind}`,
    source,
    line: r.firstLine,
    note: note ?? first.trim().slice(0, 240),
  };
}

/** Time between two records of one log: on its clock, else between its wall stamps as written; undefined: neither. */
export function logElapsedNs(first: KernelRecord, last: KernelRecord): bigint | undefined {
  const a = logTimeNs(first);
  const b = logTimeNs(last);
  if (a !== 0n && b !== 0n) return b - a;
  const wa = first.wall !== undefined ? naiveWallUs(first.wall) : undefined;
  const wb = last.wall !== undefined ? naiveWallUs(last.wall) : undefined;
  return wa && wb && wb.us >= wa.us ? (wb.us - wa.us) * 1000n : undefined;
}

/** Finding.logWall: the log's stamps as written, only when it gave no time on any clock. */
export function logWallOf(startNs: bigint, endNs: bigint, first?: string, last?: string): Pick<Finding, 'logWall'> {
  return startNs === 0n && endNs === 0n && first !== undefined && last !== undefined
    ? { logWall: { first, last } }
    : {};
}

/** A finding's window from the first and last record it rests on: on the trace clock, or the stamps as written. */
export function logSpan(first: KernelRecord, last: KernelRecord): Pick<Finding, 'startNs' | 'endNs' | 'logWall'> {
  const startNs = logTimeNs(first);
  const endNs = logTimeNs(last);
  return { startNs, endNs, ...logWallOf(startNs, endNs, first.wall, last.wall) };
}

/** Records grouped by the device the log names (and by `key` within it), in the order each group first appears. */
export function groupByDevice<R extends KernelRecord & DeviceNamed>(
  records: readonly R[],
  key: (r: R) => unknown = () => 0,
): R[][] {
  const groups: R[][] = [];
  for (const r of records) {
    const g = groups.find((x) => sameKernelLogDevice(x[0]!, r) && key(x[0]!) === key(r));
    if (g) g.push(r);
    else groups.push([r]);
  }
  return groups;
}

/** ", every N s on average" between the first and the last of a group of records, when the log gives their time. */
export function everyOnAverage(g: readonly KernelRecord[]): string {
  const spanNs = g.length > 1 ? logElapsedNs(g[0]!, g[g.length - 1]!) : undefined;
  return spanNs !== undefined ? `, every ${(Number(spanNs) / 1e9 / (g.length - 1)).toFixed(1)} s on average` : '';
}
