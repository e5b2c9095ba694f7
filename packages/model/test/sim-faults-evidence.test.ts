/**
 * The faults whose only trace is in the events the kernel (or the tracer) emits around them: each shipped scenario
 * (examples/scenarios) run with the invariants checked, and the emitted events show the fault the way the kernel
 * would (README "Rule → evidence → real trace → scenario" in packages/replay).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/sim/scenario.js';
import { Simulator, type SimResult } from '../src/sim/simulator.js';
import { PerfScriptWriter, perfScriptContextFor } from '../src/sim/perf-script-writer.js';
import { DROP_REASON_NAMES, FREE_LOCATION_NAMES, TraceKind } from '../src/sim/trace-event.js';
import { copyEvent, type Rec } from './sim-harness.js';
import { repoRoot } from './golden-dir.js';

function run(name: string): { r: SimResult; events: Rec[]; text: string } {
  const file = path.join(repoRoot, 'examples', 'scenarios', `${name}.json`);
  const sc = parseScenario(readFileSync(file, 'utf8'), file);
  const events: Rec[] = [];
  let writer: PerfScriptWriter | null = null;
  const sim = new Simulator(sc, {
    checkInvariants: true,
    onEvent: (ev) => {
      events.push(copyEvent(ev));
      writer!.consumer(ev);
    },
  });
  writer = new PerfScriptWriter(perfScriptContextFor(sc, sim.tasks));
  const r = sim.run();
  return { r, events, text: writer.text() };
}

const T0 = 1000e9;
const ms = (e: Rec): number => (e.tsNs - T0) / 1e6;
const reason = (e: Rec): string => DROP_REASON_NAMES[e.reason]!;
const where = (e: Rec): string => FREE_LOCATION_NAMES[e.location]!.replace(/\+.*/, '');

describe('fault evidence in the emitted events', () => {
  it('peer_down: every transmit from 300 ms returns NET_XMIT_DROP (rc=1), freed at enqueue_to_backlog, no peer NAPI', () => {
    const { events } = run('veth-peer-down');
    const after = events.filter((e) => ms(e) >= 300);
    const xmits = after.filter((e) => e.kind === TraceKind.netDevXmit);
    expect(xmits.length).toBeGreaterThan(5000);
    expect(xmits.every((e) => e.rc === 1)).toBe(true);
    expect(events.filter((e) => e.kind === TraceKind.netDevXmit && ms(e) < 300).every((e) => e.rc === 0)).toBe(true);
    const drops = after.filter((e) => e.kind === TraceKind.kfreeSkb);
    expect(drops.length).toBe(xmits.length);
    expect(new Set(drops.map((e) => `${reason(e)}@${where(e)}`))).toEqual(new Set(['DEV_READY@enqueue_to_backlog']));
    expect(after.some((e) => e.kind === TraceKind.napiPoll)).toBe(false);
  });

  it('qdisc_run_missed (4.19 pfifo_fast): one skb waits in the qdisc for the next enqueue; no qdisc_enqueue tracepoint', () => {
    const { events } = run('pfifo-fast-nolock-stuck-skb');
    expect(events.some((e) => e.kind === TraceKind.qdiscEnqueue)).toBe(false);
    const queuedAt = new Map<number, number>();
    const waits: number[] = [];
    for (const e of events) {
      if (e.kind === TraceKind.netDevQueue) queuedAt.set(e.skb, e.tsNs);
      else if (e.kind === TraceKind.netDevStartXmit && e.queue === 0) waits.push((e.tsNs - queuedAt.get(e.skb)!) / 1e6);
    }
    expect(waits.filter((w) => w > 1)).toEqual([250]);
    // the next enqueue (500 ms) runs the qdisc: the stuck skb leaves first (FIFO), then the new one
    const out500 = events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.skb >= 0 && ms(e) === 500);
    const queued250 = events.find((e) => e.kind === TraceKind.netDevQueue && ms(e) === 250 && e.lenBytes === 115)!;
    expect(out500.map((e) => e.skb)[0]).toBe(queued250.skb);
    expect(out500).toHaveLength(2);
  });

  it('doorbell_skipped: the last burst (3 skbs, xmit_more) is never completed, the queue never stopped after it', () => {
    const { r, events } = run('igb-doorbell-not-rung');
    const q0 = r.queues.find((q) => q.queue === 0)!;
    expect(q0.ringOccupancy).toBe(3);
    expect(q0.state).toBe(0);
    const lastXmit = events.filter((e) => e.kind === TraceKind.netDevXmit && e.queue === 0).at(-1)!;
    expect(events.filter((e) => e.kind === TraceKind.consumeSkb && e.queue === 0 && e.tsNs > lastXmit.tsNs)).toEqual(
      [],
    );
  });

  it('neigh faults: NEIGH_QUEUEFULL at __neigh_event_send, NEIGH_FAILED at neigh_invalidate, NEIGH_CREATEFAIL → ENOBUFS', () => {
    const { r, events } = run('neigh-unresolved');
    const drops = events.filter((e) => e.kind === TraceKind.kfreeSkb).map((e) => `${reason(e)}@${where(e)}`);
    const count = (k: string): number => drops.filter((d) => d === k).length;
    // 5000 pps: 1500 skbs in 300 ms on the INCOMPLETE entry, 92 of truesize 2304 fit in 212992 bytes
    expect(count('NEIGH_QUEUEFULL@__neigh_event_send')).toBe(1500 - 92);
    expect(count('NEIGH_FAILED@neigh_invalidate')).toBe(92);
    expect(count('NEIGH_CREATEFAIL@ip_finish_output2')).toBe(1000);
    expect(r.devices[0]!.enobufs).toBe(1000);
    // none of them reached __dev_queue_xmit
    expect(events.filter((e) => e.kind === TraceKind.netDevQueue).length).toBe(4500 - 2500);
  });

  it('tracer_lost: the CPU loses 40 ms of events, then one PERF_RECORD_LOST line with their count precedes its next event', () => {
    const { events, text } = run('igb-tracer-lost');
    const lost = events.filter((e) => e.kind === TraceKind.lostEvents);
    expect(lost).toHaveLength(1);
    expect(events.some((e) => e.kind !== TraceKind.lostEvents && ms(e) >= 120 && ms(e) < 160)).toBe(false);
    const line = text.split('\n').find((l) => l.includes('PERF_RECORD_LOST'))!;
    expect(line).toMatch(/^ {9}swapper {5}0 \[000\] {2}1000\.160\d{3}: PERF_RECORD_LOST lost \d+$/);
    const n = Number(/lost (\d+)/.exec(line)![1]);
    expect(n).toBeGreaterThan(1000);
  });

  it('veth backlog rx: polls print (no_device) from ksoftirqd; a full-budget poll waits 18 ms for the next window', () => {
    const { events, text } = run('veth-backlog-napi-gap');
    expect(text).toContain('ksoftirqd/0    14 [000]');
    expect(text).toMatch(/for device \(no_device\) work 64 budget 64/);
    const polls = events.filter((e) => e.kind === TraceKind.napiPoll);
    let maxGapAfterFull = 0;
    for (let i = 1; i < polls.length; i++)
      if (polls[i - 1]!.work === polls[i - 1]!.budget)
        maxGapAfterFull = Math.max(maxGapAfterFull, (polls[i]!.tsNs - polls[i - 1]!.tsNs) / 1e6);
    expect(maxGapAfterFull).toBeGreaterThan(8); // netdev_budget_usecs at HZ 250
    expect(events.filter((e) => e.kind === TraceKind.netDevXmit).every((e) => e.rc === 0)).toBe(true);
  });

  it('bql_completed_zero: frees go on, STACK_XOFF never clears, packets still in flight at the end', () => {
    const { r, events } = run('igb-bql-zero-bytes');
    const q0 = r.queues.find((q) => q.queue === 0)!;
    expect(q0.state).toBe(0x2); // __QUEUE_STATE_STACK_XOFF only
    expect(q0.ringOccupancy).toBeGreaterThan(0);
    expect(q0.dqlInflight).toBeGreaterThan(1000000); // limit_min
    const frees = events.filter((e) => e.kind === TraceKind.consumeSkb && ms(e) > 400);
    expect(frees.length).toBeGreaterThan(400);
    const stuck = events.filter((e) => e.kind === TraceKind.qdiscDequeue && e.txqState === 0x2 && ms(e) > 400);
    expect(stuck.length).toBeGreaterThan(500);
  });

  it('dql_stall: stall_thrs 20 ms, the ring paused 60 ms: one napi:dql_stall_detected when completions resume', () => {
    const { events } = run('igb-dql-stall');
    const st = events.filter((e) => e.kind === TraceKind.dqlStallDetected);
    expect(st.map((e) => Math.round(ms(e)))).toEqual([260]);
  });
});
