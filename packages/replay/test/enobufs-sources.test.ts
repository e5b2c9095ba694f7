/**
 * Where an ENOBUFS came from, judged on real captures against what the sender itself saw: every layer is shown,
 * excluded or "cannot be excluded", never silently assumed.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { diagnoseFiles, formatVerdict, replayTable, type EnobufsSource, type ReplayResult } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

async function replayFile(file: string): Promise<ReplayResult> {
  const { table } = await loadEvents([file]);
  return replayTable(table, {});
}
const layer = (r: ReplayResult, l: EnobufsSource['layer']): EnobufsSource => r.enobufs!.find((s) => s.layer === l)!;

describe('ENOBUFS sources', () => {
  it('veth-backpressure: the qdisc is shown with exactly tc’s drop count, which covers every ENOBUFS the sender got', async () => {
    const dir = path.join(traces, 'veth-backpressure');
    const r = await replayFile(path.join(dir, 'perf-script.txt.gz'));
    const tcDropped = (f: string): number => Number(/dropped (\d+)/.exec(readFileSync(path.join(dir, f), 'utf8'))![1]);
    const sender = JSON.parse(readFileSync(path.join(dir, 'sender.json'), 'utf8')) as { enobufs: number };
    const qdisc = layer(r, 'qdisc');
    expect(qdisc.status).toBe('shown');
    expect(qdisc.packets).toBe(tcDropped('tc-after-vs0.txt') - tcDropped('tc-before-vs0.txt'));
    expect(qdisc.packets).toBeGreaterThanOrEqual(sender.enobufs);
    expect(qdisc.where).toEqual([`vs0 txq 0: ${qdisc.packets}`]);
    expect(layer(r, 'neighbour').status).toBe('excluded');
    // no tracepoint sees a send-buffer ENOBUFS (no skb exists yet): never "excluded"
    expect(layer(r, 'socket_buffer').status).toBe('cannot_exclude');
    expect(layer(r, 'stacked_device').status).toBe('cannot_exclude');
    expect(formatVerdict(r)).toContain('Where an ENOBUFS came from:');
  });

  it('neigh-queuefull (trace.dat): 199 NEIGH_QUEUEFULL drops are no ENOBUFS (the sender got 0): no layer is shown', async () => {
    const dir = path.join(repoRoot, 'fixtures/captured/neigh-queuefull');
    const r = await replayFile(path.join(dir, 'trace.dat'));
    const total = readFileSync(path.join(dir, 'sender.jsonl'), 'utf8').trim().split('\n').at(-1)!;
    expect((JSON.parse(total) as { total: { enobufs: number } }).total.enobufs).toBe(0);
    expect(r.enobufs!.filter((s) => s.status === 'shown')).toEqual([]);
    expect(layer(r, 'qdisc').status).toBe('excluded');
    expect(layer(r, 'neighbour').status).toBe('excluded');
    expect(formatVerdict(r)).not.toContain('Where an ENOBUFS came from:');
  });

  it('a capture without skb:kfree_skb can exclude nothing', async () => {
    const r = await replayFile(path.join(repoRoot, 'fixtures/public/27-docker-veth-ping-old-format.perf-trace'));
    expect(r.enobufs!.map((s) => s.status)).toEqual([
      'cannot_exclude',
      'cannot_exclude',
      'cannot_exclude',
      'cannot_exclude',
    ]);
  });

  it('a syslog with "neighbour table overflow" (public 31) shows the neighbour layer; alone it excludes nothing else', async () => {
    const r = await diagnoseFiles([path.join(repoRoot, 'fixtures/public/31-arp-cache-neigh-overflow-k8s.syslog')], {});
    expect(layer(r, 'neighbour').status).toBe('shown');
    expect(layer(r, 'neighbour').where[0]).toMatch(/neighbour table overflow \(arp_cache\)/);
    for (const l of ['qdisc', 'socket_buffer', 'stacked_device'] as const)
      expect(layer(r, l).status).toBe('cannot_exclude');
  });
});
