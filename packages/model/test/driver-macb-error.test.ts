/**
 * macb TX error path and TXUBR restart (§G.2 "TX error path", "interrupts"; §I.5, §I.8), on a lone queue and in
 * the example scenario macb-tx-error-bql.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NETDEV_TX_OK } from '../src/core/driver/profiles.js';
import { QUEUE_STATE_STACK_XOFF, QUEUE_STATE_DRV_XOFF } from '../src/core/netdev-queue.js';
import { parseScenario } from '../src/sim/scenario.js';
import { Simulator } from '../src/sim/simulator.js';
import { TraceKind } from '../src/sim/trace-event.js';
import { repoRoot } from './golden-dir.js';
import { copyEvent, driverHarness, oneDevice, runScenario, type Rec } from './sim-harness.js';

describe('macb_tx_restart (§G.2 interrupts: TXUBR)', () => {
  it('re-writes TSTART only if head != tail and TBQP != head', () => {
    const h = driverHarness('macb', 64);
    // head == tail: nothing to restart
    h.tq.macbTxRestart();
    expect(h.tq.txRestarts).toBe(0);
    expect(h.xmit(100)).toBe(NETDEV_TX_OK);
    expect(h.xmit(100)).toBe(NETDEV_TX_OK);
    const kicks = h.log.kicks;
    // the controller is at head already (TBQP == head after it sent both): no restart
    h.hwComplete(2);
    h.tq.macbTxRestart();
    expect(h.tq.txRestarts).toBe(0);
    // a posted descriptor the controller has not reached (its TSTART lost): TBQP != head → TSTART again
    h.tq.faultLostTstart = true;
    h.tq.hwBusy = true; // the controller is still transmitting when TSTART is written → ignored
    expect(h.xmit(100)).toBe(NETDEV_TX_OK);
    expect(h.tq.tstartLost).toBe(1);
    expect(h.tq.doorbell).not.toBe(h.tq.head);
    h.tq.hwBusy = false;
    h.tq.macbTxRestart();
    expect(h.tq.txRestarts).toBe(1);
    expect(h.tq.doorbell).toBe(h.tq.head);
    expect(h.log.kicks).toBe(kicks + 1);
  });

  it('in a simulation, lost TSTARTs are recovered by the TXUBR poll: every packet is sent, no stall', () => {
    const { result } = runScenario(
      oneDevice(
        { driver: 'macb', ringSize: 64, linkRateBps: 10e6, kernel: '6.12.117' },
        [{ ratePps: 3000, sizes: 200, burst: { everyMs: 5, packets: 8 } }],
        {
          durationMs: 200,
          faults: [{ kind: 'lost_tstart', device: 'eth0', queue: 0, startMs: 10 }],
        },
      ),
    );
    const q = result.queues[0]!;
    expect(q.tstartLost).toBeGreaterThan(50);
    expect(q.txRestarts).toBeGreaterThan(10);
    expect(result.qdiscDrops).toBe(0);
    // everything queued more than a few frame times before the end was sent
    expect(result.devices[0]!.sentPackets).toBeGreaterThan(result.devices[0]!.queuedPackets - 20);
  });
});

describe('macb_tx_error_task (§G.2 TX error path)', () => {
  it('counts completed frames, discards the rest, tx_head = tx_tail = 0; with BQL only completed frames are reported', () => {
    const h = driverHarness('macb', 64, true, '6.18.44');
    for (let i = 0; i < 5; i++) expect(h.xmit(1000)).toBe(NETDEV_TX_OK);
    // the controller completed 2 frames (TX_USED), not yet cleaned; then TXERR
    h.hwComplete(2);
    h.tq.hwTxError = true;
    const before = h.txq.dql!.inflight();
    expect(before).toBe(5000);
    const discarded = h.tq.macbTxErrorReset();
    expect(discarded).toBe(3000);
    expect(h.log.consumed).toBe(2);
    expect(h.log.discarded).toBe(3);
    expect([h.tq.head, h.tq.tail, h.tq.hwNext, h.tq.hwDone]).toEqual([0, 0, 0, 0]);
    // no netdev_tx_reset_queue: the 3 discarded frames stay in flight for good (§I.8 inflated inflight)
    expect(h.txq.dql!.inflight()).toBe(3000);
    expect(h.tq.occupancy).toBe(0);
  });
});

describe('macb-tx-error-bql.json (§G.2 error path + BQL, §I.5, §I.8)', () => {
  const file = path.join(repoRoot, 'examples', 'scenarios', 'macb-tx-error-bql.json');
  const run = (kernel?: string) => {
    const sc = parseScenario(readFileSync(file, 'utf8'), file);
    if (kernel) {
      sc.devices[0]!.kernel = kernel;
      sc.devices[0]!.bql = false; // macb has BQL only from 6.15
    }
    const events: Rec[] = [];
    const sim = new Simulator(sc, { checkInvariants: true, onEvent: (ev) => void events.push(copyEvent(ev)) });
    return { sc, sim, result: sim.run(), events };
  };
  const taskNs = 1000e9 + 1051e6; // error at 1050 ms, tx_error_task 1 ms later

  it('6.18 (BQL): the discarded bytes stay in DQL inflight, STACK_XOFF is never cleared, the qdisc fills, ENOBUFS = drops', () => {
    const { sim, result, events } = run();
    const q = result.queues[0]!;
    expect(q.txErrors).toBe(1);
    expect(result.logs).toHaveLength(1);
    expect(result.logs[0]).toMatchObject({ kind: 'macb_tx_error', dev: 'end0', queue: 0, tsNs: taskNs });
    // inflated inflight: exactly the discarded bytes, above the limit → avail < 0 → STACK_XOFF for good
    expect(q.txErrorDiscardedBytes).toBeGreaterThan(0);
    expect(q.dqlInflight).toBe(q.txErrorDiscardedBytes);
    expect(q.dqlInflight!).toBeGreaterThan(q.dqlLimit!);
    expect(q.state & QUEUE_STATE_STACK_XOFF).toBe(QUEUE_STATE_STACK_XOFF);
    expect(q.state & QUEUE_STATE_DRV_XOFF).toBe(0); // netif_tx_start_all_queues cleared DRV_XOFF
    expect(sim.driverQueue(0, 0).occupancy).toBe(0); // the ring is empty: nothing will ever complete
    // nothing is transmitted after the task, and the qdisc drops are exactly the ENOBUFS the sender saw
    expect(events.filter((e) => e.kind === TraceKind.netDevStartXmit && e.tsNs > taskNs)).toHaveLength(0);
    expect(result.qdiscDrops).toBeGreaterThan(1000);
    expect(result.enobufs).toBe(result.qdiscDrops);
    // the discarded frames were freed with consume_skb (napi_consume_skb(skb, 0)) at the task, not kfree_skb
    const atTask = events.filter((e) => e.tsNs === taskNs);
    expect(atTask.filter((e) => e.kind === TraceKind.consumeSkb).length).toBe(q.txErrorDiscardedBytes / 98);
    expect(atTask.filter((e) => e.kind === TraceKind.kfreeSkb)).toHaveLength(0);
  });

  it('6.12 (no BQL in macb): the same error loses the in-flight frames but traffic resumes at the next enqueue (start, not wake)', () => {
    const { result, events } = run('6.12.117');
    const q = result.queues[0]!;
    expect(q.txErrors).toBe(1);
    expect(q.state).toBe(0);
    expect(result.qdiscDrops).toBe(0);
    expect(q.txErrorDiscardedBytes).toBeGreaterThan(0);
    // start, not wake: nothing dequeues between the task and the next net_dev_queue
    const nextQueue = events.find((e) => e.kind === TraceKind.netDevQueue && e.tsNs > taskNs)!;
    expect(
      events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.tsNs >= taskNs && e.tsNs < nextQueue.tsNs),
    ).toHaveLength(0);
    const sentAfter = events.filter((e) => e.kind === TraceKind.consumeSkb && e.tsNs > taskNs).length;
    expect(sentAfter).toBeGreaterThan(2000);
  });
});
