/**
 * What a kernel engineer reads from a TX queue's sysfs files (BQL inflight/limit, tx_timeout): real snapshots of
 * this machine's eth0 and the shared capture (idle: no verdict), and the simulator's igb faults printed as the
 * kernel prints these files (model queueSysfsText: its DQL is the kernel's, golden vectors); and `ip -s link`, text
 * and JSON, of the shared captures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseFiles } from '../src/diagnose.js';
import { formatVerdict } from '../src/view/text.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const captured = (f: string): string => path.join(repoRoot, 'fixtures/captured/queue-sysfs', f);

/** `grep .` of the simulated device's queue files at each time (ms), pasted under one command with `sleep 1`. */
async function simulatedGrep(scenario: string, atMs: number[]): Promise<string> {
  const { Simulator, parseScenario, queueSysfsText } = await import('@txreplay/model');
  const file = path.join(repoRoot, 'examples/scenarios', `${scenario}.json`);
  const sim = new Simulator(parseScenario(readFileSync(file, 'utf8'), file));
  const texts = atMs.map((ms) => queueSysfsText(sim.runUntil(ms * 1e6), 'eth0'));
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'txr-sysfs-sim-')), `${scenario}.sysfs.txt`);
  const cmd =
    'grep . /sys/class/net/eth0/queues/tx-*/byte_queue_limits/{inflight,limit} /sys/class/net/eth0/queues/tx-*/tx_timeout';
  writeFileSync(out, `$ ${cmd}; sleep 1; ${cmd}\n${texts.join('')}`);
  return out;
}

describe('TX queue sysfs as evidence', () => {
  it("this machine's idle eth0, once: the BQL state summarised, no verdict, and the command for two snapshots", async () => {
    const r = await diagnoseFiles([captured('eth0-virtio-net-head.txt')]);
    expect(r.verdict).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.queueSysfs!.map((q) => [q.dev, q.queue, q.snapshots, q.bqlStopped])).toEqual([['eth0', 0, 1, false]]);
    expect(r.coverage.unknownWhy).toMatch(/one snapshot of 1 TX queue/);
    expect(r.captureAdvice[0]).toMatch(/grep \. .*eth0\/queues\/tx-\*\/byte_queue_limits\/inflight.*sleep 1/);
  });

  it('idle twice (ours 1 s apart; the shared capture before/after): nothing stuck, nothing moving: still no verdict', async () => {
    for (const files of [
      [captured('eth0-virtio-net-grep.txt')],
      [path.join(shared, 'eth0-normal/bql-before-eth0.txt'), path.join(shared, 'eth0-normal/bql-after-eth0.txt')],
    ]) {
      const r = await diagnoseFiles(files);
      expect(r.verdict).toBe('unknown');
      expect(r.findings).toEqual([]);
      expect(r.coverage.unknownWhy).toMatch(/did not change between the snapshots and hold no bytes in flight/);
    }
  });

  it('simulated lost TX interrupt (igb) at 1 s and 2 s: bytes over the limit, none completed: BQL holds the queue stopped', async () => {
    const r = await diagnoseFiles([await simulatedGrep('igb-lost-irq', [1000, 2000])]);
    expect(r.verdict).toBe('critical');
    const f = r.findings.find((x) => x.kind === 'stack_xoff_stuck')!;
    expect([f.severity, f.dev, f.queue]).toEqual(['critical', 'eth0', 0]);
    expect(f.title).toMatch(/^eth0 txq 0: 2000 bytes in flight over a limit of 1000 and no completion in 1 s/);
    expect(f.evidence).toHaveLength(2);
    expect(formatVerdict(r)).toMatch(/between counter snapshots \(counters carry no time\)/);
  });

  it('simulated igb DMA hang at 9.05 s and 10.05 s: dev_watchdog timed txq 0 out in between: critical', async () => {
    const r = await diagnoseFiles([await simulatedGrep('igb-tx-hang', [9050, 10050])]);
    const wd = r.findings.find((f) => f.kind === 'watchdog_timeout')!;
    expect([wd.severity, wd.queue]).toEqual(['critical', 0]);
    expect(wd.title).toMatch(/timed the queue out 1 time\(s\) in 1 s \(tx_timeout\)/);
  });

  it('simulated healthy igb 100 ms apart: in-flight bytes move, no finding: healthy', async () => {
    const r = await diagnoseFiles([await simulatedGrep('healthy-igb', [100, 200])]);
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('healthy');
    expect(r.queueSysfs![0]!.values.find((v) => v.name === 'inflight')!.delta).not.toBe(0);
  });
});

describe('ip -s link as evidence', () => {
  const link = (t: string, f: string): string => path.join(shared, t, f);
  it('the peer-down capture before/after: carrier lost and 2907 packets dropped by veth: peer_down, a warning', async () => {
    for (const [a, b] of [
      ['link-before-vs0.txt', 'link-after-vs0.txt'],
      ['link-before-txs.json', 'link-after-txs.json'],
    ]) {
      const r = await diagnoseFiles([link('veth-peer-down', a!), link('veth-peer-down', b!)]);
      expect(r.verdict).toBe('warning');
      expect(r.findings.map((f) => [f.kind, f.severity, f.dev])).toEqual([['peer_down', 'warning', 'vs0']]);
      expect(r.findings[0]!.title).toMatch(
        /^vs0: carrier lost between two snapshots .*; 2907 packets dropped by the device, 68 sent$/,
      );
      // the JSON lists lo too: summarised nowhere, judged never
      expect(r.links!.map((l) => l.dev)).toEqual(['vs0']);
    }
  });

  it('with tc beside it: the qdisc drops (the sender ENOBUFS) and the carrier loss, one picture', async () => {
    const t = 'veth-peer-down';
    const r = await diagnoseFiles(
      ['link-before-vs0.txt', 'link-after-vs0.txt', 'tc-before-vs0.txt', 'tc-after-vs0.txt'].map((f) => link(t, f)),
    );
    expect(new Set(r.findings.map((f) => f.kind))).toEqual(
      new Set(['peer_down', 'qdisc_drops_enobufs', 'ring_backpressure']),
    );
  });

  it('traffic that flowed (veth-backpressure, eth0-normal) is not called healthy from link counters alone', async () => {
    for (const [t, d] of [
      ['veth-backpressure', 'vs0'],
      ['eth0-normal', 'eth0'],
    ]) {
      const r = await diagnoseFiles([link(t!, `link-before-${d}.txt`), link(t!, `link-after-${d}.txt`)]);
      expect(r.findings).toEqual([]);
      expect(r.verdict).toBe('unknown');
      expect(r.coverage.unknownWhy).toMatch(/a stopped TX queue or a qdisc backlog does not show in them/);
      expect(r.links![0]!.counters.find((c) => c.name === 'tx_packets')!.delta).toBeGreaterThan(0);
    }
  });

  it('one snapshot without carrier says so (a warning); one with carrier says nothing', async () => {
    const down = await diagnoseFiles([link('veth-peer-down', 'link-after-vs0.txt')]);
    expect(down.findings.map((f) => [f.kind, f.severity])).toEqual([['peer_down', 'warning']]);
    const up = await diagnoseFiles([link('veth-peer-down', 'link-before-vs0.txt')]);
    expect([up.verdict, up.findings.length]).toEqual(['unknown', 0]);
  });
});

describe('ip -s link from the field', () => {
  it('public 55: `ip -s -s -h link` quoted in a netdev reply, rounded: eth0 read twice, its TX detail kept, no verdict', async () => {
    const file = path.join(repoRoot, 'fixtures/public/55-ip-s-s-h-link-rounded-quoted-netdev.ip.txt');
    const notes: string[] = [];
    const r = await diagnoseFiles([file], { onNote: (n) => notes.push(n) });
    expect(r.verdict).toBe('unknown');
    expect(r.findings).toEqual([]);
    const l = r.links![0]!;
    expect([l.dev, l.snapshots, l.rounded, l.operstate]).toEqual(['eth0', 2, true, 'UP']);
    expect(l.counters.find((c) => c.name === 'tx_packets')).toEqual({
      name: 'tx_packets',
      value: 2_760_000_000,
      delta: 0,
    });
    // the reply's own lines are counted and named, never read as counters
    expect(notes).toEqual([
      expect.stringMatching(/skipped 6 line\(s\) that are not ip -s link output, first at line 1/),
    ]);
    expect(formatVerdict(r)).toMatch(/printed rounded \(ip -h\)/);
  });
});
