/**
 * Partial evidence: a trace with only some tracepoints, and a trace whose tracer lost events.
 * Replay must say what it can, not more, and say what to capture.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { replayTable } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

describe('partial traces', () => {
  it('only net_dev_xmit + napi_poll (+ timeout): counts what it sees, no queue claims, asks for the rest', async () => {
    const full = readFileSync(path.join(traces, 'multiqueue', 'perf-script.txt'), 'utf8').split('\n');
    const subset = full.filter((l) => /net:net_dev_xmit:|net:net_dev_xmit_timeout:|napi:napi_poll:/.test(l));
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-partial-'));
    const file = path.join(dir, 'mq-subset.perf-script.txt');
    writeFileSync(file, subset.join('\n') + '\n');
    const { table } = await loadEvents([file]);
    const r = replayTable(table, {});
    const vs0 = r.queues.filter((q) => q.dev === 'vs0');
    expect(vs0.reduce((s, q) => s + q.txBusy, 0)).toBe(16); // ground truth: 16 NETDEV_TX_BUSY on vs0
    // without queue_mapping or qdisc events the queue of each transmit is unknown: findings are device-wide
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) expect(f.queue).toBeNull();
    // the lost wake-up cannot be seen without qdisc_dequeue: it must not be invented
    expect(r.findings.some((f) => f.kind === 'lost_wakeup' || f.kind === 'lost_interrupt')).toBe(false);
    const advice = r.captureAdvice.join('\n');
    expect(advice).toContain('qdisc:qdisc_dequeue');
    expect(advice).toContain('net:net_dev_start_xmit');
    expect(advice).toContain('skb:consume_skb');
    // and the exact command that records what is missing, for the device the trace is about
    expect(advice).toMatch(/`txreplay capture --dev vs0 --seconds 60 -o trace\.txt`/);
    expect(advice).toMatch(/perf record -a .*-e qdisc:qdisc_dequeue .*-- sleep 60/);
  });

  it('bpftrace with lost events: the gaps are unknown windows (trace_gap), counted', async () => {
    const g = JSON.parse(readFileSync(path.join(traces, 'veth-stall-napi-starved', 'ground-truth.json'), 'utf8')) as {
      event_counts: Record<string, Record<string, number>>;
    };
    const { table } = await loadEvents([path.join(traces, 'veth-stall-napi-starved', 'bpftrace.txt')]);
    const r = replayTable(table, {});
    expect(r.trace.lostEvents).toBe(g.event_counts['bpftrace.txt']!._lost_events);
    const gaps = r.findings.filter((f) => f.kind === 'trace_gap');
    expect(gaps.length).toBeGreaterThan(0);
    for (const f of gaps) {
      expect(f.severity).toBe('info');
      expect(f.endNs >= f.startNs).toBe(true);
    }
    // every queue carries the unknown windows in its intervals
    const vs0 = r.queues.find((q) => q.dev === 'vs0')!;
    expect(vs0.stoppedIntervals.filter((i) => i.state === 'UNKNOWN')).toHaveLength(gaps.length);
    expect(r.captureAdvice.some((a) => a.includes('lost'))).toBe(true);
  });
});
