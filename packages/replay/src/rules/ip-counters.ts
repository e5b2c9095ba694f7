/**
 * What the host's IP and UDP send counters (`nstat -az`, `netstat -s`) say about ENOBUFS (pure). IpOutDiscards is
 * ip_send_skb()'s count of every error below IP for locally generated IPv4 packets: a qdisc that refused the packet
 * (NET_XMIT_DROP, which net_xmit_errno() makes -ENOBUFS), a neighbour table that is full (-ENOBUFS from
 * __neigh_create), a netfilter OUTPUT drop (-EPERM). A sender with IP_RECVERR (ping) gets the error; a UDP socket
 * without it is told the send succeeded and udp_send_skb() counts UdpSndbufErrors instead. The counters are the
 * whole host's (per network namespace): they name no device, and one snapshot is totals since boot.
 */
import type { IpCounterSnapshot, IpCountersRead } from '@txreplay/ingest/plain';
import type { Finding, IpCounterSummary } from '../types.js';
import { combineSnapshots, lastWithDelta, snapshotFinding, type Snapshots } from './snapshot-sequence.js';

type Snap = IpCounterSnapshot & { source: string };

/** Several inputs (before.txt after.txt) as one sequence: the counters are the namespace's, one key. */
export const combineIpCounters = (
  reads: readonly { read: IpCountersRead; source: string }[],
): Snapshots<IpCounterSnapshot> => combineSnapshots(reads, () => 'host');

/**
 * The two families: IPv6 counts the same way — ip6_send_skb() counts Ip6OutDiscards for every error of
 * ip6_local_out(), udp_v6_send_skb() hides an -ENOBUFS from a socket without IPV6_RECVERR in Udp6SndbufErrors.
 */
const FAMILIES = [
  {
    ip: 'Ip',
    udp: 'Udp',
    name: 'IPv4',
    dev: '(IPv4 stack)',
    send: 'ip_send_skb',
    udpSend: 'udp_send_skb',
    recverr: 'IP_RECVERR',
  },
  {
    ip: 'Ip6',
    udp: 'Udp6',
    name: 'IPv6',
    dev: '(IPv6 stack)',
    send: 'ip6_send_skb',
    udpSend: 'udp_v6_send_skb',
    recverr: 'IPV6_RECVERR',
  },
] as const;

/** The counters of the last snapshot, with what changed since the first when both are totals. */
export function summarizeIpCounters(all: Snapshots<IpCounterSnapshot>): IpCounterSummary[] {
  const list = all.snapshots;
  if (list.length === 0) return [];
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const totals = !list.some((s) => s.increments);
  return [
    {
      source: first.source,
      line: first.line,
      tool: last.tool === first.tool ? first.tool : `${first.tool} … ${last.tool}`,
      snapshots: list.length,
      intervalSec: list.length > 1 ? all.intervalSec : null,
      increments: !totals,
      counters: lastWithDelta(first.counters, last.counters, last.counters.keys(), totals && list.length > 1),
    },
  ];
}

const note = (s: Snap): string =>
  `${s.tool === 'nstat' && s.increments ? 'nstat (increments since its previous run)' : s.tool}: ${[...s.counters].map(([k, v]) => `${k} ${v}`).join(', ')}`;

/** Packets refused below IP between the snapshots (or in an increments snapshot of nstat), per family. */
export function findingsFromIpCounters(all: Snapshots<IpCounterSnapshot>): Finding[] {
  const list = all.snapshots as Snap[];
  const grown = (name: string): number | null => {
    const inc = list.filter((s) => s.increments && s.counters.has(name));
    if (inc.length > 0) return inc.reduce((n, s) => n + s.counters.get(name)!, 0);
    const tot = list.filter((s) => s.counters.has(name));
    return tot.length > 1 ? tot[tot.length - 1]!.counters.get(name)! - tot[0]!.counters.get(name)! : null;
  };
  const span = all.intervalSec !== null ? ` in ${all.intervalSec} s` : '';
  return FAMILIES.flatMap((f) => {
    const discards = grown(`${f.ip}OutDiscards`);
    if (discards === null || discards <= 0) return [];
    const sndbuf = grown(`${f.udp}SndbufErrors`);
    const requests = grown(`${f.ip}OutRequests`);
    const udp =
      sndbuf !== null && sndbuf > 0
        ? `; UDP counted ${sndbuf} send buffer error(s): sockets without ${f.recverr} were told those sends succeeded`
        : '';
    return [
      snapshotFinding(
        list,
        'nstat:ip',
        note,
        { kind: 'ip_out_discards', severity: 'warning', dev: f.dev, queue: null },
        {
          title: `${discards} locally sent ${f.name} packet(s) refused below IP${span}${requests !== null ? ` of ${requests} sent` : ''} (${f.ip}OutDiscards)${udp}`,
          explanation: `${f.send}() counts ${f.ip}OutDiscards for every error the local output returns: a qdisc that refused the packet at enqueue (NET_XMIT_DROP → -ENOBUFS, net_xmit_errno: the sender's \`No buffer space available\`), a full neighbour table (-ENOBUFS from __neigh_create, with 'neighbour table overflow' in the log), or a netfilter OUTPUT drop (-EPERM). A sender with ${f.recverr} (ping sets it) sees the error; ${f.udpSend}() hides an -ENOBUFS from a socket without it, counts it in ${f.udp}SndbufErrors and returns success. TCP does not go through ${f.send} and is not counted here. The counters name no device: tc -s qdisc's drops say which qdisc refused them.`,
          nextSteps: [
            'tc -s qdisc show (drops at the same time: the qdisc that refused them); dmesg for "neighbour table overflow"',
            `nstat -az ${f.ip}OutDiscards ${f.udp}SndbufErrors; sleep 5; nstat -az ${f.ip}OutDiscards ${f.udp}SndbufErrors — while it happens`,
          ],
        },
      ),
    ];
  });
}
