/**
 * NAPI (§F): poll weight/budget, work accounting per driver, the interrupt → poll → re-enable cycle.
 */
import { describe, expect, it } from 'vitest';
import { NAPI_POLL_WEIGHT } from '../src/core/driver/profiles.js';
import { NapiInstance } from '../src/core/napi.js';
import { TraceKind } from '../src/sim/trace-event.js';
import { oneDevice, runScenario } from './sim-harness.js';

describe('NapiInstance (§F)', () => {
  it('schedules once (NAPI_STATE_SCHED) and stays scheduled only when work == weight', () => {
    const n = new NapiInstance(NAPI_POLL_WEIGHT, 0);
    expect(NAPI_POLL_WEIGHT).toBe(64);
    expect(n.schedulePrep()).toBe(true);
    expect(n.schedulePrep()).toBe(false);
    expect(n.afterPoll(64)).toBe(true);
    expect(n.scheduled).toBe(true);
    expect(n.afterPoll(3)).toBe(false);
    expect(n.scheduled).toBe(false);
    expect(n.schedulePrep()).toBe(true);
  });
});

describe('napi_poll events per driver (§F)', () => {
  const polls = (driver: 'igb' | 'macb' | 'virtio_net', extra: object = {}) =>
    runScenario(
      oneDevice({ driver, qdisc: 'pfifo_fast', irqCoalesceUs: 100, ...extra }, [
        { ratePps: 50000, sizes: 200, burst: { everyMs: 10, packets: 300 } },
      ]),
    ).events.filter((e) => e.kind === TraceKind.napiPoll);

  it('budget printed is the weight, 64, for every driver', () => {
    for (const d of ['igb', 'macb', 'virtio_net'] as const) {
      const p = polls(d);
      expect(p.length).toBeGreaterThan(50);
      for (const e of p) expect(e.budget).toBe(64);
    }
  });
  it('igb: TX is not work — polls show work 0, or 64 when TX cleaning hit its 128 limit', () => {
    const p = polls('igb', { ringSize: 1024, irqCoalesceUs: 500 });
    for (const e of p) expect([0, 64]).toContain(e.work);
    expect(p.some((e) => e.work === 64)).toBe(true);
  });
  it('virtio_net: the TX poll always returns 0', () => {
    for (const e of polls('virtio_net')) expect(e.work).toBe(0);
  });
  it('macb: work = TX packets completed, <= budget, and > 0 when completions were pending', () => {
    const p = polls('macb');
    for (const e of p) expect(e.work).toBeLessThanOrEqual(64);
    expect(p.some((e) => e.work > 1)).toBe(true);
  });
  it('every consume_skb from a driver clean happens inside a poll (same timestamp, before its napi_poll)', () => {
    const { events } = runScenario(
      oneDevice({ driver: 'macb', qdisc: 'pfifo_fast' }, [{ ratePps: 20000, sizes: 200 }]),
    );
    let pendingConsumes = 0;
    let polled = 0;
    for (const e of events) {
      if (e.kind === TraceKind.consumeSkb) pendingConsumes++;
      if (e.kind === TraceKind.napiPoll) {
        expect(e.work).toBe(pendingConsumes);
        polled += pendingConsumes;
        pendingConsumes = 0;
      }
    }
    expect(polled).toBeGreaterThan(1000);
  });
  it('a lost interrupt leaves the vector masked: no poll and no completion afterwards (§I.1)', () => {
    const { events, result } = runScenario(
      oneDevice({ driver: 'macb', qdisc: 'pfifo_fast' }, [{ ratePps: 2000, sizes: 200 }], {
        faults: [{ kind: 'lost_irq', device: 'eth0', startMs: 30, count: 1 }],
      }),
    );
    expect(result.queues[0]!.lostIrqs).toBe(1);
    const lastPoll = events.filter((e) => e.kind === TraceKind.napiPoll).at(-1)!;
    expect(lastPoll.tsNs).toBeLessThan(30.1e6);
    expect(events.filter((e) => e.kind === TraceKind.consumeSkb && e.tsNs > 30.1e6)).toHaveLength(0);
  });
});
