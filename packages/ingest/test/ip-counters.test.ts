/**
 * The IP and UDP send counters read from `nstat -az` and `netstat -s` (fixtures/captured/ip-counters: a tbf that
 * refused 622 packets at enqueue while ping and a UDP sender ran), and nstat's increments mode known from its
 * pasted command.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTraceInput } from '../src/index.js';
import { readIpCounters } from '../src/parse/ip-counters/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/ip-counters', f);
const text = (f: string): string => readFileSync(captured(f), 'utf8');
const values = (m: Map<string, number>): Record<string, number> => Object.fromEntries(m);

describe('nstat and netstat -s', () => {
  it('nstat -az after the run: the four counters, totals (the command says -a)', () => {
    const r = readIpCounters(text('tbf-full-nstat-after.txt'));
    expect([r.skipped, r.snapshots.length]).toEqual([0, 1]);
    const s = r.snapshots[0]!;
    expect([s.line, s.tool, s.increments]).toEqual([3, 'nstat', false]);
    expect(values(s.counters)).toEqual({
      IpOutRequests: 919,
      IpOutDiscards: 622,
      UdpOutDatagrams: 95,
      UdpSndbufErrors: 205,
    });
  });

  it('netstat -s twice: the same counters from its sentences; the absent `outgoing packets dropped` is 0', () => {
    const r = readIpCounters(text('tbf-full-netstat-s-twice.txt'));
    // every other netstat line (Icmp, Tcp, histograms) is its own, not garbage
    expect(r.skipped).toBe(0);
    expect(r.snapshots.map((s) => [s.line, s.snapshot, s.tool, values(s.counters)])).toEqual([
      [
        2,
        0,
        'netstat -s',
        { IpOutDiscards: 0, IpOutNoRoutes: 0, IpOutRequests: 2, UdpOutDatagrams: 0, UdpSndbufErrors: 0 },
      ],
      [
        49,
        1,
        'netstat -s',
        { IpOutDiscards: 622, IpOutNoRoutes: 0, IpOutRequests: 919, UdpOutDatagrams: 95, UdpSndbufErrors: 205 },
      ],
    ]);
  });

  it('nstat without -a prints increments since its previous run: known from the pasted command', () => {
    const paste = ['$ nstat -z IpOutDiscards', '#kernel', 'IpOutDiscards                   12                 0.0'];
    expect(readIpCounters(paste.join('\n')).snapshots[0]!.increments).toBe(true);
    paste[0] = '$ nstat -az IpOutDiscards';
    expect(readIpCounters(paste.join('\n')).snapshots[0]!.increments).toBe(false);
  });

  it('the front door: a counters input of its own kind (it was refused as "not a trace")', async () => {
    for (const f of ['tbf-full-nstat-before.txt', 'tbf-full-netstat-s-twice.txt'])
      expect(await openTraceInput(captured(f)), f).toMatchObject({ kind: 'counters', counters: 'ip-counters' });
  });
});
