/**
 * igb "Detected Tx Unit Hang" (§G.1 Hang detection): igb_watchdog_task every 2 s sets IGB_RING_FLAG_TX_DETECT_HANG
 * and kicks every vector (EICS); the next igb_clean_tx_irq checks the oldest pending buffer against
 * tx_timeout_factor*HZ, logs, stops the subqueue and does not wake. Emitted as a sim log record (not a tracepoint).
 */
import { describe, expect, it } from 'vitest';
import { NETDEV_TX_OK } from '../src/core/driver/profiles.js';
import { resolveScenario } from '../src/sim/scenario.js';
import { Simulator, type SimResult } from '../src/sim/simulator.js';
import { TraceKind } from '../src/sim/trace-event.js';
import { driverHarness } from './sim-harness.js';

describe('igb_clean_tx_irq hang check (§G.1)', () => {
  it('fires only when the flag is set and time_after(jiffies, time_stamp + factor*HZ); logs, stops, no wake', () => {
    const h = driverHarness('igb', 256, false, '6.12.117', 250); // harness HZ 250, factor 1
    for (let i = 0; i < 3; i++) expect(h.xmit(1000)).toBe(NETDEV_TX_OK); // time_stamp = jiffies 0
    // no flag: no check however old the buffer is
    h.advance(5e9);
    h.tq.clean(128);
    expect(h.tq.txHangs).toBe(0);
    // flag set, exactly factor*HZ old: time_after is strict → no hang, and the flag is consumed
    const h2 = driverHarness('igb', 256, false, '6.12.117', 250);
    for (let i = 0; i < 3; i++) h2.xmit(1000);
    h2.advance(1e9); // jiffies 250 = time_stamp + HZ
    h2.tq.detectHang = true;
    h2.tq.clean(128);
    expect(h2.tq.txHangs).toBe(0);
    expect(h2.tq.detectHang).toBe(false);
    // one jiffy later with the flag: hang
    h2.advance(4e6);
    h2.tq.detectHang = true;
    h2.tq.clean(128);
    expect(h2.tq.txHangs).toBe(1);
    expect(h2.txq.txqStopped()).toBe(true);
    expect(h2.log.lines).toHaveLength(1);
    expect(h2.log.lines[0]).toMatch(/^Detected Tx Unit Hang\n {2}Tx Queue {13}<0>\n {2}TDH {18}<0>\n {2}TDT {18}<3>\n/);
    expect(h2.log.lines[0]).toContain('time_stamp           <0>');
    expect(h2.log.lines[0]).toContain('jiffies              <fb>');
  });

  it('checks the oldest buffer still pending after the clean, and tx_timeout_factor 14 stretches the age (10 Mb/s)', () => {
    const h = driverHarness('igb', 256, false, '6.12.117', 14 * 250);
    h.xmit(1000); // t=0
    h.advance(3e9);
    h.xmit(1000); // t=3 s, jiffies 750
    h.hwComplete(1); // the old one completes; the pending one is young
    h.advance(2e9);
    h.tq.detectHang = true;
    h.tq.clean(128);
    expect(h.tq.completedPackets).toBe(1);
    expect(h.tq.txHangs).toBe(0);
    h.advance(13e9); // 15 s after the second post: 3750 > 14*250 = 3500 jiffies
    h.tq.detectHang = true;
    h.tq.clean(128);
    expect(h.tq.txHangs).toBe(1);
  });
});

describe('igb_watchdog_task in a simulation (§G.1 → §E)', () => {
  const run = (kernel: string, stuckAtMs: number): SimResult =>
    new Simulator(
      resolveScenario(
        {
          name: 'igb-tx-hang',
          seed: 1,
          durationMs: 16000,
          startOffsetNs: 1000e9,
          kernel,
          hz: 250,
          devices: [{ name: 'eth0', driver: 'igb', linkRateBps: 1e9, igbWatchdogTask: true }],
          sources: [{ name: 'ping', device: 'eth0', ratePps: 2000, sizes: 1000 }],
          faults: [{ kind: 'dma_stuck', device: 'eth0', queue: 0, startMs: stuckAtMs }],
        },
        'test',
      ),
      { checkInvariants: true },
    ).run();
  const secs = (ns: number): number => Math.round((ns - 1000e9) / 1e3) / 1e6;

  it('the task runs every 2 s on whole seconds (round_jiffies); each run finds the hang once the oldest buffer is > HZ old', () => {
    const r = run('5.15.100', 500);
    const hangs = r.logs.filter((l) => l.kind === 'igb_tx_unit_hang');
    // DMA stuck at 0.5 s; task at 0, 2, 4 … s; EICS → NAPI poll one softirq delay (2 µs) later
    expect(hangs.map((l) => secs(l.tsNs))).toEqual([
      2.000002, 4.000002, 6.000002, 8.000002, 10.000002, 12.000002, 14.000002,
    ]);
    expect(hangs.every((l) => l.dev === 'eth0' && l.queue === 0)).toBe(true);
    // a stall that starts at 1.2 s is only 0.8 s old at the 2 s check: first hang at 4 s
    const late = run('5.15.100', 1200).logs.filter((l) => l.kind === 'igb_tx_unit_hang');
    expect(secs(late[0]!.tsNs)).toBe(4.000002);
  });

  it('5.15: the stack watchdog still fires (trans_start = last xmit) — at its own 5 s phase, then igb resets', () => {
    const r = run('5.15.100', 500);
    expect(r.watchdogFires.length).toBeGreaterThanOrEqual(1);
    const first = r.watchdogFires[0]!;
    // last good xmit ≈ 0.5 s + ring fill; the 5.15 timer runs at 5, 10, 15 s: 5 s is too early, 10 s fires
    expect(first.tsNs).toBe(10e9); // WatchdogFire.tsNs is simulated time (no startOffsetNs)
    expect(first.timedOutMs).toBeGreaterThan(9000);
    expect(r.queues[0]!.resets).toBeGreaterThanOrEqual(1);
  });

  it('6.12: every hang check re-stops the subqueue, netif_tx_stop_queue refreshes trans_start, so dev_watchdog never fires', () => {
    const r = run('6.12.117', 500);
    expect(r.logs.filter((l) => l.kind === 'igb_tx_unit_hang')).toHaveLength(7);
    expect(r.watchdogFires).toHaveLength(0);
    expect(r.queues[0]!.state & 0x1).toBe(0x1);
  });

  it('without a fault the task kicks a NAPI poll every 2 s and finds nothing', () => {
    const r = new Simulator(
      resolveScenario(
        {
          durationMs: 7000,
          kernel: '6.12.117',
          devices: [{ name: 'eth0', driver: 'igb', linkRateBps: 1e9, igbWatchdogTask: true }],
          sources: [{ name: 'ping', device: 'eth0', ratePps: 1000 }],
        },
        'test',
      ),
      { checkInvariants: true },
    ).run();
    expect(r.logs).toHaveLength(0);
    expect(r.watchdogFires).toHaveLength(0);
    expect(r.queues[0]!.maxStoppedNs).toBe(0);
  });
});

describe('igb-tx-hang.json (§G.1 → §E on 5.15)', () => {
  it('hang logged at 1002…1010 s, the stack watchdog at 1010 s, igb resets, traffic flows again once the DMA is back', async () => {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { parseScenario } = await import('../src/sim/scenario.js');
    const { repoRoot } = await import('./golden-dir.js');
    const file = path.join(repoRoot, 'examples', 'scenarios', 'igb-tx-hang.json');
    const sc = parseScenario(readFileSync(file, 'utf8'), file);
    let lastConsumeNs = 0;
    const r = new Simulator(sc, {
      checkInvariants: true,
      onEvent: (ev) => {
        if (ev.kind === TraceKind.consumeSkb) lastConsumeNs = ev.tsNs;
      },
    }).run();
    const hangs = r.logs.filter((l) => l.kind === 'igb_tx_unit_hang').map((l) => Math.round(l.tsNs / 1e3) / 1e6);
    expect(hangs).toEqual([1002.000002, 1004.000002, 1006.000002, 1008.000002, 1010.000002]);
    expect(r.watchdogFires.map((w) => w.tsNs / 1e9)).toEqual([10]);
    expect(r.queues[0]!.resets).toBe(1);
    expect(r.queues[0]!.state).toBe(0);
    expect(lastConsumeNs / 1e9).toBeGreaterThan(1015.9);
  });
});
