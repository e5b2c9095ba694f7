/**
 * What `ethtool -S` snapshots say about the TX path (pure). Drivers name their counters differently; the ones read
 * here are those their TX paths bump: the watchdog's ndo_tx_timeout (igb/e1000e/ixgbe `tx_timeout_count`, mlx5 and
 * ena `tx_timeout`), a stopped queue woken again (igb/ixgbe `tx_restart_queue`, igb `tx_queue_N_restart`, mlx5
 * `tx_queue_wake`/`txN_wake`), NETDEV_TX_BUSY returned (ixgbe `tx_busy`), and packets sent. Counters run since the
 * driver loaded: one snapshot can only say that something happened at some time; two say what happened between.
 */
import type { NicStatsRead, NicStatsSnapshot } from '@txreplay/ingest/plain';
import type { Finding, NicCounterSummary, Severity } from '../types.js';
import { enaFindings, isEna } from './ena-counters.js';
import { isNetvsc, netvscFindings } from './netvsc-counters.js';
import {
  combineSnapshots,
  devName,
  lastWithDelta,
  perKey,
  snapshotFinding,
  type Snapshots,
} from './snapshot-sequence.js';

type Role = 'timeout' | 'restart' | 'busy' | 'stopped' | 'packets' | 'dropped';

const ROLES: readonly [RegExp, Role][] = [
  [/^tx_timeout(?:_count)?$|^tx_timeouts$/, 'timeout'],
  [/^tx_restart_queue$|^tx_queue_\d+_restart$|^tx_queue_wake$|^tx\d+_wake$/, 'restart'],
  [/^tx_busy$/, 'busy'],
  [/^tx_queue_stopped$|^tx\d+_stopped$/, 'stopped'],
  [/^tx_packets$/, 'packets'],
  [/^tx_dropped$/, 'dropped'],
];

const roleOf = (name: string): Role | null => ROLES.find(([re]) => re.test(name))?.[1] ?? null;

function sumRole(s: NicStatsSnapshot, role: Role): number | null {
  let n: number | null = null;
  for (const [name, v] of s.stats) if (roleOf(name) === role) n = (n ?? 0) + v;
  return n;
}

export type NicSnapshots = Snapshots<NicStatsSnapshot>;

/** Several inputs as one sequence per device (each input numbers its own blocks from 0). */
export const combineNicStats = (reads: readonly { read: NicStatsRead; source: string }[]): NicSnapshots =>
  combineSnapshots(reads, (s) => s.dev ?? '');

const byDevice = (all: NicSnapshots): (NicStatsSnapshot & { source: string })[][] =>
  perKey(all.snapshots, (s) => s.dev ?? '');

/** Per device: its TX counters (the last snapshot's), with what changed since its first. */
export function summarizeNicStats(all: NicSnapshots): NicCounterSummary[] {
  return byDevice(all).map((list) => {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const names = [...last.stats.keys()].filter((name) => roleOf(name) !== null);
    const counters = lastWithDelta(first.stats, last.stats, names, list.length > 1);
    return {
      source: first.source,
      line: first.line,
      dev: devName(first),
      snapshots: list.length,
      intervalSec: list.length > 1 ? all.intervalSec : null,
      counters,
    };
  });
}

function finding(
  s: NicStatsSnapshot & { source: string },
  prev: (NicStatsSnapshot & { source: string }) | null,
  kind: Finding['kind'],
  severity: Severity,
  text: Pick<Finding, 'title' | 'explanation' | 'nextSteps'>,
): Finding {
  const snaps = prev ? [prev, s] : [s];
  const note = (x: NicStatsSnapshot): string => `ethtool -S ${devName(x)}`;
  return snapshotFinding(snaps, 'ethtool:stats', note, { kind, severity, dev: devName(s), queue: null }, text);
}

const WATCHDOG_NEXT = (dev: string): string[] => [
  `find the NETDEV WATCHDOG lines and the driver's ring dump in dmesg (journalctl -k | grep -A20 'NETDEV WATCHDOG: ${dev}') and diagnose them with this`,
  `record the TX path through the next stall: txreplay capture --seconds 10 --dev ${dev} -o stall.txt`,
];

/** Findings per device: over consecutive snapshots when there are two or more, else from the one. */
export function findingsFromNicStats(all: NicSnapshots): Finding[] {
  const out: Finding[] = [];
  const span = all.intervalSec !== null ? `in ${all.intervalSec} s` : 'between two snapshots';
  for (const list of byDevice(all)) {
    if (isNetvsc(list[list.length - 1]!)) out.push(...netvscFindings(list));
    if (isEna(list[list.length - 1]!)) out.push(...enaFindings(list));
    if (list.length === 1) {
      const s = list[0]!;
      const n = sumRole(s, 'timeout') ?? 0;
      if (n > 0)
        out.push(
          finding(s, null, 'watchdog_timeout', 'warning', {
            title: `${devName(s)}: the driver's TX timeout handler has run ${n} time(s) since it loaded (ethtool -S)`,
            explanation:
              'The driver counts each ndo_tx_timeout() call: dev_watchdog() (net/sched/sch_generic.c) found a TX queue stopped for longer than watchdog_timeo. One snapshot cannot say when, or whether the queue moves now.',
            nextSteps: WATCHDOG_NEXT(devName(s)),
          }),
        );
      continue;
    }
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      const d = (role: Role): number => (sumRole(b, role) ?? 0) - (sumRole(a, role) ?? 0);
      const sent = sumRole(a, 'packets') !== null ? d('packets') : null;
      if (d('timeout') > 0)
        out.push(
          finding(b, a, 'watchdog_timeout', 'critical', {
            title: `${devName(b)}: the TX timeout handler ran ${d('timeout')} time(s) ${span}${sent !== null ? `, ${sent} packets sent` : ''}`,
            explanation:
              'Each is ndo_tx_timeout() called by dev_watchdog() (net/sched/sch_generic.c): a TX queue had been stopped longer than watchdog_timeo between these snapshots. The counters cannot say which side of the ring stopped.',
            nextSteps: WATCHDOG_NEXT(devName(b)),
          }),
        );
      const pushback = d('restart') + d('busy') + d('stopped');
      if (pushback > 0) {
        const share = sent !== null && sent > 0 ? pushback / sent : null;
        out.push(
          finding(b, a, 'ring_backpressure', share !== null && share >= 0.01 ? 'warning' : 'info', {
            title: `${devName(b)}: the TX ring was full ${pushback} time(s) ${span} (queue stopped and woken again${d('busy') > 0 ? `, ${d('busy')} NETDEV_TX_BUSY` : ''})${sent !== null ? ` against ${sent} packets sent` : ''}`,
            explanation:
              'The driver stops its TX queue when the ring has no room for a maximum-size packet (netif_tx_stop_queue) and wakes it from its completion path once enough descriptors are free; these counters count those stops and restarts (and NETDEV_TX_BUSY returns). Often: a busy link; always: the queue waits on completions.',
            nextSteps: [`compare the TX ring size with the traffic: ethtool -g ${devName(b)}`],
          }),
        );
      }
    }
  }
  return out;
}
