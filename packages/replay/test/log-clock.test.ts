/**
 * Wall-clock kernel logs on the trace clock. The trace is a real public excerpt (fixtures/public 46: three
 * net_dev_xmit_timeout events of eth0 and two of eth4, stamped since boot); the syslog beside it is a synthetic
 * variant written from those events as rsyslog would have logged them (wall time = boot time + event time, whole
 * seconds, local zone +08:00), because no public report carries both for one stall.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseFiles, formatVerdict, parseBootTime } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const trace = path.join(repoRoot, 'fixtures/public/46-net-dev-xmit-timeout-virtio-netns-cpu-flags.ftrace');

/** 2025-10-24 12:00:00 +08:00: the boot of the synthetic host. */
const BOOT_ISO = '2025-10-24T12:00:00+08:00';
const BOOT_EPOCH_S = Date.UTC(2025, 9, 24, 4, 0, 0) / 1000;

/** The events of fixture 46, as (dev, queue, seconds since boot). */
const EVENTS: [string, number, number][] = [
  ['eth0', 10, 1838.311662],
  ['eth4', 10, 1839.33565],
  ['eth0', 10, 1844.455659],
  ['eth4', 10, 1845.479663],
  ['eth0', 10, 1850.087647],
];

/** rsyslog's RFC 3164 line for a NETDEV WATCHDOG printed `sinceBoot` s after a boot at 12:00:00 local time. */
function syslogLine(dev: string, queue: number, sinceBoot: number): string {
  const t = new Date(Date.UTC(2025, 9, 24, 12, 0, 0) + Math.floor(sinceBoot) * 1000);
  const hms = t.toISOString().slice(11, 19);
  return `Oct 24 ${hms} vm-7 kernel: NETDEV WATCHDOG: ${dev} (virtio_net): transmit queue ${queue} timed out 5120 ms`;
}

function writeSyslog(lines: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-logclock-')), 'messages');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('a syslog (wall clock, no year, no zone) beside a trace (clock since boot)', () => {
  const log = writeSyslog(EVENTS.map(([d, q, s]) => syslogLine(d, q, s)));

  it('alone: read as written, no trace clock to put it on', async () => {
    const r = await diagnoseFiles([log]);
    expect(r.logClock?.[0]).toMatchObject({ how: 'none', note: expect.stringMatching(/read without a trace/) });
    expect(r.findings.map((f) => [f.kind, f.dev])).toEqual([
      ['watchdog_timeout', 'eth0'],
      ['watchdog_timeout', 'eth4'],
    ]);
  });

  it('matched: its NETDEV WATCHDOG lines find the trace events, and add evidence instead of new findings', async () => {
    const alone = await diagnoseFiles([trace]);
    const r = await diagnoseFiles([trace, log]);
    expect(r.logClock?.[0]).toMatchObject({ how: 'matched-watchdog', matched: 5 });
    // the offset is the wall time of boot on the log's zone-less clock (a syslog stamp has no year: 2000 is
    // assumed), to within the log's whole seconds
    const offsetS = Number(r.logClock![0]!.offsetNs!) / 1e9;
    expect(Math.abs(offsetS - Date.UTC(2000, 9, 24, 12, 0, 0) / 1000)).toBeLessThan(1);
    expect(r.findings.map((f) => [f.kind, f.dev, f.queue])).toEqual(
      alone.findings.map((f) => [f.kind, f.dev, f.queue]),
    );
    const quoted = r.findings.flatMap((f) => f.evidence).filter((e) => e.source === log);
    expect(quoted.length).toBeGreaterThanOrEqual(2);
  });

  it('--boot-time (ISO with its zone, or btime epoch seconds) places it the same way', async () => {
    const alone = await diagnoseFiles([trace]);
    const iso = await diagnoseFiles([trace, log], { bootTime: BOOT_ISO });
    expect(iso.logClock?.[0]).toMatchObject({ how: 'boot-time' });
    expect(iso.findings).toHaveLength(alone.findings.length);
    // epoch seconds carry no zone: zone-less stamps are read as UTC, 8 h off, and the note says so
    const epoch = await diagnoseFiles([trace, log], { bootTime: String(BOOT_EPOCH_S) });
    expect(epoch.logClock?.[0]?.note).toMatch(/read as UTC/);
    expect(epoch.findings.length).toBeGreaterThan(alone.findings.length);
  });

  it('a log of another host (no watchdog line matches) stays apart and says how to place it', async () => {
    const other = writeSyslog([syslogLine('eth9', 3, 100)]);
    const r = await diagnoseFiles([trace, other]);
    expect(r.logClock?.[0]).toMatchObject({ how: 'none', note: expect.stringMatching(/--boot-time/) });
    expect(r.findings.some((f) => f.dev === 'eth9')).toBe(true);
  });

  it('a --boot-time that is neither epoch seconds nor ISO with a zone is refused with an example', () => {
    expect(() => parseBootTime('yesterday')).toThrow(/epoch seconds .* ISO 8601 with its zone/);
    expect(() => parseBootTime('2025-10-24T12:00:00')).toThrow(RangeError);
    expect(parseBootTime('1761278400.5').epochNs).toBe(1761278400500000000n);
  });
});

describe('a log read alone: its times as the log gives them', () => {
  const real = readFileSync(path.join(repoRoot, 'fixtures/public/37-virtio-net-watchdog-fcos-aarch64.journal'), 'utf8');
  const line = real.split('\n').find((l) => l.includes('NETDEV WATCHDOG'))!;

  it('journalctl -o short-iso (zoned): the span and the finding in UTC, never "0.000000 → 0.000000 s"', async () => {
    const iso = line.replace(/^Jun 03 22:35:11 /, '2023-06-03T22:35:11+0200 ');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-wall-')), 'short-iso.journal');
    writeFileSync(file, `${iso}\n`);
    const text = formatVerdict(await diagnoseFiles([file]));
    expect(text).toContain('1 kernel-log record(s), 2023-06-03T20:35:11.000000Z → 2023-06-03T20:35:11.000000Z\n');
    expect(text).toMatch(/watchdog_timeout on enp0s1 txq 0, 2023-06-03T20:35:11\.000000Z → /);
  });

  it('syslog stamps without a year or zone: no invented time, the finding and its evidence keep the stamp as written', async () => {
    const text = formatVerdict(
      await diagnoseFiles([path.join(repoRoot, 'fixtures/public/37-virtio-net-watchdog-fcos-aarch64.journal')]),
    );
    expect(text).not.toContain('0.000000');
    expect(text).toContain(
      "watchdog_timeout on enp0s1 txq 0, Jun 03 22:35:11 (the log's local time; it gives no zone)",
    );
    expect(text).toContain("times are the log's local wall time as written (it gives no zone)");
    expect(text).toMatch(/evidence: log:watchdog_timeout \(.*:1\) Jun 03 22:35:11 /);
  });
});
