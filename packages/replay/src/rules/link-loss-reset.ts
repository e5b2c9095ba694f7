/**
 * Resets for a link that dropped, not for a TX hang. ixgbe_watchdog_flush_tx() (drivers/net/ethernet/intel/ixgbe/
 * ixgbe_main.c; txgbe and ngbe copy it) runs from the service task while the carrier is off: when a TX ring still holds
 * descriptors (next_to_use ≠ next_to_clean) the MAC will never send them without a link, so it logs "initiating reset
 * to clear Tx work after link loss" and ixgbe_reset_subtask() resets the adapter ("Reset adapter", counted in
 * tx_timeout_count like a hang's reset). The question such a log asks is why the link went and why TX work kept
 * arriving, not which side of the ring stopped.
 */
import { sameKernelLogDevice as sameDevice, type KernelRecord } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import {
  everyOnAverage,
  evidenceOf,
  groupByDevice,
  logDeviceName,
  logElapsedNs,
  logSpan,
  logTimeNs,
} from './log-record.js';

type Recovery = Extract<KernelRecord, { kind: 'tx_recovery' }>;
type LinkChange = Extract<KernelRecord, { kind: 'link_change' }>;

const RESET_RE = /^Reset adapter\b/;
/** ixgbe_reset_subtask() runs from the next service-task pass: its line follows the flush within a second or two. */
const PAIRED_WITHIN_NS = 3_000_000_000n;

function isFlush(r: KernelRecord): r is Recovery {
  return r.kind === 'tx_recovery' && r.reason === 'link_loss';
}

/** The "Reset adapter" each flush asked for: the next one of the device, before its next flush and soon after. */
export function linkLossResets(records: readonly KernelRecord[]): Set<KernelRecord> {
  const out = new Set<KernelRecord>();
  records.forEach((r, i) => {
    if (!isFlush(r)) return;
    out.add(r);
    for (const x of records.slice(i + 1)) {
      if (isFlush(x) && sameDevice(x, r)) break;
      if (x.kind !== 'tx_recovery' || !sameDevice(x, r) || !RESET_RE.test(x.text)) continue;
      const a = logTimeNs(r);
      const b = logTimeNs(x);
      if (a === 0n || b === 0n || b - a <= PAIRED_WITHIN_NS) out.add(x);
      break;
    }
  });
  return out;
}

function linkText(dev: string, links: readonly LinkChange[], flushes: number, every: string): string {
  if (links.length > 0) {
    const downs = links.filter((l) => !l.up).length;
    const span = links.length > 1 ? logElapsedNs(links[0]!, links[links.length - 1]!) : undefined;
    const within = span !== undefined ? ` within ${(Number(span) / 1e9).toFixed(1)} s` : '';
    return (
      ` The log shows ${dev}'s link going down ${downs} time(s) and up ${links.length - downs} time(s)${within}` +
      (downs > 1
        ? ': the link itself flaps (optics, cable or the peer port), and every loss that found TX work queued cost a reset.'
        : '.')
    );
  }
  return (
    ` No link line of ${dev} is in the log (a grep or an excerpt may have cut them). ${flushes > 1 ? `Flushes repeated${every.replace(/^, /, ' ')} without a "NIC Link is Up" between them mean the link stayed down while TX work kept reaching the ring. ` : ''}` +
    "The stack's own senders stop when the carrier goes: linkwatch runs dev_deactivate(), which puts noop_qdisc in " +
    'front of every TX queue, so work that still reaches the ring comes from something that hands packets to the ' +
    "driver itself — XDP/AF_XDP transmit, or a module calling the driver's ndo_start_xmit() (packet replay and " +
    'generator modules).'
  );
}

function flushFinding(g: Recovery[], resets: number, records: readonly KernelRecord[], source: string): Finding {
  const first = g[0]!;
  const last = g[g.length - 1]!;
  const dev = logDeviceName(first);
  const every = everyOnAverage(g);
  const links = records.filter((r): r is LinkChange => r.kind === 'link_change' && sameDevice(r, first));
  return {
    kind: 'peer_down',
    severity: 'warning',
    dev,
    queue: null,
    ...logSpan(first, last),
    title: `${dev}${first.driver ? ` (${first.driver})` : ''}: the link was down with TX work still queued: the driver flushed it with ${Math.max(resets, g.length)} adapter reset(s)${every}`,
    explanation:
      `"${first.text}" (${g.length} time(s)): ixgbe_watchdog_flush_tx() found the carrier off while a TX ring still ` +
      'held descriptors; without a link the MAC never sends them, so the driver reset the adapter to drop them ' +
      `(ixgbe_reset_subtask() "Reset adapter"${resets > 0 ? `, ${resets} logged` : ''}). These resets are not a TX hang: ` +
      'the NIC was not stuck, the link was gone, and ethtool -S tx_timeout_count counts them all the same.' +
      linkText(dev, links, g.length, every),
    evidence: [...g.slice(0, 3), ...(g.length > 3 ? [last] : [])].map((r) => evidenceOf(r, source)),
    nextSteps: [
      `the link: \`ethtool ${dev}\` (Link detected, speed), \`ip -s link show ${dev}\` (carrier_changes), \`ethtool -m ${dev}\` (the module's TX/RX optical power against its thresholds) and the peer port's log`,
      links.length > 0
        ? 'a link that flaps under load with healthy optics: the peer switch port (errors, flow control) and the cable or module type for the distance'
        : `what transmits on ${dev} with its carrier off: \`ip link show ${dev}\` (an XDP program), \`lsmod\` (out-of-tree modules that transmit), and net:net_dev_xmit recorded with txreplay capture --dev ${dev} — the stack's sends show there, XDP's and a module's own ndo_start_xmit() calls do not`,
    ],
  };
}

/** One finding per device whose resets its driver logged as flushing TX work after the link went down. */
export function linkLossFindings(records: readonly KernelRecord[], source: string): Finding[] {
  const paired = linkLossResets(records);
  return groupByDevice(records.filter(isFlush)).map((g) => {
    const resets = records.filter(
      (r) => r.kind === 'tx_recovery' && paired.has(r) && !isFlush(r) && sameDevice(r, g[0]!),
    ).length;
    return flushFinding(g, resets, records, source);
  });
}
