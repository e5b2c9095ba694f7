/**
 * interpretTxHang() on real ring dumps (test/data/kernel-log/, SOURCES.md): which side of the ring stopped,
 * with the numbers quoted, and what repeated and what the driver did about it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  interpretTxHang,
  parseKernelLog,
  summarizeTimeouts,
  type KernelRecord,
  type TxHangDumpRecord,
  type TxTimeoutDumpRecord,
} from '../src/parse/kernel-log/index.js';

const DATA = fileURLToPath(new URL('./data/kernel-log/', import.meta.url));
const read = (file: string): KernelRecord[] => parseKernelLog(readFileSync(`${DATA}${file}`, 'utf8')).records;
const dumps = (rs: KernelRecord[]): (TxHangDumpRecord | TxTimeoutDumpRecord)[] =>
  rs.filter(
    (r): r is TxHangDumpRecord | TxTimeoutDumpRecord => r.kind === 'tx_hang_dump' || r.kind === 'tx_timeout_dump',
  );

describe('interpretTxHang', () => {
  it('head ≠ tail: the NIC stopped fetching (e1000e, 117 descriptors pending, two identical dumps)', () => {
    const rs = read('e1000e-gislab-407.dmesg');
    const it0 = interpretTxHang(dumps(rs)[0]!, rs);
    expect(it0.cause).toBe('dma_stall');
    expect(it0.pendingOnNic).toBe(0x88 - 0x13);
    expect(it0.summary).toContain('TDH 0x13 ≠ TDT 0x88');
    expect(it0.summary).toContain('next_to_clean 0x7 also trails the head by 12');
    expect(it0.summary).toContain('DD clear');
    expect(it0.repeats).toMatchObject({
      count: 2,
      progressed: false,
      firstTsBootNs: 9_327_470_501_000n,
      lastTsBootNs: 9_329_469_310_000n,
    });
    expect(it0.repeats!.meanIntervalMs).toBeCloseTo(1998.809, 3);
  });

  it('ixgbe and a wrapped ring (head past tail) are DMA stalls too', () => {
    const ix = read('ixgbe-kvm-virtio-iommu.mail');
    expect(interpretTxHang(dumps(ix)[0]!, ix)).toMatchObject({ cause: 'dma_stall', pendingOnNic: 10 });
    const talos = read('e1000e-talos-8935.talos');
    const t = interpretTxHang(dumps(talos)[0]!);
    expect(t.cause).toBe('dma_stall');
    expect(t.pendingOnNic).toBeUndefined();
    expect(t.summary).toContain('the ring wrapped');
  });

  it('head = tail, consumer behind producer: completions not reaped (i40e HWB, hns3 HW_HEAD)', () => {
    const i40e = read('i40e-lkml-2022.mail');
    const a = interpretTxHang(dumps(i40e)[0]!, i40e);
    expect(a).toMatchObject({ cause: 'completions_not_processed', unreaped: 0x78c - 0x697 });
    expect(a.summary).toContain('NTC 0x697 ≠ NTU 0x78c');
    expect(a.summary).toContain('interrupt was lost or NAPI was not scheduled');
    expect(a.recovery).toEqual([
      'line 6: tx_timeout recovery level 1 on queue 0 (1 PF reset, 2 core reset, 3 global reset)',
    ]);
    const hns3 = read('hns3-netdev-2024.mail');
    expect(interpretTxHang(dumps(hns3)[0]!, hns3)).toMatchObject({ cause: 'completions_not_processed', unreaped: 18 });
  });

  it('tail behind next_to_use: the doorbell was not rung (igb f4/f6)', () => {
    const rs = read('igb-sunshout.dmesg');
    const r = interpretTxHang(dumps(rs)[0]!, rs);
    expect(r.cause).toBe('doorbell_not_written');
    expect(r.summary).toContain('TDH = TDT = 0xf4 but next_to_use is 0xf6');
    expect(r.repeats).toMatchObject({ count: 2, progressed: false });
  });

  it('hns3 in TX push mode says the tail reading is uncertain', () => {
    const rs = read('hns3-kvm-2024.mail');
    const r = interpretTxHang(dumps(rs)[0]!, rs);
    expect(r.cause).toBe('doorbell_not_written');
    expect(r.summary).toContain('tx_push on');
    expect(r.recovery[0]).toMatch(/^line 18: reset: received reset request from VF enet$/);
    // The NETDEV WATCHDOG line and hns3_nic_net_timeout()'s dump right after it are one event.
    expect(r.repeats?.count).toBe(1);
    expect(r.stoppedMs).toBe(5260);
    expect(r.summary).toContain('dev_watchdog saw the queue stopped for 5260 ms (line 1)');
  });

  it('mlx5e: no hardware head, producer − consumer posted WQEs, failed reopen quoted, repeats per queue', () => {
    const rs = read('mlx5-nvme-2020.mail');
    const d = dumps(rs);
    const r = interpretTxHang(d[0]!, rs);
    expect(r.cause).toBe('pending_unattributed');
    expect(r.unreaped).toBe(2);
    expect(r.summary).toContain('SQ Prod 0xa − SQ Cons 0x8');
    expect(r.repeats).toMatchObject({ count: 2, progressed: false });
    expect(r.repeats!.meanIntervalMs).toBeCloseTo(15465.998, 3);
    expect(r.recovery).toContain(
      'line 14: recovery failed: mlx5e_safe_reopen_channels failed recovering from a tx_timeout, err(-5).',
    );
    expect(r.recovery[0]).toBe('line 12: EQ 0x13 checked for missed events (consumer index 0xd, irqn 0x87)');
  });

  it('an EQ that held unserviced EQEs turns "unattributed" into a lost interrupt', () => {
    // Re-assembled: the mlx5e queue line of mlx5-nvme-2020.mail followed by mlx5e_health_channel_eq_recover()'s
    // message in its printk format (no public excerpt of the pair was found).
    const text = [
      '[ 3197.985175] mlx5_core 0000:05:00.0 mlx5_slave1: TX timeout on queue: 12, SQ: 0x1278, CQ: 0xf2, SQ Cons: 0x8 SQ Prod: 0xa, usecs since last trans: 16233000',
      '[ 3198.027229] mlx5_core 0000:05:00.0 mlx5_slave1: EQ 0x13: Cons = 0xd, irqn = 0x87',
      '[ 3198.027301] mlx5_core 0000:05:00.0 mlx5_slave1: Recovered 1 eqes on EQ 0x13',
    ].join('\n');
    const { records } = parseKernelLog(text);
    const r = interpretTxHang(dumps(records)[0]!, records);
    expect(r.cause).toBe('completions_not_processed');
    expect(r.recovery).toContain(
      'line 3: mlx5e_health_channel_eq_recover recovered 1 EQE(s) on EQ 0x13 — an interrupt that was never delivered',
    );
  });

  it('dumps without ring indexes say so and quote the time since the last transmit', () => {
    const rs = read('virtio-net-lore-iotlb.mail');
    const r = interpretTxHang(dumps(rs)[0]!, rs);
    expect(r.cause).toBe('no_ring_numbers');
    expect(r.summary).toContain('Last transmit 7560000 µs before');
    expect(r.repeats?.count).toBe(5);
    expect(r.repeats?.progressed).toBeUndefined();
  });

  it('without the rest of the log there is no repetition to report', () => {
    const rs = read('e1000e-gislab-407.dmesg');
    expect(interpretTxHang(dumps(rs)[0]!).repeats).toBeUndefined();
  });
});

describe('summarizeTimeouts', () => {
  it('one series per device and queue: count, spacing and how long the queue sat stopped (6.8+ watchdog)', () => {
    const s = summarizeTimeouts(read('watchdog-openwrt-16419.dmesg'));
    expect(s.map((x) => [x.dev, x.queue, x.count, x.maxStuckMs])).toEqual([
      ['eth0', 4, 3, 200940],
      ['wan', 1, 2, 58820],
    ]);
    expect(s[0]!.meanIntervalMs).toBeCloseTo(4999.9415, 3);
    // stamp − "timed out N ms" is the same instant on every line of a device: one stall each, with its start
    expect(s.map((x) => [x.continuous, Number(x.stuckSinceTsBootNs) / 1e9])).toEqual([
      [true, 115355.800849],
      [true, 115497.911133],
    ]);
  });

  it('lines whose stamp − "timed out N ms" differ by more than half a second are separate stalls', () => {
    const s = summarizeTimeouts(
      parseKernelLog(
        [
          '[100.000000] r8125 0000:22:04.0 eth4: NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5010 ms',
          '[106.000000] r8125 0000:22:04.0 eth4: NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5160 ms',
        ].join('\n'),
      ).records,
    );
    expect(s.map((x) => [x.count, x.continuous, Number(x.stuckSinceTsBootNs) / 1e9])).toEqual([[2, false, 94.99]]);
  });

  it('old-form timeouts without printk stamps: a count, the resets in between, the spacing on the syslog clock', () => {
    const [s] = summarizeTimeouts(read('watchdog-via-rhine-lkml-2001.syslog'));
    expect(s).toMatchObject({ dev: 'eth0', count: 3, firstLine: 2, lastLine: 7, recoveries: 3 });
    expect(s!.firstTsBootNs).toBeUndefined();
    // 13:45:05, 13:45:55, 13:45:59 on the syslog's local (zoneless) clock: differences hold, instants do not
    expect(s!.meanIntervalMs).toBe(27_000);
    expect([s!.firstWall, s!.lastWall]).toEqual(['Aug 28 13:45:05', 'Aug 28 13:45:59']);
  });

  it('a watchdog line and the driver output right after it are one event (bnxt, hns3); virtio events stay apart', () => {
    expect(
      summarizeTimeouts(read('bnxt-netdev-2025.mail')).map((x) => [x.dev, x.queue, x.count, x.maxStuckMs]),
    ).toEqual([['eth0', 1, 1, 5123]]);
    expect(summarizeTimeouts(read('hns3-kvm-2024.mail')).map((x) => [x.dev, x.queue, x.count, x.maxStuckMs])).toEqual([
      ['eth1', 10, 1, 5260],
    ]);
    const [v] = summarizeTimeouts(read('virtio-net-lore-iotlb.mail'));
    expect(v).toMatchObject({ dev: 'eth0', queue: 0, count: 5, maxStuckMs: 16776 });
  });

  it('mlx5e: every stuck queue of both ports, with the failed reopen counted per device', () => {
    const s = summarizeTimeouts(read('mlx5-nvme-2020.mail'));
    expect(s.map((x) => [x.dev, x.queue, x.count])).toEqual([
      ['mlx5_slave1', 12, 2],
      ['mlx5_slave2', 10, 1],
      ['mlx5_slave2', 11, 1],
      ['mlx5_slave2', 12, 1],
    ]);
    expect(s[0]!.recoveries).toBe(2);
  });
});

it('mtk_eth: DMA index caught up with the CPU index, free index 13 behind, unchanged over three timeouts', () => {
  const rs = read('mtk-eth-mt76-375.dmesg');
  const r = interpretTxHang(dumps(rs)[0]!, rs);
  expect(r).toMatchObject({
    cause: 'completions_not_processed',
    unreaped: 13,
    repeats: { count: 3, progressed: false },
  });
  expect(r.summary).toContain('dtx = ctx = 0xe85');
});

describe('tg3_dump_state(): which of the three indexes stopped', () => {
  const read1 = (napi: string, st: string): ReturnType<typeof interpretTxHang> => {
    const rs = parseKernelLog(
      [`tg3 0000:05:00.0 eth2: 0: Host status block [${st}]`, `tg3 0000:05:00.0 eth2: 0: NAPI info [${napi}]`].join(
        '\n',
      ),
    ).records;
    return interpretTxHang(dumps(rs)[0]!, rs);
  };
  it('the NIC sent past tx_cons and a newer status tag went unhandled: completions not reaped', () => {
    const r = read1(
      '00000030:00000030:(0040:0010:01ff):0000:(0000:0000:0000:0000)',
      '00000001:00000033:(0000:0000:0000):(0000:0030)',
    );
    expect(r.cause).toBe('completions_not_processed');
    expect(r.summary).toMatch(/tx_consumer 0x30 but the driver reaped only up to tx_cons 0x10: 32 descriptor/);
    expect(r.summary).toMatch(/tag 0x33 is newer than the last the driver handled \(last_tag 0x30\)/);
  });
  it('an empty ring, and one that never carried anything', () => {
    expect(
      read1(
        '00000011:00000011:(0042:0042:01ff):0000:(0000:0000:0000:0000)',
        '00000001:00000011:(0000:0000:0000):(0000:0042)',
      ).cause,
    ).toBe('pending_unattributed');
    expect(
      read1(
        '00000011:00000011:(0000:0000:01ff):0000:(0000:0000:0000:0000)',
        '00000001:00000011:(0000:0000:0000):(0000:0000)',
      ).summary,
    ).toMatch(/all 0/);
  });
  it('unsent descriptors: the ring-full stop (18 free) is a NIC that stopped fetching, more room is the mailbox', () => {
    const full = read1(
      '00000011:00000011:(000d:0020:01ff):0000:(0000:0000:0000:0000)',
      '00000001:00000011:(0000:0000:0000):(0000:0020)',
    );
    expect([full.cause, full.pendingOnNic]).toEqual(['dma_stall', 493]);
    const notFull = read1(
      '00000011:00000011:(0000:0020:01ff):0000:(0000:0000:0000:0000)',
      '00000001:00000011:(0000:0000:0000):(0000:0020)',
    );
    expect([notFull.cause, notFull.pendingOnNic]).toEqual(['doorbell_not_written', 480]);
    expect(notFull.summary).toMatch(/The ring was not full \(31 free > 18\)/);
  });
});

describe('sky2: done, report and tx_cons', () => {
  const one = (line: string): ReturnType<typeof interpretTxHang> => {
    const rs = parseKernelLog(line).records;
    return interpretTxHang(dumps(rs)[0]!, rs);
  };
  it('done ahead of report is a status burst held back; report ahead of tx_cons a lost status report', () => {
    const held = one('sky2 0000:02:00.0 eth1: transmit ring 12 .. 40 report=20 done=25');
    expect([held.cause, held.summary]).toEqual([
      'completions_not_processed',
      expect.stringMatching(/done list elements up to 25 but its status unit reported only up to 20/),
    ]);
    const lost = one('sky2 0000:02:00.0 eth1: transmit ring 12 .. 40 report=20 done=20');
    expect(lost.summary).toMatch(/reaped only up to tx_cons 12: 8 completion\(s\) reported and never processed/);
  });
  it('an empty ring is not the NIC', () => {
    expect(one('sky2 0000:02:00.0 eth1: transmit ring 5 .. 5 report=5 done=5')).toMatchObject({
      cause: 'pending_unattributed',
      unreaped: 0,
    });
  });
});

describe('a ring that never started, and a ring rebuilt between dumps', () => {
  // igb right after set-up: TDH 0, TDT 1, next_to_clean 0 — the first descriptor since igb_configure_tx_ring() was
  // never fetched (LEDE on an APU2, queue 2; OpenAvnu's AVB driver, queue 1)
  it('head and next_to_clean both 0 with descriptors posted: the NIC never started on this ring', () => {
    for (const file of ['igb-lede-apu2-2.dmesg', 'igb-openavnu-210.syslog']) {
      const rs = read(file);
      const it0 = interpretTxHang(dumps(rs)[0]!, rs);
      expect(it0.cause, file).toBe('dma_stall');
      expect(it0.freshRing, file).toBe(true);
      expect(it0.summary, file).toContain('igb_configure_tx_ring()');
      expect(it0.summary, file).not.toContain('stopped processing the ring');
    }
    // e1000e with head 0x13 and next_to_clean 0x7: a ring that ran, then stopped
    const rs = read('e1000e-gislab-407.dmesg');
    expect(interpretTxHang(dumps(rs)[0]!, rs).freshRing).toBeUndefined();
  });

  // igc i225-V (fixtures/public/84): every index 7, next_to_watch still set: the hang check fired on an empty ring
  it('an empty ring whose next_to_clean entry still names a packet: a stale entry, not a stuck one', () => {
    const text = readFileSync(
      fileURLToPath(
        new URL('../../../fixtures/public/84-igc-i225-hang-check-empty-ring-stale-entry.dmesg', import.meta.url),
      ),
      'utf8',
    );
    const rs = parseKernelLog(text).records;
    const it0 = interpretTxHang(dumps(rs)[0]!, rs);
    expect(it0).toMatchObject({ cause: 'pending_unattributed', staleEntry: true });
    expect(it0.summary).toContain('time_stamp 861695 jiffies before the check');
    // an idle ring at index 0 after a rebuild (ice, all zero) is not one
    const ice = parseKernelLog(
      readFileSync(
        fileURLToPath(new URL('../../../fixtures/public/42-ice-tx-timeout-dmesg-H.dmesg', import.meta.url)),
        'utf8',
      ),
    ).records;
    expect(interpretTxHang(dumps(ice)[0]!, ice).staleEntry).toBeUndefined();
  });

  // netmap's igb: the same indexes in three dumps, but the first packet at next_to_clean differs from the next two —
  // the adapter was reset between them (link-up lines) and hung again on its first descriptor
  it('the same indexes with a different packet waiting: rebuilt, not "no progress at all"', () => {
    const rs = read('igb-netmap-261.dmesg');
    const ds = dumps(rs);
    const it0 = interpretTxHang(ds[ds.length - 1]!, rs);
    expect(it0.repeats).toMatchObject({ count: 3, progressed: false, rebuiltStamps: [0x100148bd7n, 0x10014b3e5n] });
    expect(it0.summary).toContain('2 different packets waiting at next_to_clean');
    expect(it0.summary).not.toContain('no progress at all');
    // the OpenAvnu dumps share one packet: nothing was rebuilt
    const avnu = read('igb-openavnu-210.syslog');
    expect(interpretTxHang(dumps(avnu)[0]!, avnu).repeats?.rebuiltStamps).toBeUndefined();
  });
});
