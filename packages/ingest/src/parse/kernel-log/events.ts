/**
 * Timeout events: dev_watchdog() calls the driver's ndo_tx_timeout() right after printing NETDEV WATCHDOG, so a
 * watchdog line and the driver dump that follows it (i40e/ice/mlx5e/hns3/virtio/bnxt…) are one event. Intel hang
 * dumps are printed by the driver's own hang check (igb_clean_tx_irq() etc.) before dev_watchdog fires: separate events.
 */
import { sameDevice } from './device.js';
import type { KernelRecord, TxHangDumpRecord, TxTimeoutDumpRecord, WatchdogTimeoutRecord } from './types.js';

export type RingRecord = TxHangDumpRecord | TxTimeoutDumpRecord;

export interface TimeoutEvent {
  /** The record the event starts with (watchdog line or dump). */
  first: WatchdogTimeoutRecord | RingRecord;
  watchdog?: WatchdogTimeoutRecord;
  dumps: RingRecord[];
}

/** ndo_tx_timeout output follows the watchdog line within the same timer callback: well under a second. */
const SAME_EVENT_NS = 1_000_000_000n;

function follows(w: WatchdogTimeoutRecord, d: RingRecord): boolean {
  if (!sameDevice(w, d)) return false;
  if (w.tsBootNs !== undefined && d.tsBootNs !== undefined)
    return d.tsBootNs >= w.tsBootNs && d.tsBootNs - w.tsBootNs < SAME_EVENT_NS;
  if (w.wall !== undefined && d.wall !== undefined) return w.wall === d.wall;
  return d.firstLine - w.lastLine <= 10;
}

/** Group watchdog lines and ring dumps into events, in source order. */
export function timeoutEvents(records: readonly KernelRecord[]): TimeoutEvent[] {
  const events: TimeoutEvent[] = [];
  const open = new Map<WatchdogTimeoutRecord, TimeoutEvent>();
  for (const r of [...records].sort((a, b) => a.firstLine - b.firstLine)) {
    if (r.kind === 'watchdog_timeout') {
      const e: TimeoutEvent = { first: r, watchdog: r, dumps: [] };
      events.push(e);
      open.set(r, e);
    } else if (r.kind === 'tx_hang_dump' || r.kind === 'tx_timeout_dump') {
      // Intel hang dumps come from the driver's own check, not from ndo_tx_timeout.
      const owner = r.kind === 'tx_timeout_dump' ? [...open.keys()].reverse().find((w) => follows(w, r)) : undefined;
      if (owner) open.get(owner)!.dumps.push(r);
      else events.push({ first: r, dumps: [r] });
    }
  }
  return events;
}

/** The queue an event is about: the watchdog's, else the first dump's. */
export function eventQueue(e: TimeoutEvent): number | undefined {
  return e.watchdog?.queue ?? e.dumps[0]?.queue;
}
