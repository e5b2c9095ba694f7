/**
 * A driver's lines about its TX ring filling, read from a log alone. The lines are the drivers' printk formats filled
 * in (tg3_start_xmit "BUG! Tx Ring full when queue awake!", ipoib_send "TX ring full, stopping kernel net queue",
 * ipoib_timeout); the real IPoIB mail excerpt is fixtures/public/73 (kernel-log-findings.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseKernelLog } from '@txreplay/ingest';
import { findingsFromKernelLog } from '../src/rules/kernel-log.js';

const findings = (lines: string[]) => findingsFromKernelLog(parseKernelLog(lines.join('\n')).records, 'x.dmesg');

describe('TX ring full, from the log', () => {
  it('tg3 finding its ring full with the queue awake: a tx_busy_while_awake warning, counted per device', () => {
    const f = findings([
      '[10.000000] tg3 0000:03:00.0 eth0: BUG! Tx Ring full when queue awake!',
      '[12.500000] tg3 0000:03:00.0 eth0: BUG! Tx Ring full when queue awake!',
      '[13.000000] tg3 0000:04:00.0 eth1: BUG! Tx Ring full when queue awake!',
    ]);
    expect(f.map((x) => [x.kind, x.severity, x.dev])).toEqual([
      ['tx_busy_while_awake', 'warning', 'eth0'],
      ['tx_busy_while_awake', 'warning', 'eth1'],
    ]);
    expect(f[0]!.title).toMatch(/2 time\(s\)/);
    expect([f[0]!.startNs, f[0]!.endNs]).toEqual([10_000_000_000n, 12_500_000_000n]);
    expect(f[0]!.explanation).toMatch(/No NETDEV WATCHDOG follows/);
  });

  it('the same line before a NETDEV WATCHDOG of that device says the wake never came', () => {
    const f = findings([
      '[10.000000] tg3 0000:03:00.0 eth0: BUG! Tx Ring full when queue awake!',
      '[15.000000] tg3 0000:03:00.0 eth0: NETDEV WATCHDOG: CPU: 1: transmit queue 0 timed out 5120 ms',
    ]);
    const busy = f.find((x) => x.kind === 'tx_busy_while_awake')!;
    expect(busy.explanation).toMatch(/A NETDEV WATCHDOG follows on this device/);
    expect(f.map((x) => x.kind).sort()).toEqual(['tx_busy_while_awake', 'watchdog_timeout']);
  });

  it('IPoIB stopping its queue with no watchdog after: backpressure, info only', () => {
    const f = findings([
      '[1.000000] ib0: TX ring full, stopping kernel net queue',
      '[1.200000] ib0: TX ring full, stopping kernel net queue',
    ]);
    expect(f.map((x) => [x.kind, x.severity, x.dev])).toEqual([['ring_backpressure', 'info', 'ib0']]);
    expect(f[0]!.title).toMatch(/2 time\(s\)/);
  });

  it('ipoib_timeout() with every send completed and the queue stopped: a lost wake-up, not a stuck HCA', () => {
    const f = findings([
      '[5.000000] ib0: TX ring full, stopping kernel net queue',
      '[10.100000] ib0: NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 5100 ms',
      '[10.100001] ib0: transmit timeout: latency 5100 msecs',
      '[10.100002] ib0: queue stopped 1, tx_head 4294967295, tx_tail 4294967295, global_tx_head 3, global_tx_tail 3',
    ]);
    const w = f.find((x) => x.kind === 'lost_wakeup' || x.kind === 'watchdog_timeout');
    expect(f.map((x) => x.kind)).toContain('lost_wakeup');
    expect(w).toBeDefined();
    const text = f.map((x) => x.explanation).join('\n');
    expect(text).toMatch(/every send posted was completed, yet the queue was not woken/);
    expect(text).toMatch(/no completion will come to wake the queue/);
    expect(text).toMatch(/0 send\(s\) were outstanding \(global_tx_head 3 − global_tx_tail 3\)/);
  });
});
