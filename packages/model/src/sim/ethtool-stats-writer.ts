/**
 * `ethtool -S DEV` text of a simulated device, with igb's names for the TX counters the simulation keeps
 * (drivers/net/ethernet/intel/igb/igb_ethtool.c igb_gstrings_stats): tx_packets and tx_bytes, tx_timeout_count
 * (igb_tx_timeout() runs once per dev_watchdog() firing) and tx_restart_queue (igb_clean_tx_irq() waking a
 * stopped queue).
 */
import type { SimResult } from './simulator.js';

export function ethtoolStatsText(result: SimResult, dev: string): string {
  const index = result.devices.findIndex((d) => d.name === dev);
  if (index < 0) throw new Error(`no device ${dev} in the simulation`);
  const stats = result.devices[index]!;
  const timeouts = result.watchdogFires.filter((w) => w.dev === index).length;
  const restarts = result.queues.filter((q) => q.dev === dev).reduce((n, q) => n + q.wakes, 0);
  const rows: [string, number][] = [
    ['tx_packets', stats.sentPackets],
    ['tx_bytes', stats.sentBytes],
    ['tx_timeout_count', timeouts],
    ['tx_restart_queue', restarts],
  ];
  return `NIC statistics:\n${rows.map(([k, v]) => `     ${k}: ${v}\n`).join('')}`;
}
