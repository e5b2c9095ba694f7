/**
 * tx_stall_rekick: a driver's own TX-stall check found a queue's completions stopped with descriptors outstanding and
 * kicked the controller again (macb: "TX stall detected on queue N (tail=… head=…); re-kicking TSTART",
 * raspberrypi/linux #7340: a per-queue delayed work that calls macb_tx_restart() when tx_tail has not moved for ≥ 1 s
 * while the ring is not empty).
 *
 * macb has no ndo_tx_timeout, so dev_watchdog() is never armed for it (docs/kernel-tx-path.md §G.2): without this
 * check such a stall is silent — tx_packets freezes while RX goes on (raspberrypi/linux #7339). The check's condition
 * holds for a real lost TSTART doorbell or lost TCOMP interrupt, and also for a descriptor posted just before it ran
 * on a quiet link: Raspberry Pi's maintainers questioned these lines as false positives (raspberrypi/linux #7472,
 * 2026-07-03). The log alone cannot tell the two apart; a TX gap at those times can.
 */
import { sameKernelLogDevice as sameDevice, type KernelRecord, type TxStallKickRecord } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { evidenceOf, groupByDevice, logDeviceName, logElapsedNs, logSpan } from './log-record.js';

/** "every 4.9 min on average" from the span between the first and last kick. */
function everyText(kicks: readonly TxStallKickRecord[]): string {
  const spanNs = kicks.length > 1 ? logElapsedNs(kicks[0]!, kicks[kicks.length - 1]!) : undefined;
  if (spanNs === undefined) return '';
  const s = Number(spanNs) / 1e9 / (kicks.length - 1);
  return s >= 120 ? `, every ${(s / 60).toFixed(1)} min on average` : `, every ${s.toFixed(1)} s on average`;
}

function outstandingText(kicks: readonly TxStallKickRecord[]): string {
  const n = kicks.map((k) => k.outstanding);
  const lo = Math.min(...n);
  const hi = Math.max(...n);
  const range = lo === hi ? `${lo}` : `${lo}–${hi}`;
  return `${range} descriptor${hi === 1 ? '' : 's'} outstanding (head − tail) ${kicks.length > 1 ? 'each time' : 'at the kick'}`;
}

/** What the log shows after the first kick on the same device: resets, link changes, NETDEV WATCHDOG lines. */
function escalations(records: readonly KernelRecord[], first: TxStallKickRecord): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.firstLine <= first.firstLine || !sameDevice(r as { dev?: string }, first)) continue;
    if (r.kind === 'tx_recovery') out.push(`line ${r.firstLine}: ${r.text}`);
    else if (r.kind === 'link_change') out.push(`line ${r.firstLine}: link ${r.up ? 'up' : 'down'}`);
    else if (r.kind === 'watchdog_timeout') out.push(`line ${r.firstLine}: NETDEV WATCHDOG`);
  }
  return out.slice(0, 4);
}

function kickFinding(kicks: TxStallKickRecord[], records: readonly KernelRecord[], source: string): Finding {
  const first = kicks[0]!;
  const last = kicks[kicks.length - 1]!;
  const dev = logDeviceName(first);
  const where = `${dev} TX queue ${first.queue} (${first.driver})`;
  const after = escalations(records, first);
  const single = kicks.every((k) => k.outstanding === 1);
  return {
    kind: 'tx_stall_rekick',
    severity: 'warning',
    dev,
    queue: first.queue,
    ...logSpan(first, last),
    title: `${where}: the driver's TX-stall check re-kicked the ring ${kicks.length} time(s)${everyText(kicks)}; ${outstandingText(kicks)}`,
    explanation:
      `Each line is macb's own check (raspberrypi/linux #7340): tx_tail had not moved for ≥ 1 s while tx_head was ` +
      `ahead of it, so it called macb_tx_restart(), which writes TSTART again when the controller's queue pointer is ` +
      `short of tx_head. macb has no ndo_tx_timeout: dev_watchdog() never fires for it, and without this check such a ` +
      `stall leaves tx_packets frozen with no log line at all. ` +
      (after.length > 0
        ? `After the first kick the log shows: ${after.join('; ')}. `
        : 'No reset, link change or NETDEV WATCHDOG follows in this log: the kicks brought TX back without one. ') +
      `The log cannot show whether TX really stopped: a lost TSTART doorbell or a lost TCOMP interrupt (about 1–2 s ` +
      `without TX each time) and a false alarm of the check (a descriptor posted just before it ran on a quiet link; ` +
      `Raspberry Pi's maintainers suspected these, raspberrypi/linux #7472) print the same line` +
      (single ? ', and exactly one descriptor outstanding every time fits both.' : '.'),
    evidence: [...kicks.slice(0, 3), ...(kicks.length > 3 ? [last] : [])].map((k) => evidenceOf(k, source)),
    nextSteps: [
      `tell a real stall from a false alarm: ping from another host at 5 Hz (ping -i 0.2) and look for a 1–2 s gap at each kick, or record net:net_dev_xmit and skb:consume_skb through the next one (txreplay capture --dev ${dev}): in a real stall the skbs posted before the kick stay unfreed for ≥ 1 s`,
      'macb on Raspberry Pi 5 (RP1): the TSTART posted-write flush and the TCOMP re-check (raspberrypi/linux #7340, #7369) target the real stalls; raspberrypi/linux #7472 runs the mainline driver without this check',
    ],
  };
}

/** One finding per device and queue whose driver re-kicked a stalled TX ring. */
export function stallKickFindings(records: readonly KernelRecord[], source: string): Finding[] {
  const kicks = records.filter((r): r is TxStallKickRecord => r.kind === 'tx_stall_kick');
  return groupByDevice(kicks, (k) => k.queue).map((g) => kickFinding(g, records, source));
}
