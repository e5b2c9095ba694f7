/**
 * lost_wakeup (§I.4, §D.5): the driver stopped the txq, the ring drained, and no netif_tx_wake_queue came.
 */
import { FREES, fmtMs, STOP_SEEN, type StopRule } from './context.js';

export const lostWakeup: StopRule = {
  kind: 'lost_wakeup',
  needs: {
    events: [STOP_SEEN, [...FREES, 'napi:napi_poll']],
    signals: ['DRV_XOFF stop', 'completions or an idle NAPI poll during it'],
  },
  when: (_c, s) => s.drained,
  report(c, s) {
    const { d, q, prof, peerDriven, compDevs, napiWho, watchdog, watchdogNs, add, ev, stallFindings } = c;
    const { iv, open, endRel, dur, comps, polls, idle, backlogNote, stopEv, lastEv } = s;
    const evidence = [stopEv, lastEv];
    if (idle) {
      const dv = compDevs[idle.list]!;
      evidence.push(
        ev(
          dv.napiIdleRows.get(idle.at),
          `NAPI of ${dv.name} polled with work < budget after the stop: its ring was drained`,
        ),
      );
    }
    const wd =
      watchdog === false
        ? ` ${peerDriven ? 'veth' : prof.driver} has no ndo_tx_timeout, so dev_watchdog never fires and nothing ever recovers the queue (§E).`
        : dur >= watchdogNs
          ? ` The queue stayed stopped past watchdog_timeo (${fmtMs(watchdogNs)}): expect net_dev_xmit_timeout (§E).`
          : '';
    stallFindings.push(
      add(
        'lost_wakeup',
        'critical',
        d.name,
        q.queue,
        iv.startRel,
        endRel,
        `lost wake-up: txq ${q.queue} stopped (DRV_XOFF) for ${fmtMs(dur)}${open ? ' until the end of the trace' : ''} although ${peerDriven ? 'the peer' : 'the ring'} drained${backlogNote}`,
        `The driver stopped txq ${q.queue} (netif_tx_stop_queue${iv.openedByBusy ? ', then NETDEV_TX_BUSY' : ''}) and ${peerDriven ? `the peer's NAPI (${napiWho}) then ran and drained its ring` : `completions then ran (${comps} frees of transmitted skbs, ${polls} NAPI polls)`}, yet no netif_tx_wake_queue followed: every later qdisc_dequeue still sees txq_state=0x1 and returns nothing (§I.4, §D.5). Without a wake, __netif_schedule never runs the qdisc again and its backlog waits forever; new packets only overflow it (ENOBUFS).${wd}`,
        evidence,
        [
          peerDriven
            ? 'veth: the wake is done by the peer NAPI (veth_poll → netif_tx_wake_queue) only when it sees the peer txq stopped: check the stop/wake ordering (smp_mb) in veth_xmit/veth_poll for this kernel'
            : 'check the driver clean_tx_irq wake condition (free descriptors ≥ wake threshold → netif_wake_subqueue) and its memory barrier',
          'read /sys/class/net/<dev>/queues/tx-N/ state and tc -s qdisc (backlog, requeues) to confirm the queue is still stopped',
          'a workaround: ip link set <dev> down/up, or any event that calls netif_tx_wake_queue',
        ],
      ),
    );
  },
};
