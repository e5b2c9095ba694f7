/**
 * Kernel-log record layer on the real excerpts in test/data/kernel-log/ (sources in SOURCES.md): one assertion set
 * per driver format, with the numbers as the excerpt prints them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  parseKernelLog,
  type KernelRecord,
  type LinkChangeRecord,
  type NeighOverflowRecord,
  type TxHangDumpRecord,
  type TxRecoveryRecord,
  type TxTimeoutDumpRecord,
  type WatchdogTimeoutRecord,
} from '../src/parse/kernel-log/index.js';

const DATA = fileURLToPath(new URL('./data/kernel-log/', import.meta.url));
const records = (file: string): KernelRecord[] => parseKernelLog(readFileSync(`${DATA}${file}`, 'utf8')).records;
const of = <K extends KernelRecord['kind']>(rs: KernelRecord[], kind: K): Extract<KernelRecord, { kind: K }>[] =>
  rs.filter((r): r is Extract<KernelRecord, { kind: K }> => r.kind === kind);

describe('NETDEV WATCHDOG in every dev_watchdog() form', () => {
  it('2.4/2.6.0–2.6.26 "NETDEV WATCHDOG: eth0: transmit timed out"', () => {
    const w = of(records('watchdog-via-rhine-lkml-2001.syslog'), 'watchdog_timeout');
    expect(w.map((r) => [r.dev, r.firstLine, r.wall])).toEqual([
      ['eth0', 2, 'Aug 28 13:45:05'],
      ['eth0', 5, 'Aug 28 13:45:55'],
      ['eth0', 7, 'Aug 28 13:45:59'],
    ]);
    expect(w[0]!.queue).toBeUndefined();
  });

  it('2.6.27–6.4 WARN_ONCE form joins the cut-here and WARNING lines before it', () => {
    const [w] = of(records('watchdog-openrisc-9.dmesg'), 'watchdog_timeout') as [WatchdogTimeoutRecord];
    expect(w).toMatchObject({
      dev: 'eth0',
      driver: 'ethoc',
      queue: 0,
      cpu: 0,
      warnAt: 'net/sched/sch_generic.c:442',
      firstLine: 2,
      lastLine: 4,
    });
    expect(w.evidence).toHaveLength(3);
    expect(w.tsBootNs).toBe(259_700_000_000n);
  });

  it('WARNING after the message (5.x arm64, 5.15 raspberrypi) and in logread', () => {
    expect(of(records('watchdog-raspberrypi-5239.syslog-iso'), 'watchdog_timeout')[0]).toMatchObject({
      dev: 'eth1',
      driver: 'r8152',
      queue: 0,
      cpu: 0,
      warnAt: 'net/sched/sch_generic.c:478',
      firstLine: 1,
      lastLine: 3,
    });
    expect(of(records('watchdog-lede-6447.logread'), 'watchdog_timeout')[0]).toMatchObject({
      dev: 'eth0',
      driver: 'r8125',
      cpu: 3,
      firstLine: 1,
      lastLine: 2,
    });
    expect(of(records('watchdog-openwrt-packages-9522.logread'), 'watchdog_timeout')[0]).toMatchObject({
      driver: 'mtk_soc_eth',
      cpu: 2,
      firstLine: 1,
      lastLine: 3,
    });
    expect(of(records('watchdog-xiaomi-77.dmesg-r'), 'watchdog_timeout')[0]).toMatchObject({
      dev: 'wlan0',
      driver: 'cnss_wlan_pci',
      queue: 0,
      firstLine: 1,
      lastLine: 3,
    });
    expect(of(records('watchdog-kastb-r8169-3.dmesg'), 'watchdog_timeout')[0]).toMatchObject({
      dev: 'eth0',
      driver: 'r8169',
      cpu: 1,
      firstLine: 5,
      lastLine: 7,
    });
    expect(of(records('watchdog-syscall-de.syslog'), 'watchdog_timeout')[0]).toMatchObject({
      dev: 'eth0',
      driver: 'r8169',
      queue: 0,
      host: 'srv4',
    });
  });

  it('6.5–6.7 WARN_ONCE form with "timed out N ms", after a link flap (triple-quoted mail)', () => {
    const rs = records('watchdog-r8169-netdev-2023.mail');
    expect(of(rs, 'watchdog_timeout')[0]).toMatchObject({
      dev: 'enp3s0',
      driver: 'r8169',
      queue: 0,
      timedOutMs: 5368,
      firstLine: 3,
      lastLine: 4,
      tsBootNs: 1_512_295_215_000n,
    });
    expect(of(rs, 'link_change').map((r) => [r.up, r.speedMbps, r.flowControl])).toEqual([
      [false, undefined, undefined],
      [true, 1000, 'rx/tx'],
    ]);
  });

  it('6.8+ netdev_crit form: CPU, queue and timed-out ms, device from the netdev prefix', () => {
    const w = of(records('watchdog-openwrt-16419.dmesg'), 'watchdog_timeout');
    expect(w).toHaveLength(5);
    expect(w.map((r) => [r.dev, r.queue, r.timedOutMs])).toEqual([
      ['eth0', 4, 190940],
      ['eth0', 4, 195980],
      ['wan', 1, 53870],
      ['wan', 1, 58820],
      ['eth0', 4, 200940],
    ]);
    expect(w[0]).toMatchObject({ driver: 'mtk_soc_eth', busId: '1e100000.ethernet', cpu: 1 });
    expect(of(records('watchdog-r8168-64.journal'), 'watchdog_timeout')[0]).toMatchObject({
      dev: 'nic1',
      driver: 'r8168',
      busId: '0000:05:00.0',
      timedOutMs: 6464,
      cpu: 2,
    });
  });
});

describe('Intel TX hang dumps', () => {
  it('igb "Detected Tx Unit Hang" with /dev/kmsg continuation lines: every number, hex', () => {
    const d = of(records('igb-netmap-261.dmesg'), 'tx_hang_dump');
    expect(d).toHaveLength(3);
    expect(d[0]).toMatchObject({
      driver: 'igb',
      busId: '0000:02:00.1',
      variant: 'tx_unit_hang',
      queue: 0,
      hwHead: 0,
      hwTail: 1,
      nextToUse: 1,
      nextToClean: 0,
      timeStampJiffies: 0x100148bd7n,
      jiffies: 0x100149450n,
      nextToWatch: 0xffff88041b001000n,
      firstLine: 1,
      lastLine: 11,
    });
    expect(d[0]!.fields['desc.status']).toBe(0x558000n);
    expect(d[0]!.evidence).toHaveLength(11);
    expect(d.map((r) => r.firstLine)).toEqual([1, 14, 25]);
  });

  it('igb in syslog with the envelope repeated on each line; a truncated last dump stays partial', () => {
    const rs = records('igb-openavnu-210.syslog');
    const d = of(rs, 'tx_hang_dump');
    expect(d.map((r) => [r.firstLine, r.lastLine, r.queue, r.hwHead, r.hwTail])).toEqual([
      [2, 12, 1, 0, 1],
      [13, 16, 1, 0, 1],
    ]);
    expect(d[1]!.nextToUse).toBeUndefined();
    expect(of(rs, 'link_change')[0]).toMatchObject({
      dev: 'eth0',
      up: true,
      speedMbps: 1000,
      duplex: 'full',
      flowControl: 'RX/TX',
    });
  });

  it('igb pasted from journalctl (indented continuations) and behind a shell prompt on the console', () => {
    expect(of(records('igb-rtlwifi-513.journal'), 'tx_hang_dump')[0]).toMatchObject({
      queue: 1,
      hwHead: 0,
      hwTail: 5,
      nextToUse: 5,
      nextToClean: 0,
      nextToWatch: 0xf41c7a99n,
    });
    expect(of(records('igb-lede-apu2-2.dmesg'), 'tx_hang_dump')[0]).toMatchObject({
      driver: 'igb',
      queue: 2,
      hwTail: 1,
      jiffies: 0xffffadf3n,
      firstLine: 1,
      lastLine: 10,
    });
  });

  it('igb with blank lines between every line', () => {
    const d = of(records('igb-sunshout.dmesg'), 'tx_hang_dump');
    expect(d.map((r) => [r.hwHead, r.hwTail, r.nextToUse, r.nextToClean])).toEqual([
      [0xf4, 0xf4, 0xf6, 0xf4],
      [0xf4, 0xf4, 0xf6, 0xf4],
    ]);
  });

  it('ixgbe "TDH, TDT <93>, <9d>" and tx_buffer_info, quoted in a mail', () => {
    expect(of(records('ixgbe-kvm-virtio-iommu.mail'), 'tx_hang_dump')[0]).toMatchObject({
      driver: 'ixgbe',
      dev: 'enp3s0',
      queue: 0,
      hwHead: 0x93,
      hwTail: 0x9d,
      nextToUse: 0x9d,
      nextToClean: 0x93,
      timeStampJiffies: 0x10019e800n,
    });
    expect(of(records('ixgbe-intel-21.dmesg'), 'tx_hang_dump')[0]).toMatchObject({
      dev: 'eth2',
      queue: 2,
      hwHead: 0x13a,
      hwTail: 0x16a,
      nextToUse: 0x16a,
    });
  });

  it('e1000e "Detected Hardware Unit Hang:" with MAC/PHY/PCI status', () => {
    const d = of(records('e1000e-gislab-407.dmesg'), 'tx_hang_dump');
    expect(d).toHaveLength(2);
    expect(d[0]).toMatchObject({
      driver: 'e1000e',
      dev: 'eth0',
      variant: 'hardware_unit_hang',
      hwHead: 0x13,
      hwTail: 0x88,
      nextToUse: 0x88,
      nextToClean: 0x7,
      firstLine: 1,
      lastLine: 15,
    });
    expect(d[0]!.fields).toMatchObject({
      'MAC Status': 0x80083n,
      'PHY Status': 0x796dn,
      'PHY 1000BASE-T Status': 0x3c00n,
      'PHY Extended Status': 0x3000n,
      'PCI Status': 0x10n,
      'next_to_watch.status': 0n,
    });
    expect(of(records('e1000e-lede-5854.logread'), 'tx_hang_dump')[0]).toMatchObject({
      hwHead: 0x63,
      hwTail: 0xa1,
      firstLine: 2,
      lastLine: 15,
      wall: 'Tue Dec 1 17:07:50 2020',
    });
    expect(of(records('e1000e-talos-8935.talos'), 'tx_hang_dump')[0]).toMatchObject({
      dev: 'eno1',
      hwHead: 0xa1,
      hwTail: 0x8b,
      nextToClean: 0x96,
    });
    expect(of(records('e1000e-przeqpiciel.journal'), 'tx_hang_dump')[0]).toMatchObject({
      dev: 'enp0s25',
      hwHead: 0x82,
      hwTail: 0x8e,
      nextToClean: 0x81,
      lastLine: 6,
    });
  });

  it('orphan field lines before the first header are not a dump; a header-less dump starting at Tx Queue is', () => {
    expect(of(records('e1000e-openmptcprouter-286.logread'), 'tx_hang_dump').map((r) => r.firstLine)).toEqual([9]);
    const d = of(records('e1000-lkml-2006.syslog'), 'tx_hang_dump');
    expect(d.map((r) => [r.firstLine, r.lastLine, r.headerless, r.hwHead, r.hwTail, r.nextToClean])).toEqual([
      [6, 15, true, 0x3d, 0x44, 0x39],
      [16, 25, true, 0x3d, 0x44, 0x39],
    ]);
  });
});

describe('driver ndo_tx_timeout dumps', () => {
  it('i40e_tx_timeout(): ring numbers and recovery level (quoted-printable mail)', () => {
    const rs = records('i40e-lkml-2022.mail');
    const [d] = of(rs, 'tx_timeout_dump') as [TxTimeoutDumpRecord];
    expect(d).toMatchObject({
      format: 'i40e',
      driver: 'i40e',
      dev: 'eth0',
      queue: 0,
      hwHead: 0x78c,
      hwTail: 0x78c,
      nextToUse: 0x78c,
      nextToClean: 0x697,
    });
    expect(d.fields).toMatchObject({ VSI_seid: 390n, INT: 0n });
    expect(of(rs, 'tx_recovery')[0]).toMatchObject({ action: 'recovery_level', level: 1, queue: 0 });
  });

  it('mlx5e: "TX timeout detected" joins the per-queue line; repeated queues and failed recovery', () => {
    const rs = records('mlx5-nvme-2020.mail');
    const d = of(rs, 'tx_timeout_dump');
    expect(d.map((r) => [r.dev, r.queue, r.nextToClean, r.nextToUse, r.firstLine])).toEqual([
      ['mlx5_slave1', 12, 8, 10, 5],
      ['mlx5_slave1', 12, 8, 10, 16],
      ['mlx5_slave2', 10, 8, 10, 21],
      ['mlx5_slave2', 11, 5, 7, 24],
      ['mlx5_slave2', 12, 6, 8, 26],
    ]);
    expect(d[0]!.fields).toMatchObject({ SQ: 0x1278n, CQ: 0xf2n });
    const rec = of(rs, 'tx_recovery');
    expect(rec.filter((r) => r.action === 'recovery_failed')).toHaveLength(3);
    expect(rec.find((r) => r.action === 'eq_dump')).toMatchObject({ eqn: 0x13, eqCons: 0xd, irqn: 0x87 });
  });

  it('hns3_get_tx_timeo_queue_info(): multi-line dump of one device, reflowed in a mail', () => {
    const rs = records('hns3-kvm-2024.mail');
    expect(of(rs, 'watchdog_timeout')[0]).toMatchObject({ dev: 'eth1', queue: 10, timedOutMs: 5260, cpu: 1 });
    const [d] = of(rs, 'tx_timeout_dump') as [TxTimeoutDumpRecord];
    expect(d).toMatchObject({
      format: 'hns3',
      queue: 10,
      count: 1,
      nextToUse: 1,
      nextToClean: 0,
      hwHead: 0,
      hwTail: 0,
      sinceLastTransUs: 5_260_000,
    });
    expect(d.fields).toMatchObject({
      queued: 42n,
      completed: 0n,
      'napi state': 16n,
      tx_push: 1n,
      BD_NUM: 0x7fn,
      EBD_NUM: 0x400n,
    });
    expect(of(rs, 'tx_recovery')[0]).toMatchObject({ action: 'reset', busId: '0000:c2:00.0' });
  });

  it('hns3 lines quoted without any envelope', () => {
    const [d] = of(records('hns3-netdev-2024.mail'), 'tx_timeout_dump') as [TxTimeoutDumpRecord];
    expect(d).toMatchObject({
      format: 'hns3',
      queue: 1,
      count: 35,
      nextToUse: 0x346,
      nextToClean: 0x334,
      hwHead: 0x346,
      hwTail: 0x346,
      firstLine: 2,
      lastLine: 3,
    });
  });

  it('virtnet_tx_timeout(): queue, vq and usecs since the last transmit', () => {
    const rs = records('virtio-net-lore-iotlb.mail');
    expect(of(rs, 'tx_timeout_dump').map((r) => [r.queue, r.sinceLastTransUs, r.fields['vq']])).toEqual([
      [0, 7_560_000, 1n],
      [0, 16_776_000, 1n],
    ]);
    expect(of(rs, 'watchdog_timeout').map((r) => r.timedOutMs)).toEqual([5500, 5568, 16776]);
    const wrapped = records('virtio-net-passt.mail');
    expect(of(wrapped, 'tx_timeout_dump').map((r) => r.sinceLastTransUs)).toEqual([8_856_000, 13_951_000]);
    expect(of(wrapped, 'watchdog_timeout')[0]).toMatchObject({ dev: 'ens3', driver: 'virtio_net', queue: 0 });
  });

  it('bnxt_dump_tx_sw_state(): producer and consumer in hex, after the 6.8+ watchdog and the reset notice', () => {
    const rs = records('bnxt-netdev-2025.mail');
    expect(of(rs, 'watchdog_timeout')[0]).toMatchObject({
      driver: 'bnxt_en',
      dev: 'eth0',
      queue: 1,
      timedOutMs: 5123,
      cpu: 2,
    });
    const d = of(rs, 'tx_timeout_dump');
    expect(d.map((r) => r.format)).toEqual(['generic', 'bnxt']);
    expect(d[1]).toMatchObject({ nextToUse: 0xa, nextToClean: 0x8, firstLine: 5 });
    expect(d[1]!.fields).toMatchObject({ napi: 0n, tx_ring: 0n, fw_ring: 0n });
  });

  it('one-line timeouts (r8152, r8168, forcedeth) and ena missing completions', () => {
    expect(of(records('watchdog-r8152-lede-10941.logread'), 'tx_timeout_dump')[0]).toMatchObject({
      format: 'generic',
      driver: 'r8152',
      busId: '4-1:1.0',
      dev: 'eth1',
    });
    expect(of(records('watchdog-r8168-64.journal'), 'tx_timeout_dump')[0]).toMatchObject({
      format: 'generic',
      driver: 'r8168',
      dev: 'nic1',
    });
    expect(of(records('forcedeth-ubuntuforums.dmesg'), 'tx_timeout_dump').map((r) => r.firstLine)).toEqual([1, 4]);
    const ena = records('ena-amzn-147.dmesg-reltime');
    expect(of(ena, 'tx_timeout_dump').map((r) => r.fields)).toEqual([
      { qid: 0n, index: 694n },
      { missed: 156n, threshold: 128n },
    ]);
    expect(of(ena, 'tx_recovery').map((r) => r.text)).toEqual(['Trigger reset is on']);
  });
});

describe("a driver's own stall check that re-kicks the ring", () => {
  const log = (lines: string[]): KernelRecord[] => parseKernelLog(lines.join('\n')).records;
  it('macb "re-kicking TSTART" under pr_fmt and under the netdev prefix; tail and head are u32 counters that wrap', () => {
    const rs = log([
      '[61929.702886] macb: eth0: TX stall detected on queue 0 (tail=35473558 head=35473559); re-kicking TSTART',
      '[  880.000001] macb 1f00100000.ethernet end0: TX stall detected on queue 1 (tail=4294967295 head=2); re-kicking TSTART',
    ]);
    expect(of(rs, 'tx_stall_kick').map((r) => [r.driver, r.busId, r.dev, r.queue, r.outstanding])).toEqual([
      ['macb', undefined, 'eth0', 0, 1],
      ['macb', '1f00100000.ethernet', 'end0', 1, 3],
    ]);
  });
  it('a driver name before the interface takes the device; a table name with an underscore does not', () => {
    const rs = log(['[1.0] igb: eth3: Reset adapter', '[2.0] neighbour: arp_cache: neighbor table overflow!']);
    expect(of(rs, 'tx_recovery')[0]).toMatchObject({ driver: 'igb', dev: 'eth3' });
    expect(of(rs, 'neigh_table_overflow')[0]).toMatchObject({ table: 'arp_cache' });
  });
});

describe('a TX ring that filled: IPoIB send counters, and "ring full when queue awake"', () => {
  const log = (lines: string[]): KernelRecord[] => parseKernelLog(lines.join('\n')).records;
  // the lines below are the drivers' printk formats filled in (ipoib_timeout v5.12+, tg3/bnx2x/8139cp/mtk_eth_soc
  // start_xmit); the 2.6.25-era IPoIB lines of a real mail are fixtures/public/73
  it('ipoib_timeout(): latency and the v5.12+ global counters in one record; the queue line alone is one too', () => {
    const rs = log([
      '[ 100.000000] ib0: transmit timeout: latency 5008 msecs',
      '[ 100.000001] ib0: queue stopped 1, tx_head 4294967290, tx_tail 4294967200, global_tx_head 7, global_tx_tail 4294967200',
      '[ 200.000000] ib1: queue stopped 0, tx_head 12, tx_tail 12',
    ]);
    const d = of(rs, 'tx_timeout_dump');
    expect(d.map((r) => [r.format, r.driver, r.dev, r.nextToUse, r.nextToClean, r.sinceLastTransUs])).toEqual([
      ['ipoib', 'ib_ipoib', 'ib0', 4294967290, 4294967200, 5_008_000],
      ['ipoib', 'ib_ipoib', 'ib1', 12, 12, undefined],
    ]);
    expect(d[0]!.fields).toMatchObject({ latency_ms: 5008n, queue_stopped: 1n, global_tx_head: 7n });
    expect(d[0]!.evidence).toHaveLength(2);
  });
  it('IPoIB stopping its queue, and the start_xmit BUG line of tg3, bnx2x, 8139cp and mtk_eth_soc', () => {
    const rs = log([
      '[1.0] ib1: TX ring full, stopping kernel net queue',
      '[2.0] tg3 0000:03:00.0 eth0: BUG! Tx Ring full when queue awake!',
      '[3.0] bnx2x: [bnx2x_start_xmit:3781(eth2)]BUG! Tx ring full when queue awake!',
      '[4.0] 8139cp: eth3: BUG! Tx Ring full when queue awake!',
      '[5.0] mtk_soc_eth 1e100000.ethernet wan: Tx Ring full when queue awake!',
      '[6.0] eth4: TX ring is full',
    ]);
    expect(of(rs, 'tx_ring_full').map((r) => [r.driver, r.dev, r.whileAwake])).toEqual([
      ['ib_ipoib', 'ib1', false],
      ['tg3', 'eth0', true],
      ['bnx2x', 'eth2', true],
      ['8139cp', 'eth3', true],
      ['mtk_soc_eth', 'wan', true],
    ]);
  });
});

describe('a kernel crash after the timeout', () => {
  const log = (lines: string[]): KernelRecord[] => parseKernelLog(lines.join('\n')).records;
  it('x86 (RIP: 0010:…, and the 4.x two-address form) and arm64 (pc : …): header, function and workqueue', () => {
    // the oops formats of arch/x86/mm/fault.c, arch/x86/kernel/dumpstack.c and arch/arm64/kernel/process.c filled in;
    // a real one is fixtures/public/42
    const rs = log([
      '[  10.000000] BUG: unable to handle kernel NULL pointer dereference at 0000000000000010',
      '[  10.000001] IP: [<ffffffffa01e2d35>] igb_clean_tx_irq+0x85/0x7c0 [igb]',
      '[  10.000002] Workqueue: events igb_reset_task [igb]',
      '[  10.000003] RIP: 0010:[<ffffffffa01e2d35>]  [<ffffffffa01e2d35>] igb_clean_tx_irq+0x85/0x7c0 [igb]',
      '[  20.000000] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008',
      '[  20.000001] pc : macb_tx_poll+0x5c/0x3a0 [macb]',
      '[  30.000000] kernel BUG at net/core/skbuff.c:117!',
    ]);
    expect(of(rs, 'kernel_oops').map((r) => [r.firstLine, r.rip, r.workqueue])).toEqual([
      [1, 'igb_clean_tx_irq+0x85/0x7c0 [igb]', 'events igb_reset_task [igb]'],
      [5, 'macb_tx_poll+0x5c/0x3a0 [macb]', undefined],
      [7, undefined, undefined],
    ]);
    expect(of(rs, 'kernel_oops')[2]!.text).toBe('kernel BUG at net/core/skbuff.c:117!');
  });
});

describe('USB adapters whose TX transfers failed', () => {
  it('r8152 and ax88179 "Tx status N", pegasus "TX status N": the errno kept; a bare "TX status" line is no record', () => {
    const rs = parseKernelLog(
      [
        '[274328.602047] r8152 2-1:1.0 eth2: Tx status -71',
        '[  12.000000] ax88179_178a 4-1:1.0 eth1: Tx status -108',
        '[  13.000000] pegasus 1-1:1.0 eth3: TX status -32',
        '[  14.000000] TX status -71',
      ].join('\n'),
    ).records;
    expect(of(rs, 'usb_tx_error').map((r) => [r.driver, r.busId, r.dev, r.status])).toEqual([
      ['r8152', '2-1:1.0', 'eth2', -71],
      ['ax88179_178a', '4-1:1.0', 'eth1', -108],
      ['pegasus', '1-1:1.0', 'eth3', -32],
    ]);
  });
});

describe('link, neighbour overflow', () => {
  it('Intel NIC Link lines, old and new prefixes, and r8169 "link up"', () => {
    const l = of(records('igb-netmap-261.dmesg'), 'link_change') as LinkChangeRecord[];
    expect(l.map((r) => [r.dev, r.up, r.speedMbps, r.flowControl])).toEqual([
      ['enp2s0f1', true, 100, 'RX/TX'],
      ['enp2s0f1', true, 100, 'RX/TX'],
    ]);
    expect(of(records('e1000-lkml-2006.syslog'), 'link_change')[0]).toMatchObject({
      driver: 'e1000',
      dev: 'eth0',
      up: true,
      speedMbps: 100,
      duplex: 'full',
      firstLine: 27,
    });
    expect(of(records('watchdog-kastb-r8169-3.dmesg'), 'link_change')).toHaveLength(2);
  });

  // ixgbe_watchdog_flush_tx(): carrier off with TX work queued; the "Reset adapter" after it is that reset
  it('ixgbe "initiating reset to clear Tx work after link loss" is a reset for the link (fixtures/public 79)', () => {
    const file = fileURLToPath(
      new URL('../../../fixtures/public/79-ixgbe-link-loss-flush-resets-quick-tx.dmesg', import.meta.url),
    );
    const rs = of(parseKernelLog(readFileSync(file, 'utf8')).records, 'tx_recovery');
    expect(rs).toHaveLength(12);
    expect(rs.filter((r) => r.reason === 'link_loss').map((r) => r.firstLine)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(rs[0]).toMatchObject({ action: 'reset', driver: 'ixgbe', busId: '0000:01:00.1', dev: 'eth1' });
    expect(rs[1]!.reason).toBeUndefined();
  });

  // the platform a WARN names (dump_stack_print_info()), the boot's DMI line and hypervisor detection: a guest's NIC is
  // the hypervisor's; bare metal is no record
  it('a guest: "Hardware name:", "DMI:", "Hypervisor detected:" name the hypervisor (fixtures/public 14)', () => {
    const file = fileURLToPath(new URL('../../../fixtures/public/14-e1000-qemu-watchdog-rip.dmesg', import.meta.url));
    const [vm] = of(parseKernelLog(readFileSync(file, 'utf8')).records, 'virtual_machine');
    expect(vm).toMatchObject({ hypervisor: 'QEMU/KVM', firstLine: 5 });
    expect(vm!.text).toBe('QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.13.0-1ubuntu1 04/01/2014');
    const rs = parseKernelLog(
      [
        '[    0.000000] DMI: VMware, Inc. VMware Virtual Platform/440BX Desktop Reference Platform, BIOS 6.00 11/12/2020',
        '[    0.000000] Hypervisor detected: Microsoft Hyper-V',
        '[    0.000000] DMI: innotek GmbH VirtualBox/VirtualBox, BIOS VirtualBox 12/01/2006',
        '[    0.000000] DMI: Dell Inc. PowerEdge R640/0H28RR, BIOS 2.12.2 07/09/2021',
      ].join('\n'),
    ).records;
    expect(of(rs, 'virtual_machine').map((r) => r.hypervisor)).toEqual(['VMware', 'Hyper-V', 'VirtualBox']);
  });

  // the NIC left the bus: igb/igc's register read came back all-ones (fixtures/public 92, 93), ixgbe_remove_adapter()
  it('a NIC lost from PCIe: "PCIe link lost[, device now detached]", "Adapter removed"', () => {
    const pub = (f: string): string =>
      readFileSync(fileURLToPath(new URL(`../../../fixtures/public/${f}`, import.meta.url)), 'utf8');
    const igb = of(parseKernelLog(pub('92-igb-pcie-link-lost-then-watchdog-apu3.syslog')).records, 'device_lost');
    expect(igb.map((r) => [r.firstLine, r.driver, r.busId, r.dev, r.text])).toEqual([
      [1, 'igb', '0000:02:00.0', 'enp2s0', 'PCIe link lost'],
    ]);
    const igc = of(parseKernelLog(pub('93-igc-pcie-link-lost-device-detached-i225.dmesg')).records, 'device_lost');
    expect(igc[0]).toMatchObject({ driver: 'igc', dev: 'enp2s0', text: 'PCIe link lost, device now detached' });
    // ixgbe_remove_adapter()'s line filled in; a bare "Adapter removed" without a device prefix is no record
    const rs = parseKernelLog('[ 1.0] ixgbe 0000:03:00.0: Adapter removed\n[ 2.0] Adapter removed').records;
    expect(of(rs, 'device_lost').map((r) => r.busId)).toEqual(['0000:03:00.0']);
  });

  // iwlwifi's stuck-queue report (fixtures/public 94): the driver's and the hardware's pointers, in decimal
  it('iwlwifi "Queue N is active on fifo F and stuck for T ms. SW [r, w] HW [r, w]" and the firmware restart after it', () => {
    const file = fileURLToPath(
      new URL('../../../fixtures/public/94-iwlwifi-queue-stuck-firmware-restart-openwrt-ap.dmesg', import.meta.url),
    );
    const [d] = of(parseKernelLog(readFileSync(file, 'utf8')).records, 'tx_timeout_dump');
    expect(d).toMatchObject({ format: 'iwlwifi', queue: 3, hwHead: 106, hwTail: 10, nextToClean: 106, nextToUse: 10 });
    expect(d!.sinceLastTransUs).toBe(10_000_000);
    expect([d!.firstLine, d!.lastLine, d!.fields['fw_restart']]).toEqual([1, 2, 1n]);
  });

  // Malicious Driver Detection: i40e/i40en (fixtures/public 91) and ice as Intel's E810 guide prints it
  it('MDD events: the PF reset after it (i40en), the VF the lines after it name (ice)', () => {
    const file = fileURLToPath(
      new URL('../../../fixtures/public/91-i40en-mdd-tx-pf-reset-esxi-vmkernel.log', import.meta.url),
    );
    const [esx] = of(parseKernelLog(readFileSync(file, 'utf8')).records, 'mdd_event');
    expect(esx).toMatchObject({
      direction: 'tx',
      queue: 0,
      event: '0x02',
      pf: 1,
      vf: 0,
      pfReset: true,
      driver: 'i40en',
    });
    expect(esx!.fromVf).toBeUndefined();
    const [ice] = of(
      parseKernelLog(
        [
          '[ +9.188014] ice 0000:86:00.0: Malicious Driver Detection event 7 on TX queue 113 PF# 0 VF# 0',
          '[ +0.000006] ice 0000:86:00.0: Malicious Driver Detection event TX_TCLAN detected on PF',
          '[ +0.000003] ice 0000:86:00.0: Malicious Driver Detection event TX_TCLAN detected on VF 0',
          '[ +0.000003] ice 0000:86:00.0: 1 Tx Malicious Driver Detection events detected on PF 0 VF 0 MAC 3a:14:8e:da:b0:98.',
        ].join('\n'),
      ).records,
      'mdd_event',
    );
    expect(ice).toMatchObject({ queue: 113, event: '7', pfReset: false, fromVf: true, vf: 0, busId: '0000:86:00.0' });
    expect([ice!.firstLine, ice!.lastLine]).toEqual([1, 4]);
  });

  // the kernel's CPU watchdogs (kernel/watchdog.c, watchdog_hld.c, RCU): a CPU that could not run NAPI
  it('stuck CPUs: soft lockup (fixtures/public 90), hard lockup, RCU stall with its CPU lines', () => {
    const file = fileURLToPath(
      new URL('../../../fixtures/public/90-ena-tx-not-completed-beside-soft-lockup-eks.syslog', import.meta.url),
    );
    const [soft] = of(parseKernelLog(readFileSync(file, 'utf8')).records, 'cpu_stall');
    expect(soft).toMatchObject({ what: 'soft_lockup', cpus: [58], seconds: 23, task: 'kworker/u146:7', firstLine: 2 });
    // the printk formats filled in (watchdog_timer_fn() before 4.16 had no `watchdog: ` prefix)
    const rs = of(
      parseKernelLog(
        [
          '[  1.0] BUG: soft lockup - CPU#3 stuck for 22s! [ksoftirqd/3:29]',
          '[  2.0] NMI watchdog: Watchdog detected hard LOCKUP on cpu 7',
          '[  3.0] rcu: INFO: rcu_sched self-detected stall on CPU',
          '[  3.0] rcu: \t5-....: (5249 ticks this GP) idle=7be/1/0x4000000000000002 softirq=123/123 fqs=2625',
          '[  4.0] igb 0000:01:00.0 eth0: Reset adapter',
        ].join('\n'),
      ).records,
      'cpu_stall',
    );
    expect(rs.map((r) => [r.what, r.cpus, r.seconds, r.task])).toEqual([
      ['soft_lockup', [3], 22, 'ksoftirqd/3'],
      ['hard_lockup', [7], undefined, undefined],
      ['rcu_stall', [5], undefined, undefined],
    ]);
  });

  // the IOMMU naming a device: VT-d's interrupt-remapping and DMA faults (dmar_fault_do_one()), AMD-Vi's page faults
  it('IOMMU faults: VT-d INTR-REMAP (fixtures/public 43), VT-d DMA, AMD-Vi with the device in the event or the prefix', () => {
    const file = fileURLToPath(
      new URL('../../../fixtures/public/43-mlx5-cmd-eq-recovered-dmesg-T.dmesg', import.meta.url),
    );
    const real = of(parseKernelLog(readFileSync(file, 'utf8')).records, 'iommu_fault');
    expect(real.map((r) => [r.firstLine, r.busId, r.blocked, r.faultReason])).toEqual([
      [2, '0000:42:00.2', 'interrupt', 37],
      [8, '0000:42:00.2', 'interrupt', 37],
    ]);
    expect(real[0]!.reasonText).toBe('Blocked a compatibility format interrupt request');
    const mail = readFileSync(`${DATA}ixgbe-kvm-virtio-iommu.mail`, 'utf8');
    const amd = of(parseKernelLog(mail).records, 'iommu_fault');
    expect(amd.length).toBeGreaterThan(0);
    expect(amd[0]).toMatchObject({ busId: '0000:04:10.0', blocked: 'dma' });
    // the printk formats of dmar.c (new: 0x%02x) and amd/iommu.c (before the device prefix) filled in
    const rs = of(
      parseKernelLog(
        [
          '[  1.0] DMAR: [DMA Read NO_PASID] Request device [65:00.0] fault addr 0xffffe000 [fault reason 0x06] PTE Read access is not set',
          '[  2.0] AMD-Vi: Event logged [IO_PAGE_FAULT device=02:00.0 domain=0x000f address=0x00000000fed2d000 flags=0x0050]',
        ].join('\n'),
      ).records,
      'iommu_fault',
    );
    expect(rs.map((r) => [r.busId, r.blocked, r.faultAddr, r.faultReason])).toEqual([
      ['0000:65:00.0', 'dma', '0xffffe000', 6],
      ['0000:02:00.0', 'dma', '0x00000000fed2d000', undefined],
    ]);
  });

  // fixtures/public/82: `[xxxxxx] NETDEV WATCHDOG: CPU: 8: transmit queue 0 timed out xxx ms` after the driver's reset
  it('a 6.8+ watchdog line with its device prefix cut takes the device of the line right before it', () => {
    const file = fileURLToPath(
      new URL('../../../fixtures/public/82-e1000e-i219-hang-redacted-stamps-pve.dmesg', import.meta.url),
    );
    const [w] = of(parseKernelLog(readFileSync(file, 'utf8')).records, 'watchdog_timeout');
    expect(w).toMatchObject({ dev: 'eno1', driver: 'e1000e', busId: '0000:00:1f.6', queue: 0, cpu: 8, firstLine: 17 });
    expect(w!.timedOutMs).toBeUndefined();
    // with nothing before it that names a device, the line names none and is no record
    expect(
      of(
        parseKernelLog('[  5.1] NETDEV WATCHDOG: CPU: 8: transmit queue 0 timed out 5120 ms').records,
        'watchdog_timeout',
      ),
    ).toEqual([]);
  });

  it('neigh_alloc() "neighbor table overflow!" in journal, logread and bare dmesg', () => {
    const j = of(records('neigh-appstream-102.journal'), 'neigh_table_overflow') as NeighOverflowRecord[];
    expect(j.map((r) => [r.firstLine, r.table, r.host])).toEqual([
      [1, 'arp_cache', 'k8snode228'],
      [2, 'arp_cache', 'k8snode228'],
      [5, 'arp_cache', 'k8snode228'],
    ]);
    expect(of(records('neigh-lede-6427.logread'), 'neigh_table_overflow')).toHaveLength(2);
    expect(of(records('neigh-router7-31.dmesg'), 'neigh_table_overflow').map((r) => r.tsBootNs)).toEqual([
      843_041_359_054_000n,
      843_041_364_702_000n,
    ]);
  });

  it('records only kernel lines of a mixed syslog file', () => {
    const rs = records('e1000e-lede-5854.logread');
    expect(rs.every((r) => r.evidence.every((e) => e.includes('kernel:')))).toBe(true);
    const rec: TxRecoveryRecord[] = of(records('watchdog-via-rhine-lkml-2001.syslog'), 'tx_recovery');
    expect(rec.map((r) => r.text)).toEqual([
      'reset finished after 5 microseconds.',
      'reset finished after 10005 microseconds.',
      'reset finished after 10005 microseconds.',
    ]);
  });
});

// A record carries what is needed to quote it: first/last line and the raw lines.
it('every record of every excerpt quotes its source lines in order', () => {
  for (const f of [
    'igb-netmap-261.dmesg',
    'mlx5-nvme-2020.mail',
    'hns3-kvm-2024.mail',
    'e1000e-gislab-407.dmesg',
    'watchdog-openrisc-9.dmesg',
  ]) {
    const text = readFileSync(`${DATA}${f}`, 'utf8').split('\n');
    for (const r of records(f) as (TxHangDumpRecord | KernelRecord)[]) {
      expect(r.firstLine).toBeLessThanOrEqual(r.lastLine);
      expect(r.evidence[0]).toBe(text[r.firstLine - 1]);
      for (const e of r.evidence) expect(text).toContain(e);
    }
  }
});

it('mtk_tx_timeout(): PDMA indexes after "transmit timed out"; the orphan ring line before the first one is not a dump', () => {
  const d = of(records('mtk-eth-mt76-375.dmesg'), 'tx_timeout_dump');
  expect(d.map((r) => [r.format, r.firstLine, r.lastLine, r.hwTail, r.hwHead, r.nextToClean, r.nextToUse])).toEqual([
    ['mtk_eth', 3, 6, 3717, 3717, 3704, 3717],
    ['mtk_eth', 7, 10, 3717, 3717, 3704, 3717],
    ['mtk_eth', 11, 14, 3717, 3717, 3704, 3717],
  ]);
  expect(d[0]!.fields).toMatchObject({ dma_cfg: 0x80000065n, tx_base: 0x0f1e0000n, rx_calc: 2932n, rx_drx: 2930n });
});

it('phylib phy_print_status() and mlx5 link lines (real lines, quoted inline)', () => {
  // https://github.com/openwrt/openwrt/issues/14707 and fixtures/public 43 (mlx5, dmesg -T).
  const { records: rs } = parseKernelLog(
    [
      '[   15.751935] rk_gmac-dwmac ff540000.ethernet eth0: Link is Up - 1Gbps/Full - flow control off',
      '[Thu Oct 22 08:55:04 2020] mlx5_core 0000:42:00.1 eth4: Link down',
      '[Thu Oct 22 08:55:11 2020] mlx5_core 0000:42:00.1 eth4: Link up',
    ].join('\n'),
  );
  expect(
    of(rs, 'link_change').map((r) => [r.driver, r.dev, r.up, r.speedMbps, r.duplex, r.flowControl, r.wall]),
  ).toEqual([
    ['rk_gmac-dwmac', 'eth0', true, 1000, 'full', 'off', undefined],
    ['mlx5_core', 'eth4', false, undefined, undefined, undefined, 'Thu Oct 22 08:55:04 2020'],
    ['mlx5_core', 'eth4', true, undefined, undefined, undefined, 'Thu Oct 22 08:55:11 2020'],
  ]);
});

describe('tg3: the timeout line and tg3_dump_state() as one record', () => {
  const log = (lines: string[]): KernelRecord[] => parseKernelLog(lines.join('\n')).records;
  // tg3_tx_timeout() and tg3_dump_state()'s printk formats filled in; two real dumps are fixtures/public/74 and 75
  const vec = (i: number, st: string, napi: string): string[] => [
    `[5.000000] tg3 0000:05:00.0 eth2: ${i}: Host status block [${st}]`,
    `[5.000000] tg3 0000:05:00.0 eth2: ${i}: NAPI info [${napi}]`,
  ];
  it('TSS: vector 0 carries no TX ring, so the stuck ring on vector 2 is TX queue 1; register rows are skipped', () => {
    const rs = log([
      '[5.000000] tg3 0000:05:00.0 eth2: transmit timed out, resetting',
      '[5.000000] tg3 0000:05:00.0 eth2: 0x00000000: 0x165f14e4, 0x00100406, 0x02000000, 0x00800010',
      ...vec(
        0,
        '00000001:00000011:(0000:0000:0000):(0000:0000)',
        '00000011:00000011:(0000:0000:01ff):0000:(0000:0000:0000:0000)',
      ),
      ...vec(
        1,
        '00000001:00000022:(0000:0040:0000):(0000:0010)',
        '00000022:00000022:(0010:0010:01ff):0040:(0000:0000:0000:0000)',
      ),
      ...vec(
        2,
        '00000001:00000033:(0000:0000:0000):(0000:01f0)',
        '00000030:00000030:(0020:01f0:01ff):0000:(0000:0000:0000:0000)',
      ),
      '[6.000000] tg3 0000:05:00.0 eth2: Link is down',
    ]);
    const [d, ...more] = of(rs, 'tx_timeout_dump');
    expect(more).toHaveLength(0);
    expect([d!.format, d!.driver, d!.dev, d!.queue, d!.hwHead, d!.nextToUse, d!.nextToClean]).toEqual([
      'tg3',
      'tg3',
      'eth2',
      1,
      0x1f0,
      0x20,
      0x1f0,
    ]);
    expect(d!.fields).toMatchObject({
      vector: 2n,
      vectors: 3n,
      status_tag: 0x33n,
      last_tag: 0x30n,
      tx_pending: 0x1ffn,
    });
    // the header, the six state lines; not the register row, not the link line
    expect([d!.firstLine, d!.lastLine, d!.evidence.length]).toEqual([1, 8, 7]);
    expect(of(rs, 'link_change').map((l) => [l.dev, l.up])).toEqual([['eth2', false]]);
  });
  it('the state lines without the timeout line are a record; the timeout line alone stays the one-line form', () => {
    const cut = log(
      vec(
        0,
        '00000001:000000a0:(0000:06d8:0000):(0000:01a0)',
        '000000a0:000000a0:(0188:01a0:01ff):0000:(06f2:0000:0000:0000)',
      ),
    );
    expect(of(cut, 'tx_timeout_dump').map((d) => [d.format, d.queue, d.nextToUse])).toEqual([['tg3', 0, 0x188]]);
    const alone = log([
      '[5.0] tg3 0000:05:00.0 eth2: transmit timed out, resetting',
      '[9.0] tg3 0000:05:00.0 eth2: Link is up at 1000 Mbps, full duplex',
    ]);
    expect(of(alone, 'tx_timeout_dump').map((d) => d.format)).toEqual(['generic']);
    expect(of(alone, 'link_change').map((l) => [l.up, l.speedMbps, l.duplex])).toEqual([[true, 1000, 'full']]);
  });
});

describe('a log pasted as an indented block', () => {
  it('the indentation every line shares comes off; deeper indentation (continuations) stays', () => {
    const lines = [
      'Jul 07 07:30:10 core kernel: NETDEV WATCHDOG: enp1s0f0 (tg3): transmit queue 0 timed out',
      'Jul 07 07:30:10 core kernel: Modules linked in: tg3',
      'Jul 07 07:30:10 core kernel:  dm_mod',
      'Jul 07 07:30:10 core kernel: tg3 0000:01:00.0 enp1s0f0: transmit timed out, resetting',
      '..',
      'Jul 07 07:30:13 core kernel: tg3 0000:01:00.0 enp1s0f0: Link is up at 1000 Mbps, full duplex',
    ];
    const plain = parseKernelLog(lines.join('\n'));
    for (const indent of ['\t', '    ']) {
      const pasted = parseKernelLog(lines.map((l) => indent + l).join('\n'));
      expect(pasted.records.map((r) => [r.kind, r.firstLine, r.wall])).toEqual(
        plain.records.map((r) => [r.kind, r.firstLine, r.wall]),
      );
      expect(pasted.records.map((r) => r.kind)).toEqual(['watchdog_timeout', 'tx_timeout_dump', 'link_change']);
    }
  });
});

describe('sky2: sky2_tx_timeout() ring line and the 2.6.1x verdicts', () => {
  // sky2_tx_timeout()'s formats filled in, both prefixes; a real 2006 one is fixtures/public/76
  it('netdev_printk() form, and the PFX form with each of the three verdict lines', () => {
    const rs = parseKernelLog(
      [
        '[10.0] sky2 0000:02:00.0 eth1: tx timeout',
        '[10.0] sky2 0000:02:00.0 eth1: transmit ring 12 .. 40 report=20 done=25',
        '[20.0] sky2 eth0: transmit ring 7 .. 9 report=9 done=9',
        '[20.0] sky2 status report lost?',
        '[30.0] sky2 eth0: transmit ring 5 .. 5 report=5 done=5',
        '[30.0] sky2 status burst pending (irq moderation?)',
      ].join('\n'),
    ).records;
    const d = of(rs, 'tx_timeout_dump');
    expect(
      d.map((r) => [r.format, r.dev, r.nextToClean, r.nextToUse, r.hwHead, r.driverVerdict, r.evidence.length]),
    ).toEqual([
      ['sky2', 'eth1', 12, 40, 25, undefined, 2],
      ['sky2', 'eth0', 7, 9, 9, 'status report lost?', 2],
      ['sky2', 'eth0', 5, 5, 5, 'status burst pending (irq moderation?)', 2],
    ]);
  });
});

describe('bnx2x: a crash dump, its trigger and its TX rings', () => {
  // bnx2x_stats_update()/bnx2x_panic_dump()'s formats filled in, unwrapped; a real, mail-wrapped one is public/78
  const p = (fn: string, msg: string, t = '1.0'): string => `[${t}] bnx2x: [bnx2x_${fn}:1(eth3)]${msg}`;
  it('one record per dump: the worst ring, rings in use and stuck, the trigger; zero rings are unused classes', () => {
    const rs = parseKernelLog(
      [
        p('stats_update', 'storm stats were not updated for 3 times'),
        p('stats_update', 'driver assert'),
        p('panic_dump', 'begin crash dump -----------------'),
        p(
          'panic_dump',
          'fp0: tx_pkt_prod(0x10)  tx_pkt_cons(0x10)  tx_bd_prod(0x20)  tx_bd_cons(0x20)  *tx_cons_sb(0x10)',
        ),
        p('panic_dump', 'fp0: tx_pkt_prod(0x0)  tx_pkt_cons(0x0)  tx_bd_prod(0x0)  tx_bd_cons(0x0)  *tx_cons_sb(0x0)'),
        '[1.0] SM[0] __flags (0x0) igu_sb_id (0x2)  igu_seg_id(0x0) time_to_expire (0x43ddd960) timer_value(0xff)',
        p(
          'panic_dump',
          'fp1: tx_pkt_prod(0x2)  tx_pkt_cons(0xfffe)  tx_bd_prod(0x9)  tx_bd_cons(0x1)  *tx_cons_sb(0xfffe)',
        ),
        p('panic_dump', 'end crash dump -----------------'),
      ].join('\n'),
    ).records;
    const [d, ...more] = of(rs, 'tx_timeout_dump');
    expect(more).toHaveLength(0);
    expect([d!.format, d!.dev, d!.queue, d!.nextToUse, d!.nextToClean, d!.hwHead, d!.evidence.length]).toEqual([
      'bnx2x_panic',
      'eth3',
      1,
      2,
      0xfffe,
      0xfffe,
      7,
    ]);
    expect(d!.fields).toMatchObject({
      tx_queues: 2n,
      tx_queues_stuck: 1n,
      storm_stats_missed: 3n,
      driver_assert: 1n,
      posted_max: 4n,
    });
  });
});
