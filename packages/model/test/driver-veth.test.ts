/**
 * veth with the peer's ptr_ring (6.18 "veth: apply qdisc backpressure on full ptr_ring"): a full ring stops the txq
 * and returns NETDEV_TX_BUSY (→ requeue), the peer NAPI wakes it per poll; with noqueue the skb is dropped instead.
 * Scenario veth-backpressure.json vs the real capture of the same name (starved nice-19 NAPI thread).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NETDEV_TX_BUSY, NETDEV_TX_OK, VETH_RING_SIZE } from '../src/core/driver/profiles.js';
import { PerfScriptWriter, perfScriptContextFor } from '../src/sim/perf-script-writer.js';
import { parseScenario } from '../src/sim/scenario.js';
import { Simulator } from '../src/sim/simulator.js';
import { TraceKind } from '../src/sim/trace-event.js';
import { repoRoot, senderResult, sharedDir } from './golden-dir.js';
import { copyEvent, driverHarness, oneDevice, runScenario, type Rec } from './sim-harness.js';

describe('veth_xmit on the peer ptr_ring', () => {
  it('all VETH_RING_SIZE entries are usable; with a qdisc a full ring stops the txq and returns BUSY', () => {
    const h = driverHarness('veth', VETH_RING_SIZE);
    // the harness host has a qdisc-less queue by default: build one with a qdisc through a scenario instead below
    for (let i = 0; i < VETH_RING_SIZE; i++) expect(h.xmit(100)).toBe(NETDEV_TX_OK);
    expect(h.tq.occupancy).toBe(VETH_RING_SIZE);
    // noqueue (qdisc_txq_has_no_queue): dropped, NET_XMIT_DROP, never stopped
    expect(h.xmit(100)).toBe(0x01);
    expect(h.log.freedDropped).toBe(1);
    expect(h.txq.txqStopped()).toBe(false);
    // the peer NAPI consumes up to its budget and the queue may take more
    expect(h.tq.poll()).toBe(64);
    expect(h.xmit(100)).toBe(NETDEV_TX_OK);
  });

  it('noqueue: a full ring is ENOBUFS for the sender (NET_XMIT_DROP → net_xmit_errno), no requeue, no stop', () => {
    const { result, events } = runScenario(
      oneDevice(
        { driver: 'veth', ringSize: 16, vethPeer: { napiPeriodMs: 10, napiRunMs: 0.01, napiCostNsPerPacket: 1000 } },
        [{ ratePps: 20000, sizes: 100 }],
        { durationMs: 50 },
      ),
    );
    expect(result.enobufs).toBeGreaterThan(100);
    expect(events.filter((e) => e.kind === TraceKind.netDevXmit && e.rc === 1).length).toBe(result.enobufs);
    expect(result.devices[0]!.requeues).toBe(0);
    expect(result.queues[0]!.stops).toBe(0);
  });
});

describe('veth-backpressure.json vs the real capture (§I.3 BUSY → requeue, §I.6 drops → ENOBUFS, §I.12 starved NAPI)', () => {
  const file = path.join(repoRoot, 'examples', 'scenarios', 'veth-backpressure.json');
  const real = path.join(sharedDir, 'traces', 'veth-backpressure');
  const sender = senderResult(real);
  const sc = parseScenario(readFileSync(file, 'utf8'), file);
  const events: Rec[] = [];
  let w: PerfScriptWriter | null = null;
  const sim = new Simulator(sc, {
    checkInvariants: true,
    onEvent: (ev) => {
      events.push(copyEvent(ev));
      w!.consumer(ev);
    },
  });
  w = new PerfScriptWriter(perfScriptContextFor(sc, sim.tasks));
  const r = sim.run();
  const d = r.devices[0]!;
  const q = r.queues[0]!;

  it('the mechanism: TX_BUSY returns = requeues = stops = wakes; ENOBUFS = qdisc drops; nothing left stopped or queued', () => {
    const busy = events.filter((e) => e.kind === TraceKind.netDevXmit && e.rc === NETDEV_TX_BUSY).length;
    expect(busy).toBeGreaterThan(5);
    expect(busy).toBe(d.requeues);
    expect(q.xmitBusy).toBe(busy);
    expect(q.stops).toBe(busy);
    expect(q.wakes).toBe(q.stops);
    expect(d.enobufs).toBe(d.qdiscDrops);
    expect(d.queuedPackets).toBe(sender.attempted);
    expect(q.state).toBe(0);
    expect(sim.byteAccount(0).backlog).toBe(0);
    // while stopped, every send's qdisc run dequeues NULL with txq_state 0x1 (the requeued skb waits)
    const stoppedNull = events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb < 0 && e.txqState === 1).length;
    expect(stoppedNull).toBeGreaterThan(10000);
  });

  it('the starved NAPI thread (napi/vr0, one 64-packet poll per CPU window) bounds delivery like the real run (within 10 %)', () => {
    const ok = d.queuedPackets - d.enobufs;
    expect(Math.abs(ok - sender.ok) / sender.ok).toBeLessThan(0.1);
    expect(Math.abs(d.enobufs - sender.enobufs) / sender.enobufs).toBeLessThan(0.01);
    const text = w!.text();
    const polls = text.split('\n').filter((l) => l.includes('napi:napi_poll'));
    expect(polls.length).toBe(r.eventCounts.napi_poll);
    expect(polls.every((l) => /^ +napi\/vr0-275 15018 .* for device vr0 work \d+ budget 64$/.test(l))).toBe(true);
    // every poll runs inside one of the thread's CPU windows (0.3 ms every 100 ms)
    const pollNs = events.filter((e) => e.kind === TraceKind.napiPoll).map((e) => e.tsNs - sc.startOffsetNs);
    expect(pollNs.every((t) => t % 100e6 < 0.3e6)).toBe(true);
    // once the ring is full, each window is one full-budget poll (real: 14 of 20 polls had work 64)
    expect(events.filter((e) => e.kind === TraceKind.napiPoll && e.work === 64).length).toBeGreaterThanOrEqual(10);
  });
});
