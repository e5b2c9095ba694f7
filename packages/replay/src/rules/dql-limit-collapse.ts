/**
 * dql_limit_collapse (§I.8): BQL stops a queue for good or after every packet. Two detectors: in-flight
 * bytes leaked (a stop held by STACK_XOFF with an empty ring: frees never reported to BQL, §B) and the limit
 * collapsed to min_limit (the kernel's DQL fed with this queue's stream, §A.4).
 */
import { limitAt } from '../expected-dql.js';
import type { Evidence } from '../types.js';
import { lowerBound } from '../input/growable.js';
import { driverHasBql } from '../profile.js';
import { FREES, findRowAt, fmtMs, type QueueRule, type StopRule } from './context.js';

/** A stop held by STACK_XOFF to the end of the trace although every transmitted skb was freed. */
export const bqlInflightLeak: StopRule = {
  kind: 'dql_limit_collapse',
  needs: {
    events: ['qdisc:qdisc_dequeue', 'net:net_dev_xmit', FREES],
    signals: ['STACK_XOFF stop open at the end', 'in-flight packets back to 0'],
  },
  when: (c, s) => s.drained && s.bql && s.open && c.q.inflightPackets <= 0 && s.comps > 0,
  report(c, s) {
    const { o, opt, d, q, add, ev, stallFindings } = c;
    const { iv, endRel, comps, stopEv, lastEv } = s;
    // §I.8 leak: dql_avail() = limit - (num_queued - num_completed) < 0 keeps STACK_XOFF set (§B), so BQL
    // still counts more than `limit` (≥ min_limit ≥ 0) bytes in flight — yet every transmitted skb was
    // freed. The frees since the stop did not reach dql_completed: bytes left the ring unreported.
    const k0 = lowerBound(q.completionTs, iv.startRel);
    const b0 = lowerBound(q.dqlCompletedTs, iv.startRel);
    let freedBytes = 0;
    for (let b = b0; b < q.dqlCompletedTs.length && q.dqlCompletedTs.get(b) <= endRel; b++)
      freedBytes += q.dqlCompletedBytes.get(b);
    const leakRel = q.completionTs.get(k0);
    const ex = opt.expected?.get(q);
    const lim = ex ? limitAt(ex, iv.startRel) : null;
    const frees: Evidence[] = [];
    for (let k = k0; k < q.completionTs.length && k < k0 + 4; k++) {
      const row = q.completionRows.get(k);
      const loc = o.rows.location(row);
      frees.push(
        ev(row, `transmitted skb freed${loc ? ` at ${loc}` : ''} while STACK_XOFF was set: not reported to BQL`),
      );
    }
    stallFindings.push(
      add(
        'dql_limit_collapse',
        'critical',
        d.name,
        q.queue,
        leakRel,
        endRel,
        `BQL in-flight bytes leaked: txq ${q.queue} held by STACK_XOFF for ${fmtMs(endRel - leakRel)} with an empty ring — ${comps} skb(s), ${freedBytes} bytes, freed without netdev_tx_completed_queue`,
        `STACK_XOFF stays set only while dql_avail() = limit − (num_queued − num_completed) < 0 (§B): BQL still counts more than its limit${lim !== null ? ` (${lim} bytes in the model fed with this queue's stream)` : ''} in flight. But every transmitted skb has been freed — the last ${comps} (${freedBytes} bytes) while the queue was held — so those frees never reached dql_completed: a driver error/reset path freed ring skbs without netdev_tx_completed_queue or netdev_tx_reset_queue (§I.8 "inflight never returns to 0", §I.5, §G.2 macb_tx_error_task). Nothing is left to complete, so the queue stays stopped for good; the qdisc fills and drops (ENOBUFS).`,
        [stopEv, ...frees, lastEv],
        [
          'cat /sys/class/net/<dev>/queues/tx-N/byte_queue_limits/inflight (stays > 0 while idle)',
          'find the driver path that frees TX skbs without netdev_tx_completed_queue / netdev_tx_reset_queue (macb: macb_tx_error_task)',
          'workaround: ip link set <dev> down/up (netdev_tx_reset_queue)',
        ],
      ),
    );
  },
};

/** The model's DQL, fed with the queue's transmits and completion passes, stays at min_limit (§I.8). */
export const dqlLimitCollapsed: QueueRule = {
  kind: 'dql_limit_collapse',
  needs: {
    events: ['net:net_dev_xmit', FREES],
    signals: [
      'BQL known to run: STACK_XOFF seen or a BQL driver in the profile',
      "the model's DQL limit over time (expected-dql.ts)",
    ],
  },
  run(c) {
    const { o, opt, d, q, prof, add, ev, stallFindings } = c;
    // ---- §I.8 limit collapse: the kernel's DQL fed with this stream sits at min_limit with dql_avail() < 0
    // after every packet (STACK_XOFF after each one). Only for queues known to run BQL: STACK_XOFF seen in the
    // trace, or a BQL driver in the profile (veth and lo have no byte queue limits).
    const collapse = opt.expected?.get(q)?.collapse;
    const bqlKnown =
      q.intervals.some((iv) => iv.state === 'STACK_XOFF') || driverHasBql(prof.driver, prof.kernel) === true;
    if (
      collapse &&
      bqlKnown &&
      collapse.packets >= 64 &&
      collapse.endRel - collapse.startRel >= opt.stallNs &&
      !stallFindings.some((f) => f.kind === 'dql_limit_collapse')
    ) {
      const first = findRowAt(o, collapse.startRel, 'net:net_dev_xmit', d.name);
      const last = findRowAt(o, collapse.endRel, 'net:net_dev_xmit', d.name);
      add(
        'dql_limit_collapse',
        'warning',
        d.name,
        q.queue,
        collapse.startRel,
        collapse.endRel,
        `DQL limit collapsed to min_limit (${collapse.limitBytes} bytes) on txq ${q.queue}: over the limit after every one of ${collapse.packets} packets for ${fmtMs(collapse.endRel - collapse.startRel)}`,
        `The kernel's DQL (lib/dynamic_queue_limits.c), fed with this queue's transmits (dql_queued) and completion passes (dql_completed), keeps limit = min_limit and dql_avail() < 0 after every single packet: each completion comes while the queue is still over the limit with more in flight, so dql_completed only ever finds slack and never a starvation increase (§A.4). netdev_tx_sent_queue then sets STACK_XOFF after each packet and only the next completion releases it: one packet per completion, throughput collapses (§I.8).`,
        [
          ...(first >= 0 ? [ev(first, 'first transmit of the run: over the limit right after dql_queued')] : []),
          ...(last >= 0 ? [ev(last, 'last transmit of the run')] : []),
        ],
        [
          'cat /sys/class/net/<dev>/queues/tx-N/byte_queue_limits/{limit,inflight,limit_min}',
          'check the driver reports every completed byte once per clean pass (netdev_tx_completed_queue)',
          'as a workaround raise limit_min',
        ],
      );
    }
  },
};
