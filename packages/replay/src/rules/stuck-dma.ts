/**
 * stuck_dma (§I.2, §G): the device stopped processing its TX ring. Three detectors: a macb head stuck during a
 * stop (macb raises its TX interrupt only after transmitting, so no poll means the controller is not fetching),
 * NAPI polling during a stop with no completion, and in-flight data at the end of a queue that never stopped.
 */
import { txIrqOnlyAfterTransmit } from '../profile.js';
import { FREES, findRowAt, fmtMs, STOP_SEEN, type QueueRule, type StopRule } from './context.js';
import { inflightFacts } from './inflight.js';

export const macbHeadStuck: StopRule = {
  kind: 'stuck_dma',
  needs: {
    events: [STOP_SEEN, 'napi:napi_poll'],
    signals: ['a driver whose TX interrupt fires only after transmitting (macb)'],
  },
  when: (c, s) => s.polls === 0 && !c.peerDriven && txIrqOnlyAfterTransmit(c.prof.driver),
  report(c, s) {
    const { d, q, add, stallFindings } = c;
    const { endRel, dur, stallStartRel, stopEv, lastEv } = s;
    stallFindings.push(
      add(
        'stuck_dma',
        'critical',
        d.name,
        q.queue,
        stallStartRel,
        endRel,
        `macb TX head stuck: txq ${q.queue} stopped for ${fmtMs(dur)}, no completion, no TX interrupt`,
        `macb/GEM raises its TX-complete interrupt only when the controller has transmitted descriptors. Nothing completed and no TX NAPI poll ran for ${fmtMs(dur)} while packets were posted: the controller is not fetching the ring (head descriptor outstanding, TSTART lost, §I.2 macb variant, §G.2). macb has no ndo_tx_timeout, so no watchdog will ever recover it (§E): the stall is silent.`,
        [stopEv, lastEv],
        [
          'read the macb TSR/TBQP registers (devmem) and compare queue head vs tail',
          'ethtool -S end0 for tx underruns / AHB errors',
          'ip link set <dev> down/up resets the ring',
        ],
      ),
    );
  },
};

export const ringNotDraining: StopRule = {
  kind: 'stuck_dma',
  needs: {
    events: [STOP_SEEN, 'napi:napi_poll', FREES],
    signals: ['NAPI polls but no completion during the stop'],
  },
  when: (c, s) => s.polls > 0 && s.comps === 0 && !c.peerDriven,
  report(c, s) {
    const { d, q, napiWho, add, stallFindings } = c;
    const { endRel, dur, polls, stallStartRel, stopEv, lastEv } = s;
    stallFindings.push(
      add(
        'stuck_dma',
        'critical',
        d.name,
        q.queue,
        stallStartRel,
        endRel,
        `TX ring not draining: txq ${q.queue} stopped ${fmtMs(dur)}, ${polls} NAPI polls but no completion`,
        `NAPI kept polling ${napiWho} (${polls} polls) but no transmitted skb was freed: the hardware is not writing back TX descriptors (DMA stuck / head not advancing, §I.2). The interrupt path is alive; the ring is not.`,
        [stopEv, lastEv],
        [
          'igb: look for "Detected Tx Unit Hang" in dmesg; macb: check TSTART / head vs tail',
          'ethtool -S tx errors, PCIe AER errors',
        ],
      ),
    );
  },
};

/** Packets handed to a queue that never stopped and never completed although NAPI polled (or on a macb). */
export const ringNotDrainingInflight: QueueRule = {
  kind: 'stuck_dma',
  needs: {
    events: ['net:net_dev_xmit', 'napi:napi_poll'],
    signals: ['transmits after the last completion', 'frees (skb:consume_skb) or a watchdog timeout to corroborate'],
  },
  run(c) {
    const f0 = inflightFacts(c);
    const macb = txIrqOnlyAfterTransmit(c.prof.driver);
    if (!f0 || f0.doorbell || !f0.stalled || (f0.polls === 0 && !macb)) return;
    const { o, d, q, add, ev, stallFindings } = c;
    const { fromRel, dur, xmitsAfter, polls } = f0;
    const f = add(
      'stuck_dma',
      'critical',
      d.name,
      q.queue,
      fromRel,
      o.lastRel,
      `TX ring not draining: ${xmitsAfter} packets handed to txq ${q.queue} over ${fmtMs(dur)}; ${polls} NAPI polls, no completion`,
      `${macb ? 'macb raises its TX interrupt only after transmitting: no completion and no TX poll means the controller stopped fetching the ring (head descriptor outstanding, TSTART lost, §I.2, §G.2).' : `NAPI polled ${polls} times but none of the ${xmitsAfter} transmitted skbs was freed: the device stopped writing back TX descriptors (§I.2; igb: Tx Unit Hang).`}`,
      [],
      ['macb: check TSTART/head vs tail; igb: dmesg "Detected Tx Unit Hang"', 'ethtool -S for tx errors'],
    );
    const xr = findRowAt(o, fromRel, 'net:net_dev_xmit', d.name);
    if (xr >= 0) f.evidence.push(ev(xr, 'first transmit after the last completion: never completed'));
    stallFindings.push(f);
  },
};
