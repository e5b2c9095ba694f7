/**
 * `netstat -i` read as link counters (packets only, flags as letters): our veth whose peer went down, captured here
 * (fixtures/captured/link-counters), and two public pastes (fixtures/public 64: the 1996 Network Administrator's
 * Guide, net-tools' `Met` column and a header cut at 80 columns; 65: a tutorial's `Flags` header, BRU flags).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTraceInput } from '../src/index.js';
import { readNetstatInterfaces, readSysfsStatistics } from '../src/parse/ip-link/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/link-counters', f);
const pub = (f: string): string => path.join(root, 'fixtures/public', f);
const text = (f: string): string => readFileSync(f, 'utf8');
const tx = (s: { stats: Map<string, number> }): (number | undefined)[] =>
  ['tx_packets', 'tx_errors', 'tx_dropped', 'tx_fifo_errors'].map((k) => s.stats.get(k));

describe('netstat -i', () => {
  it('our veth twice around its peer going down: BMRU → BMU is NO-CARRIER, TX-DRP 0 → 2, TX-OK stays 307', () => {
    const r = readNetstatInterfaces(text(captured('veth-peer-down-netstat-i.txt')));
    expect([r.skipped, r.intervalSec]).toEqual([0, null]);
    const vs9 = r.snapshots.filter((s) => s.dev === 'vs9');
    expect(vs9.map((s) => [s.snapshot, s.line, s.flags.join(',')])).toEqual([
      [0, 5, 'BROADCAST,MULTICAST,RUNNING,UP'],
      [1, 10, 'BROADCAST,MULTICAST,UP,NO-CARRIER'],
    ]);
    expect(vs9.map(tx)).toEqual([
      [307, 0, 0, 0],
      [307, 0, 2, 0],
    ]);
    // packets only: netstat -i prints no bytes, and no column is made up for them
    expect(vs9[0]!.stats.has('tx_bytes')).toBe(false);
    expect(vs9[0]!.stats.get('rx_packets')).toBe(13);
    expect(r.snapshots.find((s) => s.dev === 'lo')!.flags).toContain('LOOPBACK');
  });

  it('public 64 (1996): the Met column skipped by name, the header cut at `TX-` reads the counters it names', () => {
    const r = readNetstatInterfaces(text(pub('64-netstat-i-nag-met-column-cut-header.netstat.txt')));
    expect(r.skipped).toBe(0);
    const eth0 = r.snapshots.find((s) => s.dev === 'eth0')!;
    expect(tx(eth0)).toEqual([628711, 217, 0, undefined]);
    expect([eth0.stats.get('rx_errors'), eth0.stats.get('rx_dropped'), eth0.stats.get('rx_fifo_errors')]).toEqual([
      17, 20, 120,
    ]);
    // no flags column survived: no flag is guessed, and lo is known by its name
    expect(eth0.flags).toEqual([]);
    expect(r.snapshots.find((s) => s.dev === 'lo')!.flags).toEqual(['LOOPBACK']);
  });

  it('public 65: a `Flags` header and single spaces (a web page collapsed the columns); BRU has no carrier problem', () => {
    const r = readNetstatInterfaces(text(pub('65-netstat-i-flags-bru-tutorial.netstat.txt')));
    expect(r.skipped).toBe(0);
    expect(r.snapshots.map((s) => [s.dev, s.flags.join(',')])).toEqual([
      ['lo', 'BROADCAST,LOOPBACK,RUNNING,UP'],
      ['eth0', 'BROADCAST,RUNNING,UP'],
    ]);
    expect(tx(r.snapshots[1]!)).toEqual([444986, 0, 0, 0]);
  });

  it('lines that are not netstat -i are counted, not read: a row before any header, a stray sentence', () => {
    const r = readNetstatInterfaces(
      'eth0 1500 5 0 0 0 7 0 0 0 BMRU\nKernel Interface table\nIface MTU RX-OK TX-OK Flg\neth0 1500 5 7 BMRU\nsee above\n',
    );
    expect(r.snapshots.map((s) => [s.dev, s.stats.get('tx_packets')])).toEqual([['eth0', 7]]);
    expect([r.skipped, r.firstSkipped]).toEqual([2, { line: 1, text: 'eth0 1500 5 0 0 0 7 0 0 0 BMRU' }]);
  });

  it('the front door: each is a counters input of its own kind (they were refused as "not a trace")', async () => {
    for (const f of [
      captured('veth-peer-down-netstat-i.txt'),
      pub('64-netstat-i-nag-met-column-cut-header.netstat.txt'),
      pub('65-netstat-i-flags-bru-tutorial.netstat.txt'),
    ])
      expect(await openTraceInput(f), f).toMatchObject({ kind: 'counters', counters: 'netstat-i' });
  });
});

describe("a device's sysfs statistics/", () => {
  const sysfs = (f: string): string => path.join(root, 'fixtures/captured/link-counters', f);

  it('our veth, grep of carrier, operstate and statistics/tx_* twice: carrier 1 → 0, tx_dropped 0 → 2', () => {
    const r = readSysfsStatistics(text(sysfs('veth-peer-down-sysfs-statistics.txt')));
    expect(r.skipped).toBe(0);
    expect(r.snapshots.map((s) => [s.dev, s.snapshot, s.line, s.flags.join(','), s.operstate])).toEqual([
      ['vs9', 0, 2, 'LOWER_UP', 'UP'],
      ['vs9', 1, 15, 'NO-CARRIER', 'DOWN'],
    ]);
    // tx_carrier_errors is ip's `carrier`: the link rules read every tool's counters under one name
    expect(r.snapshots.map(tx)).toEqual([
      [306, 0, 0, 0],
      [306, 0, 2, 0],
    ]);
    expect(r.snapshots[1]!.stats.get('tx_carrier')).toBe(0);
  });

  it('this machine, `cd …/eth0/statistics && grep . *`: bare names, the device taken from the pasted command', () => {
    const r = readSysfsStatistics(text(sysfs('this-vm-eth0-statistics-bare.txt')));
    expect([r.skipped, r.snapshots.length, r.snapshots[0]!.dev]).toEqual([0, 1, 'eth0']);
    expect(r.snapshots[0]!.stats.size).toBe(24);
  });

  it('the front door: link counters of their own kind (they were refused as "not a trace")', async () => {
    for (const f of ['veth-peer-down-sysfs-statistics.txt', 'this-vm-eth0-statistics-bare.txt'])
      expect(await openTraceInput(sysfs(f)), f).toMatchObject({ kind: 'counters', counters: 'sysfs-statistics' });
  });
});
