/**
 * napi_starvation (§F, §I.12): the NAPI that must make room in the ring runs late. Two detectors: a peer
 * NAPI that did not drain during a stop (veth), and a NAPI that went longer than netdev_budget_usecs
 * without a poll while NETDEV_TX_BUSY stops were being woken.
 */
import type { ObservedInterval } from '../observe/records.js';
import { fmtMs, maxGap, STOP_SEEN, sumIn, type QueueRule, type StopRule } from './context.js';
import { backpressureStops } from './ring-backpressure.js';

export const peerNapiNotDraining: StopRule = {
  kind: 'napi_starvation',
  needs: {
    events: [STOP_SEEN, 'napi:napi_poll'],
    signals: ["a device completed by its peer's NAPI (veth)"],
  },
  when: (c, s) => c.peerDriven && !s.drained,
  report(c, s) {
    const { d, q, napiWho, add, stallFindings } = c;
    const { iv, endRel, dur, stopEv, lastEv } = s;
    stallFindings.push(
      add(
        'napi_starvation',
        'warning',
        d.name,
        q.queue,
        iv.startRel,
        endRel,
        `txq ${q.queue} stopped ${fmtMs(dur)} while the peer NAPI (${napiWho}) did not drain its ring`,
        `The sender's txq is stopped by ring backpressure and only the receiving NAPI can make room (§F, §I.12); it did not run to completion during the stop.`,
        [stopEv, lastEv],
        ['check the NAPI thread/softirq CPU time (top -H, /proc/net/softnet_stat time_squeeze)'],
      ),
    );
  },
};

export const napiStarvedDuringBackpressure: QueueRule = {
  kind: 'napi_starvation',
  needs: {
    events: ['net:net_dev_xmit', 'napi:napi_poll'],
    signals: ['NETDEV_TX_BUSY stops that were woken', 'gaps between NAPI polls'],
  },
  run(c) {
    const closedBusy = backpressureStops(c.q);
    if (!closedBusy) return;
    const { opt, d, q, pollLists, fullLists, compDevs, napiWho, budgetNs, add, ev } = c;
    // the NAPI that must make room ran late: starvation (§F, §I.12)
    let worst: { iv: ObservedInterval; gap: number } | null = null;
    for (const iv of closedBusy) {
      const gap = maxGap(pollLists, iv.startRel, iv.endRel);
      if (!worst || gap > worst.gap) worst = { iv, gap };
    }
    const fullPolls = closedBusy.reduce((s, iv) => s + sumIn(fullLists, iv.startRel, iv.endRel), 0);
    if (worst && worst.gap > budgetNs && compDevs.length > 0) {
      add(
        'napi_starvation',
        'warning',
        d.name,
        q.queue,
        worst.iv.startRel,
        worst.iv.endRel,
        `NAPI starved: ${napiWho} went ${fmtMs(worst.gap)} without a poll while txq ${q.queue} was stopped (${fullPolls} polls hit the budget)`,
        `While the queue was stopped, the NAPI that drains the ring (${napiWho}) went longer than netdev_budget_usecs (${fmtMs(budgetNs)} at HZ=${opt.hz}) without running${fullPolls > 0 ? `, and ${fullPolls} of its polls returned work == budget (still more to do)` : ''}. Completion and wake are delayed by CPU starvation, not by a hardware fault (§F, §I.12).`,
        [ev(worst.iv.startRow, 'queue stopped'), ev(worst.iv.endRow, 'queue running again')],
        [
          'check the NAPI kthread priority/affinity (ps -eLo pid,cls,ni,psr,comm | grep napi)',
          '/proc/net/softnet_stat column 3 (time_squeeze)',
        ],
      );
    }
  },
};
