/**
 * Device snapshots as users paste them: a TX queue's sysfs files (`grep .` path:value, `head`, `path value` lines:
 * the shared capture's BQL snapshots and our own, fixtures/captured/queue-sysfs, this machine's eth0) and
 * `ip -s link` in text and JSON (every shared capture's before/after pair).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  looksLikeLinkStats,
  looksLikeQueueSysfs,
  openTraceInput,
  readLinkStats,
  readQueueSysfs,
} from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const captured = (f: string): string => path.join(repoRoot, 'fixtures/captured/queue-sysfs', f);
const read = (p: string): ReturnType<typeof readQueueSysfs> => readQueueSysfs(readFileSync(p, 'utf8'));
const values = (s: { values: Map<string, number> }): Record<string, number> => Object.fromEntries(s.values);

describe('TX queue sysfs files', () => {
  it('grep . pasted twice under one command: two snapshots of eth0 txq 0, 1 s apart, every file read', () => {
    const r = read(captured('eth0-virtio-net-grep.txt'));
    expect(r.intervalSec).toBe(1);
    expect(r.skipped).toBe(0);
    expect(r.snapshots.map((s) => [s.dev, s.queue, s.snapshot, s.line])).toEqual([
      ['eth0', 0, 0, 2],
      ['eth0', 0, 1, 11],
    ]);
    expect(values(r.snapshots[1]!)).toEqual({
      tx_timeout: 0,
      hold_time: 1000,
      inflight: 0,
      limit: 3617,
      limit_max: 1879048192,
      limit_min: 0,
      stall_cnt: 0,
      stall_max: 0,
      stall_thrs: 0,
    });
  });

  it('head: each `==> path <==` and the value under it', () => {
    const r = read(captured('eth0-virtio-net-head.txt'));
    expect(r.skipped).toBe(0);
    expect(r.snapshots).toHaveLength(1);
    expect(values(r.snapshots[0]!)).toMatchObject({ tx_timeout: 0, inflight: 0, limit: 3617 });
  });

  it('`path value` lines without /sys/class/net (the shared capture): one snapshot per file', () => {
    const r = read(path.join(shared, 'eth0-normal/bql-before-eth0.txt'));
    expect(r.snapshots).toHaveLength(1);
    expect(values(r.snapshots[0]!)).toMatchObject({ inflight: 0, limit: 2235, limit_min: 0, hold_time: 1000 });
  });

  it('masks are not numbers (xps_cpus), other lines are counted, never guessed at', () => {
    const text = [
      '/sys/class/net/eth1/queues/tx-3/xps_cpus:00000010',
      '/sys/class/net/eth1/queues/tx-3/byte_queue_limits/inflight:4542',
      'grep: /sys/class/net/eth1/queues/tx-3/byte_queue_limits/stall_cnt: No such file or directory',
      '/sys/class/net/eth1/queues/tx-3/byte_queue_limits/limit:3028',
    ].join('\n');
    const r = readQueueSysfs(text);
    expect(r.snapshots.map((s) => [s.dev, s.queue, values(s)])).toEqual([['eth1', 3, { inflight: 4542, limit: 3028 }]]);
    expect(r.skipped).toBe(1);
    expect(r.firstSkipped!.line).toBe(3);
  });

  it('the front door reads them as counters evidence; a trace is not one', async () => {
    expect((await openTraceInput(captured('eth0-virtio-net-grep.txt'))).counters).toBe('queue-sysfs');
    expect((await openTraceInput(path.join(shared, 'eth0-normal/bql-after-eth0.txt'))).kind).toBe('counters');
    expect(
      looksLikeQueueSysfs(readFileSync(path.join(shared, 'eth0-normal/perf-script.txt'), 'utf8').split('\n')),
    ).toBe(false);
  });
});

describe('ip -s link', () => {
  const link = (t: string, f: string): string => path.join(shared, t, f);
  it('text and -j of the same moment read the same TX counters and link state (every shared capture)', () => {
    for (const t of [
      'veth-peer-down',
      'veth-backpressure',
      'veth-stall-tbf',
      'veth-stall-napi-starved',
      'multiqueue',
    ]) {
      for (const when of ['before', 'after']) {
        const text = readLinkStats(readFileSync(link(t, `link-${when}-vs0.txt`), 'utf8'));
        const json = readLinkStats(readFileSync(link(t, `link-${when}-txs.json`), 'utf8'));
        expect(text.skipped).toBe(0);
        const vs0 = json.snapshots.find((s) => s.dev === 'vs0')!;
        const fromText = text.snapshots[0]!;
        expect([fromText.dev, fromText.flags, fromText.operstate, fromText.qdisc]).toEqual([
          'vs0',
          vs0.flags,
          vs0.operstate,
          vs0.qdisc,
        ]);
        for (const k of ['tx_packets', 'tx_bytes', 'tx_dropped', 'tx_errors', 'tx_carrier', 'tx_collisions'])
          expect(fromText.stats.get(k), `${t} ${when} ${k}`).toBe(vs0.stats.get(k));
      }
    }
  });

  it("the peer-down capture: vs0 lost its carrier and veth dropped 2907 packets, as its README's ip output shows", () => {
    const after = readLinkStats(readFileSync(link('veth-peer-down', 'link-after-vs0.txt'), 'utf8')).snapshots[0]!;
    expect(after.flags).toContain('NO-CARRIER');
    expect(after.operstate).toBe('DOWN');
    expect(after.txqlen).toBe(64);
    expect(after.stats.get('tx_dropped')).toBe(2907);
  });

  it('the front door reads both as counters evidence', async () => {
    expect((await openTraceInput(link('veth-peer-down', 'link-after-vs0.txt'))).counters).toBe('ip-link');
    expect((await openTraceInput(link('veth-peer-down', 'link-after-txs.json'))).counters).toBe('ip-link');
    expect(looksLikeLinkStats(readFileSync(link('eth0-normal', 'bpftrace.json'), 'utf8').split('\n'))).toBe(false);
  });
});

describe('pasted in netdev mails (fixtures/public 56, 57, 59)', () => {
  const pub = (f: string): string => path.join(repoRoot, 'fixtures/public', f);

  it('public 56: `grep .` wrapped before its glob, `[1] 198996` of a background job: 32 queues, nothing skipped', () => {
    const r = read(pub('56-bql-limit-grep-wrapped-command-idpf-netdev.sysfs.txt'));
    expect([r.snapshots.length, r.skipped, r.intervalSec]).toEqual([32, 0, null]);
    expect(r.snapshots.find((s) => s.queue === 26)).toMatchObject({ dev: 'eth1', line: 24, snapshot: 0 });
    expect(values(r.snapshots.find((s) => s.queue === 26)!)).toEqual({ limit: 1_595_568 });
  });

  it('public 57: quoted `> ` lines, a pipe wrapped after `|`: the front door takes it as sysfs (was refused)', async () => {
    const file = pub('57-bql-limit-grep-sort-head-quoted-netdev.sysfs.txt');
    const r = read(file);
    expect(r.snapshots.map((s) => [s.dev, s.queue])).toEqual(
      [38, 95, 2, 66, 20, 61, 11, 10, 48, 80].map((q) => ['ext0', q]),
    );
    // only the reply's own sentence is not sysfs output
    expect([r.skipped, r.firstSkipped]).toEqual([1, { line: 1, text: 'Our prod also have large numbers:' }]);
    expect((await openTraceInput(file)).counters).toBe('queue-sysfs');
  });

  it('a line after a command is only its rest when the command ends in a pipe or the line is a queue path', () => {
    const r = readQueueSysfs(
      [
        '$ grep . /sys/class/net/eth0/queues/tx-0/byte_queue_limits/limit',
        'no such luck',
        '/sys/class/net/eth0/queues/tx-0/byte_queue_limits/limit:3028',
      ].join('\n'),
    );
    expect([r.snapshots.length, r.skipped, r.firstSkipped?.line]).toEqual([1, 1, 2]);
  });

  it('public 59: device lines wrapped by Gmail: the next line gives state, mode and qlen; nothing skipped', () => {
    const r = readLinkStats(readFileSync(pub('59-ip-s-s-link-gmail-wrapped-netns-veth.ip.txt'), 'utf8'));
    expect(r.skipped).toBe(0);
    expect(r.snapshots.map((s) => [s.dev, s.operstate, s.qdisc, s.txqlen])).toEqual([
      ['lo', 'UNKNOWN', 'noqueue', 1000],
      ['veth2', 'UP', 'noqueue', 1000],
    ]);
    // `RX errors: … overrun otherhost` (iproute2 6.0+): the extra column is read with its name
    expect(r.snapshots[1]!.stats.get('rx_otherhost_errors')).toBe(10);
    expect(r.snapshots[1]!.stats.get('tx_transns_errors')).toBe(2);
  });
});
