/**
 * Link counters as `ifconfig` and /proc/net/dev print them — the same rtnl_link_stats64 as `ip -s link`: a veth
 * whose peer went down, captured here with both (fixtures/captured/link-counters), and two public `ifconfig`
 * pastes (fixtures/public 62: net-tools 2.x with the indentation lost on a web page; 63: net-tools 1.60 without the
 * interface name).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTraceInput } from '../src/index.js';
import { readIfconfig, readProcNetDev } from '../src/parse/ip-link/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/link-counters', f);
const pub = (f: string): string => path.join(root, 'fixtures/public', f);
const text = (f: string): string => readFileSync(f, 'utf8');
const tx = (s: { stats: Map<string, number> }): number[] =>
  ['tx_packets', 'tx_bytes', 'tx_errors', 'tx_dropped', 'tx_carrier', 'tx_collisions'].map((k) => s.stats.get(k)!);

describe('ifconfig and /proc/net/dev', () => {
  it('our veth, ifconfig twice around its peer going down: RUNNING gone is NO-CARRIER, TX dropped 0 → 2', () => {
    const r = readIfconfig(text(captured('veth-peer-down-ifconfig.txt')));
    expect(r.skipped).toBe(0);
    expect(r.snapshots.map((s) => [s.dev, s.snapshot, s.flags.join(','), s.txqlen])).toEqual([
      ['vs8', 0, 'UP,BROADCAST,RUNNING,MULTICAST', 1000],
      ['vs8', 1, 'UP,BROADCAST,MULTICAST,NO-CARRIER', 1000],
    ]);
    expect(r.snapshots.map(tx)).toEqual([
      [307, 73158, 0, 0, 0, 0],
      [307, 73158, 0, 2, 0, 0],
    ]);
    expect(r.snapshots[0]!.stats.get('rx_frame_errors')).toBe(0);
  });

  it('the same moments in /proc/net/dev: the same counters, columns named by its header', () => {
    const r = readProcNetDev(text(captured('veth-peer-down-proc-net-dev.txt')));
    expect(r.skipped).toBe(0);
    const vs8 = r.snapshots.filter((s) => s.dev === 'vs8');
    expect(vs8.map(tx)).toEqual([
      [307, 73158, 0, 0, 0, 0],
      [307, 73158, 0, 2, 0, 0],
    ]);
    expect(vs8[1]!.stats.get('rx_packets')).toBe(13);
    expect(r.snapshots.find((s) => s.dev === 'lo')!.flags).toEqual(['LOOPBACK']);
  });

  it('public 62: net-tools 2.x with no indentation left; em1 and lo read, nothing skipped', () => {
    const r = readIfconfig(text(pub('62-ifconfig-em1-rx-errors-unindented-blog.ifconfig.txt')));
    expect(r.skipped).toBe(0);
    expect(r.snapshots.map((s) => s.dev)).toEqual(['em1', 'lo']);
    const em1 = r.snapshots[0]!;
    expect([em1.stats.get('rx_errors'), em1.stats.get('rx_dropped'), em1.stats.get('tx_packets')]).toEqual([
      309, 4864, 240498,
    ]);
  });

  it('public 63: net-tools 1.60 without the interface name: flags from the MTU line, overruns are fifo errors', () => {
    const r = readIfconfig(text(pub('63-ifconfig-old-format-bond-slave-no-name-osnexus.ifconfig.txt')));
    expect(r.skipped).toBe(0);
    const s = r.snapshots[0]!;
    expect([s.dev, s.flags.join(',')]).toEqual(['(device not given)', 'UP,BROADCAST,RUNNING,SLAVE,MULTICAST']);
    expect(tx(s)).toEqual([44713893216, 62339538766816, 0, 0, 0, 0]);
    expect([s.stats.get('rx_fifo_errors'), s.stats.get('rx_frame_errors')]).toEqual([6342, 10086]);
  });

  it('the front door: each is a counters input of its own kind (they were refused as "not a trace")', async () => {
    for (const [f, kind] of [
      [captured('veth-peer-down-ifconfig.txt'), 'ifconfig'],
      [pub('62-ifconfig-em1-rx-errors-unindented-blog.ifconfig.txt'), 'ifconfig'],
      [pub('63-ifconfig-old-format-bond-slave-no-name-osnexus.ifconfig.txt'), 'ifconfig'],
      [captured('veth-peer-down-proc-net-dev.txt'), 'proc-net-dev'],
    ] as const)
      expect(await openTraceInput(f), f).toMatchObject({ kind: 'counters', counters: kind });
  });
});
