/**
 * Findings: where the observed TX path parts from what the kernel rules say must happen
 * (docs/kernel-tx-path.md §I). Each finding carries its window, the evidence rows (event, source,
 * line) and what to check next.
 */
import type { Evidence, Finding, FindingKind, Severity } from './types.js';
import { countIn, lowerBound, type F64List } from './input/growable.js';
import { K } from './observe/kinds.js';
import type { DevObs, Observed, ObservedInterval, QueueObs } from './observe/records.js';
import { completedByPeerNapi, driverHasBql, hasTxWatchdog, profileFor, txIrqOnlyAfterTransmit, type DeviceProfile, type DeviceProfiles } from './profile.js';
import { limitAt, type QueueExpectation } from './expected-dql.js';

export interface FindingOptions {
  profile: DeviceProfile;
  /** per-device overrides of `profile` */
  deviceProfiles?: DeviceProfiles;
  hz: number;
  /** a stopped queue or stuck in-flight data counts as stalled after this long (ns) */
  stallNs: number;
  /** diagnose the loopback device too (default false: lo has no ring or driver to fault; its qdiscs are test setups) */
  includeLoopback?: boolean;
  /** the model's expected BQL per queue (expected-dql.ts): §I.8 checks */
  expected?: Map<QueueObs, QueueExpectation>;
}

const NS_PER_MS = 1e6;
const fmtMs = (ns: number): string => `${(ns / NS_PER_MS).toFixed(ns < 10 * NS_PER_MS ? 3 : 1)} ms`;

export function evidenceOf(o: Observed, row: number, note: string): Evidence {
  const r = o.rows;
  return { tsNs: r.tsNs(row), event: r.eventName(row), source: r.sourceName(row), line: r.line(row), note };
}

/** Devices whose NAPI polls can complete `d`'s transmissions: its own, else the peer's (veth: the
 * receiving end's NAPI drains the ptr_ring and wakes the sender's txq). */
export function completionDevices(o: Observed, d: DevObs): DevObs[] {
  if (d.napiPollTs.length > 0) return [d];
  return o.devices.filter((x) => x !== d && x.napiPollTs.length > 0);
}

/** A device that transmits without NAPI of its own but next to another device's NAPI: veth-like (§D.1). */
export function isPeerDriven(o: Observed, d: DevObs, profile: DeviceProfile): boolean {
  if (profile.driver) return completedByPeerNapi(profile.driver);
  return d.napiPollTs.length === 0 && completionDevices(o, d).length > 0;
}

function sumIn(lists: F64List[], from: number, to: number): number {
  let n = 0;
  for (const l of lists) n += countIn(l, from, to);
  return n;
}

function firstIn(lists: F64List[], rowsOf: ((d: number) => F64List) | null, from: number, to: number): { rel: number; at: number; list: number } | null {
  let best: { rel: number; at: number; list: number } | null = null;
  lists.forEach((l, li) => {
    const k = lowerBound(l, from);
    if (k < l.length && l.get(k) < to && (!best || l.get(k) < best.rel)) best = { rel: l.get(k), at: k, list: li };
  });
  void rowsOf;
  return best;
}

/** Largest gap between consecutive events of `lists` inside [from, to], counting the edges. */
function maxGap(lists: F64List[], from: number, to: number): number {
  const ts: number[] = [];
  for (const l of lists) for (let k = lowerBound(l, from); k < l.length && l.get(k) <= to; k++) ts.push(l.get(k));
  ts.sort((a, b) => a - b);
  let prev = from;
  let g = 0;
  for (const t of ts) {
    g = Math.max(g, t - prev);
    prev = t;
  }
  return Math.max(g, to - prev);
}

export function makeFindings(o: Observed, opt: FindingOptions): Finding[] {
  const out: Finding[] = [];
  const rel2ns = (rel: number): bigint => o.baseNs + BigInt(Math.round(rel));
  const ev = (row: number, note: string): Evidence => evidenceOf(o, row, note);
  const add = (
    kind: FindingKind,
    severity: Severity,
    dev: string,
    queue: number | null,
    startRel: number,
    endRel: number,
    title: string,
    explanation: string,
    evidence: Evidence[],
    nextSteps: string[],
  ): Finding => {
    const f: Finding = { kind, severity, dev, queue, startNs: rel2ns(startRel), endNs: rel2ns(endRel), title, explanation, evidence, nextSteps };
    out.push(f);
    return f;
  };
  // netdev_budget_usecs = 2*USEC_PER_SEC/HZ (§F): a NAPI that waits longer than this to run is being starved
  const budgetNs = (2 * 1e9) / opt.hz;

  for (const d of o.devices) {
    if (d.name === 'lo' && !opt.includeLoopback) continue;
    // this device's profile: the global one overridden by its --device-profile / "devices" entry
    const prof = profileFor(opt.profile, opt.deviceProfiles, d.name);
    const watchdogNs = ((prof.watchdogTimeoJiffies ?? 5 * opt.hz) * 1e9) / opt.hz;
    const peerDriven = isPeerDriven(o, d, prof);
    const compDevs = completionDevices(o, d);
    const pollLists = compDevs.map((x) => x.napiPollTs);
    const idleLists = compDevs.map((x) => x.napiIdleTs);
    const fullLists = compDevs.map((x) => x.napiFullTs);
    const napiWho = compDevs.length === 0 ? 'no NAPI instance' : compDevs.map((x) => x.name).join(', ');
    const watchdog = prof.driver ? hasTxWatchdog(prof.driver) : peerDriven ? false : null;

    for (const q of [...d.queues.values()].sort((a, b) => a.queue - b.queue)) {
      /**
       * Stall findings of this queue. DRV_XOFF and STACK_XOFF intervals of one stall classify alike and
       * start at the same oldest never-completed transmit: one finding, the longer window and both stops.
       */
      const stallFindings = {
        list: [] as Finding[],
        push(f: Finding): void {
          const same = this.list.find((x) => x.kind === f.kind && x.startNs === f.startNs);
          if (!same) {
            this.list.push(f);
            return;
          }
          out.splice(out.indexOf(f), 1);
          if (f.endNs > same.endNs) same.endNs = f.endNs;
          for (const e of f.evidence) if (!same.evidence.some((x) => x.line === e.line && x.source === e.source)) same.evidence.push(e);
        },
        get length(): number {
          return this.list.length;
        },
        some(p: (f: Finding) => boolean): boolean {
          return this.list.some(p);
        },
      };
      // ---- long stops: classify each by what the completion side did meanwhile (§I.1, §I.2, §I.4, §I.5, §I.7)
      for (const iv of q.intervals) {
        const open = iv.endRel !== iv.endRel;
        const endRel = open ? o.lastRel : iv.endRel;
        const dur = endRel - iv.startRel;
        if (dur < opt.stallNs) continue;
        if (iv.state === 'FROZEN') {
          stallFindings.push(
            add('frozen_queue', 'critical', d.name, q.queue, iv.startRel, endRel,
              `txq ${q.queue} FROZEN for ${fmtMs(dur)}${open ? ' until the end of the trace' : ''}`,
              `__QUEUE_STATE_FROZEN (0x4) is set only by netif_freeze_queues/netif_tx_lock and must be cleared by netif_tx_unlock/netif_unfreeze_queues, which also reschedules the qdisc (§C). A FROZEN bit that persists means an unlock never ran: every qdisc_dequeue on this txq returns nothing, the qdisc fills and drops (ENOBUFS for IP_RECVERR senders, §I.6, §I.7).`,
              [ev(iv.startRow, 'first dequeue with txq_state & 0x4'), ev(iv.lastSeenRow, 'last dequeue still FROZEN')],
              ['look for a netif_tx_lock without netif_tx_unlock in the driver (reset/reconfiguration paths)', 'check dmesg for a driver reset that failed half-way', 'cat /sys/class/net/<dev>/queues/tx-N/tx_timeout'],
            ),
          );
          continue;
        }
        // DRV_XOFF or STACK_XOFF. A watchdog reset inside the stop frees the ring (igb reset_task):
        // those frees are recovery, not completions, so look only up to the first timeout.
        const firstTimeout = d.timeoutRows.map((r) => o.rows.tsRel(r)).find((t) => t > iv.startRel && t < endRel);
        const lookEnd = firstTimeout ?? endRel;
        const comps = countIn(q.completionTs, iv.startRel, lookEnd);
        const polls = sumIn(pollLists, iv.startRel, lookEnd);
        const idle = firstIn(idleLists, null, iv.startRel, lookEnd);
        const bql = iv.state === 'STACK_XOFF';
        // when completions stopped: the first transmit after the last completion before the stop is the
        // oldest packet the device never gave back — the stall began there, before the ring filled
        const lastCompK = lowerBound(q.completionTs, iv.startRel) - 1;
        const lastCompRel = lastCompK >= 0 ? q.completionTs.get(lastCompK) : -Infinity;
        const stuckK = lowerBound(q.xmitTs, lastCompRel);
        const stallStartRel = stuckK < q.xmitTs.length && q.xmitTs.get(stuckK) < iv.startRel ? q.xmitTs.get(stuckK) : iv.startRel;
        // the ring drained: completions ran. An idle NAPI poll (work < budget) proves it only for a peer's
        // ring (veth: the peer NAPI consumed its ptr_ring) or when the trace has no free events to show
        // completions; a device's own poll that cleans nothing is what a stuck ring looks like (§I.2)
        const tracedFrees = o.kindCounts[K.consume]! + o.kindCounts[K.kfree]! > 0;
        const drained = comps > 0 || (idle !== null && (peerDriven || !tracedFrees));
        const backlogNote = q.backlog > 0 && open ? `; ${q.backlog} packet(s) stuck in the qdisc` : '';
        const stopEv = ev(iv.startRow, iv.openedByBusy ? 'driver returned NETDEV_TX_BUSY: queue stopped (last stop)' : `first dequeue that saw ${iv.state}`);
        const lastEv = ev(iv.lastSeenRow, `last qdisc_dequeue still seeing ${iv.state} (txq_state=0x${bql ? 2 : 1}), nothing dequeued`);
        if (drained && bql && open && q.inflightPackets <= 0 && comps > 0) {
          // §I.8 leak: dql_avail() = limit - (num_queued - num_completed) < 0 keeps STACK_XOFF set (§B), so BQL
          // still counts more than `limit` (≥ min_limit ≥ 0) bytes in flight — yet every transmitted skb was
          // freed. The frees since the stop did not reach dql_completed: bytes left the ring unreported.
          const k0 = lowerBound(q.completionTs, iv.startRel);
          const b0 = lowerBound(q.dqlCompletedTs, iv.startRel);
          let freedBytes = 0;
          for (let b = b0; b < q.dqlCompletedTs.length && q.dqlCompletedTs.get(b) <= endRel; b++) freedBytes += q.dqlCompletedBytes.get(b);
          const leakRel = q.completionTs.get(k0);
          const ex = opt.expected?.get(q);
          const lim = ex ? limitAt(ex, iv.startRel) : null;
          const frees: Evidence[] = [];
          for (let k = k0; k < q.completionTs.length && k < k0 + 4; k++) {
            const row = q.completionRows.get(k);
            const loc = o.rows.location(row);
            frees.push(ev(row, `transmitted skb freed${loc ? ` at ${loc}` : ''} while STACK_XOFF was set: not reported to BQL`));
          }
          stallFindings.push(
            add('dql_limit_collapse', 'critical', d.name, q.queue, leakRel, endRel,
              `BQL in-flight bytes leaked: txq ${q.queue} held by STACK_XOFF for ${fmtMs(endRel - leakRel)} with an empty ring — ${comps} skb(s), ${freedBytes} bytes, freed without netdev_tx_completed_queue`,
              `STACK_XOFF stays set only while dql_avail() = limit − (num_queued − num_completed) < 0 (§B): BQL still counts more than its limit${lim !== null ? ` (${lim} bytes in the model fed with this queue's stream)` : ''} in flight. But every transmitted skb has been freed — the last ${comps} (${freedBytes} bytes) while the queue was held — so those frees never reached dql_completed: a driver error/reset path freed ring skbs without netdev_tx_completed_queue or netdev_tx_reset_queue (§I.8 "inflight never returns to 0", §I.5, §G.2 macb_tx_error_task). Nothing is left to complete, so the queue stays stopped for good; the qdisc fills and drops (ENOBUFS).`,
              [stopEv, ...frees, lastEv],
              ['cat /sys/class/net/<dev>/queues/tx-N/byte_queue_limits/inflight (stays > 0 while idle)', 'find the driver path that frees TX skbs without netdev_tx_completed_queue / netdev_tx_reset_queue (macb: macb_tx_error_task)', 'workaround: ip link set <dev> down/up (netdev_tx_reset_queue)'],
            ),
          );
        } else if (drained && bql) {
          if (!open) continue;
          stallFindings.push(
            add('stack_xoff_stuck', 'critical', d.name, q.queue, iv.startRel, endRel,
              `txq ${q.queue} held by BQL (STACK_XOFF) for ${fmtMs(dur)} although ${comps} completions ran`,
              `__QUEUE_STATE_STACK_XOFF is set by netdev_tx_sent_queue when dql_avail() < 0 and cleared only by netdev_tx_completed_queue with bytes > 0 (§B, §I.5). Completions ran but the bit never cleared: they were not reported to BQL, or were reported as 0 bytes.`,
              [stopEv, lastEv],
              ['compare bytes passed to netdev_tx_completed_queue with bytes queued (inflight in /sys/class/net/<dev>/queues/tx-N/byte_queue_limits)', 'check for skbs freed without netdev_tx_reset_queue'],
            ),
          );
        } else if (drained) {
          const evidence = [stopEv, lastEv];
          if (idle) {
            const dv = compDevs[idle.list]!;
            evidence.push(ev(dv.napiIdleRows.get(idle.at), `NAPI of ${dv.name} polled with work < budget after the stop: its ring was drained`));
          }
          const wd =
            watchdog === false
              ? ` ${peerDriven ? 'veth' : prof.driver} has no ndo_tx_timeout, so dev_watchdog never fires and nothing ever recovers the queue (§E).`
              : dur >= watchdogNs
                ? ` The queue stayed stopped past watchdog_timeo (${fmtMs(watchdogNs)}): expect net_dev_xmit_timeout (§E).`
                : '';
          stallFindings.push(
            add('lost_wakeup', 'critical', d.name, q.queue, iv.startRel, endRel,
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
        } else if (polls === 0 && !peerDriven && txIrqOnlyAfterTransmit(prof.driver)) {
          stallFindings.push(
            add('stuck_dma', 'critical', d.name, q.queue, stallStartRel, endRel,
              `macb TX head stuck: txq ${q.queue} stopped for ${fmtMs(dur)}, no completion, no TX interrupt`,
              `macb/GEM raises its TX-complete interrupt only when the controller has transmitted descriptors. Nothing completed and no TX NAPI poll ran for ${fmtMs(dur)} while packets were posted: the controller is not fetching the ring (head descriptor outstanding, TSTART lost, §I.2 macb variant, §G.2). macb has no ndo_tx_timeout, so no watchdog will ever recover it (§E): the stall is silent.`,
              [stopEv, lastEv],
              ['read the macb TSR/TBQP registers (devmem) and compare queue head vs tail', 'ethtool -S end0 for tx underruns / AHB errors', 'ip link set <dev> down/up resets the ring'],
            ),
          );
        } else if (polls === 0 && !peerDriven) {
          stallFindings.push(
            add('lost_interrupt', 'critical', d.name, q.queue, stallStartRel, endRel,
              `lost TX interrupt: txq ${q.queue} ${bql ? 'held by BQL (STACK_XOFF)' : 'stopped'} for ${fmtMs(dur)} with no NAPI poll and no completion`,
              `The queue stopped with data in flight, and for ${fmtMs(dur)} no napi_poll ran for ${d.name} and no transmitted skb was freed. TX completions arrive only through interrupt → napi_schedule → poll (§F); nothing polled, so the interrupt was lost or masked (§I.1). The watchdog fires after watchdog_timeo if the queue stays stopped (§E).`,
              [stopEv, lastEv, ...(firstTimeout !== undefined ? [ev(d.timeoutRows.find((r) => o.rows.tsRel(r) === firstTimeout)!, 'watchdog fired: ndo_tx_timeout resets the ring')] : [])],
              ['cat /proc/interrupts for the device TX vector (does it still count?)', 'check ethtool -S for tx_timeout / reset counters', 'enable stall_thrs in byte_queue_limits to get dql_stall_detected'],
            ),
          );
        } else if (polls > 0 && comps === 0 && !peerDriven) {
          stallFindings.push(
            add('stuck_dma', 'critical', d.name, q.queue, stallStartRel, endRel,
              `TX ring not draining: txq ${q.queue} stopped ${fmtMs(dur)}, ${polls} NAPI polls but no completion`,
              `NAPI kept polling ${napiWho} (${polls} polls) but no transmitted skb was freed: the hardware is not writing back TX descriptors (DMA stuck / head not advancing, §I.2). The interrupt path is alive; the ring is not.`,
              [stopEv, lastEv],
              ['igb: look for "Detected Tx Unit Hang" in dmesg; macb: check TSTART / head vs tail', 'ethtool -S tx errors, PCIe AER errors'],
            ),
          );
        } else if (peerDriven && !drained) {
          stallFindings.push(
            add('napi_starvation', 'warning', d.name, q.queue, iv.startRel, endRel,
              `txq ${q.queue} stopped ${fmtMs(dur)} while the peer NAPI (${napiWho}) did not drain its ring`,
              `The sender's txq is stopped by ring backpressure and only the receiving NAPI can make room (§F, §I.12); it did not run to completion during the stop.`,
              [stopEv, lastEv],
              ['check the NAPI thread/softirq CPU time (top -H, /proc/net/softnet_stat time_squeeze)'],
            ),
          );
        }
      }

      // ---- §I.8 limit collapse: the kernel's DQL fed with this stream sits at min_limit with dql_avail() < 0
      // after every packet (STACK_XOFF after each one). Only for queues known to run BQL: STACK_XOFF seen in the
      // trace, or a BQL driver in the profile (veth and lo have no byte queue limits).
      const collapse = opt.expected?.get(q)?.collapse;
      const bqlKnown = q.intervals.some((iv) => iv.state === 'STACK_XOFF') || driverHasBql(prof.driver, prof.kernel) === true;
      if (collapse && bqlKnown && collapse.packets >= 64 && collapse.endRel - collapse.startRel >= opt.stallNs && !stallFindings.some((f) => f.kind === 'dql_limit_collapse')) {
        const first = findRowAt(o, collapse.startRel, 'net:net_dev_xmit', d.name);
        const last = findRowAt(o, collapse.endRel, 'net:net_dev_xmit', d.name);
        add('dql_limit_collapse', 'warning', d.name, q.queue, collapse.startRel, collapse.endRel,
          `DQL limit collapsed to min_limit (${collapse.limitBytes} bytes) on txq ${q.queue}: over the limit after every one of ${collapse.packets} packets for ${fmtMs(collapse.endRel - collapse.startRel)}`,
          `The kernel's DQL (lib/dynamic_queue_limits.c), fed with this queue's transmits (dql_queued) and completion passes (dql_completed), keeps limit = min_limit and dql_avail() < 0 after every single packet: each completion comes while the queue is still over the limit with more in flight, so dql_completed only ever finds slack and never a starvation increase (§A.4). netdev_tx_sent_queue then sets STACK_XOFF after each packet and only the next completion releases it: one packet per completion, throughput collapses (§I.8).`,
          [...(first >= 0 ? [ev(first, 'first transmit of the run: over the limit right after dql_queued')] : []), ...(last >= 0 ? [ev(last, 'last transmit of the run')] : [])],
          ['cat /sys/class/net/<dev>/queues/tx-N/byte_queue_limits/{limit,inflight,limit_min}', 'check the driver reports every completed byte once per clean pass (netdev_tx_completed_queue)', 'as a workaround raise limit_min'],
        );
      }

      // ---- ring backpressure: NETDEV_TX_BUSY with a proper stop, woken each time (§I.3 normal case)
      const closedBusy = q.intervals.filter((iv) => iv.state === 'DRV_XOFF' && iv.openedByBusy && iv.endRel === iv.endRel);
      if (q.txBusy > 0 && q.busyWhileAwakeRows.length === 0 && closedBusy.length > 0) {
        const longest = closedBusy.reduce((a, b) => (b.endRel - b.startRel > a.endRel - a.startRel ? b : a));
        const first = closedBusy[0]!;
        const last = closedBusy[closedBusy.length - 1]!;
        add('ring_backpressure', 'info', d.name, q.queue, first.startRel, last.endRel,
          `${peerDriven ? 'peer ring' : 'driver ring'} full: txq ${q.queue} stopped ${closedBusy.length} time(s) with NETDEV_TX_BUSY (${q.requeues} requeues), longest ${fmtMs(longest.endRel - longest.startRel)}`,
          peerDriven
            ? `veth_xmit found the peer's ptr_ring full, stopped the txq and returned NETDEV_TX_BUSY; sch_direct_xmit requeued the skb (tc "requeues") and the peer NAPI woke the queue once it had drained the ring (§D.4, §I.3). This is designed backpressure: the receiving side (${napiWho}) is slower than the sender.`
            : `The driver ran out of ring space, stopped the txq and returned NETDEV_TX_BUSY; the skb was requeued and the queue was woken after completions (§D.4, §I.3).`,
          [ev(first.startRow, 'first NETDEV_TX_BUSY (rc=16)'), ev(longest.startRow, 'start of the longest stop'), ev(longest.endRow, 'queue running again')],
          [peerDriven ? 'give the receiving NAPI more CPU (threaded NAPI priority/affinity) or a larger ring' : 'check ring size (ethtool -g) against the link rate and the completion latency'],
        );
        // the NAPI that must make room ran late: starvation (§F, §I.12)
        let worst: { iv: ObservedInterval; gap: number } | null = null;
        for (const iv of closedBusy) {
          const gap = maxGap(pollLists, iv.startRel, iv.endRel);
          if (!worst || gap > worst.gap) worst = { iv, gap };
        }
        const fullPolls = closedBusy.reduce((s, iv) => s + sumIn(fullLists, iv.startRel, iv.endRel), 0);
        if (worst && worst.gap > budgetNs && compDevs.length > 0) {
          add('napi_starvation', 'warning', d.name, q.queue, worst.iv.startRel, worst.iv.endRel,
            `NAPI starved: ${napiWho} went ${fmtMs(worst.gap)} without a poll while txq ${q.queue} was stopped (${fullPolls} polls hit the budget)`,
            `While the queue was stopped, the NAPI that drains the ring (${napiWho}) went longer than netdev_budget_usecs (${fmtMs(budgetNs)} at HZ=${opt.hz}) without running${fullPolls > 0 ? `, and ${fullPolls} of its polls returned work == budget (still more to do)` : ''}. Completion and wake are delayed by CPU starvation, not by a hardware fault (§F, §I.12).`,
            [ev(worst.iv.startRow, 'queue stopped'), ev(worst.iv.endRow, 'queue running again')],
            ['check the NAPI kthread priority/affinity (ps -eLo pid,cls,ni,psr,comm | grep napi)', '/proc/net/softnet_stat column 3 (time_squeeze)'],
          );
        }
      }

      // ---- NETDEV_TX_BUSY without a stop (§I.3)
      if (q.busyWhileAwakeRows.length > 0) {
        const rows = q.busyWhileAwakeRows;
        add('tx_busy_while_awake', 'warning', d.name, q.queue, o.rows.tsRel(rows[0]!), o.rows.tsRel(rows[rows.length - 1]!),
          `driver returned NETDEV_TX_BUSY ${rows.length} time(s) without stopping txq ${q.queue}`,
          `After rc=16 the next qdisc_dequeue saw DRV_XOFF clear and no completion had run: the driver refused the skb without netif_tx_stop_queue. The qdisc requeues and retries at once, spinning the CPU (§I.3). Drivers must stop the queue before returning BUSY.`,
          rows.slice(0, 5).map((r) => ev(r, 'rc=16 with the queue left awake')),
          ['check the driver ndo_start_xmit: the ring-full check must call netif_stop_queue before returning NETDEV_TX_BUSY'],
        );
      }
      if (q.longestBusyRun >= 3 && q.busyWhileAwakeRows.length >= 2) {
        add('tx_busy_loop', 'warning', d.name, q.queue, o.rows.tsRel(q.busyRunRows[0]!), o.rows.tsRel(q.busyRunRows[q.busyRunRows.length - 1]!),
          `busy loop: the same skb was refused with NETDEV_TX_BUSY ${q.longestBusyRun} times in a row on txq ${q.queue}`,
          `Each rc=16 requeues the skb and the next run retries it first (§D.4); repeated BUSY on one skb without a successful xmit is a livelock (§I.3).`,
          q.busyRunRows.map((r) => ev(r, 'rc=16 on the same skb')),
          ['check why the driver cannot take the skb (ring accounting, descriptor leak)'],
        );
      }

      // ---- qdisc drops: blocked queue → ENOBUFS, or a shaping qdisc (§I.6, §D.3)
      if (q.qdiscDrops > 0) {
        const whileStopped = q.dropsWhileStopped;
        const shaped = q.withheldDequeues > 0 && whileStopped * 2 < q.qdiscDrops;
        const first = ev(q.dropFirstRow, 'first qdisc drop (kfree_skb reason QDISC_DROP…)');
        const last = ev(q.dropLastRow, 'last qdisc drop');
        const qdiscName = q.qdiscHandle !== null ? `qdisc ${(q.qdiscHandle >>> 16).toString(16)}:` : 'the qdisc';
        if (shaped) {
          add('qdisc_throttled', 'warning', d.name, q.queue, o.rows.tsRel(q.dropFirstRow), o.rows.tsRel(q.dropLastRow),
            `${qdiscName} throttles: ${q.qdiscDrops} packets dropped at enqueue while txq ${q.queue} was running`,
            `The txq was awake (txq_state=0x0, no NETDEV_TX_BUSY) and the qdisc held packets, yet ${q.withheldDequeues} qdisc_dequeue calls returned nothing: the qdisc itself withheld them (rate shaping, e.g. tbf out of tokens → overlimits). New packets then overflowed its limit and were dropped at enqueue; each drop returns NET_XMIT_DROP → ENOBUFS to IP_RECVERR senders (§D.3, §D.6). Not a driver problem.`,
            [first, ev(q.withheldFirstRow, 'qdisc_dequeue returned nothing with the txq awake and packets queued'), last],
            ['tc -s qdisc show dev <dev>: overlimits and the configured rate/burst/limit', 'raise the shaper rate or its limit/burst if the drops are unwanted'],
          );
        } else {
          add('qdisc_drops_enobufs', 'warning', d.name, q.queue, o.rows.tsRel(q.dropFirstRow), o.rows.tsRel(q.dropLastRow),
            `${q.qdiscDrops} qdisc drops on txq ${q.queue} (${whileStopped} while the txq was stopped) → ENOBUFS`,
            `${whileStopped > 0 ? 'While the driver kept the txq stopped, qdisc_dequeue returned nothing, the qdisc backlog hit its limit and' : 'The qdisc backlog hit its limit and'} new packets were dropped at enqueue (kfree_skb reason QDISC_DROP, no qdisc_enqueue event). The qdisc returns NET_XMIT_DROP, which net_xmit_errno turns into -ENOBUFS; UDP senders with IP_RECVERR see "No buffer space available" (§D.3, §I.6).`,
            [first, last],
            ['tc -s qdisc show dev <dev> (dropped) and nstat UdpSndbufErrors/IpOutDiscards', 'fix what blocks the txq (see the other findings) or raise the qdisc limit / txqueuelen'],
          );
        }
      }

      // ---- packets left in the qdisc while nothing explains it (§I.4 variant: netif_tx_start_queue without wake)
      if (o.kindCounts[K.dequeue]! > 0 && q.backlog > 0 && stallFindings.length === 0 && q.lastState === 0 && o.lastRel - q.lastStateRel >= opt.stallNs) {
        add('qdisc_stuck_backlog', 'warning', d.name, q.queue, q.lastStateRel, o.lastRel,
          `${q.backlog} packet(s) left in the qdisc of txq ${q.queue} with the queue awake and the qdisc not run for ${fmtMs(o.lastRel - q.lastStateRel)}`,
          `The last dequeue saw the txq awake, yet the qdisc was not run again while it still held packets: the queue was restarted with netif_tx_start_queue (no __netif_schedule) or a reschedule was lost (§C, §I.4). The backlog waits for the next enqueue.`,
          [ev(q.lastStateRow, 'last qdisc_dequeue')],
          ['tc -s qdisc (backlog) and check the driver restart path for netif_tx_start_queue vs netif_tx_wake_queue'],
        );
      }

      // ---- in-flight data that never completes while the queue is not (seen) stopped (§I.1/§I.2/§I.11),
      // only for devices with their own NAPI: veth/GRO frees many skbs without a traced free.
      // Completion evidence: frees of transmitted skbs; without skb:consume_skb/kfree_skb in the trace, the
      // device's NAPI polls stand in for them (a poll is where TX completions run, §F).
      const haveFrees = o.kindCounts[K.consume]! + o.kindCounts[K.kfree]! > 0;
      const proxy = haveFrees ? q.completionTs : d.napiPollTs;
      // without frees, NAPI silence alone is weak (an RX-only NAPI says nothing about TX): require the
      // watchdog's corroboration (a timeout on this device) before calling it a stall
      const corroborated = haveFrees ? q.inflightPackets > 0 : d.timeoutRows.length > 0;
      if (!peerDriven && stallFindings.length === 0 && q.xmitTs.length > 0 && corroborated) {
        const lastComp = proxy.length > 0 ? proxy.last() : -Infinity;
        const k = lowerBound(q.xmitTs, lastComp);
        if (k < q.xmitTs.length) {
          const fromRel = q.xmitTs.get(k);
          const dur = o.lastRel - fromRel;
          const xmitsAfter = q.xmitTs.length - k;
          const polls = sumIn(pollLists, fromRel, o.lastRel + 1);
          // §I.11: the stuck packets are ONE back-to-back burst (a bulk dequeue's xmit_more chain: the driver
          // posts each descriptor and rings the doorbell only for the last), nothing was transmitted after
          // it, the queue was never stopped, and completions ran before (interrupts and cleaning worked)
          const burstNs = q.xmitTs.last() - fromRel;
          const queueStopped = q.intervals.some((iv) => iv.state !== 'FROZEN' && iv.startRel >= fromRel - 1e6);
          const doorbell = haveFrees && lastComp > -Infinity && burstNs <= 1e6 && !queueStopped && !txIrqOnlyAfterTransmit(prof.driver);
          if (dur >= opt.stallNs && xmitsAfter >= 2 && doorbell) {
            const first = findRowAt(o, fromRel, 'net:net_dev_xmit', d.name);
            const last = findRowAt(o, q.xmitTs.last(), 'net:net_dev_xmit', d.name);
            const f = add('doorbell_not_rung', 'critical', d.name, q.queue, fromRel, o.lastRel,
              `doorbell not rung: the last ${xmitsAfter} packets on txq ${q.queue} went out as one burst (${fmtMs(burstNs)}) and never completed in ${fmtMs(dur)}; queue awake, nothing sent after`,
              `The final ${xmitsAfter} transmits (net_dev_xmit rc=0) came back to back — one qdisc run handing a bulk list to dev_hard_start_xmit, every skb but the last with xmit_more set — and then nothing: no further transmit on txq ${q.queue}, the queue was never stopped, and none of them was freed for ${fmtMs(dur)} although completions ran normally before${polls > 0 ? ` and NAPI polled ${polls} times since` : ''}. Drivers post descriptors with xmit_more and write the tail register (doorbell) only when __netdev_tx_sent_queue / !netdev_xmit_more() says so; if that last kick is skipped the device never sees the descriptors, and only the next transmit would ring it (§I.11, §B). A lost completion interrupt looks the same from the trace (§I.1): the hardware TX counters tell them apart.`,
              [
                ...(first >= 0 ? [ev(first, 'first packet of the final burst: never completed')] : []),
                ...(last >= 0 && last !== first ? [ev(last, 'last packet of the burst (xmit_more clear: the doorbell should ring here)')] : []),
              ],
              [
                'ethtool -S <dev>: hardware tx_packets did not grow → the device never saw the descriptors (doorbell); grew → the interrupt was lost',
                'igb/ixgbe: compare TDT (tail written by the driver) with next_to_use in a Tx Unit Hang dump',
                'check the driver ndo_start_xmit: the tail write must happen when !netdev_xmit_more() || netif_xmit_stopped() (__netdev_tx_sent_queue)',
              ],
            );
            stallFindings.push(f);
          } else if (dur >= opt.stallNs && xmitsAfter >= 2) {
            const macb = txIrqOnlyAfterTransmit(prof.driver);
            const kind: FindingKind = polls === 0 && !macb ? 'lost_interrupt' : 'stuck_dma';
            const basis = haveFrees ? 'none of them was freed' : 'no NAPI poll ran (this trace has no skb free events)';
            add(kind, 'critical', d.name, q.queue, fromRel, o.lastRel,
              kind === 'lost_interrupt'
                ? `lost TX interrupt: ${xmitsAfter} packets handed to txq ${q.queue} over ${fmtMs(dur)}, no NAPI poll${haveFrees ? ', no completion' : ''}`
                : `TX ring not draining: ${xmitsAfter} packets handed to txq ${q.queue} over ${fmtMs(dur)}; ${polls} NAPI polls, no completion`,
              kind === 'lost_interrupt'
                ? `Packets were handed to the driver (net_dev_xmit rc=0) but for ${fmtMs(dur)} ${basis}${haveFrees ? ` and no napi_poll ran for ${d.name}` : ''}. Completions need interrupt → NAPI poll (§F); the interrupt was lost or masked (§I.1).`
                : `${macb ? 'macb raises its TX interrupt only after transmitting: no completion and no TX poll means the controller stopped fetching the ring (head descriptor outstanding, TSTART lost, §I.2, §G.2).' : `NAPI polled ${polls} times but none of the ${xmitsAfter} transmitted skbs was freed: the device stopped writing back TX descriptors (§I.2; igb: Tx Unit Hang).`}`,
              [],
              kind === 'lost_interrupt'
                ? ['cat /proc/interrupts for the TX vector', 'enable BQL stall_thrs to get dql_stall_detected', ...(haveFrees ? [] : ['capture skb:consume_skb and qdisc:qdisc_dequeue to see completions and the queue state'])]
                : ['macb: check TSTART/head vs tail; igb: dmesg "Detected Tx Unit Hang"', 'ethtool -S for tx errors'],
            );
            const f = out[out.length - 1]!;
            const xr = findRowAt(o, fromRel, 'net:net_dev_xmit', d.name);
            if (xr >= 0) f.evidence.push(ev(xr, 'first transmit after the last completion: never completed'));
            stallFindings.push(f);
          }
        }
      }

      // ---- watchdog (§E, §I.9): name the cause found on the same queue
      for (const row of d.timeoutRows) {
        const tq = o.rows.queue(row);
        if (tq !== q.queue) continue;
        const rel = o.rows.tsRel(row);
        const cause = [...stallFindings.list].reverse().find((f) => f.startNs <= rel2ns(rel));
        const stopped = q.intervals.filter((iv) => iv.state !== 'FROZEN' && iv.startRel <= rel).pop();
        const from = cause ? Number(cause.startNs - o.baseNs) : stopped ? stopped.startRel : rel;
        add('watchdog_timeout', 'critical', d.name, q.queue, from, rel,
          `NETDEV WATCHDOG: txq ${q.queue} timed out${cause ? ` — cause: ${cause.kind.replace('_', ' ')}` : ''}`,
          `dev_watchdog found txq ${q.queue} stopped (DRV_XOFF or STACK_XOFF) with trans_start older than watchdog_timeo and called ndo_tx_timeout (§E).${cause ? ` The stall behind it: ${cause.title}.` : stopped ? ` The queue was last seen stopping at the evidence below.` : ' The trace does not show the stop itself (capture qdisc:qdisc_dequeue).'}`,
          [ev(row, 'net_dev_xmit_timeout'), ...(stopped ? [ev(stopped.startRow, 'queue stopped')] : [])],
          ['dmesg for the driver reset that follows (igb: reset_task; virtio_net: only a log line)', 'cat /sys/class/net/<dev>/queues/tx-N/tx_timeout'],
        );
      }
    }

    // timeouts for queues we never saw otherwise
    for (const row of d.timeoutRows) {
      const tq = o.rows.queue(row);
      if (d.queues.has(tq)) continue;
      const rel = o.rows.tsRel(row);
      add('watchdog_timeout', 'critical', d.name, tq === -2147483648 ? null : tq, rel, rel,
        `NETDEV WATCHDOG: txq ${tq} timed out`,
        `dev_watchdog found the txq stopped past watchdog_timeo (§E). No other event of this queue is in the trace, so the cause cannot be reconstructed.`,
        [ev(row, 'net_dev_xmit_timeout')],
        ['capture qdisc:qdisc_dequeue, net:net_dev_xmit, napi:napi_poll and skb:consume_skb to see the stall'],
      );
    }

    // ---- peer/carrier down: xmit returns drop codes (§D.4)
    const drops = d.rcOther.get(1) ?? 0;
    if (drops > 0) {
      add('peer_down', 'critical', d.name, null, o.rows.tsRel(d.rcDropFirstRow), o.rows.tsRel(d.rcDropLastRow),
        `${d.name}: ${drops} transmits returned NET_XMIT_DROP${peerDriven ? ' — the veth peer is down' : ' — the driver dropped them (carrier/peer down)'}`,
        peerDriven
          ? `veth_xmit drops the skb and returns NET_XMIT_DROP when the peer device is missing or not running (peer down), counting tx_dropped; the qdisc sees a completed transmit (dev_xmit_complete), so packets vanish silently while the sender keeps going (§D.4).`
          : `The driver consumed the skb but returned NET_XMIT_DROP: it dropped it (link/carrier down or no resources) (§D.4).`,
        [ev(d.rcDropFirstRow, 'first net_dev_xmit rc=1'), ev(d.rcDropLastRow, 'last net_dev_xmit rc=1')],
        ['ip -s link show <dev> and its peer (operstate, tx_dropped)', 'dmesg for link down events'],
      );
    }

    // ---- dql_stall_detected (§A.5)
    if (d.stallRows.length > 0) {
      const r0 = d.stallRows[0]!;
      const r1 = d.stallRows[d.stallRows.length - 1]!;
      add('dql_stall', 'warning', d.name, null, o.rows.tsRel(r0), o.rows.tsRel(r1),
        `${d.stallRows.length} BQL stall(s) detected on ${d.name}`,
        `dql_check_stall found a packet queued at least stall_thrs/2 ago with no completion since (§A.5): completions stalled and resumed late.`,
        d.stallRows.slice(0, 5).map((r) => ev(r, 'dql_stall_detected')),
        ['look at the NAPI polls around these times; cat byte_queue_limits/stall_cnt, stall_max'],
      );
    }
  }

  // without net_dev_start_xmit (queue_mapping) and qdisc events, the TX queue of a transmit is unknown:
  // say so (device-wide findings) rather than pretend everything happened on txq 0
  if (o.kindCounts[K.startXmit] === 0 && o.kindCounts[K.dequeue] === 0 && o.kindCounts[K.enqueue] === 0) {
    for (const f of out) if (f.kind !== 'watchdog_timeout') f.queue = null;
  }

  // ---- tracer lost events: unknown windows, not quiet ones
  for (const g of o.gaps) {
    add('trace_gap', 'info', '*', null, g.startRel, g.endRel,
      `tracer lost ${g.lost} events: ${fmtMs(g.endRel - g.startRel)} of the trace is unknown`,
      `The tracer reported lost events here (bpftrace lost_events / perf "Lost N events"). Counts and intervals that overlap this window are lower bounds; absence of events here proves nothing.`,
      g.rows.slice(0, 3).map((r) => ev(r, 'lost-events marker')),
      ['capture with larger buffers (bpftrace BPFTRACE_PERF_RB_PAGES, perf -m) or fewer tracepoints'],
    );
  }
  return out;
}

function findRowAt(o: Observed, rel: number, event: string, dev: string): number {
  const r = o.rows;
  // binary search on the time-ordered positions, then a short scan
  let lo = 0;
  let hi = r.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r.tsRel(r.rowAt(mid)) < rel) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < r.n && k < lo + 64; k++) {
    const i = r.rowAt(k);
    if (r.eventName(i) === event && r.devName(i) === dev) return i;
  }
  return -1;
}

export type { QueueObs };
