/**
 * What `ip -s link` snapshots say about a device's TX side (pure): the link state (NO-CARRIER, operstate) and the
 * rtnl_link_stats64 TX counters — packets sent by the driver, `dropped` (packets the driver or core freed after the
 * qdisc handed them over: veth to a peer that is down or whose ring is full, a NIC that could not map one), `errors`
 * and `carrier` (errors the hardware reported). The counters cannot show a stopped queue or a qdisc backlog (tc -s
 * shows those), so they never make a verdict healthy on their own.
 */
import type { LinkStatsRead, LinkStatsSnapshot } from '@txreplay/ingest/plain';
import type { Finding, LinkCounterSummary, Severity } from '../types.js';
import { combineSnapshots, lastWithDelta, perKey, snapshotFinding, type Snapshots } from './snapshot-sequence.js';

type Snap = LinkStatsSnapshot & { source: string };

export type LinkSnapshots = Snapshots<LinkStatsSnapshot>;

/** Several inputs as one sequence per device (each input numbers its own snapshots from 0). */
export const combineLinkStats = (reads: readonly { read: LinkStatsRead; source: string }[]): LinkSnapshots =>
  combineSnapshots(reads, (s) => s.dev);

/** Per device; the loopback device carries no NIC's TX path (summarised by the trace's own rules when traced). */
const byDevice = (all: LinkSnapshots): Snap[][] =>
  perKey(all.snapshots, (s) => s.dev).filter((list) => !list[0]!.flags.includes('LOOPBACK'));

const TX = ['tx_packets', 'tx_bytes', 'tx_dropped', 'tx_errors', 'tx_carrier'];

/** Per device: its link state and TX counters (the last snapshot's), with what changed since its first. */
export function summarizeLinkStats(all: LinkSnapshots): LinkCounterSummary[] {
  return byDevice(all).map((list) => {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    return {
      source: first.source,
      line: first.line,
      dev: first.dev,
      snapshots: list.length,
      intervalSec: list.length > 1 ? all.intervalSec : null,
      flags: last.flags,
      operstate: last.operstate,
      rounded: list.some((s) => s.rounded),
      counters: lastWithDelta(
        first.stats,
        last.stats,
        TX.filter((n) => last.stats.has(n)),
        list.length > 1,
      ),
    };
  });
}

/**
 * `<FLAGS> state X` as `ip link` prints them, leaving out what the tool did not show: ifconfig, netstat -i and
 * /proc/net/dev print no operstate, and a netstat -i header cut short (or /proc/net/dev) no flags.
 */
export function linkStateText(flags: readonly string[], operstate: string | null): string {
  const parts: string[] = [];
  if (flags.length > 0) parts.push(`<${flags.join(',')}>`);
  if (operstate !== null) parts.push(`state ${operstate}`);
  return parts.join(' ');
}

/** No carrier: the driver (or veth, for a peer that is down) called netif_carrier_off. */
const carrierDown = (s: Snap): boolean => s.flags.includes('NO-CARRIER') || s.operstate === 'DOWN';

function finding(
  list: readonly Snap[],
  kind: Finding['kind'],
  severity: Severity,
  text: Pick<Finding, 'title' | 'explanation' | 'nextSteps'>,
): Finding {
  const note = (x: Snap): string =>
    `${[x.dev, linkStateText(x.flags, x.operstate)].filter((t) => t !== '').join(' ')}: TX packets ${x.stats.get('tx_packets') ?? '?'}, dropped ${x.stats.get('tx_dropped') ?? '?'}, errors ${x.stats.get('tx_errors') ?? '?'}`;
  return snapshotFinding(list, 'ip:link_stats', note, { kind, severity, dev: list[0]!.dev, queue: null }, text);
}

const CARRIER_WHY =
  'With no carrier, linkwatch deactivates the device (dev_deactivate: the noop qdisc takes its queues) and dev_watchdog does not check it (it needs netif_carrier_ok); a veth loses carrier when its peer goes down (veth_close), and packets already on their way are dropped by veth_xmit.';

/** Findings per device: over consecutive snapshots when there are two or more, else what one shows by itself. */
export function findingsFromLinkStats(all: LinkSnapshots): Finding[] {
  const out: Finding[] = [];
  const span = all.intervalSec !== null ? `in ${all.intervalSec} s` : 'between two snapshots';
  for (const list of byDevice(all)) {
    const last = list[list.length - 1]!;
    if (list.length === 1) {
      if (carrierDown(last))
        out.push(
          finding([last], 'peer_down', 'warning', {
            title: `${last.dev}: no carrier (${linkStateText(last.flags, last.operstate)}): nothing can be sent`,
            explanation: CARRIER_WHY,
            nextSteps: [`ip link show ${last.dev} (and its peer's, for a veth); dmesg for "Link is Down"`],
          }),
        );
      continue;
    }
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      const d = (n: string): number => (b.stats.get(n) ?? 0) - (a.stats.get(n) ?? 0);
      const sent = d('tx_packets');
      const lost = d('tx_dropped') + d('tx_errors') + d('tx_carrier');
      if (carrierDown(b))
        out.push(
          finding([a, b], 'peer_down', 'warning', {
            title: `${b.dev}: ${carrierDown(a) ? 'no carrier' : 'carrier lost'} ${span} (${linkStateText(b.flags, b.operstate)}); ${d('tx_dropped')} packets dropped by the device, ${sent} sent`,
            explanation: CARRIER_WHY,
            nextSteps: [`ip link show ${b.dev} (and its peer's, for a veth); dmesg for "Link is Down"`],
          }),
        );
      else if (lost > 0)
        out.push(
          finding([a, b], 'device_tx_drops', 'warning', {
            title: `${b.dev}: the device dropped ${d('tx_dropped')} and failed ${d('tx_errors') + d('tx_carrier')} packet(s) ${span} against ${sent} sent`,
            explanation:
              "TX dropped counts packets the driver freed after the qdisc handed them over (ndo_start_xmit returned NETDEV_TX_OK without sending: no descriptor or DMA mapping, a veth peer's full ring); errors and carrier are what the hardware reported. The qdisc counted them as sent: they are missing from tc's drops and the sender saw no error.",
            nextSteps: [`ethtool -S ${b.dev} twice (the driver's own counters name the cause)`],
          }),
        );
    }
  }
  return out;
}
