/**
 * tbf (§D.6; net/sched/sch_tbf.c): token arithmetic, enqueue drops → NET_XMIT_DROP → ENOBUFS (§D.3), throttled
 * dequeue with the qdisc watchdog, overlimits; and the scenario tbf-throttle.json against the real capture
 * veth-stall-tbf (tbf rate 400kbit burst 3000 limit 15000 on a veth, 1500 sends of 542 B at 1000 pkt/s).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../src/core/qdisc/disciplines.js';
import { Tbf, pschedRatecfgPrecompute } from '../src/core/qdisc/tbf.js';
import { parseScenario } from '../src/sim/scenario.js';
import { Simulator } from '../src/sim/simulator.js';
import { TraceKind } from '../src/sim/trace-event.js';
import { repoRoot, senderResult, sharedDir } from './golden-dir.js';
import { copyEvent, type Rec } from './sim-harness.js';

function tbfAt(rateBps: number, burstBytes: number, limitBytes: number) {
  let now = 0;
  const lens = new Int32Array(64);
  const q = new Tbf(
    { rateBps, burstBytes, limitBytes },
    () => lens,
    () => now,
  );
  return {
    q,
    lens,
    set nowNs(v: number) {
      now = v;
    },
  };
}

describe('tbf arithmetic (psched_ratecfg_precompute, psched_l2t_ns, tbf_change)', () => {
  it('400 kbit/s: l2t(542) = 10.84 ms, buffer(burst 3000) = 60 ms, max_size = first length over the buffer', () => {
    const { mult, shift } = pschedRatecfgPrecompute(50000);
    // the loop stops once mult has bit 31 set: 1e9·2^shift / 50000 ≥ 2^31
    expect(mult).toBeGreaterThanOrEqual(2 ** 31);
    expect(mult).toBeLessThan(2 ** 32);
    expect(Math.floor((1e9 * 2 ** shift) / 50000)).toBe(mult);
    const { q } = tbfAt(400000, 3000, 15000);
    expect(q.l2tNs(542)).toBe(10_840_000);
    expect(q.bufferNs).toBe(60_000_000);
    expect(q.maxSizeBytes).toBe(3001);
  });

  it('enqueue: len > max_size or backlog + len > limit → NET_XMIT_DROP; dequeue refuses without tokens, asks the watchdog, overlimits++', () => {
    const t = tbfAt(400000, 3000, 15000);
    const { q, lens } = t;
    lens.fill(542);
    lens[60] = 3002;
    expect(q.enqueue(60, 3002)).toBe(NET_XMIT_DROP);
    let accepted = 0;
    for (let skb = 0; skb < 40; skb++) if (q.enqueue(skb, 542) === NET_XMIT_SUCCESS) accepted++;
    expect(accepted).toBe(27); // 27·542 = 14634 ≤ 15000 < 28·542
    expect(q.backlogBytes).toBe(27 * 542);
    // a full bucket (60 ms) pays for 5 packets of 10.84 ms
    for (let i = 0; i < 5; i++) expect(q.dequeue()).toBe(i);
    expect(q.tokensNs).toBe(60_000_000 - 5 * 10_840_000);
    expect(q.dequeue()).toBe(-1);
    expect(q.overlimits).toBe(1);
    // 5.8 ms of tokens left, 10.84 needed: the watchdog is asked for now + 5.04 ms
    expect(q.watchdogRequestNs).toBe(5_040_000);
    t.nowNs = 5_040_000;
    expect(q.dequeue()).toBe(5);
    expect(q.tokensNs).toBe(0);
  });
});

describe('tbf-throttle.json vs the real capture veth-stall-tbf', () => {
  const file = path.join(repoRoot, 'examples', 'scenarios', 'tbf-throttle.json');
  const real = path.join(sharedDir, 'traces', 'veth-stall-tbf');
  const sender = senderResult(real);
  const tc = (
    JSON.parse(readFileSync(path.join(real, 'tc-after-vs0.json'), 'utf8')) as { drops: number; overlimits: number }[]
  )[0]!;
  const sc = parseScenario(readFileSync(file, 'utf8'), file);
  const events: Rec[] = [];
  const sim = new Simulator(sc, { checkInvariants: true, onEvent: (ev) => void events.push(copyEvent(ev)) });
  const r = sim.run();
  const d = r.devices[0]!;

  it("ENOBUFS = qdisc drops = kfree_skb QDISC_DROP, and the counts are the kernel capture's (1500 sends: 170 ok, 1330 ENOBUFS)", () => {
    expect(d.queuedPackets).toBe(sender.attempted);
    expect(d.enobufs).toBe(d.qdiscDrops);
    expect(events.filter((e) => e.kind === TraceKind.kfreeSkb).length).toBe(d.qdiscDrops);
    expect(d.enobufs).toBe(sender.enobufs);
    expect(d.queuedPackets - d.enobufs).toBe(sender.ok);
    expect(tc.drops).toBe(sender.enobufs);
    // tbf never bypasses: every accepted packet has a qdisc_enqueue; the veth queue never stops, no requeues
    expect(r.eventCounts.qdisc_enqueue).toBe(sender.ok);
    expect(d.requeues).toBe(0);
    expect(r.queues[0]!.stops).toBe(0);
  });

  it('overlimits follow the kernel rule (one per refused dequeue): within 0.5 % of tc -s (its 10 extra non-udpflood packets included)', () => {
    expect(Math.abs(d.qdiscOverlimits - tc.overlimits)).toBeLessThanOrEqual(Math.ceil(tc.overlimits * 0.005));
    const nullDeq = events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb < 0).length;
    // every overlimit is a NULL dequeue; the rest found the queue empty
    expect(nullDeq).toBeGreaterThanOrEqual(d.qdiscOverlimits);
  });

  it('a full bucket lets the first 5 packets through at once; after that the sent rate is the tbf rate (50000 B/s)', () => {
    const deq = events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb >= 0).map((e) => e.tsNs);
    const firstSend = events.find((e) => e.kind === TraceKind.netDevQueue)!.tsNs;
    expect(deq.slice(0, 5).every((t) => t - firstSend < 5e6)).toBe(true);
    expect(deq[5]! - firstSend).toBeGreaterThan(5e6);
    const steady = deq.slice(5);
    const bytesPerSec = ((steady.length - 1) * 542) / ((steady[steady.length - 1]! - steady[0]!) / 1e9);
    expect(Math.abs(bytesPerSec - 50000) / 50000).toBeLessThan(0.005);
  });
});
