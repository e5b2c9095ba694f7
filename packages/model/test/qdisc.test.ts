/**
 * Qdisc path rules (§D), each from the spec, checked on the disciplines directly or on simulated traces.
 */
import { describe, expect, it } from 'vitest';
import {
  PfifoFast,
  PFifo,
  BFifo,
  PFIFO_FAST_PRIOMAP,
  NET_XMIT_SUCCESS,
  NET_XMIT_DROP,
} from '../src/core/qdisc/disciplines.js';
import { DROP_REASON_NAMES, DropReason } from '../src/core/skb-free.js';
import { DEV_TX_WEIGHT } from '../src/sim/simulator.js';
import { TraceKind } from '../src/sim/trace-event.js';
import { oneDevice, runScenario } from './sim-harness.js';

const lens = new Int32Array(100000).fill(1000);
const lenSource = (): Int32Array => lens;

describe('pfifo_fast (§D.6)', () => {
  it('priomap is sch_default_prio2band: 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1', () => {
    expect(PFIFO_FAST_PRIOMAP).toEqual([1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(PfifoFast.band(6)).toBe(0); // TC_PRIO_INTERACTIVE
    expect(PfifoFast.band(7)).toBe(0); // TC_PRIO_CONTROL
    expect(PfifoFast.band(0)).toBe(1); // best effort
    expect(PfifoFast.band(2)).toBe(2); // bulk
    expect(PfifoFast.band(16 + 6)).toBe(0); // priority & TC_PRIO_MAX
  });

  it('dequeues band 0 first, then 1, then 2, FIFO within a band', () => {
    const q = new PfifoFast(10, lenSource);
    q.enqueue(1, 1000, 2); // band 2
    q.enqueue(2, 1000, 0); // band 1
    q.enqueue(3, 1000, 6); // band 0
    q.enqueue(4, 1000, 0); // band 1
    expect([q.dequeue(), q.dequeue(), q.dequeue(), q.dequeue(), q.dequeue()]).toEqual([3, 2, 4, 1, -1]);
  });

  it('the limit is txqueuelen per band: a full band drops while the others still accept', () => {
    const q = new PfifoFast(3, lenSource);
    for (let i = 0; i < 3; i++) expect(q.enqueue(i, 1000, 0)).toBe(NET_XMIT_SUCCESS);
    expect(q.enqueue(10, 1000, 0)).toBe(NET_XMIT_DROP);
    expect(q.enqueue(11, 1000, 6)).toBe(NET_XMIT_SUCCESS);
    expect(q.enqueue(12, 1000, 2)).toBe(NET_XMIT_SUCCESS);
    expect(q.qlen).toBe(5);
    expect(q.backlogBytes).toBe(5000);
  });
});

describe('pfifo / bfifo (§D.6)', () => {
  it('pfifo: limit in packets, over → NET_XMIT_DROP; bypass allowed when limit >= 1', () => {
    const q = new PFifo(2, lenSource);
    expect(q.enqueue(1, 1000)).toBe(NET_XMIT_SUCCESS);
    expect(q.enqueue(2, 1000)).toBe(NET_XMIT_SUCCESS);
    expect(q.enqueue(3, 1000)).toBe(NET_XMIT_DROP);
    expect(q.canBypass).toBe(true);
    expect(new PFifo(0, lenSource).canBypass).toBe(false);
  });
  it('bfifo: limit in bytes (backlog + len <= limit); bypass only when limit >= mtu', () => {
    const q = new BFifo(2500, 1500, lenSource);
    expect(q.enqueue(1, 1000)).toBe(NET_XMIT_SUCCESS);
    expect(q.enqueue(2, 1000)).toBe(NET_XMIT_SUCCESS);
    expect(q.enqueue(3, 1000)).toBe(NET_XMIT_DROP);
    expect(q.canBypass).toBe(true);
    expect(new BFifo(1000, 1500, lenSource).canBypass).toBe(false);
  });
});

describe('__dev_xmit_skb bypass (§D.2)', () => {
  it('an empty pfifo_fast with a running txq sends directly: no qdisc_enqueue or qdisc_dequeue events at all', () => {
    const { events, result } = runScenario(
      oneDevice({ driver: 'generic', bql: false, qdisc: 'pfifo_fast' }, [{ ratePps: 2000, sizes: 500 }]),
    );
    expect(result.devices[0]!.sentPackets).toBeGreaterThan(150);
    expect(events.filter((e) => e.kind === TraceKind.qdiscEnqueue || e.kind === TraceKind.qdiscDequeue)).toHaveLength(
      0,
    );
    // every packet: net_dev_queue → net_dev_start_xmit → net_dev_xmit rc=0 in the sender's context
    const q = events.filter((e) => e.kind === TraceKind.netDevQueue).length;
    expect(events.filter((e) => e.kind === TraceKind.netDevXmit && e.rc === 0).length).toBe(q);
  });
  it('a qdisc without TCQ_F_CAN_BYPASS (bfifo limit < mtu) always enqueues and dequeues', () => {
    const { events } = runScenario(
      oneDevice({ driver: 'generic', bql: false, qdisc: 'bfifo', qdiscLimit: 1000, mtu: 1500 }, [
        { ratePps: 2000, sizes: 500 },
      ]),
    );
    const enq = events.filter((e) => e.kind === TraceKind.qdiscEnqueue).length;
    const deq = events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb >= 0).length;
    expect(enq).toBeGreaterThan(150);
    expect(deq).toBe(enq);
  });
});

describe('drops → sender errors (§D.2, §D.3)', () => {
  it('NET_XMIT_DROP: kfree_skb QDISC_DROP at __dev_queue_xmit, no qdisc_enqueue for it, ENOBUFS for IP_RECVERR senders', () => {
    const { events, result } = runScenario(
      oneDevice({ driver: 'igb', qdisc: 'pfifo', qdiscLimit: 5 }, [{ ratePps: 5000, sizes: 1000 }], {
        faults: [{ kind: 'frozen_never_unfrozen', device: 'eth0', startMs: 10 }],
      }),
    );
    const drops = events.filter((e) => e.kind === TraceKind.kfreeSkb && DROP_REASON_NAMES[e.reason] === 'QDISC_DROP');
    expect(drops.length).toBeGreaterThan(100);
    expect(result.qdiscDrops).toBe(drops.length);
    expect(result.enobufs).toBe(drops.length);
    const enqueued = new Set(events.filter((e) => e.kind === TraceKind.qdiscEnqueue).map((e) => `${e.skb}@${e.tsNs}`));
    for (const d of drops) expect(enqueued.has(`${d.skb}@${d.tsNs}`)).toBe(false);
  });
  it('senders without IP_RECVERR see success (UDP swallows ENOBUFS)', () => {
    const { result } = runScenario(
      oneDevice({ driver: 'igb', qdisc: 'pfifo', qdiscLimit: 5 }, [{ ratePps: 5000, sizes: 1000, recverr: false }], {
        faults: [{ kind: 'frozen_never_unfrozen', device: 'eth0', startMs: 10 }],
      }),
    );
    expect(result.qdiscDrops).toBeGreaterThan(100);
    expect(result.enobufs).toBe(0);
  });
  it('noop qdisc while the link is down drops with NET_XMIT_CN: kfree_skb QDISC_DROP but no ENOBUFS', () => {
    const { events, result } = runScenario(
      oneDevice({ driver: 'igb' }, [{ ratePps: 5000, sizes: 1000 }], {
        faults: [{ kind: 'link_down', device: 'eth0', startMs: 20, durationMs: 30 }],
      }),
    );
    const cn = events.filter((e) => e.kind === TraceKind.kfreeSkb && e.reason === DropReason.QDISC_DROP);
    expect(cn.length).toBeGreaterThan(100);
    expect(result.enobufs).toBe(0);
    expect(result.devices[0]!.sentPackets).toBeGreaterThan(200); // traffic resumes after link up
  });
  it('noqueue on a stopped device: "Virtual device asks to queue packet" → kfree_skb, -ENETDOWN', () => {
    const { result } = runScenario(
      oneDevice({ driver: 'veth-like', ringSize: 16, linkRateBps: 1e6 }, [{ ratePps: 5000, sizes: 1000 }]),
    );
    expect(result.enetdown).toBeGreaterThan(0);
    expect(result.devices[0]!.droppedPackets).toBe(result.enetdown);
  });
});

describe('__qdisc_run quota and __netif_schedule (§D.4, §D.5)', () => {
  it('one qdisc run sends at most dev_tx_weight (64) packets, then defers to NET_TX softirq', () => {
    // macb without BQL: no bulk, one skb per dequeue. The ring is stuck until 50 ms, a 1000-packet backlog builds up.
    const { events } = runScenario(
      oneDevice(
        { driver: 'macb', ringSize: 512, qdisc: 'pfifo', qdiscLimit: 2000, linkRateBps: 1e10 },
        [{ ratePps: 20000, sizes: 100 }],
        {
          faults: [{ kind: 'dma_stuck', device: 'eth0', startMs: 1, durationMs: 49 }],
        },
      ),
    );
    // runs of consecutive net_dev_xmit from softirq context (task 0) at one timestamp
    const runs: number[] = [];
    let cur = 0;
    let lastTs = -1;
    for (const e of events) {
      if (e.kind === TraceKind.netDevXmit && e.task === 0 && e.tsNs === lastTs) cur++;
      else if (e.kind === TraceKind.netDevXmit && e.task === 0) {
        if (cur) runs.push(cur);
        cur = 1;
        lastTs = e.tsNs;
      } else if (e.kind === TraceKind.netDevXmit) {
        if (cur) runs.push(cur);
        cur = 0;
        lastTs = -1;
      }
    }
    if (cur) runs.push(cur);
    expect(DEV_TX_WEIGHT).toBe(64);
    expect(Math.max(...runs)).toBe(64);
    expect(runs.filter((r) => r === 64).length).toBeGreaterThan(3);
  });
});

describe('requeue (§D.4 dev_requeue_skb)', () => {
  it('NETDEV_TX_BUSY requeues: requeues++, and the same skb is retried first once the txq runs', () => {
    const { events, result } = runScenario(
      oneDevice({ driver: 'igb', qdisc: 'pfifo_fast' }, [{ ratePps: 20000, sizes: 1000 }], {
        faults: [{ kind: 'tx_busy_while_awake', device: 'eth0', startMs: 10, durationMs: 0.05 }],
      }),
    );
    const xmits = events.filter((e) => e.kind === TraceKind.netDevXmit);
    const busy = xmits.filter((e) => e.rc === 16);
    expect(busy.length).toBeGreaterThan(0);
    expect(result.devices[0]!.requeues).toBeGreaterThanOrEqual(busy.length);
    const lastBusy = busy[busy.length - 1]!;
    const firstOkAfter = xmits.find(
      (e) => e.tsNs >= lastBusy.tsNs && e.rc === 0 && xmits.indexOf(e) > xmits.indexOf(lastBusy),
    )!;
    expect(firstOkAfter.skb).toBe(lastBusy.skb);
    // the retried skb comes from the requeue list: the dequeue right before its start_xmit returned it
    const at = events.indexOf(firstOkAfter);
    const deq = events
      .slice(0, at)
      .filter((e) => e.kind === TraceKind.qdiscDequeue)
      .at(-1)!;
    expect(deq.skb).toBe(lastBusy.skb);
  });
  it('a requeued skb is not retried while its txq is frozen/stopped: NULL dequeues carry txq_state', () => {
    const { events } = runScenario(
      oneDevice({ driver: 'virtio_net', qdisc: 'pfifo_fast', txqueuelen: 50 }, [{ ratePps: 1000, sizes: 98 }], {
        faults: [{ kind: 'frozen_never_unfrozen', device: 'eth0', startMs: 20 }],
      }),
    );
    const freezeNs = 20e6;
    const after = events.filter((e) => e.tsNs > freezeNs);
    expect(after.filter((e) => e.kind === TraceKind.netDevStartXmit)).toHaveLength(0);
    const nullDeq = after.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb < 0);
    expect(nullDeq.length).toBeGreaterThan(50);
    for (const e of nullDeq) expect(e.txqState & 0x4).toBe(0x4);
    // 6.12: packets=1 on a NULL dequeue (§D.4)
    for (const e of nullDeq) expect(e.packets).toBe(1);
  });
  it('6.18: NULL dequeues report packets=0', () => {
    const { events } = runScenario(
      oneDevice(
        { driver: 'virtio_net', qdisc: 'pfifo_fast', txqueuelen: 50, kernel: '6.18.44' },
        [{ ratePps: 1000, sizes: 98 }],
        {
          faults: [{ kind: 'frozen_never_unfrozen', device: 'eth0', startMs: 20 }],
        },
      ),
    );
    const nullDeq = events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb < 0);
    expect(nullDeq.length).toBeGreaterThan(50);
    for (const e of nullDeq) expect(e.packets).toBe(0);
  });
});

describe('TCQ_F_ONETXQUEUE early return (§D.4 step 2)', () => {
  it('with an empty requeue list and a stopped txq, dequeue returns NULL without a trace event', () => {
    // bfifo below mtu: no bypass, so nothing is ever requeued; igb without BQL, interrupts lost from 5 ms:
    // the ring fills, igb stops the queue, and later enqueues run the qdisc without any qdisc_dequeue event.
    const { events, result } = runScenario(
      oneDevice(
        { driver: 'igb', bql: false, ringSize: 64, qdisc: 'bfifo', qdiscLimit: 8000, mtu: 9000 },
        [{ ratePps: 5000, sizes: 98 }],
        {
          faults: [{ kind: 'lost_irq', device: 'eth0', startMs: 5 }],
        },
      ),
    );
    expect(result.queues[0]!.state & 0x1).toBe(1);
    expect(result.devices[0]!.requeues).toBe(0);
    const stopNs = events.filter((e) => e.kind === TraceKind.netDevXmit).at(-1)!.tsNs;
    const after = events.filter((e) => e.tsNs > stopNs);
    expect(after.filter((e) => e.kind === TraceKind.qdiscEnqueue).length).toBeGreaterThan(50);
    expect(after.filter((e) => e.kind === TraceKind.qdiscDequeue)).toHaveLength(0);
  });
});

describe('bulk dequeue bounded by BQL (§D.4 step 4)', () => {
  it('with BQL, a bulk is cut once dql_avail is used up; without BQL there is never more than one packet', () => {
    let checked = 0;
    const { events } = runScenario(
      // interrupt coalescing (ITR) batches completions, so DQL's limit grows above one packet
      oneDevice({ driver: 'igb', qdisc: 'pfifo_fast', irqCoalesceUs: 200 }, [
        { ratePps: 10000, sizes: 1000, burst: { everyMs: 5, packets: 100 } },
      ]),
      {
        onEvent: (ev, sim) => {
          if (ev.kind !== TraceKind.qdiscDequeue || ev.skb < 0 || ev.packets < 2) return;
          // the trace fires at the end of dequeue_skb, before xmit: dql_avail is still what the bulk saw
          const avail = sim.driverQueue(0, 0).txq.dql!.avail();
          expect(avail - (ev.packets - 1) * 1000).toBeGreaterThan(0); // kept going while the byte budget > 0
          const qlen = sim.qdiscOf(0, 0)!.qlen;
          if (qlen > 0 && ev.packets < 64) expect(avail - ev.packets * 1000).toBeLessThanOrEqual(0);
          checked++;
        },
      },
    );
    expect(checked).toBeGreaterThan(5);
    const noBql = runScenario(
      // a 64-entry ring overflows on each 100-packet burst, so the qdisc holds a backlog and dequeues
      oneDevice({ driver: 'igb', bql: false, ringSize: 64, qdisc: 'pfifo_fast', irqCoalesceUs: 200 }, [
        { ratePps: 10000, sizes: 1000, burst: { everyMs: 5, packets: 100 } },
      ]),
    );
    const deq = noBql.events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb >= 0);
    expect(deq.length).toBeGreaterThan(10);
    for (const e of deq) expect(e.packets).toBe(1);
    void events;
  });
});

describe('mq (§D.6)', () => {
  it('one TCQ_F_ONETXQUEUE child per TX queue: events carry the child handle and parent major:(i+1); flows map to queues', () => {
    const { events, sim } = runScenario(
      oneDevice({ driver: 'igb', numTxQueues: 4, qdisc: 'mq', qdiscHandle: 0x10000, mqChild: 'pfifo' }, [
        { ratePps: 40000, sizes: 1000, flows: 4, queueMap: [0, 1, 2, 3], burst: { everyMs: 5, packets: 200 } },
      ]),
    );
    const parents = new Set(
      events
        .filter((e) => e.kind === TraceKind.qdiscDequeue || e.kind === TraceKind.qdiscEnqueue)
        .map((e) => sim.qdiscOf(0, e.queue)!.parent),
    );
    for (let q = 0; q < 4; q++) {
      const child = sim.qdiscOf(0, q)!;
      expect(child.parent).toBe(0x10000 + q + 1);
      expect(child.handle).toBe(0);
      expect(child.oneTxQueue).toBe(q);
      expect(parents.has(0x10000 + q + 1)).toBe(true);
    }
    const mappings = new Set(events.filter((e) => e.kind === TraceKind.netDevStartXmit).map((e) => e.queue));
    expect([...mappings].sort()).toEqual([0, 1, 2, 3]);
  });
});
