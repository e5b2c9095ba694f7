/**
 * A driver's TX-timeout reset with no NETDEV WATCHDOG line beside it. Intel's reset tasks print "Reset adapter"
 * (igb_reset_task, igc_reset_task, ixgbe_reset_subtask, e1000_reset_task) and e1000e "Reset adapter unexpectedly"
 * (e1000_reset_task, when the reset is not its link-loss restart); stmmac_reset_subtask() prints "Reset adapter.".
 * Each is scheduled by the driver's ndo_tx_timeout(), its own TX-hang check, or (igb, ixgbe) its watchdog task when
 * the link dropped with TX work still queued — all counted in ethtool -S tx_timeout_count. From 2.6.27 to 6.7
 * dev_watchdog() printed NETDEV WATCHDOG through WARN_ONCE: one line per boot, so the later timeouts of a boot show
 * only as these resets.
 */
import {
  isSeriesRecovery,
  sameKernelLogDevice as sameDevice,
  type KernelRecord,
  type TimeoutSeries,
} from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { linkLossResets } from './link-loss-reset.js';
import { everyOnAverage, evidenceOf, groupByDevice, logDeviceName, logSpan } from './log-record.js';

type Reset = Extract<KernelRecord, { kind: 'tx_recovery' }>;

const TX_RESET_RE = /^Reset adapter(?: unexpectedly|\.)?\s*$/;

/** What schedules this driver's reset, in kernel terms. */
function scheduledBy(r: Reset): string {
  if (/unexpectedly/.test(r.text))
    return 'e1000_reset_task() prints it when the reset is not its link-loss restart: e1000_tx_timeout() (dev_watchdog() found a TX queue stopped past watchdog_timeo) or an uncorrectable ECC error in the packet buffer scheduled it';
  if (/\.\s*$/.test(r.text))
    return 'stmmac_reset_subtask() prints it after stmmac_tx_timeout() or a fatal DMA error (stmmac_global_err()) asked for a reset';
  return "the driver's reset task prints it (igb_reset_task, igc_reset_task, ixgbe_reset_subtask, e1000_reset_task): its ndo_tx_timeout(), its own TX-hang check, or its watchdog task on a link that dropped with TX work still queued scheduled it";
}

function resetFinding(g: Reset[], series: readonly TimeoutSeries[], source: string): Finding {
  const first = g[0]!;
  const last = g[g.length - 1]!;
  const dev = logDeviceName(first);
  const every = everyOnAverage(g);
  const before = series.find((s) => sameDevice(s, first) && s.lastLine < first.firstLine);
  return {
    kind: 'watchdog_timeout',
    severity: 'warning',
    dev,
    queue: null,
    ...logSpan(first, last),
    title: `${dev}${first.driver ? ` (${first.driver})` : ''}: the driver reset the adapter ${g.length} time(s)${every} with no NETDEV WATCHDOG line beside ${g.length > 1 ? 'them' : 'it'}`,
    explanation:
      `"${first.text}": ${scheduledBy(first)}. ` +
      (before
        ? `A NETDEV WATCHDOG for ${dev} is logged before them (line ${before.firstLine}); `
        : 'No NETDEV WATCHDOG line for this device is in the log; ') +
      'from 2.6.27 to 6.7 dev_watchdog() printed it through WARN_ONCE, once per boot, so later TX timeouts show only as ' +
      'these resets. Each reset drops what was queued on the ring and brings the link down and up. The log holds no ring ' +
      'dump for them, so it cannot say which side of the ring stopped.',
    evidence: [...g.slice(0, 3), ...(g.length > 3 ? [last] : [])].map((r) => evidenceOf(r, source)),
    nextSteps: [
      `\`ethtool -S ${dev} | grep -i timeout\`: tx_timeout_count counts every one of these resets`,
      `the driver's hang dump ("Detected Tx Unit Hang" / "Detected Hardware Unit Hang") or the first NETDEV WATCHDOG of the boot (dmesg | grep -B2 -A12 "NETDEV WATCHDOG") says which side of the ring stopped`,
    ],
  };
}

/** One finding per device whose TX-timeout resets are logged without the watchdog line that explains them. */
export function resetOnlyFindings(
  records: readonly KernelRecord[],
  series: readonly TimeoutSeries[],
  source: string,
): Finding[] {
  // a reset the driver said was for a link that dropped with TX work queued is linkLossFindings()' to explain
  const forLinkLoss = linkLossResets(records);
  const resets = records.filter(
    (r): r is Reset =>
      r.kind === 'tx_recovery' &&
      !forLinkLoss.has(r) &&
      r.action === 'reset' &&
      TX_RESET_RE.test(r.text) &&
      !series.some((s) => isSeriesRecovery(r, s)),
  );
  return groupByDevice(resets).map((g) => resetFinding(g, series, source));
}
