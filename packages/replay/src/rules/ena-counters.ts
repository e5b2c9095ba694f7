/**
 * AWS's ENA in `ethtool -S`: besides the driver's own checks, the device reports the EC2 network allowances the
 * instance ran into (its ENI statistics, fetched by an admin command: ena_ethtool.c's ena_stats_eni_strings): packets
 * the hypervisor queued or dropped past the guest's TX path, which the qdisc and the driver counted as sent.
 * - bw_out_allowance_exceeded / bw_in_allowance_exceeded: the instance type's aggregate bandwidth, out / in;
 * - pps_allowance_exceeded: its packets per second, both directions together;
 * - conntrack_allowance_exceeded: its connection-tracking table (security groups track flows) was full;
 * - linklocal_allowance_exceeded: traffic to the link-local services (Route 53 resolver at 169.254.169.253, instance
 *   metadata, Time Sync) over their per-interface packet rate.
 * The driver's own TX checks beside them: tx_timeout (ena_tx_timeout(), dev_watchdog()), missing_tx_cmpl
 * (check_missing_comp_in_tx_queue()), missing_intr, total_resets.
 */
import type { NicStatsSnapshot } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { devName, snapshotFinding } from './snapshot-sequence.js';

type Snap = NicStatsSnapshot & { source: string };

/** ENA names these and no other driver does. */
export const isEna = (s: NicStatsSnapshot): boolean =>
  s.stats.has('bw_out_allowance_exceeded') && s.stats.has('pps_allowance_exceeded');

const EGRESS = [
  ['bw_out_allowance_exceeded', 'outbound bandwidth'],
  ['pps_allowance_exceeded', 'packets per second (both directions)'],
  ['conntrack_allowance_exceeded', 'connection tracking'],
  ['linklocal_allowance_exceeded', 'link-local services (DNS resolver, metadata, Time Sync)'],
] as const;
const DRIVER_CHECKS = ['tx_timeout', 'missing_tx_cmpl', 'missing_intr', 'total_resets'] as const;

/** Findings from one device's snapshots: since the driver loaded (one snapshot) or between the first and last. */
export function enaFindings(list: readonly Snap[]): Finding[] {
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const two = list.length > 1;
  const count = (name: string): number => (last.stats.get(name) ?? 0) - (two ? (first.stats.get(name) ?? 0) : 0);
  const exceeded = EGRESS.filter(([name]) => count(name) > 0);
  if (exceeded.length === 0) return [];
  const when = two ? 'between the snapshots' : 'since the driver loaded';
  const dev = devName(last);
  const inbound = count('bw_in_allowance_exceeded');
  const checks = DRIVER_CHECKS.filter((n) => last.stats.has(n)).map((n) => `${n} ${count(n)}`);
  const driverQuiet = DRIVER_CHECKS.every((n) => count(n) === 0);
  return [
    snapshotFinding(
      two ? [first, last] : [last],
      'ethtool:stats',
      (x) => `ethtool -S ${devName(x)}`,
      { kind: 'device_tx_drops', severity: 'warning', dev, queue: null },
      {
        title: `${dev} (ena): EC2 queued or dropped packets over the instance's allowances ${when}: ${exceeded.map(([n, what]) => `${what} ${count(n)} (${n})`).join(', ')}`,
        explanation:
          "The ENA device counts packets the EC2 hypervisor shaped — queued or dropped — because the instance went over its type's network allowance. That happens after the guest's TX path: the qdisc and the driver counted these packets as sent, so no queue stops and no watchdog fires." +
          (inbound > 0 ? ` Inbound bandwidth was over its allowance too (bw_in_allowance_exceeded ${inbound}).` : '') +
          (checks.length > 0
            ? driverQuiet
              ? ` The driver's own TX checks counted nothing (${checks.join(', ')}): no completion went missing past their timeouts.`
              : ` The driver's own TX checks count trouble as well (${checks.join(', ')}): read those first.`
            : '') +
          (two ? '' : ' One snapshot cannot say when: take two while the traffic runs.'),
        nextSteps: [
          `\`ethtool -S ${dev} | grep allowance\` twice a minute apart during the peak: counts that grow are shaping now`,
          "the instance type's network performance (baseline and burst bandwidth, packets per second): a larger or network-optimized type, fewer and larger packets (jumbo frames inside the VPC), or the traffic spread over instances",
        ],
      },
    ),
  ];
}
