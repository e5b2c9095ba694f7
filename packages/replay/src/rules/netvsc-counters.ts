/**
 * Hyper-V's synthetic NIC (hv_netvsc) in `ethtool -S`: its TX path is a VMBus channel to the host, not a ring a
 * NIC fetches from, and its counters say where that channel pushed back.
 * - rx_comp_busy: send_recv_completions() (drivers/net/hyperv/netvsc.c) could not put a receive completion on the
 *   channel's outbound ring (vmbus_sendpacket() failed: the ring to the host was full). Before "hv_netvsc: Fix napi
 *   reschedule while receive completion is busy" (mainline July 2018, v4.18) the channel's NAPI poll was not
 *   rescheduled at that moment and could stop for good — receives and send completions of that channel both stop,
 *   the network disconnect Microsoft's maintainers point at for this counter.
 * - tx_send_full: netvsc_send() found no free section of the send buffer (the host had not completed enough earlier
 *   sends) and sent the packet as page buffers instead: slower, not a drop.
 * - tx_busy / tx_no_space: a send refused with -EAGAIN (NETDEV_TX_BUSY, requeued) or -ENOSPC (dropped).
 */
import type { NicStatsSnapshot } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { devName, snapshotFinding } from './snapshot-sequence.js';

type Snap = NicStatsSnapshot & { source: string };

/** netvsc names these two and no other driver does. */
export const isNetvsc = (s: NicStatsSnapshot): boolean => s.stats.has('tx_send_full') && s.stats.has('rx_comp_busy');

/** Packets sent on the queues the snapshot shows (a paste may be cut before the last queue), and how many queues. */
const sentOf = (s: NicStatsSnapshot): { packets: number; queues: number } | null => {
  let packets = 0;
  let queues = 0;
  for (const [name, v] of s.stats)
    if (/^tx_queue_\d+_packets$/.test(name)) {
      packets += v;
      queues++;
    }
  return queues > 0 ? { packets, queues } : null;
};

/** Findings from one device's snapshots: since the driver loaded (one snapshot) or between the first and last. */
export function netvscFindings(list: readonly Snap[]): Finding[] {
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const two = list.length > 1;
  const count = (name: string): number => (last.stats.get(name) ?? 0) - (two ? (first.stats.get(name) ?? 0) : 0);
  const sentLast = sentOf(last);
  const sent = sentLast === null ? null : sentLast.packets - (two ? (sentOf(first)?.packets ?? 0) : 0);
  const when = two ? 'between the snapshots' : 'since the driver loaded';
  const snaps = two ? [first, last] : [last];
  const dev = devName(last);
  const at = (kind: Finding['kind'], severity: Finding['severity']) => ({ kind, severity, dev, queue: null });
  const note = (x: Snap): string => `ethtool -S ${devName(x)}`;
  const out: Finding[] = [];
  const busy = count('rx_comp_busy');
  if (busy > 0)
    out.push(
      snapshotFinding(snaps, 'ethtool:stats', note, at('lost_interrupt', 'warning'), {
        title: `${dev} (hv_netvsc): a receive completion found the channel to the host full ${busy} time(s) ${when} (rx_comp_busy) — the moment older kernels stop the channel's NAPI poll for good`,
        explanation:
          'send_recv_completions() (drivers/net/hyperv/netvsc.c) could not put a receive completion on the VMBus ring to the host. Kernels without "hv_netvsc: Fix napi reschedule while receive completion is busy" (mainline July 2018, v4.18) did not reschedule NAPI then, so the poll could stop for good: receives and send completions of that channel stop together and the guest drops off the network. The counter says the condition happened, not that the poll stopped: one snapshot cannot say whether traffic still moves.',
        nextSteps: [
          `\`uname -r\`: a kernel older than v4.18 (or a distribution kernel without that fix backported — CentOS 7.5's 3.10.0-862, say) needs an update, or Microsoft's LIS drivers, before anything else`,
          `\`ethtool -S ${dev}\` twice a few seconds apart while traffic is lost: rx_queue_N_packets that stop moving on one queue while others move is that channel's poll stopped`,
        ],
      }),
    );
  const full = count('tx_send_full');
  if (full > 0) {
    const share =
      sent !== null && sent > 0 && sentLast !== null
        ? ` against ${sent} packets sent on the ${sentLast.queues} queue(s) shown (${((100 * full) / sent).toFixed(3)}%)`
        : '';
    out.push(
      snapshotFinding(snaps, 'ethtool:stats', note, at('ring_backpressure', 'info'), {
        title: `${dev} (hv_netvsc): ${full} send(s) ${when} found the send buffer full and went as page buffers${share}`,
        explanation:
          "netvsc_send() copies small packets into a section of the send buffer shared with the host; with no section free (the host had not yet completed earlier sends) it counts tx_send_full and hands the host the packet's pages instead. Slower, not a loss: the host is slow to complete sends.",
        nextSteps: [
          `tx_busy (${count('tx_busy')}) and tx_no_space (${count('tx_no_space')}) say whether sends were refused: 0 means every packet reached the host`,
        ],
      }),
    );
  }
  return out;
}
