/**
 * TX-timeout resets logged without a NETDEV WATCHDOG line beside them. The lines are the drivers' printk formats
 * filled in (e1000_reset_task "Reset adapter unexpectedly", igb_reset_task "Reset adapter", dev_watchdog's
 * 2.6.27–6.7 WARN_ONCE form); the stmmac reset inside a watchdog series is fixtures/public/34.
 */
import { describe, expect, it } from 'vitest';
import { parseKernelLog } from '@txreplay/ingest';
import { findingsFromKernelLog } from '../src/rules/kernel-log.js';

const findings = (lines: string[]) => findingsFromKernelLog(parseKernelLog(lines.join('\n')).records, 'x.dmesg');

describe('driver resets without a watchdog line', () => {
  it('e1000e "Reset adapter unexpectedly" alone: a warning that names what schedules it and WARN_ONCE', () => {
    const f = findings([
      '[ 3845.123456] e1000e 0000:00:19.0 eno1: Reset adapter unexpectedly',
      '[ 3849.456789] e1000e 0000:00:19.0 eno1: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx',
      '[ 3905.123456] e1000e 0000:00:19.0 eno1: Reset adapter unexpectedly',
    ]);
    expect(f.map((x) => [x.kind, x.severity, x.dev])).toEqual([['watchdog_timeout', 'warning', 'eno1']]);
    expect(f[0]!.title).toMatch(/reset the adapter 2 time\(s\), every 60\.0 s on average with no NETDEV WATCHDOG/);
    expect(f[0]!.explanation).toMatch(/e1000_tx_timeout\(\).*or an uncorrectable ECC error/);
    expect(f[0]!.explanation).toMatch(/WARN_ONCE, once per boot/);
  });

  it('igb resets after the one WARN_ONCE watchdog of the boot: the first is part of its series, the later ones are not', () => {
    const f = findings([
      '[  100.000000] ------------[ cut here ]------------',
      '[  100.000001] WARNING: CPU: 0 PID: 0 at net/sched/sch_generic.c:477 dev_watchdog+0x2d4/0x2dc',
      '[  100.000002] NETDEV WATCHDOG: eth0 (igb): transmit queue 0 timed out',
      '[  100.100000] igb 0000:01:00.0 eth0: Reset adapter',
      '[  200.100000] igb 0000:01:00.0 eth0: Reset adapter',
      '[  300.100000] igb 0000:01:00.0 eth0: Reset adapter',
    ]);
    const resets = f.filter((x) => x.severity === 'warning');
    expect(resets.map((x) => x.dev)).toEqual(['eth0']);
    expect(resets[0]!.title).toMatch(/reset the adapter 2 time\(s\), every 100\.0 s/);
    expect(resets[0]!.explanation).toMatch(/A NETDEV WATCHDOG for eth0 is logged before them \(line 1\)/);
    const crit = f.filter((x) => x.severity === 'critical');
    expect(crit.map((x) => x.title)).toEqual(['NETDEV WATCHDOG: eth0 TX queue 0 (igb) timed out 1 time(s)']);
    expect(crit[0]!.explanation).toMatch(/the driver reset or recovered 1 time\(s\)/);
  });

  it('a reset line of another kind ("Reset done", hclge) makes no finding of its own', () => {
    expect(findings(['[1.0] hns3 0000:7d:00.0 eth1: Reset done, hns3 done'])).toEqual([]);
  });
});
