/**
 * Evidence per device and TX queue (coverage.queues): counts come from the trace's own lines, a tracepoint the
 * capture lacks is `missing` on every queue, one that never fired for a queue is `quiet`, and lost time is
 * never counted as covered.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { replayTable, type ReplayResult } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

async function replayFile(file: string): Promise<ReplayResult> {
  const { table } = await loadEvents([file]);
  return replayTable(table, {});
}

const linesOf = (file: string, re: RegExp): number =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => re.test(l)).length;

describe('coverage per device and queue', () => {
  it('eth0-normal: eth0 txq 0 holds exactly the lines of the trace; its bypassed qdisc is quiet, nothing missing', async () => {
    const file = path.join(traces, 'eth0-normal', 'perf-script.txt');
    const r = await replayFile(file);
    const q = r.coverage.queues!.find((c) => c.dev === 'eth0' && c.queue === 0)!;
    expect(q.signals.net_dev_queue).toBe(linesOf(file, /net:net_dev_queue: dev=eth0 /));
    expect(q.signals.net_dev_xmit).toBe(linesOf(file, /net:net_dev_xmit: dev=eth0 /));
    expect(q.signals.napi_poll_of_device).toBe(linesOf(file, /napi:napi_poll: .*dev(ice)?[= ]eth0 /));
    expect(q.missing).toEqual([]);
    // an empty pfifo_fast is bypassed (__dev_xmit_skb → sch_direct_xmit): no qdisc_enqueue for eth0, yet the
    // tracepoint was captured (lo's packets show it): quiet, not missing
    expect(q.quiet).toContain('qdisc_enqueue');
    expect(r.coverage.signals.qdisc_enqueue).toBeGreaterThan(0);
    expect(q.coveredNs).toBe(Number(r.trace.lastNs - r.trace.firstNs));
  });

  it('a capture without napi:napi_poll: every queue lists napi_poll as missing, never as quiet', async () => {
    const lines = readFileSync(path.join(traces, 'multiqueue', 'perf-script.txt'), 'utf8').split('\n');
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-queue-coverage-'));
    const file = path.join(dir, 'multiqueue-no-napi.perf-script.txt');
    writeFileSync(file, `${lines.filter((l) => !l.includes('napi:napi_poll:')).join('\n')}\n`);
    const r = await replayFile(file);
    expect(r.coverage.queues!.length).toBe(r.queues.length);
    for (const q of r.coverage.queues!) {
      expect(q.missing).toContain('napi_poll');
      expect(q.quiet).not.toContain('napi_poll_of_device');
      expect(q.signals.napi_poll_of_device).toBeUndefined();
    }
  });

  it('lossy perf capture: the lost windows are not covered time on any queue', async () => {
    const r = await replayFile(path.join(repoRoot, 'fixtures/captured/lossy-perf/perf-script.txt.gz'));
    const span = Number(r.trace.lastNs - r.trace.firstNs);
    expect(r.coverage.unknownNs).toBeGreaterThan(0);
    for (const q of r.coverage.queues!) {
      expect(q.unknownNs).toBe(r.coverage.unknownNs);
      expect(q.coveredNs + q.unknownNs).toBe(span);
    }
  });
});
