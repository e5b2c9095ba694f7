/**
 * Field evidence: real public kernel-log excerpts (fixtures/public, sources in SOURCES.md) read as a kernel engineer
 * reads them. Each row is what a correct post-mortem says — device, queue, and which side of the TX path stopped —
 * written from the reporters' and maintainers' own conclusions (fixtures/public/expected.json "cause"), plus the
 * numbers of the excerpt the finding must quote.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseKernelLog } from '@txreplay/ingest';
import { findingsFromKernelLog } from '../src/rules/kernel-log.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = path.join(repoRoot, 'fixtures/public');

type Want = [kind: string, dev: string, queue: number | null];
interface Row {
  file: string;
  findings: Want[];
  /** text that must appear in a finding's title or explanation (the excerpt's numbers) */
  quotes?: RegExp[];
  /** text that must appear in the first finding's next steps */
  next?: RegExp[];
  /** advice that would send the reader to the wrong place: must appear in no finding's next steps */
  notNext?: RegExp[];
  /** every finding of the row has this severity, not its kind's usual one (a condition the log shows, not a stall;
   * or a stall of a kind that is usually a warning) */
  severity?: 'warning' | 'critical';
  /** a log with only local wall stamps (no printk stamp, no zone): the first finding's stamps as written */
  wall?: [first: string, last: string];
}

const W = 'watchdog_timeout';
/**
 * Log findings that say what to look at next rather than name a stall: a full neighbour table, a stall check that
 * re-kicked, USB transfers that failed.
 */
const WARNING_KINDS = new Set(['neigh_table_overflow', 'tx_stall_rekick', 'device_tx_drops', 'peer_down']);
const ROWS: Row[] = [
  // igb: TDH == TDT == 0xf4 but next_to_use 0xf6: the tail was never advanced to two written descriptors
  {
    file: '01-igb-tx-unit-hang-blank-lines.dmesg',
    findings: [['doorbell_not_rung', '0000:01:00.0', 0]],
    quotes: [/0xf4/, /0xf6/],
  },
  // e1000e: TDH stuck at 0x13 while TDT = next_to_use = 0x88: the NIC stopped fetching
  {
    file: '02-e1000e-hw-unit-hang.dmesg',
    findings: [['stuck_dma', 'eth0', null]],
    quotes: [/0x13/, /0x88/, /no progress at all/],
  },
  {
    file: '03-e1000e-hw-unit-hang-openwrt-logread.syslog',
    findings: [['stuck_dma', 'eth0', null]],
    quotes: [/0x63/, /0xa1/],
  },
  // igb under the OpenAvnu AVB driver: TDH 0, TDT 1, next_to_clean 0 — the first descriptor since the ring was set up
  // never fetched: a ring that never started (who owns the NIC, is the queue enabled), not a NIC that stopped mid-flow
  {
    file: '04-igb-tx-unit-hang-syslog-avb.syslog',
    findings: [['stuck_dma', '0000:09:00.0', 0]],
    quotes: [/never started this TX ring/, /igb_configure_tx_ring\(\)/],
    next: [/out-of-tree build \(an AVB igb/, /i210/],
  },
  // igb under netmap: the same fresh ring three times, named by its interface (the link lines map the PCI address),
  // the first packet different from the next two: a reset between dumps (link up lines) and the same stall again
  {
    file: '05-igb-tx-unit-hang-continuation-lines.dmesg',
    findings: [['stuck_dma', 'enp2s0f1', 0]],
    quotes: [
      /never started this TX ring/,
      /2 different packets waiting at next_to_clean \(time_stamp 0x100148bd7, then 0x10014b3e5\)/,
      /rebuilt between dumps/,
    ],
    next: [/netmap-patched driver/],
  },
  // e1000e: the NIC fetched everything (TDH == TDT == next_to_use) but the descriptor at next_to_watch has DD clear:
  // it never wrote the completion back. The hang check runs in e1000_clean_tx_irq(), so cleaning ran: a NIC that
  // took the packets and did not send them, not a lost interrupt
  {
    file: '06-e1000e-hang-watchdog-one-line.dmesg',
    findings: [
      [W, 'eth1', 0],
      ['stuck_dma', 'eth1', 0],
    ],
    quotes: [/timed out 2 time/, /fetched the TX descriptors and never completed them/, /not a lost interrupt/],
  },
  { file: '07-ethoc-watchdog-openrisc.dmesg', findings: [[W, 'eth0', 0]] },
  { file: '08-wlan-watchdog-dmesg-r.dmesg', findings: [[W, 'wlan0', 0]] },
  { file: '09-mtk-soc-eth-watchdog-mips.dmesg', findings: [[W, 'eth0', 0]] },
  { file: '10-ftgmac100-watchdog-arm.dmesg', findings: [[W, 'eth0', 0]] },
  // queue 3 stopped for over an hour, reported every 5 s
  {
    file: '11-mtk-soc-eth-timed-out-ms-logread.syslog',
    findings: [[W, 'eth0', 3]],
    // "timed out N ms" grows by the 5 s between the lines: one stall since 1313871.266 s, an hour before the first line
    quotes: [
      /timed out 5 time\(s\), every 5\.0 s/,
      /one continuous stall, nothing sent on the queue from 1313871\.266 s on \(3705740 ms by the last line\)/,
      /the 5 ndo_tx_timeout\(\) calls did not bring TX back/,
    ],
  },
  {
    file: '12-mtk-soc-eth-two-devices-ms.dmesg',
    findings: [
      [W, 'eth0', 4],
      [W, 'wan', 1],
    ],
    quotes: [
      /eth0 TX queue 4 .* timed out 6 time.*one continuous stall, nothing sent on the queue from 115355\.801 s on/,
      /wan TX queue 1 .* timed out 5 time.*one continuous stall, nothing sent on the queue from 115497\.911 s on/,
      /wan on the same controller \(1e100000\.ethernet, mtk_soc_eth\) timed out in this log too/,
      /eth0 on the same controller \(1e100000\.ethernet, mtk_soc_eth\) timed out in this log too/,
    ],
  },
  {
    file: '13-r8125-two-ports-timed-out-ms.dmesg',
    findings: [
      [W, 'eth4', 0],
      [W, 'eth1', 0],
    ],
    quotes: [/eth4 .* timed out 4 time/, /eth1 .* timed out 3 time/, /5540 ms/],
  },
  // the WARN names its platform ("Hardware name: QEMU Standard PC"): e1000 there is QEMU's emulated NIC
  {
    file: '14-e1000-qemu-watchdog-rip.dmesg',
    findings: [[W, 'eth0', 0]],
    quotes: [/This Intel e1000 is emulated: the log names the platform "QEMU Standard PC \(i440FX \+ PIIX, 1996\)/],
    next: [
      /paravirtual NIC instead of the emulated one: virtio-net/,
      /hypervisor's version and its log for this guest/,
    ],
  },
  { file: '15-bcmgenet-queue3-watchdog-arm.dmesg', findings: [[W, 'eth0', 3]] },
  // ena's own completion checks, not dev_watchdog(): the lost-completions threshold resets the device
  {
    file: '16-ena-lost-tx-completions-reset.syslog',
    findings: [[W, 'eth0', null]],
    quotes: [/ena counted 248 TX completions missing on one queue, over its threshold of 128/],
  },
  {
    file: '17-ena-missing-tx-completion-dmesg-relative.dmesg',
    findings: [[W, 'eth0', 0]],
    quotes: [
      /156 TX completions missing on one queue, over its threshold of 128 \(check_for_missing_completions\(\)\)/,
    ],
  },
  // only "tx_timeout recovery level 1" survives: i40e_tx_timeout ran, a PF reset followed
  {
    file: '18-i40e-tx-timeout-recovery-link-flap.syslog',
    findings: [[W, 'eth9', null]],
    quotes: [/recovery level 1/, /PF reset/],
  },
  { file: '20-mlx5e-tx-timeout-queue25-email-wrapped.dmesg', findings: [[W, 'eth0', 25]] },
  { file: '21-mlx5e-vf-tx-timeout-no-eq-recovery-quoted.dmesg', findings: [[W, 'ens4f2', 0]] },
  // hns3 VF: SW_NTU = 1 but HW_TAIL = HW_HEAD = 0: the push/doorbell never reached the NIC
  {
    file: '22-hns3-vf-tx-timeout-dump.dmesg',
    findings: [
      [W, 'eth1', 10],
      ['doorbell_not_rung', 'eth1', 10],
    ],
    quotes: [/5260 ms/],
  },
  // hns3: HW_HEAD == HW_TAIL == SW_NTU = 0x346, driver cleaned only to 0x334: a NAPI that did not run, not a NIC hang
  {
    file: '23-hns3-tx-timeout-oom-rfc3339.syslog',
    findings: [['lost_interrupt', 'enp125s0f1', 1]],
    quotes: [/0x346/, /0x334/, /18 completion/],
  },
  // ENOBUFS from sk_wmem (socket memory): nothing for the TX queue
  { file: '28-enobufs-ping-sk-wmem-pppoe.console', findings: [] },
  {
    file: '29-neigh-overflow-ping-enobufs-2001.console',
    findings: [['neigh_table_overflow', '(neighbour table)', null]],
  },
  {
    file: '30-arp-cache-neigh-overflow-serial.dmesg',
    findings: [['neigh_table_overflow', '(neighbour table)', null]],
    quotes: [/arp_cache/],
  },
  { file: '31-arp-cache-neigh-overflow-k8s.syslog', findings: [['neigh_table_overflow', '(neighbour table)', null]] },
  {
    file: '32-neigh-overflow-ratelimit-logread-quoted.syslog',
    findings: [['neigh_table_overflow', '(neighbour table)', null]],
  },
  // r8169: every reset gives up waiting for the TX FIFO to drain, 6 times about every 14.4 s: a wedged TX engine
  {
    file: '33-r8169-fifo-empty-cond-short-monotonic.journal',
    findings: [['stuck_dma', 'enp2s0', null]],
    quotes: [/6 reset\(s\), every 14\.4 s/, /rtl_txcfg_empty_cond/],
  },
  { file: '34-stmmac-adi-dwmac-timeout-iperf-interleaved.dmesg', findings: [[W, 'eth0', 0]], quotes: [/5176 ms/] },
  { file: '35-igb-queue5-watchdog-3.14.syslog', findings: [[W, 'eth2', 5]] },
  // ixgbe: several rings with TDH = next_to_clean = 0 and TDT = next_to_use > 0 at once: none of them ever started
  {
    file: '36-ixgbe-tx-unit-hang-multiqueue.dmesg',
    findings: [
      ['stuck_dma', 'eth3', 6],
      ['stuck_dma', 'eth3', 5],
    ],
    quotes: [/ixgbe_configure_tx_ring\(\)/, /same on queue 5 of this device: its TX unit as a whole never started/],
  },
  // virtio_net in a QEMU guest (podman machine): the host stopped consuming the TX virtqueue, or its notification was
  // lost; virtnet_tx_timeout() resets nothing — the next steps are on the host's side of the ring
  {
    file: '37-virtio-net-watchdog-fcos-aarch64.journal',
    findings: [[W, 'enp0s1', 0]],
    quotes: [
      /virtio_net's TX queue is a ring the host consumes \(the log names the platform "QEMU QEMU Virtual Machine/,
    ],
    next: [/vhost-<VMM pid> kernel threads/, /tx_queue_N_kicks/],
  },
  {
    file: '38-i40e-tx-timeout-vsi-seid-html-artifacts.txt',
    findings: [
      ['stuck_dma', '(i40e)', 31],
      ['stuck_dma', '(i40e)', 43],
    ],
  },
  // 2.6.18 e1000: headerless dumps every 2 s, then the old-format "transmit timed out"
  {
    file: '39-e1000-2.6.18-hang-then-watchdog.syslog',
    findings: [
      [W, 'eth0', 0],
      ['stuck_dma', 'eth0', 0],
    ],
    quotes: [/timed out 4 time/, /every 1\.7 s/, /0x3d/, /0x44/],
    wall: ['Oct 21 18:48:30', 'Oct 21 18:48:35'],
  },
  {
    file: '40-via-rhine-2.4.9-transmit-timed-out.syslog',
    findings: [[W, 'eth0', null]],
    // the two NETDEV WATCHDOG lines are 28 s apart on the syslog's own (local, zoneless) clock
    quotes: [/timed out 2 time/, /every 28\.0 s/],
    wall: ['Aug 28 13:45:05', 'Aug 28 13:45:33'],
  },
  { file: '41-sundance-transmit-timed-out-ring-dump.dmesg', findings: [[W, 'eth0', null]] },
  // ice: NTC = HW_HEAD = NTU = 0, "timed out 80692736 ms": the queue was left stopped with an empty ring
  {
    file: '42-ice-tx-timeout-dmesg-H.dmesg',
    findings: [
      [W, 'ens801f0np0', 14],
      ['lost_wakeup', 'ens801f0np0', 14],
    ],
    // every index 0 and 22 h "stopped": a queue left stopped by the XDP ring rebuild, not a NIC stall; then the
    // PF reset crashed in ice_clean_tx_ring (the reporters' own reading)
    quotes: [
      /80692736 ms \(line 3\), 22\.4 h: no packet left this queue for that long/,
      /HW_HEAD, NTU and NTC are all 0: .* left stopped when the ring was rebuilt/,
      /Then the kernel crashed \(line 7: "BUG: kernel NULL pointer dereference, address: 0000000000000098", in ice_clean_tx_ring\+0xa\/0xd0 \[ice\], from workqueue ice ice_service_task \[ice\]\): the crash is in ice's own code/,
    ],
  },
  // mlx5 command-EQ recovery: interrupts lost, but no TX queue timed out
  // the command EQ's event found by polling (mlx5_cmd_eq_recover): the device's interrupts do not arrive — here VT-d's
  // interrupt remapping blocks them (fault reason 37); not a TX stall, a warning about what its TX queues depend on
  {
    file: '43-mlx5-cmd-eq-recovered-dmesg-T.dmesg',
    findings: [['lost_interrupt', '0000:42:00.2', null]],
    severity: 'warning',
    quotes: [/waited on the command EQ whose interrupt never came/, /fault reason 37: Blocked a compatibility format/],
    next: [/proc\/interrupts/, /without a remapping entry/],
  },
  {
    file: '44-mlx5-cmd-eq-recovered-maxcpus.dmesg',
    findings: [['lost_interrupt', '0000:d8:00.0', null]],
    severity: 'warning',
    quotes: [/polling 4 time\(s\), every 61\.4 s on average/],
    next: [/proc\/interrupts/, /effective_affinity/],
  },
  // one NETDEV WATCHDOG each, no ring dump: which side stopped is not in the log
  {
    file: '67-r8152-watchdog-rfc3339-kernel-colon-bracket.syslog',
    findings: [[W, 'eth1', 0]],
    quotes: [/\(r8152\) timed out 1 time\(s\)/, /holds no ring dump/],
  },
  {
    file: '68-smsc75xx-watchdog-dmesg-T-rpi.dmesg',
    findings: [[W, 'eth1', 0]],
    quotes: [/\(smsc75xx\) timed out 1 time\(s\)/],
    wall: ['Thu Feb 27 15:19:31 2020', 'Thu Feb 27 15:19:31 2020'],
  },
  // r8125 (out of tree): the reset its ndo_tx_timeout runs, and the link bounce that follows it
  {
    file: '69-r8125-watchdog-reset-link-bounce.dmesg',
    findings: [[W, 'eth1', 0]],
    quotes: [
      /stopped for up to 6604 ms/,
      /the driver reset or recovered 1 time\(s\); the link went down \(line 4\) and came back up 4\.0 s later \(line 5\)/,
    ],
  },
  // a USB adapter's bulk-out transfers failing with EPROTO: packets lost on the USB link, counted in tx_errors
  {
    file: '70-r8152-usb-tx-status-eproto-ds918.dmesg',
    findings: [['device_tx_drops', 'eth2', null]],
    quotes: [
      /26 failed USB TX transfer\(s\) over 20\.5 min \(Tx status -71\)/,
      /-71 = EPROTO: a protocol error on the bus/,
      /cannot show whether TX stopped altogether/,
    ],
  },
  // IPoIB: the driver stopped the queue on a full send ring, 58 sends never completed, and ipoib_timeout() resets
  // nothing ("and of course it never recovers")
  {
    file: '73-ipoib-ring-full-watchdog-no-reset-mail.dmesg',
    findings: [[W, 'ib1', null]],
    quotes: [
      /stopped for up to 1240 ms/,
      /stopped the queue itself \(line 1: "TX ring full, stopping kernel net queue"\)/,
      /tx_head 5291313 − tx_tail 5291255 = 58 send\(s\) posted to the UD queue pair and never completed/,
      /ipoib_timeout\(\) only logs — it resets no QP or CQ/,
      /no recovery is logged/,
    ],
    next: [/ibstat/, /completion vectors in \/proc\/interrupts/],
  },
  // tg3 (netdev cover letter "tg3: Fix the TX ring stall", 2023): NIC consumer = driver's tx_cons, tx_prod 488 ahead
  // with 23 entries free — not the ring-full stop, so a NETDEV_TX_BUSY return that skipped the send mailbox: the NIC
  // was never told (the poster's own reading)
  {
    file: '74-tg3-tx-ring-stall-status-block-mail.dmesg',
    findings: [
      [W, 'eth0', 0],
      ['doorbell_not_rung', 'eth0', 0],
    ],
    quotes: [
      /tx_consumer = tx_cons = 0x1a0/,
      /tx_prod 0x188 is 488 descriptor\(s\) ahead/,
      /leaves 23 free/,
      /status_tag = last_tag = 0xa0/,
      /tg3: Fix the TX ring stall/,
      /the driver announced a reset in its timeout line/,
    ],
    next: [/tg3: Fix the TX ring stall/, /ethtool -K eth0 tso off/],
  },
  // the same picture on a Mac mini's BCM57766 (4.11), but 18 free: tg3_start_xmit()'s ring-full stop, which writes
  // the mailbox — the NIC was told and fetched nothing; offloads off did not help, a replacement adapter did
  {
    file: '75-tg3-tx-ring-stall-coreos-journal-indented.syslog',
    findings: [
      [W, 'enp1s0f0', 0],
      ['stuck_dma', 'enp1s0f0', 0],
    ],
    quotes: [
      /tx_consumer = tx_cons = 0x20/,
      /tx_prod 0xd is 493 descriptor\(s\) ahead/,
      /leaves 18 free/,
      /ring-full stop \(free ≤ MAX_SKB_FRAGS \+ 1 = 18\)/,
      /the link went down \(line 58\) and came back up 3\.0 s later/,
    ],
    next: [/ethtool -i enp1s0f0/],
    wall: ['Jul 07 07:30:10', 'Jul 07 07:30:10'],
  },
  // sky2 of 2006: report = done = tx_cons, tx_prod wrapped ahead: the NIC's TX DMA did nothing more; the driver says
  // "hardware hung? flushing" and flushes its ring
  {
    file: '76-sky2-hardware-hung-flushing-mac-mini-blog.dmesg',
    findings: [
      [W, 'eth0', null],
      ['stuck_dma', 'eth0', null],
    ],
    quotes: [
      /report = done = tx_cons = 60/,
      /the 489 list element\(s\) from 60 to 37 \(the ring wrapped/,
      /The driver's own verdict: "hardware hung\? flushing"/,
      /the driver flushed its TX ring and restarted the queue/,
    ],
  },
  // ESXi vmkernel.log: vmklinux's watchdog on vmnic1 every second (AQtion-esxi #13); ESXi's tools, not tracepoints
  {
    file: '77-esxi-vmkernel-linnet-watchdog-aqtion.log',
    findings: [[W, 'vmnic1', null]],
    quotes: [/timed out 3 time\(s\), every 1\.0 s/, /ESXi's vmkernel\.log: the driver runs under vmklinux \(LinNet\)/],
    next: [/esxcli network nic stats get -n vmnic1/, /vob\.net\.uplink\.watchdog\.timeout/],
  },
  // bnx2x (bpf list, 2020): the firmware stopped ("storm stats were not updated"), and every TX ring in the crash dump
  // holds posted packets behind a status-block consumer equal to the driver's: the chip stopped sending
  {
    file: '78-bnx2x-storm-stats-panic-dump-mail-quoted.syslog',
    findings: [['stuck_dma', 'eth0', null]],
    quotes: [
      /On all 2 TX rings in the dump/,
      /fp0: tx_pkt_cons = \*tx_cons_sb = 0x8735/,
      /12–33 on each \(fp0: tx_pkt_prod 0x8756, 33 packet\(s\)\)/,
      /storm stats were not updated for 3 times", then "driver assert"/,
    ],
    next: [/ethtool -d eth0/, /ethtool -K eth0 tso off/],
  },
  // ixgbe resets "to clear Tx work after link loss": the link, not a hang; no link lines and TX work arriving with the
  // carrier off point at a sender that bypasses the qdisc (tcpreplay's quick_tx module in the thread)
  {
    file: '79-ixgbe-link-loss-flush-resets-quick-tx.dmesg',
    findings: [['peer_down', 'eth1', null]],
    quotes: [
      /link was down with TX work still queued: the driver flushed it with 6 adapter reset\(s\), every 1\.6 s/,
      /ixgbe_watchdog_flush_tx\(\)/,
      /not a TX hang/,
      /noop_qdisc/,
    ],
    next: [/ethtool -m eth1/],
  },
  // ESX 4.x vmkernel through syslog: the uptime before the world is the host's boot clock (every 1.0 s), the
  // `LinNet: netdev_watchdog: ` tag comes off, and the advice is ESXi's, not tracepoints
  {
    file: '80-esx4-vmkernel-syslog-uptime-watchdog-blog.syslog',
    findings: [[W, 'vmnic3', null]],
    quotes: [/timed out 8 time\(s\), every 1\.0 s/, /vmklinux \(LinNet\)/],
    next: [/esxcli network nic stats get -n vmnic3/],
  },
  // e1000e on the chipset's I219 (00:1f.6): the blog ran the syslog lines together, dates cut, `vmhost kernel: ` before
  // each; the first descriptor after set-up never fetched; the field's workaround (TSO off) is the next step
  {
    file: '81-e1000e-i219-hang-flattened-host-tags-blog.syslog',
    findings: [['stuck_dma', 'eth0', null]],
    quotes: [/never started this TX ring/, /e1000_configure_tx\(\)/, /Reset adapter unexpectedly\./],
    next: [/ethtool -K eth0 tso off/, /0000:00:1f\.6 is the chipset's LAN-on-motherboard port/],
  },
  // the same hang with the stamps redacted to [xxxxxx] and the 6.8+ watchdog line's device prefix cut: the line before
  // it (the driver's reset) names the device
  {
    file: '82-e1000e-i219-hang-redacted-stamps-pve.dmesg',
    findings: [
      [W, 'eno1', 0],
      ['stuck_dma', 'eno1', 0],
    ],
    quotes: [/TDH 0x44 ≠ TDT 0x9b: 87 descriptor/],
    next: [/ethtool -K eno1 tso off/],
  },
  // mlx4 on a Pi CM4: the watchdog 15.8 s after the link came up, just past mlx4_en's 15 s watchdog_timeo — the
  // queue stopped within a second of link-up and never moved: TX never worked on this platform
  {
    file: '83-mlx4-watchdog-right-after-link-up-rpi-cm4.dmesg',
    findings: [[W, 'eth1', 0]],
    quotes: [
      /15\.8 s after the link came up \(line 1\), with watchdog_timeo 15 s/,
      /within 0\.8 s of link-up/,
      /TX never worked on this link/,
    ],
  },
  // igc: head = tail = next_to_use = next_to_clean = 7 and the same old time_stamp in every dump: the hang check fires on
  // an empty ring's stale entry — a false positive that still stops the subqueue (igc_clean_tx_irq())
  {
    file: '84-igc-i225-hang-check-empty-ring-stale-entry.dmesg',
    findings: [[W, 'eth1', 1]],
    quotes: [
      /on an empty TX ring \(a stale entry, no packet stuck\) and stopped the queue/,
      /861895 jiffies/,
      /TDH ≠ tail/,
    ],
    next: [/ethtool -i eth1/],
  },
  // a HAOS guest on Synology VMM: the emulated e1000 at 00:03.0 never fetched its first descriptor; the reporter's fix
  // was the virtio adapter — not PCIe, firmware or an out-of-tree driver
  {
    file: '85-e1000-guest-ring-never-started-haos-host-logs.syslog',
    findings: [['stuck_dma', 'enp0s3', 0]],
    quotes: [
      /the hypervisor's emulated NIC never started this TX ring/,
      /0000:00:03\.0 is the slot where QEMU's i440fx machine and VirtualBox put a guest's first NIC/,
    ],
    next: [/virtio-net \(libvirt/],
    notNext: [/AER|out-of-tree|TXDCTL/],
  },
  // cilium's VirtualBox VMs: the emulated e1000 stopped mid-flow (TDH 0xd2, TDT 0xd4); cilium moved to virtio
  {
    file: '86-e1000-virtualbox-guest-hang-dmesg-iso-indented.dmesg',
    findings: [['stuck_dma', 'enp0s3', 0]],
    quotes: [
      /the hypervisor's emulated NIC stopped processing the TX ring/,
      /TDH 0xd2 ≠ TDT 0xd4: 2 descriptor/,
      /This Intel e1000 is emulated/,
    ],
    next: [/paravirtual NIC/],
    notNext: [/AER|firmware version/],
  },
  // syzkaller's QEMU guest: panic_on_warn made dev_watchdog()'s WARN a panic — the crash is not a driver's recovery
  {
    file: '87-e1000-qemu-watchdog-panic-on-warn-syzkaller.dmesg',
    findings: [[W, 'eth0', 0]],
    quotes: [
      /panicked on dev_watchdog\(\)'s own warning/,
      /before ndo_tx_timeout\(\) ran/,
      /This Intel e1000 is emulated/,
    ],
    next: [/sysctl kernel\.panic_on_warn/],
    notNext: [/AER/],
  },
  // ENA's missing-completion check right before the soft-lockup watchdog names CPU 58: the completion nobody reaped
  // may be the stuck CPU's — the check that decides is which CPU takes qid 4's interrupt
  {
    file: '90-ena-tx-not-completed-beside-soft-lockup-eks.syslog',
    findings: [[W, 'eth3', 4]],
    quotes: [
      /found the packet at index 787 of TX queue 4 not completed within its timeout/,
      /CPU 58 stuck in a soft lockup for 23 s \(line 2, task kworker\/u146:7\)/,
      /the CPU's, not the NIC's/,
    ],
    next: [/which CPU takes eth3 queue 4's interrupt/],
  },
  // i40en on ESXi: the NIC's Malicious Driver Detection refused the PF driver's TX descriptor and the PF was reset —
  // not a link fault; the driver update is the fix
  {
    file: '91-i40en-mdd-tx-pf-reset-esxi-vmkernel.log',
    findings: [['device_tx_drops', '(i40en)', 0]],
    severity: 'critical',
    quotes: [
      /i40en PF 1: the NIC's malicious-driver detection refused what the PF's own driver put on TX queue 0/,
      /the PF was reset 1 time/,
      /ESXi's native i40en/,
    ],
    next: [/esxcli network nic get/, /i40en before 1\.7\.11/],
    notNext: [/ethtool -K/],
  },
  // igb's "PCIe link lost" 5.1 s before NETDEV WATCHDOG: the NIC left the bus, the timeout is its consequence
  {
    file: '92-igb-pcie-link-lost-then-watchdog-apu3.syslog',
    findings: [[W, 'enp2s0', 0]],
    quotes: [/found the NIC gone from PCIe 5\.1 s before \(line 1: "PCIe link lost"\)/, /consequence of the lost link/],
    next: [/lspci -vvv -s 02:00\.0/, /pcie_aspm=off/],
    notNext: [/napi:napi_poll/],
  },
  // igc's "PCIe link lost, device now detached" with no timeout in the excerpt: still every packet it held is lost
  {
    file: '93-igc-pcie-link-lost-device-detached-i225.dmesg',
    findings: [['device_tx_drops', 'enp2s0', null]],
    severity: 'critical',
    quotes: [/the NIC fell off PCIe \("PCIe link lost, device now detached"\)/],
    next: [/lspci -vvv -s 02:00\.0/, /\/sys\/bus\/pci\/rescan/],
  },
  // iwlwifi's stuck-queue watchdog with the hardware pointers: the firmware's scheduler stopped taking frames from queue
  // 3 (HW read = SW read = 106, write 10) and the driver restarted the firmware; the next steps are the firmware's
  {
    file: '94-iwlwifi-queue-stuck-firmware-restart-openwrt-ap.dmesg',
    findings: [['stuck_dma', '0000:01:00.0', 3]],
    quotes: [
      /the Wi-Fi firmware stopped taking frames from this TX queue/,
      /HW read 106 ≠ HW write 10/,
      /stuck for 10000 ms and the driver restarted the firmware/,
    ],
    next: [/Loaded firmware version:/],
    notNext: [/AER|napi:napi_poll/],
  },
  // the old "Queue 3 is stuck 16 73" (the driver's pointers only) in a journal cut to the time of day
  {
    file: '95-iwlwifi-queue-stuck-old-format-time-only-journal.journal',
    findings: [[W, '0000:02:00.0', 3]],
    quotes: [/SW write 73 − SW read 16: 57 descriptor\(s\) posted/, /restarted the firmware/],
    next: [/Loaded firmware version:/],
    notNext: [/napi:napi_poll/],
    wall: ['07:37:02', '07:37:02'],
  },
  // macb's own stall check (raspberrypi/linux #7340) re-kicked TSTART; no watchdog exists for macb. A warning: the
  // maintainers suspected false alarms (#7472), and the log cannot tell a real stall from one
  {
    file: '66-macb-tx-stall-rekick-tstart-rpi5.dmesg',
    findings: [['tx_stall_rekick', 'eth0', 0]],
    quotes: [
      /re-kicked the ring 8 time\(s\), every 17\.3 min on average; 1 descriptor outstanding/,
      /macb has no ndo_tx_timeout/,
      /No reset, link change or NETDEV WATCHDOG follows/,
      /cannot show whether TX really stopped/,
      /exactly one descriptor outstanding every time fits both/,
    ],
  },
];

describe('findings from kernel logs alone (real public excerpts)', () => {
  it('every kernel-log excerpt of the corpus has a row here', () => {
    const expected = JSON.parse(readFileSync(path.join(corpus, 'expected.json'), 'utf8')) as {
      entries: { file: string; format: string }[];
    };
    const logs = expected.entries
      .filter(
        (e) => !/perf|ftrace|tc-stats|ethtool-stats|ip-link|queue-sysfs|interrupts|ifconfig|netstat-i/.test(e.format),
      )
      .map((e) => e.file);
    const covered = new Set(ROWS.map((r) => r.file));
    expect(logs.filter((f) => !covered.has(f))).toEqual([]);
  });

  for (const row of ROWS) {
    it(row.file, () => {
      const { records } = parseKernelLog(readFileSync(path.join(corpus, row.file), 'utf8'));
      const findings = findingsFromKernelLog(records, row.file);
      const got = findings.map((f): Want => [f.kind, f.dev, f.queue]);
      expect(new Set(got.map((g) => JSON.stringify(g)))).toEqual(new Set(row.findings.map((w) => JSON.stringify(w))));
      expect(got).toHaveLength(row.findings.length);
      const text = findings.map((f) => `${f.title}\n${f.explanation}`).join('\n');
      for (const q of row.quotes ?? []) expect(text).toMatch(q);
      for (const q of row.next ?? []) expect(findings[0]!.nextSteps.join('\n')).toMatch(q);
      for (const q of row.notNext ?? []) expect(findings.flatMap((f) => f.nextSteps).join('\n')).not.toMatch(q);
      if (row.wall) {
        expect(findings[0]!.logWall).toEqual({ first: row.wall[0], last: row.wall[1] });
        expect([findings[0]!.startNs, findings[0]!.endNs]).toEqual([0n, 0n]);
      }
      for (const f of findings) {
        expect(f.evidence.length).toBeGreaterThan(0);
        for (const e of f.evidence) expect(e.source).toBe(row.file);
        expect(f.severity).toBe(row.severity ?? (WARNING_KINDS.has(f.kind) ? 'warning' : 'critical'));
      }
    });
  }
});

describe('repeated NETDEV WATCHDOG lines: one stall or several', () => {
  // r8125's "timed out N ms" stays near 5 s while the lines are hours apart: separate stalls, each one cleared
  it('lines hours apart, each a few seconds stopped, are separate stalls (13)', () => {
    const file = '13-r8125-two-ports-timed-out-ms.dmesg';
    const f = findingsFromKernelLog(parseKernelLog(readFileSync(path.join(corpus, file), 'utf8')).records, file);
    expect(f.map((x) => x.title).join('\n')).not.toMatch(/continuous/);
    expect(f.map((x) => x.title).join('\n')).toMatch(/stopped for up to 5540 ms/);
  });
});

describe('a log on a wall clock: the span and spacing of its watchdog lines', () => {
  // fixture 40 as rsyslog's RFC 3339 template prints it (zoned instants): the same two NETDEV WATCHDOG lines
  const text = readFileSync(path.join(corpus, '40-via-rhine-2.4.9-transmit-timed-out.syslog'), 'utf8').replace(
    /^Aug 28 (\d\d:\d\d:\d\d)/gm,
    '2001-08-28T$1.000000+02:00',
  );
  it('ends at the last watchdog line, not the first, and says how far apart they were', () => {
    const { records } = parseKernelLog(text);
    const [f] = findingsFromKernelLog(records, 'rfc3339.syslog');
    expect(f!.kind).toBe(W);
    expect(f!.startNs).toBe(BigInt(Date.UTC(2001, 7, 28, 11, 45, 5)) * 1_000_000n);
    expect(f!.endNs - f!.startNs).toBe(28_000_000_000n);
    expect(f!.title).toMatch(/every 28\.0 s/);
    expect(f!.logWall).toBeUndefined();
  });
});
