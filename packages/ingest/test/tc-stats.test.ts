/**
 * `tc -s qdisc show` as users bring it: the public excerpts (fixtures/public 25, 52, 53), the shared captures'
 * before/after snapshots and our own (fixtures/captured/tc-snapshots). Counts are the files' own numbers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { looksLikeTcStats, openTraceInput, readNicStats, readTcStats } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const pub = (f: string): string => path.join(repoRoot, 'fixtures/public', f);
const read = (p: string): ReturnType<typeof readTcStats> => readTcStats(readFileSync(p, 'utf8'));

describe('tc -s qdisc show', () => {
  it('two snapshots 1 s apart under one pasted command: the device and the interval come from the command', () => {
    const r = read(pub('25-try-bulk-dequeue-requeues.tc.txt'));
    expect(r.intervalSec).toBe(1);
    expect(r.skipped).toBe(0);
    expect(r.qdiscs.map((q) => [q.dev, q.kind, q.handle, q.parent, q.snapshot])).toEqual([
      ['eth1', 'mq', '1:', 'root', 0],
      ['eth1', 'mq', '1:', 'root', 1],
    ]);
    expect(r.qdiscs[1]!.requeues - r.qdiscs[0]!.requeues).toBe(4_897_539);
    expect(r.qdiscs[1]!.sentPkts - r.qdiscs[0]!.sentPkts).toBe(123_512_969);
    // tc's sprint_size: `1056Kb` is 1056 × 1024 bytes
    expect([r.qdiscs[0]!.backlogBytes, r.qdiscs[0]!.backlogPkts]).toEqual([1056 * 1024, 6675]);
  });

  it('mq children name their TX queue by parent class; the status header is counted as skipped', () => {
    const r = read(pub('52-tc-mq-fq-codel-one-snapshot-openwrt.tc.txt'));
    expect(r.qdiscs.map((q) => `${q.dev} ${q.kind} ${q.parent}`)).toEqual([
      'lo noqueue root',
      'eth0 mq root',
      'eth0 fq_codel :4',
      'eth0 fq_codel :3',
    ]);
    expect(r.qdiscs[2]!.dropped).toBe(7051);
    expect(r.skipped).toBe(1);
    expect(r.firstSkipped?.line).toBe(1);
  });

  it("a shaper's rate is read from its line (tbf rate 8bit)", () => {
    const r = read(path.join(repoRoot, 'fixtures/captured/tc-snapshots/tbf-8bit.tc.txt'));
    expect(r.qdiscs.map((q) => [q.dev, q.kind, q.rateBitsPerSec, q.backlogPkts, q.sentPkts])).toEqual([
      ['txr-tcs-s0', 'tbf', 8, 9, 1],
      ['txr-tcs-s0', 'tbf', 8, 9, 1],
    ]);
    expect(read(path.join(shared, 'veth-stall-tbf/tc-after-vs0.txt')).qdiscs[0]!.rateBitsPerSec).toBe(400_000);
  });

  it('every before/after pair of the shared captures reads as one qdisc block each', () => {
    for (const t of ['veth-backpressure', 'veth-stall-napi-starved', 'veth-stall-tbf', 'eth0-normal']) {
      const dev = t === 'eth0-normal' ? 'eth0' : 'vs0';
      const after = read(path.join(shared, t, `tc-after-${dev}.txt`));
      expect(after.qdiscs).toHaveLength(1);
      expect(after.skipped).toBe(0);
    }
    const mq = read(path.join(shared, 'multiqueue/tc-after-vs0.txt'));
    expect(mq.qdiscs.map((q) => q.parent)).toEqual(['root', '1:4', '1:2', '1:1', '1:3']);
    expect(mq.qdiscs.reduce((n, q) => n + (q.parent === 'root' ? 0 : q.dropped), 0)).toBe(mq.qdiscs[0]!.dropped);
  });

  it('the front door calls it a counters input, and a trace or a log is not one', async () => {
    expect((await openTraceInput(pub('25-try-bulk-dequeue-requeues.tc.txt'))).kind).toBe('counters');
    expect((await openTraceInput(pub('53-tc-htb-fq-codel-sqm-one-snapshot.tc.txt'))).kind).toBe('counters');
    expect((await openTraceInput(path.join(shared, 'eth0-normal/perf-script.txt'))).kind).toBe('text');
    expect(
      looksLikeTcStats(readFileSync(pub('40-via-rhine-2.4.9-transmit-timed-out.syslog'), 'utf8').split('\n')),
    ).toBe(false);
  });
});

describe('ethtool -S', () => {
  it('public 54 (ixgbe, `sudo ethtool -S eno2` without a prompt): one block, the device from the command', () => {
    const r = readNicStats(readFileSync(pub('54-ethtool-ixgbe-one-snapshot-usrp.ethtool.txt'), 'utf8'));
    expect(r.snapshots).toHaveLength(1);
    expect(r.snapshots[0]!.dev).toBe('eno2');
    expect(r.snapshots[0]!.stats.get('tx_packets')).toBe(1_065_751);
    expect(r.snapshots[0]!.stats.size).toBe(43);
    expect(r.skipped).toBe(0);
  });

  it('the shared captures: veth before and after, no command: device not given', async () => {
    const r = readNicStats(readFileSync(path.join(shared, 'veth-backpressure/ethtool-S-after-vr0.txt'), 'utf8'));
    expect(r.snapshots[0]!.dev).toBeNull();
    expect(r.snapshots[0]!.stats.get('rx_queue_0_xdp_packets')).toBe(976);
    const input = await openTraceInput(pub('54-ethtool-ixgbe-one-snapshot-usrp.ethtool.txt'));
    expect([input.kind, input.counters]).toEqual(['counters', 'ethtool-stats']);
  });
});
