/**
 * Kernel-log line layer: the envelope of every common shape taken off real lines (from the excerpts in
 * test/data/kernel-log/, see SOURCES.md, and the corpus fixtures), paste prefixes, and the format sniffer.
 * RFC 5424, /dev/kmsg, journalctl -o json and short-full had no public kernel NIC excerpt to be found: those lines
 * carry a real message re-enveloped exactly as the format's spec writes it (marked "re-enveloped").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  looksLikeKernelLog,
  parseEnvelope,
  parseKernelLog,
  readKernelLines,
  stripPastePrefix,
} from '../src/parse/kernel-log/index.js';

const DATA = fileURLToPath(new URL('./data/kernel-log/', import.meta.url));
const SHARED_TRACES = fileURLToPath(new URL('../../../../shared/traces/', import.meta.url));
const PUBLIC = fileURLToPath(new URL('../../../fixtures/public/', import.meta.url));

describe('parseEnvelope on real lines', () => {
  it('dmesg: printk time since boot, message after it', () => {
    const e = parseEnvelope('[ 9327.470501] e1000e 0000:00:19.0 eth0: Detected Hardware Unit Hang:');
    expect(e).toEqual({
      shape: 'dmesg',
      tsBootNs: 9_327_470_501_000n,
      message: 'e1000e 0000:00:19.0 eth0: Detected Hardware Unit Hang:',
    });
  });

  it('dmesg -r / Android: <level> before the stamp', () => {
    const e = parseEnvelope('<6>[  351.015052] NETDEV WATCHDOG: wlan0 (cnss_wlan_pci): transmit queue 0 timed out');
    expect(e).toMatchObject({ shape: 'dmesg-raw', level: 6, tsBootNs: 351_015_052_000n });
    expect(e?.message).toBe('NETDEV WATCHDOG: wlan0 (cnss_wlan_pci): transmit queue 0 timed out');
  });

  it('dmesg -T: local wall time, no boot time', () => {
    const e = parseEnvelope('[Thu Oct 22 08:55:04 2020] mlx5_core 0000:42:00.1 eth4: Link down');
    expect(e).toEqual({
      shape: 'dmesg-T',
      wall: 'Thu Oct 22 08:55:04 2020',
      message: 'mlx5_core 0000:42:00.1 eth4: Link down',
    });
  });

  it('dmesg -H / --reltime: minute headers and deltas carry no absolute boot time', () => {
    expect(
      parseEnvelope(
        '[Mar15 18:17] ice 0000:b1:00.0 ens801f0np0: NETDEV WATCHDOG: CPU: 38: transmit queue 14 timed out 80692736 ms',
      ),
    ).toMatchObject({
      shape: 'dmesg-delta',
      message: 'ice 0000:b1:00.0 ens801f0np0: NETDEV WATCHDOG: CPU: 38: transmit queue 14 timed out 80692736 ms',
    });
    const d = parseEnvelope(
      "[  +0.005106] ena 0000:00:03.0 eth0: Found a Tx that wasn't completed on time, qid 0, index 694.",
    );
    expect(d?.shape).toBe('dmesg-delta');
    expect(d?.tsBootNs).toBeUndefined();
  });

  it('syslog RFC 3164 with the printk stamp kept in the message', () => {
    const e = parseEnvelope(
      'May  6 19:48:46 workstation kernel: [   95.178723] igb 0000:09:00.0: Detected Tx Unit Hang',
    );
    expect(e).toEqual({
      shape: 'syslog',
      wall: 'May  6 19:48:46',
      host: 'workstation',
      ident: 'kernel',
      tsBootNs: 95_178_723_000n,
      message: 'igb 0000:09:00.0: Detected Tx Unit Hang',
    });
  });

  it('syslog without the stamp; other daemons keep their ident', () => {
    expect(parseEnvelope('Aug 28 13:45:05 cheesy kernel: NETDEV WATCHDOG: eth0: transmit timed out')).toMatchObject({
      shape: 'syslog',
      host: 'cheesy',
      ident: 'kernel',
      message: 'NETDEV WATCHDOG: eth0: transmit timed out',
    });
    expect(parseEnvelope('Jun 11 11:04:36 k8snode228 systemd-networkd[1883]: veth53cd54f: Gained IPv6LL')?.ident).toBe(
      'systemd-networkd',
    );
  });

  it('rsyslog `facility.severity:` before the stamp gives the level (line as wrapped in a netdev mail, 2023)', () => {
    const e = parseEnvelope('kern.err: Aug 15 12:21:39 ps502b-104 kernel: [325978.631877] bnxt_en');
    expect(e).toMatchObject({
      shape: 'syslog',
      level: 3,
      host: 'ps502b-104',
      tsBootNs: 325_978_631_877_000n,
      message: 'bnxt_en',
    });
  });

  it('journalctl short zero-pads the day', () => {
    const e = parseEnvelope(
      'Jun 03 22:35:11 localhost.localdomain kernel: NETDEV WATCHDOG: enp0s1 (virtio_net): transmit queue 0 timed out',
    );
    expect(e).toMatchObject({ shape: 'journal-short', host: 'localhost.localdomain', ident: 'kernel' });
  });

  it('syslog stamp straight before printk stamp and caller id (CONFIG_PRINTK_CALLER)', () => {
    const e = parseEnvelope(
      'Sep 27 06:28:58 [ 1715.896233][   C28] i40e 0000:03:00.0 eth0: tx_timeout recovery level 1, txqueue 0',
    );
    expect(e).toMatchObject({
      shape: 'syslog',
      tsBootNs: 1_715_896_233_000n,
      caller: 'C28',
      message: 'i40e 0000:03:00.0 eth0: tx_timeout recovery level 1, txqueue 0',
    });
  });

  it('rsyslog RFC 3339 stamp with zone gives an absolute wall time', () => {
    const e = parseEnvelope(
      '2024-09-19T16:27:10.009659+08:00 bravo kernel: [19184251.374925] hns3 0000:7d:00.1 enp125s0f1: queue state: 0x6, delta msecs: 5556',
    );
    expect(e).toMatchObject({ shape: 'syslog-iso', host: 'bravo', ident: 'kernel', tsBootNs: 19_184_251_374_925_000n });
    expect(e?.wallTimeUs).toBe(BigInt(Date.UTC(2024, 8, 19, 8, 27, 10)) * 1000n + 9659n);
  });

  it('ISO stamp without zone: wall text only, `kernel:[…]` without a space', () => {
    const e = parseEnvelope(
      '2022-11-04T14:09:31 server kernel:[75215.928881] NETDEV WATCHDOG: eth1 (r8152): transmit queue 0 timed out',
    );
    expect(e).toMatchObject({ shape: 'syslog-iso', wall: '2022-11-04T14:09:31', tsBootNs: 75_215_928_881_000n });
    expect(e?.wallTimeUs).toBeUndefined();
  });

  it('OpenWrt logread: facility.level names the printk level', () => {
    const e = parseEnvelope(
      'Fri Jul 19 05:58:52 2019 kern.info kernel: [49182.732539] NETDEV WATCHDOG: eth0 (mtk_soc_eth): transmit queue 0 timed out',
    );
    expect(e).toMatchObject({
      shape: 'logread',
      wall: 'Fri Jul 19 05:58:52 2019',
      level: 6,
      ident: 'kernel',
      tsBootNs: 49_182_732_539_000n,
    });
  });

  it('talosctl dmesg', () => {
    const e = parseEnvelope(
      'kern:     err: [2024-06-29T10:52:39.030745602Z]: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:',
    );
    expect(e).toMatchObject({
      shape: 'talos',
      level: 3,
      wallTimeUs: BigInt(Date.UTC(2024, 5, 29, 10, 52, 39)) * 1000n + 30_745n,
    });
  });

  it('ESXi vmkernel.log: the vmklinux tag off, and the ESXi 7+ "In(182) vmkernel:" form', () => {
    // the first line is fixtures/public/77; the second its ESXi 7+ layout
    for (const line of [
      '2019-11-08T03:14:22.530Z cpu3:2097575)WARNING: LinNet: netdev_watchdog:3688: NETDEV WATCHDOG: vmnic1: transmit timed out',
      '2019-11-08T03:14:22.530Z In(182) vmkernel: cpu3:2097575)WARNING: LinNet: netdev_watchdog:3688: NETDEV WATCHDOG: vmnic1: transmit timed out',
    ])
      expect(parseEnvelope(line)).toMatchObject({
        shape: 'vmkernel',
        level: 4,
        ident: 'kernel',
        message: 'NETDEV WATCHDOG: vmnic1: transmit timed out',
        wallTimeUs: BigInt(Date.UTC(2019, 10, 8, 3, 14, 22)) * 1000n + 530_000n,
      });
  });

  it('ESX 4.x vmkernel through syslog: the host uptime is the boot clock; collapsed whitespace still reads', () => {
    // fixtures/public/80 (blog.festag.de): `Mar 6` with one space, and one line without the space before the host
    for (const [line, wall] of [
      [
        'Mar 6 17:31:16 ESX01 vmkernel: 15:07:33:10.284 cpu2:4245)WARNING: LinNet: netdev_watchdog: NETDEV WATCHDOG: vmnic3: transmit timed out',
        'Mar 6 17:31:16',
      ],
      [
        'Mar 6 17:31:20ESX01 vmkernel: 15:07:33:14.289 cpu1:4234)WARNING: LinNet: netdev_watchdog: NETDEV WATCHDOG: vmnic3: transmit timed out',
        'Mar 6 17:31:20',
      ],
    ] as const) {
      const e = parseEnvelope(line);
      expect(e).toMatchObject({ shape: 'vmkernel', level: 4, ident: 'kernel', host: 'ESX01', wall });
      expect(e!.message).toBe('NETDEV WATCHDOG: vmnic3: transmit timed out');
    }
    const up = parseEnvelope(
      'Mar 6 17:31:16 ESX01 vmkernel: 15:07:33:10.284 cpu2:4245)BUG: warning at vmkdrivers/src26/vmklinux26/vmware/linux_net.c:3235/netdev_watchdog() (inside vmklinux)',
    );
    // 15 days 07:33:10.284 of uptime; an interface name after the world is not a tag to take off
    expect(up!.tsBootNs).toBe(((15n * 24n + 7n) * 3600n + 33n * 60n + 10n) * 1_000_000_000n + 284_000_000n);
    expect(up!.message).toMatch(/^BUG: warning at vmkdrivers/);
    expect(
      parseEnvelope('Mar 6 17:31:16 ESX01 vmkernel: 15:07:33:10.284 cpu2:4245)e1000: vmnic0: NIC Link is Up')!.message,
    ).toBe('e1000: vmnic0: NIC Link is Up');
  });

  // util-linux `dmesg --color=always` wraps the stamp, the device prefix and the message in SGR codes
  it('a log with terminal colours reads as the same log without them, and its evidence quotes no escape codes', () => {
    const plain = parseKernelLog(readFileSync(`${PUBLIC}13-r8125-two-ports-timed-out-ms.dmesg`, 'utf8'));
    const colour = parseKernelLog(readFileSync(`${DATA}r8125-colour-util-linux.dmesg`, 'utf8'));
    expect(readFileSync(`${DATA}r8125-colour-util-linux.dmesg`, 'utf8')).toContain(
      '\u001b[32m[ 1356.296930] \u001b[0m',
    );
    expect(colour.records.length).toBe(plain.records.length);
    expect(colour.records).toEqual(plain.records);
  });

  it('a printk stamp the poster redacted is a dmesg line without a time', () => {
    for (const stamp of ['[xxxxxx]', '[xxxxx.xxxxxx]', '[...]'])
      expect(parseEnvelope(`${stamp} e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly`)).toEqual({
        shape: 'dmesg',
        message: 'e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly',
      });
  });

  it('a syslog excerpt run into one paragraph without its dates: split at every `HOST kernel: `', () => {
    // fixtures/public/81 (bisko.tech.blog, 2019-12-18): the whole e1000e dump on one line
    const rs = parseKernelLog(readFileSync(`${PUBLIC}81-e1000e-i219-hang-flattened-host-tags-blog.syslog`, 'utf8'));
    expect(rs.lines.length).toBeGreaterThanOrEqual(17);
    expect(rs.lines.every((l) => l.lineNo === 1 && !l.message.includes('vmhost kernel:'))).toBe(true);
    expect(rs.records.map((r) => r.kind)).toEqual(['tx_hang_dump', 'tx_recovery']);
  });

  it('a Qubes OS VM console: the wall stamp before the dmesg line, and a line without it', () => {
    // QubesOS/qubes-issues #6990 (2021-10-20), sys-net's console log as posted
    const rs = parseKernelLog(
      [
        '[2021-10-20 01:16:33] [   23.160152] ------------[ cut here ]------------',
        '[2021-10-20 01:16:33] [   23.160219] NETDEV WATCHDOG: ens6 (atl1c): transmit queue 0 timed out',
        '[   23.160292] WARNING: CPU: 0 PID: 0 at net/sched/sch_generic.c:467 dev_watchdog+0x24d/0x260',
      ].join('\n'),
    );
    expect(rs.lines.map((l) => [l.shape, l.tsBootNs, l.wall])).toEqual([
      ['dmesg', 23_160_152_000n, '2021-10-20 01:16:33'],
      ['dmesg', 23_160_219_000n, '2021-10-20 01:16:33'],
      ['dmesg', 23_160_292_000n, undefined],
    ]);
    expect(rs.records.map((r) => [r.kind, r.tsBootNs !== undefined])).toEqual([['watchdog_timeout', true]]);
  });

  it('journalctl short-monotonic, host trimmed', () => {
    const e = parseEnvelope(
      '[  705.152491] kernel: r8169 0000:02:00.0 enp2s0: rtl_txcfg_empty_cond == 0 (loop: 42, delay: 100).',
    );
    expect(e).toMatchObject({ shape: 'journal-short-monotonic', ident: 'kernel', tsBootNs: 705_152_491_000n });
    expect(e?.host).toBeUndefined();
  });

  it('re-enveloped: RFC 5424, /dev/kmsg, journalctl short-full and short-iso', () => {
    const msg = 'mlx5_core 0000:05:00.0 mlx5_slave1: TX timeout detected';
    expect(
      parseEnvelope(`<3>1 2020-05-20T22:53:17.977567+00:00 target kernel - - - [ 3197.977567] ${msg}`),
    ).toMatchObject({
      shape: 'rfc5424',
      level: 3,
      host: 'target',
      ident: 'kernel',
      tsBootNs: 3_197_977_567_000n,
      wallTimeUs: BigInt(Date.UTC(2020, 4, 20, 22, 53, 17)) * 1000n + 977_567n,
      message: msg,
    });
    expect(parseEnvelope(`3,1234,3197977567,-;${msg}`)).toMatchObject({
      shape: 'kmsg',
      level: 3,
      tsBootNs: 3_197_977_567_000n,
      message: msg,
    });
    expect(parseEnvelope(`Wed 2020-05-20 22:53:17 UTC target kernel: ${msg}`)).toMatchObject({
      shape: 'journal-short-full',
      host: 'target',
      message: msg,
    });
    expect(parseEnvelope(`2020-05-20T22:53:17+0000 target kernel: ${msg}`)).toMatchObject({
      shape: 'journal-short-iso',
      host: 'target',
      message: msg,
    });
  });
});

describe('util-linux and journalctl variants (re-enveloped real messages)', () => {
  const msg = 'e1000e 0000:00:19.0 eth0: Detected Hardware Unit Hang:';
  it('dmesg -x puts facility:level before any dmesg form', () => {
    expect(parseEnvelope(`kern  :err   : [ 9327.470501] ${msg}`)).toMatchObject({
      shape: 'dmesg',
      level: 3,
      tsBootNs: 9_327_470_501_000n,
      message: msg,
    });
    expect(parseEnvelope(`kern  :err   : [Thu Oct 22 08:55:04 2020] ${msg}`)).toMatchObject({
      shape: 'dmesg-T',
      level: 3,
      message: msg,
    });
  });
  it('dmesg --time-format=iso (comma before the fraction) is not mistaken for rsyslog host/tag', () => {
    expect(parseEnvelope(`2020-10-22T08:55:04,123456+02:00 ${msg}`)).toEqual({
      shape: 'dmesg-iso',
      wall: '2020-10-22T08:55:04,123456+02:00',
      wallTimeUs: BigInt(Date.UTC(2020, 9, 22, 6, 55, 4)) * 1000n + 123_456n,
      message: msg,
    });
  });
  // util-linux of 2019 printed the zone without a colon (cilium#7374, fixture 86)
  it('dmesg --time-format=iso with a `+0000` zone', () => {
    expect(parseEnvelope(`2019-03-08T16:47:12,290474+0000 ${msg}`)).toEqual({
      shape: 'dmesg-iso',
      wall: '2019-03-08T16:47:12,290474+0000',
      wallTimeUs: BigInt(Date.UTC(2019, 2, 8, 16, 47, 12)) * 1000n + 290_474n,
      message: msg,
    });
  });
  // Home Assistant's host logs (fixture 85): the journal with a space for the `T` and no zone — a local time as written
  it('`YYYY-MM-DD HH:MM:SS.mmm host ident:` (a space for the T, no zone)', () => {
    const e = parseEnvelope(`2026-01-19 16:20:20.995 homeassistant kernel: ${msg}`);
    expect(e).toMatchObject({ wall: '2026-01-19 16:20:20.995', host: 'homeassistant', ident: 'kernel', message: msg });
    expect(e?.wallTimeUs).toBeUndefined();
  });
  // a journal paste cut to the time of day by its reporter (fixture 95): the time kept as written, local
  it('`HH:MM:SS kernel: msg` (date and host cut)', () => {
    expect(parseEnvelope(`07:37:02 kernel: ${msg}`)).toMatchObject({ wall: '07:37:02', ident: 'kernel', message: msg });
    expect(parseEnvelope(`07:37:02 myhost kernel: ${msg}`)).toMatchObject({ wall: '07:37:02', host: 'myhost' });
  });
  it('journalctl -o short-unix', () => {
    expect(parseEnvelope(`1603356904.123456 host kernel: ${msg}`)).toMatchObject({
      shape: 'journal-short-unix',
      wallTimeUs: 1_603_356_904_123_456n,
      host: 'host',
      ident: 'kernel',
      message: msg,
    });
  });
});

describe('journalctl -o json', () => {
  it('takes _SOURCE_MONOTONIC_TIMESTAMP (the printk time) over journald receive time, splits multi-line MESSAGE (re-enveloped)', () => {
    const rec = {
      __REALTIME_TIMESTAMP: '1590015197977567',
      __MONOTONIC_TIMESTAMP: '3198001000',
      _SOURCE_MONOTONIC_TIMESTAMP: '3197977567',
      _HOSTNAME: 'target',
      PRIORITY: '3',
      _TRANSPORT: 'kernel',
      SYSLOG_IDENTIFIER: 'kernel',
      MESSAGE: 'igb 0000:02:00.1: Detected Tx Unit Hang\n  Tx Queue             <0>\n  TDH                  <0>',
    };
    const lines = readKernelLines([JSON.stringify(rec)]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      lineNo: 1,
      shape: 'journal-json',
      tsBootNs: 3_197_977_567_000n,
      wallTimeUs: 1_590_015_197_977_567n,
      host: 'target',
      level: 3,
      ident: 'kernel',
      continuation: false,
    });
    expect(lines[2]).toMatchObject({ lineNo: 1, continuation: true, message: '  TDH                  <0>' });
  });

  it('reads a byte-array MESSAGE and falls back to __MONOTONIC_TIMESTAMP', () => {
    const bytes = [...Buffer.from('eth0: Link is Down')];
    const [l] = readKernelLines([
      JSON.stringify({ MESSAGE: bytes, __MONOTONIC_TIMESTAMP: '5000', _TRANSPORT: 'kernel' }),
    ]);
    expect(l).toMatchObject({ message: 'eth0: Link is Down', tsBootNs: 5_000_000n, ident: 'kernel' });
  });
});

describe('paste prefixes', () => {
  it('strips quoting, grep line numbers, editor gutters and inline tags', () => {
    expect(stripPastePrefix('> > [ 1395.958630] hns3 0000:c2:00.0 eth1: x')).toBe(
      '[ 1395.958630] hns3 0000:c2:00.0 eth1: x',
    );
    expect(stripPastePrefix('Line 12: [  738.664713] NETDEV WATCHDOG: eth0: transmit timed out')).toBe(
      '[  738.664713] NETDEV WATCHDOG: eth0: transmit timed out',
    );
    expect(stripPastePrefix('  12 | [  738.664713] NETDEV WATCHDOG: eth0: transmit timed out')).toBe(
      '[  738.664713] NETDEV WATCHDOG: eth0: transmit timed out',
    );
    expect(stripPastePrefix('<i> tx_timeout recovery level 2, hung_queue 31</i>').trim()).toBe(
      'tx_timeout recovery level 2, hung_queue 31',
    );
  });

  it('reads quoted, mail-wrapped and quoted-printable excerpts back into whole messages', () => {
    const qp = readKernelLines(readFileSync(`${DATA}i40e-lkml-2022.mail`, 'utf8'));
    expect(qp.map((l) => l.message)).toContain(
      'i40e 0000:03:00.0 eth0: tx_timeout: VSI_seid: 390, Q 0, NTC: 0x697, HWB: 0x78c, NTU: 0x78c, TAIL: 0x78c, INT: 0x0',
    );
    const flowed = readKernelLines(readFileSync(`${DATA}mlx5-nvme-2020.mail`, 'utf8'));
    expect(flowed.map((l) => l.message)).toContain(
      'mlx5_core 0000:05:00.0 mlx5_slave1: EQ 0x13: Cons = 0xd, irqn = 0x87',
    );
    const reflowed = readKernelLines(readFileSync(`${DATA}hns3-kvm-2024.mail`, 'utf8'));
    expect(reflowed.map((l) => l.message)).toContain(
      'hns3 0000:c2:00.0 eth1: BD_NUM: 0x7f HW_HEAD: 0x0, HW_TAIL: 0x0, BD_ERR: 0x0, INT: 0x1',
    );
    expect(reflowed.find((l) => l.message.includes('BD_NUM'))?.tsBootNs).toBe(1_395_968_687_000n);
  });

  it('multi-line printk continuation lines inherit the stamp of their first line', () => {
    const lines = readKernelLines(readFileSync(`${DATA}igb-netmap-261.dmesg`, 'utf8'));
    const tdt = lines.find((l) => l.lineNo === 4)!;
    expect(tdt).toMatchObject({
      continuation: true,
      tsBootNs: 1_649_015_145_000n,
      message: '  TDT                  <1>',
    });
  });
});

describe('looksLikeKernelLog', () => {
  const guess = (file: string): ReturnType<typeof looksLikeKernelLog> =>
    looksLikeKernelLog(readFileSync(`${DATA}${file}`, 'utf8').split('\n').slice(0, 40));

  it('names the shape of each real excerpt', () => {
    expect(guess('e1000e-gislab-407.dmesg')).toEqual({ shape: 'dmesg', confidence: 1 });
    expect(guess('watchdog-xiaomi-77.dmesg-r')).toEqual({ shape: 'dmesg-raw', confidence: 1 });
    expect(guess('igb-openavnu-210.syslog')).toEqual({ shape: 'syslog', confidence: 1 });
    expect(guess('e1000e-lede-5854.logread')?.shape).toBe('logread');
    expect(guess('watchdog-raspberrypi-5239.syslog-iso')?.shape).toBe('syslog-iso');
    expect(guess('ena-amzn-147.dmesg-reltime')?.shape).toBe('dmesg-delta');
    expect(guess('e1000e-talos-8935.talos')?.shape).toBe('talos');
    expect(guess('hns3-kvm-2024.mail')?.shape).toBe('dmesg');
  });

  it('continuation-heavy dumps still read as kernel logs', () => {
    const g = guess('igb-netmap-261.dmesg');
    expect(g?.shape).toBe('dmesg');
    expect(g!.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it('bare messages without any envelope make no guess', () => {
    expect(guess('hns3-netdev-2024.mail')).toBeNull();
    expect(looksLikeKernelLog(['', '   '])).toBeNull();
  });

  it('claims none of the shared captures (ftrace, perf script, bpftrace text and JSON)', () => {
    const files = readdirSync(SHARED_TRACES)
      .filter((d) => statSync(`${SHARED_TRACES}${d}`).isDirectory())
      .flatMap((d) =>
        ['ftrace.txt', 'perf-script.txt', 'bpftrace.txt', 'bpftrace.json'].map((f) => `${SHARED_TRACES}${d}/${f}`),
      )
      .filter((f) => {
        try {
          return statSync(f).isFile();
        } catch {
          return false;
        }
      });
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const f of files) {
      const head = readFileSync(f)
        .subarray(0, 64 * 1024)
        .toString('utf8')
        .split('\n')
        .slice(0, 50);
      expect(looksLikeKernelLog(head), f).toBeNull();
    }
  });
});
