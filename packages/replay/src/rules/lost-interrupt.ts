/**
 * lost_interrupt (§I.1, §F): data in flight, no NAPI poll and no completion: the TX interrupt was lost or
 * masked. Two detectors: during a long stop, and for in-flight data at the end of a queue that never stopped.
 */
import { txIrqOnlyAfterTransmit } from '../profile.js';
import type { AlternativeReading, Finding } from '../types.js';
import { findRowAt, fmtMs, STOP_SEEN, type QueueRule, type StopRule } from './context.js';
import { inflightFacts } from './inflight.js';

/**
 * The same evidence on a macb/GEM, whose TX-complete interrupt comes only after the controller transmitted
 * (macb_main.c macb_interrupt → TCOMP): no poll then means the controller stopped fetching, not a lost interrupt.
 * Given only when nothing names the device's driver (driver-evidence.ts).
 */
function withMacbReading(f: Finding, driverKnown: boolean, q: number): Finding {
  if (driverKnown) return f;
  const alt: AlternativeReading = {
    kind: 'stuck_dma',
    driver: 'macb',
    title: `stuck DMA: on macb/GEM the TX interrupt fires only after a transmit, so no poll on txq ${q} means the controller stopped fetching the ring (§I.2, §G.2)`,
  };
  f.alternatives = [...(f.alternatives ?? []), alt];
  f.explanation += ` The driver is not named by any flag, trace field or log: this reading assumes a TX interrupt per completion (igb, virtio_net); on macb/GEM the same evidence is stuck DMA (--driver macb).`;
  return f;
}

export const lostInterruptDuringStop: StopRule = {
  kind: 'lost_interrupt',
  needs: {
    events: [STOP_SEEN, 'napi:napi_poll'],
    signals: ['no NAPI poll of the device during the stop'],
  },
  when: (c, s) => s.polls === 0 && !c.peerDriven,
  report(c, s) {
    const { o, d, q, add, ev, stallFindings } = c;
    const { endRel, dur, firstTimeout, bql, stallStartRel, stopEv, lastEv } = s;
    const found = add(
      'lost_interrupt',
      'critical',
      d.name,
      q.queue,
      stallStartRel,
      endRel,
      `lost TX interrupt: txq ${q.queue} ${bql ? 'held by BQL (STACK_XOFF)' : 'stopped'} for ${fmtMs(dur)} with no NAPI poll and no completion`,
      `The queue stopped with data in flight, and for ${fmtMs(dur)} no napi_poll ran for ${d.name} and no transmitted skb was freed. TX completions arrive only through interrupt → napi_schedule → poll (§F); nothing polled, so the interrupt was lost or masked (§I.1). The watchdog fires after watchdog_timeo if the queue stays stopped (§E).`,
      [
        stopEv,
        lastEv,
        ...(firstTimeout !== undefined
          ? [
              ev(
                d.timeoutRows.find((r) => o.rows.tsRel(r) === firstTimeout)!,
                'watchdog fired: ndo_tx_timeout resets the ring',
              ),
            ]
          : []),
      ],
      [
        'cat /proc/interrupts for the device TX vector (does it still count?)',
        'check ethtool -S for tx_timeout / reset counters',
        'enable stall_thrs in byte_queue_limits to get dql_stall_detected',
      ],
    );
    stallFindings.push(withMacbReading(found, c.prof.driver !== undefined, q.queue));
  },
};

/** Packets handed to a queue that never stopped, never completed, and no NAPI poll since (not a macb). */
export const lostInterruptInflight: QueueRule = {
  kind: 'lost_interrupt',
  needs: {
    events: ['net:net_dev_xmit', 'napi:napi_poll'],
    signals: ['transmits after the last completion', 'frees (skb:consume_skb) or a watchdog timeout to corroborate'],
  },
  run(c) {
    const f0 = inflightFacts(c);
    if (!f0 || f0.doorbell || !f0.stalled || f0.polls !== 0 || txIrqOnlyAfterTransmit(c.prof.driver)) return;
    const { o, d, q, add, ev, stallFindings } = c;
    const { haveFrees, fromRel, dur, xmitsAfter } = f0;
    const basis = haveFrees ? 'none of them was freed' : 'no NAPI poll ran (this trace has no skb free events)';
    const f = add(
      'lost_interrupt',
      'critical',
      d.name,
      q.queue,
      fromRel,
      o.lastRel,
      `lost TX interrupt: ${xmitsAfter} packets handed to txq ${q.queue} over ${fmtMs(dur)}, no NAPI poll${haveFrees ? ', no completion' : ''}`,
      `Packets were handed to the driver (net_dev_xmit rc=0) but for ${fmtMs(dur)} ${basis}${haveFrees ? ` and no napi_poll ran for ${d.name}` : ''}. Completions need interrupt → NAPI poll (§F); the interrupt was lost or masked (§I.1).`,
      [],
      [
        'cat /proc/interrupts for the TX vector',
        'enable BQL stall_thrs to get dql_stall_detected',
        ...(haveFrees
          ? []
          : ['capture skb:consume_skb and qdisc:qdisc_dequeue to see completions and the queue state']),
      ],
    );
    const xr = findRowAt(o, fromRel, 'net:net_dev_xmit', d.name);
    if (xr >= 0) f.evidence.push(ev(xr, 'first transmit after the last completion: never completed'));
    stallFindings.push(withMacbReading(f, c.prof.driver !== undefined, q.queue));
  },
};
