/**
 * What a TX queue's sysfs files say (pure): BQL's byte_queue_limits (§B: `inflight` = num_queued − num_completed,
 * `limit`; 6.9+ `stall_cnt`/`stall_max`, §A.5) and `tx_timeout`, the queue's trans_timeout that dev_watchdog bumps
 * when it times the queue out (§E). At one moment they show whether BQL holds the queue stopped (STACK_XOFF is set
 * while inflight > limit: netdev_tx_sent_queue, §B); over two moments, whether any completion ran in between.
 */
import type { QueueSysfsRead, QueueSysfsSnapshot } from '@txreplay/ingest/plain';
import type { Finding, QueueSysfsSummary, Severity } from '../types.js';
import { combineSnapshots, lastWithDelta, perKey, snapshotFinding, type Snapshots } from './snapshot-sequence.js';

type Snap = QueueSysfsSnapshot & { source: string };

export type QueueSnapshots = Snapshots<QueueSysfsSnapshot>;

/** Several inputs as one sequence per queue (each input numbers its own snapshots from 0). */
export const combineQueueSysfs = (reads: readonly { read: QueueSysfsRead; source: string }[]): QueueSnapshots =>
  combineSnapshots(reads, (s) => `${s.dev}/${s.queue}`);

const byQueue = (all: QueueSnapshots): Snap[][] => perKey(all.snapshots, (s) => `${s.dev}/${s.queue}`);

/** BQL holds the queue stopped: avail = limit − inflight < 0 (dql_avail, §B). */
const bqlStopped = (s: Snap): boolean =>
  s.values.has('limit') && s.values.has('inflight') && s.values.get('inflight')! > s.values.get('limit')!;

/** Per queue: its files (the last snapshot's), with what changed since its first. */
export function summarizeQueueSysfs(all: QueueSnapshots): QueueSysfsSummary[] {
  return byQueue(all).map((list) => {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    return {
      source: first.source,
      line: first.line,
      dev: first.dev,
      queue: first.queue,
      snapshots: list.length,
      intervalSec: list.length > 1 ? all.intervalSec : null,
      bqlStopped: bqlStopped(last),
      values: lastWithDelta(first.values, last.values, last.values.keys(), list.length > 1),
    };
  });
}

function finding(
  list: readonly Snap[],
  kind: Finding['kind'],
  severity: Severity,
  text: Pick<Finding, 'title' | 'explanation' | 'nextSteps'>,
): Finding {
  const s = list[list.length - 1]!;
  const note = (x: Snap): string => `${x.dev} tx-${x.queue}: ${[...x.values].map(([k, v]) => `${k} ${v}`).join(', ')}`;
  return snapshotFinding(list, 'sysfs:queue', note, { kind, severity, dev: s.dev, queue: s.queue }, text);
}

const CAPTURE_NEXT = (dev: string): string =>
  `record the TX path through the next stall: txreplay capture --seconds 10 --dev ${dev} -o stall.txt`;

/** Two snapshots of one queue: timeouts, a stall the detector saw, and in-flight bytes nothing completed. */
function pairFindings(a: Snap, b: Snap, span: string): Finding[] {
  const out: Finding[] = [];
  const where = `${b.dev} txq ${b.queue}`;
  const d = (name: string): number | null =>
    a.values.has(name) && b.values.has(name) ? b.values.get(name)! - a.values.get(name)! : null;
  const timeouts = d('tx_timeout');
  if (timeouts !== null && timeouts > 0)
    out.push(
      finding([a, b], 'watchdog_timeout', 'critical', {
        title: `${where}: dev_watchdog timed the queue out ${timeouts} time(s) ${span} (tx_timeout)`,
        explanation:
          "dev_watchdog() (net/sched/sch_generic.c) bumps the queue's trans_timeout when it finds it stopped longer than watchdog_timeo, then calls the driver's ndo_tx_timeout (§E).",
        nextSteps: [
          `journalctl -k | grep -A20 'NETDEV WATCHDOG' — and diagnose that log with this`,
          CAPTURE_NEXT(b.dev),
        ],
      }),
    );
  const inflight = b.values.get('inflight');
  if (inflight !== undefined && inflight > 0 && d('inflight') === 0) {
    const stopped = bqlStopped(b);
    out.push(
      finding([a, b], stopped ? 'stack_xoff_stuck' : 'dql_limit_collapse', stopped ? 'critical' : 'warning', {
        title: stopped
          ? `${where}: ${inflight} bytes in flight over a limit of ${b.values.get('limit')} and no completion ${span}: BQL holds the queue stopped`
          : `${where}: the same ${inflight} bytes in flight ${span}: nothing handed to the driver completed`,
        explanation: stopped
          ? 'netdev_tx_sent_queue set STACK_XOFF when inflight passed the limit (§B); only netdev_tx_completed_queue clears it, and no completion was reported between the snapshots: a lost TX interrupt, a ring the hardware stopped fetching, or bytes freed without netdev_tx_completed_queue/netdev_tx_reset_queue (a ring reset) that stay counted forever (§I.5, §I.8). dev_watchdog fires on it after watchdog_timeo.'
          : 'inflight is num_queued − num_completed (§B): bytes the driver queued and never reported complete. On an idle queue it returns to 0 within a poll; unchanged, either completions stopped or the driver freed skbs without netdev_tx_completed_queue/netdev_tx_reset_queue (leaked bytes, §I.8), which stop the queue once they pass the limit.',
        nextSteps: [
          `watch it: grep . /sys/class/net/${b.dev}/queues/tx-${b.queue}/byte_queue_limits/inflight (idle: 0); /proc/interrupts for the queue's IRQ`,
          CAPTURE_NEXT(b.dev),
        ],
      }),
    );
  }
  const stalls = d('stall_cnt');
  if (stalls !== null && stalls > 0)
    out.push(
      finding([a, b], 'dql_stall', 'warning', {
        title: `${where}: BQL's stall detector counted ${stalls} stall(s) ${span} (longest ${b.values.get('stall_max') ?? '?'} jiffies since cleared)`,
        explanation:
          'dql_check_stall (lib/dynamic_queue_limits.c, 6.9+, §A.5) counts a stall when queued bytes waited longer than stall_thrs jiffies for their completion; completions resumed late.',
        nextSteps: [CAPTURE_NEXT(b.dev)],
      }),
    );
  return out;
}

/** Findings per queue: over consecutive snapshots when there are two or more, else what one shows by itself. */
export function findingsFromQueueSysfs(all: QueueSnapshots): Finding[] {
  const out: Finding[] = [];
  const span = all.intervalSec !== null ? `in ${all.intervalSec} s` : 'between two snapshots';
  for (const list of byQueue(all)) {
    if (list.length > 1) {
      for (let i = 1; i < list.length; i++) out.push(...pairFindings(list[i - 1]!, list[i]!, span));
      continue;
    }
    const s = list[0]!;
    const n = s.values.get('tx_timeout') ?? 0;
    if (n > 0)
      out.push(
        finding([s], 'watchdog_timeout', 'warning', {
          title: `${s.dev} txq ${s.queue}: dev_watchdog has timed the queue out ${n} time(s) since the device came up (tx_timeout)`,
          explanation:
            "dev_watchdog() bumps the queue's trans_timeout each time it finds it stopped longer than watchdog_timeo (§E). One snapshot cannot say when, or whether the queue moves now.",
          nextSteps: [`journalctl -k | grep -A20 'NETDEV WATCHDOG'`, CAPTURE_NEXT(s.dev)],
        }),
      );
  }
  return out;
}
