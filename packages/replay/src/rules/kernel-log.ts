/**
 * Findings from kernel logs alone (dmesg, syslog, journal): what a kernel engineer reads in a NETDEV WATCHDOG line
 * and the driver's ring dump, with the numbers quoted back. The records come from ingest's kernel-log reader; this
 * file only decides what they mean for the TX path.
 *
 * - dev_watchdog() (net/sched/sch_generic.c) prints NETDEV WATCHDOG when a TX queue has been stopped
 *   (netif_xmit_stopped) for longer than dev->watchdog_timeo since its trans_start, then calls the driver's
 *   ndo_tx_timeout(): one `watchdog_timeout` finding per device and queue, with count, spacing and recovery.
 * - The driver's own dump (igb_clean_tx_irq "Detected Tx Unit Hang", i40e/ice/mlx5e/hns3 tx_timeout…) says which
 *   side of the ring stopped (interpretTxHang): the NIC (head behind tail: `stuck_dma`), the completion path (head
 *   caught up, next_to_clean behind: `lost_interrupt`), the doorbell (tail behind next_to_use: `doorbell_not_rung`),
 *   or nothing pending at all while the queue stays stopped (`lost_wakeup`, docs/kernel-tx-path.md §I.4).
 * - "neighbour table overflow" (neigh_alloc in net/core/neighbour.c): __neigh_create() fails with -ENOBUFS and
 *   ip_finish_output2() drops the skb (NEIGH_CREATEFAIL) — an ENOBUFS that never reached a TX queue.
 */
import {
  interpretTxHang,
  sameKernelLogDevice as sameDevice,
  summarizeTimeouts,
  timeoutEvents,
  type KernelRecord,
  type TimeoutSeries,
  type TxHangInterpretation,
  type TxRecoveryRecord,
} from '@txreplay/ingest/plain';
import type { Finding, FindingKind } from '../types.js';
import {
  evidenceOf,
  logDeviceName,
  logElapsedNs,
  logSpan,
  logTimeNs,
  logWallOf,
  type DeviceNamed,
} from './log-record.js';
import { cpuStallNear, type CpuStallNear } from './cpu-stall.js';
import { deviceLostBefore, deviceLostFindings, deviceLostNext, deviceLostText } from './device-lost.js';
import { guestNic, type GuestNic } from './guest-nic.js';
import { dmaFaultText, interruptDeliveryFindings } from './interrupt-delivery.js';
import { linkLossFindings } from './link-loss-reset.js';
import { mddFindings } from './mdd.js';
import { resetOnlyFindings } from './reset-only.js';
import { ringFullBefore, ringFullFindings } from './ring-full.js';
import { stallKickFindings } from './stall-kick.js';
import { usbTxFindings } from './usb-tx.js';

type RingRecord = Extract<KernelRecord, { kind: 'tx_hang_dump' | 'tx_timeout_dump' }>;

const CAUSE_KIND: Record<TxHangInterpretation['cause'], FindingKind | null> = {
  dma_stall: 'stuck_dma',
  completions_not_processed: 'lost_interrupt',
  doorbell_not_written: 'doorbell_not_rung',
  pending_unattributed: null,
  no_ring_numbers: null,
};

const CAUSE_TITLE: Record<string, string> = {
  stuck_dma: 'the NIC stopped processing the TX ring (hardware head stuck behind the tail)',
  lost_interrupt: 'TX completions were never reaped (completion interrupt lost or NAPI not run)',
  doorbell_not_rung: 'descriptors were queued but the tail doorbell was never written',
  lost_wakeup: 'the TX queue stayed stopped with nothing outstanding on the ring (no wake-up)',
};

const CAUSE_NEXT: Record<string, string[]> = {
  stuck_dma: [
    'check PCIe AER/IOMMU faults around the dump (dmesg | grep -iE "AER|DMAR|iommu") and the NIC firmware version',
    'capture napi:napi_poll and skb:consume_skb with txreplay capture: polls that keep coming with no TX frees confirm a DMA stall',
  ],
  lost_interrupt: [
    'compare /proc/interrupts for the TX queue vector before and after: a count that stops moving is a lost MSI-X interrupt',
    'capture napi:napi_poll for the device: a poll gap as long as the stall confirms it (docs/kernel-tx-path.md §I.1)',
  ],
  doorbell_not_rung: [
    'look for xmit_more batching left pending (net_dev_start_xmit with no later doorbell) — capture net:net_dev_start_xmit and net:net_dev_xmit',
  ],
  lost_wakeup: [
    'capture qdisc:qdisc_dequeue (txq_state) and net:net_dev_xmit around the next stall to see who stopped the queue and why no netif_tx_wake_queue followed',
  ],
};

/** What one device/queue's timeout series says, shared by the findings made from it. */
interface SeriesFacts {
  dev: string;
  queue: number | null;
  where: string;
  startNs: bigint;
  endNs: bigint;
  count: number;
  every: string;
  stuck: string;
  recovered: string;
  /**
   * What else the log says around the series, as sentences: the driver's own "ring full, stopping the queue" lines
   * before it (IPoIB), one continuous stall, other interfaces of the controller, a crash right after
   */
  context: string;
  watchdogs: KernelRecord[];
  dumps: RingRecord[];
  /** the last dump: it shows the ring when the stall had lasted longest */
  last: RingRecord | undefined;
  /** the stamps as written, when the log has no time on any clock (Finding.logWall) */
  logWall: Pick<Finding, 'logWall'>;
  reading: TxHangInterpretation | undefined;
  causeKind: FindingKind | null;
  /** the NIC is a guest's emulated one (guest-nic.ts): the hypervisor's device model stopped, not a chip */
  guest: GuestNic | undefined;
  /** the watchdog's WARN became a panic (panic_on_warn): the next step that comes first */
  panicOnWarn: string[];
  /** a CPU the kernel's watchdogs found stuck beside the series: completions nobody could reap */
  cpuStall: CpuStallNear | undefined;
  /** the NIC left the PCIe bus before the series: the sentence and the next steps that come first */
  lost: { sentence: string; nextSteps: string[] } | undefined;
}

function seriesFacts(s: TimeoutSeries, records: readonly KernelRecord[]): SeriesFacts {
  const dev = logDeviceName(s);
  const queue = s.queue ?? null;
  const events = timeoutEvents(records).filter(
    (e) => sameDevice(e.first, s) && (s.queue === undefined || (e.watchdog?.queue ?? e.dumps[0]?.queue) === s.queue),
  );
  const firstRec = events[0]?.first;
  const lastRec = events[events.length - 1]?.first;
  const startNs = s.firstTsBootNs ?? (firstRec ? logTimeNs(firstRec) : 0n);
  const endNs = s.lastTsBootNs ?? (lastRec ? logTimeNs(lastRec) : startNs);
  const watchdogs = events.flatMap((e) => (e.watchdog ? [e.watchdog] : []));
  const dumps = events.flatMap((e) => e.dumps) as RingRecord[];
  const last = dumps[dumps.length - 1];
  const reading = last ? interpretTxHang(last, records) : undefined;
  let causeKind: FindingKind | null = reading ? CAUSE_KIND[reading.cause] : null;
  // nothing outstanding on the ring while dev_watchdog saw the queue stopped: nobody woke it (§I.4)
  if (reading && reading.cause === 'pending_unattributed' && reading.unreaped === 0 && watchdogs.length > 0)
    causeKind = 'lost_wakeup';
  return {
    dev,
    queue,
    where: `${dev}${queue !== null ? ` TX queue ${queue}` : ''}${s.driver ? ` (${s.driver})` : ''}`,
    startNs,
    endNs,
    logWall: logWallOf(startNs, endNs, s.firstWall, s.lastWall),
    count: Math.max(events.length, 1),
    every: s.meanIntervalMs !== undefined ? `, every ${(s.meanIntervalMs / 1000).toFixed(1)} s on average` : '',
    stuck: stuckText(s),
    recovered: recoveredText(s, dumps) + linkBounce(records, s),
    context:
      esxiText(watchdogs) +
      ringFullBefore(records, s) +
      continuousText(s, events.length) +
      soonAfterLinkUp(records, s) +
      sharedController(records, s) +
      oopsAfter(records, s),
    watchdogs,
    dumps,
    last,
    reading,
    causeKind,
    guest: guestNic(records, { dev, busId: s.busId ?? last?.busId, driver: s.driver ?? last?.driver }),
    panicOnWarn: panicOnWarnNext(records, s),
    cpuStall: cpuStallNear(records, s, dev, queue),
    lost: lostFacts(records, s, firstRec),
  };
}

const sec = (ns: bigint): string => (Number(ns) / 1e9).toFixed(3);

function lostFacts(
  records: readonly KernelRecord[],
  s: TimeoutSeries,
  first: KernelRecord | undefined,
): SeriesFacts['lost'] {
  const lost = deviceLostBefore(records, s);
  return lost ? { sentence: deviceLostText(lost, first), nextSteps: deviceLostNext(lost) } : undefined;
}

/** An ESXi vmkernel.log: the timeout is vmklinux's copy of dev_watchdog(), not the Linux kernel's. */
function esxiText(watchdogs: readonly Extract<KernelRecord, { kind: 'watchdog_timeout' }>[]): string {
  return watchdogs.some((w) => w.esxi)
    ? " The log is ESXi's vmkernel.log: the driver runs under vmklinux (LinNet), whose netdev_watchdog() does what dev_watchdog() does in Linux."
    : '';
}

// tg3_tx_timeout() "transmit timed out, resetting", pcnet32 "…, resetting": the timeout line itself schedules the reset
const RESETTING_RE = /timed out\b.*\bresetting\b/i;
const FLUSHING_RE = /hardware hung\? flushing/;
// iwlwifi restarts the Wi-Fi firmware right after its stuck-queue report
const FW_RESTART_RE = /Microcode SW error detected\.?\s+Restarting/;

/** What the log says the driver did: counted resets/recoveries, a reset announced in the timeout line, or nothing. */
function recoveredText(s: TimeoutSeries, dumps: readonly RingRecord[]): string {
  if (s.recoveries > 0) return `; the driver reset or recovered ${s.recoveries} time(s)`;
  const lines = dumps.flatMap((d) => d.evidence);
  if (lines.some((l) => RESETTING_RE.test(l)))
    return '; the driver announced a reset in its timeout line ("…, resetting")';
  // sky2 of 2.6.1x: sky2_tx_timeout() stops the TX queue's DMA, frees the ring and restarts the prefetch unit
  if (lines.some((l) => FLUSHING_RE.test(l)))
    return '; the driver flushed its TX ring and restarted the queue ("hardware hung? flushing")';
  // the dump's own reading says so (interpretTxHang, iwlwifi): not "no recovery"
  if (lines.some((l) => FW_RESTART_RE.test(l))) return '';
  return '; no recovery is logged';
}

/** How long the queue sat stopped; for one continuous stall, since when nothing left it. */
function stuckText(s: TimeoutSeries): string {
  if (s.maxStuckMs === undefined) return '';
  if (!s.continuous || s.stuckSinceTsBootNs === undefined)
    return `; the queue had been stopped for up to ${Math.round(s.maxStuckMs)} ms`;
  return `: one continuous stall, nothing sent on the queue from ${sec(s.stuckSinceTsBootNs)} s on (${Math.round(s.maxStuckMs)} ms by the last line)`;
}

/** Why the lines are one stall: their "timed out N ms" grew with the time between them. */
function continuousText(s: TimeoutSeries, lines: number): string {
  if (!s.continuous || s.stuckSinceTsBootNs === undefined) return '';
  return (
    ` Each line's "timed out N ms" grew with the time between the lines (stamp − N = ${sec(s.stuckSinceTsBootNs)} s every ` +
    `time): dev_watchdog() found the same trans_start each time, so nothing was sent on this queue in between — the ` +
    `${lines} ndo_tx_timeout() calls did not bring TX back.`
  );
}

/** dev->watchdog_timeo where the driver sets its own (mlx4_en and mlx5e: 15 * HZ); dev_watchdog()'s default is 5 s. */
function watchdogTimeoS(driver: string | undefined): number {
  return driver !== undefined && /^mlx[45]/.test(driver) ? 15 : 5;
}

/**
 * The first NETDEV WATCHDOG within a few seconds past watchdog_timeo of the link coming up: the queue stopped right
 * after link-up and never moved — TX never worked on this link (platform DMA, IOMMU, PCIe or interrupt delivery),
 * not a queue that ran under load and then stalled.
 */
function soonAfterLinkUp(records: readonly KernelRecord[], s: TimeoutSeries): string {
  const first = records.find((r) => r.kind === 'watchdog_timeout' && r.firstLine === s.firstLine);
  if (!first) return '';
  const up = records
    .filter(
      (r): r is Extract<KernelRecord, { kind: 'link_change' }> =>
        r.kind === 'link_change' &&
        r.up &&
        r.firstLine < s.firstLine &&
        // mlx4_en prints the link line, the watchdog names the PCI driver (mlx4_core): the interface decides
        (s.dev !== undefined ? r.dev === s.dev : sameDevice(r, s)),
    )
    .pop();
  const gapNs = up ? logElapsedNs(up, first) : undefined;
  const timeoS = watchdogTimeoS(s.driver);
  if (!up || gapNs === undefined || Number(gapNs) / 1e9 > timeoS + 5) return '';
  return (
    ` The first NETDEV WATCHDOG came ${(Number(gapNs) / 1e9).toFixed(1)} s after the link came up (line ${up.firstLine}), ` +
    `with watchdog_timeo ${timeoS} s for ${s.driver ?? 'this driver'}: the queue stopped within ` +
    `${Math.max(0, Number(gapNs) / 1e9 - timeoS).toFixed(1)} s of link-up and never moved again — TX never worked on ` +
    'this link, which points at the platform (DMA mapping, IOMMU, PCIe, interrupt delivery) rather than at a queue ' +
    'that stalled under load.'
  );
}

// __warn() with panic_on_warn (check_panic_on_warn() since 6.2 prints "kernel: panic_on_warn set ...")
const PANIC_ON_WARN_RE = /panic_on_warn set/;

/** The panic that panic_on_warn made of the watchdog's WARN: the series' next steps start with the sysctl. */
function panicOnWarnNext(records: readonly KernelRecord[], s: TimeoutSeries): string[] {
  const panicked = records.some(
    (r) =>
      r.kind === 'kernel_oops' &&
      PANIC_ON_WARN_RE.test(r.text) &&
      r.firstLine > s.firstLine &&
      r.firstLine <= s.lastLine + 40,
  );
  return panicked
    ? [
        "`sysctl kernel.panic_on_warn` (and panic_on_warn= on the kernel command line; fuzzing and some hardened kernels set it): while it is 1, every TX timeout reboots the machine — clear it to let the driver's ndo_tx_timeout() run and see whether the queue comes back",
      ]
    : [];
}

/** A kernel crash within a few dozen lines after the series: the driver's recovery (reset, service task) oopsing. */
function oopsAfter(records: readonly KernelRecord[], s: TimeoutSeries): string {
  const oops = records.find(
    (r): r is Extract<KernelRecord, { kind: 'kernel_oops' }> =>
      r.kind === 'kernel_oops' && r.firstLine > s.firstLine && r.firstLine <= s.lastLine + 40,
  );
  if (!oops) return '';
  if (PANIC_ON_WARN_RE.test(oops.text))
    return (
      ` Then the kernel panicked on dev_watchdog()'s own warning (line ${oops.firstLine}: "${oops.text}"): with ` +
      'kernel.panic_on_warn set, the WARN that reports the timeout is a panic (__warn() → panic()), so the machine went ' +
      'down at the first TX timeout, before ndo_tx_timeout() ran — no driver recovery crashed, none was tried.'
    );
  const where = [oops.rip ? `in ${oops.rip}` : '', oops.workqueue ? `from workqueue ${oops.workqueue}` : '']
    .filter((x) => x !== '')
    .join(', ');
  const inDriver = s.driver !== undefined && oops.rip?.includes(`[${s.driver}]`);
  return (
    ` Then the kernel crashed (line ${oops.firstLine}: "${oops.text}"${where ? `, ${where}` : ''})` +
    (inDriver
      ? `: the crash is in ${s.driver}'s own code right after its recovery started — the recovery took the host down, not only the queue.`
      : ': a crash this close after the timeout most likely came from the recovery; the host went down, not only the queue.')
  );
}

/**
 * Other interfaces of the same controller (one bus id: mtk_eth_soc's GMACs share 1e100000.ethernet and its frame
 * engine's DMA) that timed out in the same log.
 */
function sharedController(records: readonly KernelRecord[], s: TimeoutSeries): string {
  if (s.busId === undefined || s.dev === undefined) return '';
  const others = new Set<string>();
  for (const r of records)
    if (r.kind === 'watchdog_timeout' && r.busId === s.busId && r.dev !== undefined && r.dev !== s.dev)
      others.add(r.dev);
  if (others.size === 0) return '';
  return (
    ` ${[...others].join(', ')} on the same controller (${s.busId}${s.driver ? `, ${s.driver}` : ''}) timed out in ` +
    'this log too: interfaces of one controller that stall together point at what they share (its DMA engine, ' +
    'its reset) rather than at one port.'
  );
}

/**
 * The link going down and back up right after a series (a driver's reset re-runs its PHY bring-up: r8125/r8168,
 * stmmac, igb): when the log shows it, how long the link stayed down.
 */
function linkBounce(records: readonly KernelRecord[], s: TimeoutSeries): string {
  const links = records.filter(
    (r): r is Extract<KernelRecord, { kind: 'link_change' }> =>
      r.kind === 'link_change' && r.firstLine > s.firstLine && r.firstLine <= s.lastLine + 10 && sameDevice(r, s),
  );
  const down = links.find((r) => !r.up);
  const up = down && links.find((r) => r.up && r.firstLine > down.firstLine);
  if (!down || !up) return '';
  const gapNs = logElapsedNs(down, up);
  const gap = gapNs !== undefined ? ` ${(Number(gapNs) / 1e9).toFixed(1)} s later` : '';
  return `; the link went down (line ${down.firstLine}) and came back up${gap} (line ${up.firstLine})`;
}

/** dev_watchdog() fired: the series of NETDEV WATCHDOG lines of one device and queue. */
function watchdogFinding(f: SeriesFacts, source: string): Finding {
  const { dev, where, reading } = f;
  return {
    kind: 'watchdog_timeout',
    severity: 'critical',
    dev,
    queue: f.queue,
    startNs: f.startNs,
    endNs: f.endNs,
    ...f.logWall,
    title: `NETDEV WATCHDOG: ${where} timed out ${f.count} time(s)${f.every}${f.stuck}`,
    explanation:
      `dev_watchdog() (net/sched/sch_generic.c) found ${where} stopped with trans_start older than watchdog_timeo ` +
      (f.panicOnWarn.length > 0
        ? "and warned (the WARN comes before its call to the driver's ndo_tx_timeout())"
        : `and called the driver's ndo_tx_timeout()${f.recovered}`) +
      `.${f.lost?.sentence ?? ''}${f.context}${f.cpuStall?.sentence ?? ''}${f.guest?.sentence ?? ''} ` +
      (reading
        ? `The driver's dump reads: ${reading.summary}`
        : f.lost
          ? ''
          : 'The log holds no ring dump, so it cannot say which side of the ring stopped: the queue was stopped by the driver (ring full or flow control) and never woken.'),
    evidence: [
      ...f.watchdogs.slice(0, 4).map((w) => evidenceOf(w, source)),
      ...f.dumps.slice(0, 2).map((d) => evidenceOf(d, source)),
    ],
    nextSteps: f.lost
      ? [...f.panicOnWarn, ...f.lost.nextSteps]
      : [...f.panicOnWarn, ...(f.cpuStall ? [f.cpuStall.nextStep] : []), ...watchdogNext(f, dev)],
  };
}

function watchdogNext(f: SeriesFacts, dev: string): string[] {
  const { reading, causeKind } = f;
  return f.watchdogs.some((w) => w.esxi)
    ? esxiNext(dev)
    : f.guest
      ? [...f.guest.nextSteps, CAPTURE_NEXT(dev)]
      : f.last?.kind === 'tx_timeout_dump' && f.last.format === 'ipoib'
        ? ipoibNext(dev)
        : reading && causeKind
          ? causeNext(causeKind, f.last, dev)
          : [CAPTURE_NEXT(dev)];
}

const CAPTURE_NEXT = (dev: string): string =>
  `the log alone cannot tell a stuck NIC from a lost completion interrupt: record napi:napi_poll, net:net_dev_xmit and skb:consume_skb (txreplay capture --dev ${dev}) through the next stall`;

/** The next steps for a cause, with the driver's own where it has them. */
function causeNext(kind: FindingKind, last: RingRecord | undefined, dev: string): string[] {
  const generic = CAUSE_NEXT[kind] ?? [];
  if (last?.kind === 'tx_timeout_dump' && last.format === 'bnx2x_panic' && kind === 'stuck_dma')
    return [
      `\`ethtool -d ${dev}\` right after such a dump (the register dump the bnx2x maintainers ask for) and \`ethtool -i ${dev}\` (the storm/mbi firmware versions)`,
      `what was being sent just before: a TSO/GSO skb the firmware cannot parse (encapsulation rewritten by a tc/BPF program, say) hangs it on every ring; \`ethtool -K ${dev} tso off\` tells whether TSO is the trigger`,
    ];
  if (last?.kind === 'tx_hang_dump' && last.driver === 'e1000e' && kind === 'stuck_dma') return e1000eNext(dev, last);
  if (last?.kind === 'tx_timeout_dump' && last.format === 'iwlwifi') return IWLWIFI_NEXT;
  if (last?.kind !== 'tx_timeout_dump' || last.format !== 'tg3') return generic;
  if (kind === 'doorbell_not_rung')
    return [
      `check whether the running kernel carries "tg3: Fix the TX ring stall" (netdev, November 2023: the send mailbox written on every return of tg3_start_xmit()); until it does, \`ethtool -K ${dev} tso off\` keeps GSO skbs out of tg3_tso_bug() — the stack segments them before the driver`,
      `a "BUG! Tx Ring full when queue awake!" line from ${dev} before the timeout is the other early return that skips the mailbox`,
    ];
  if (kind === 'stuck_dma')
    return [
      `\`ethtool -i ${dev}\` (chip and bootcode/firmware) and PCIe errors around the timeout (dmesg | grep -iE "AER|DMAR|iommu"); a NIC that stalls this way again with every offload off points at the chip or its slot`,
      ...generic.slice(1),
    ];
  return generic;
}

/**
 * e1000e's "Detected Hardware Unit Hang" with the head behind the tail: the long-standing hang of Intel's
 * LAN-on-motherboard parts (I217/I218/I219, at 00:19.0 or 00:1f.6 of the chipset) under sustained full-rate TX, which
 * the field works around with TSO (then GSO) off.
 */
function e1000eNext(dev: string, last: RingRecord): string[] {
  const lom = last.busId !== undefined && /:00:(?:19\.0|1f\.6)$/.test(last.busId);
  return [
    `\`ethtool -K ${dev} tso off\` (then \`gso off\` if it comes back): the known workaround for e1000e's hardware unit hang under sustained full-rate TX${lom ? `; ${last.busId} is the chipset's LAN-on-motherboard port (I217/I218/I219), the part it is reported on` : ''}`,
    `\`ethtool -i ${dev}\` (driver, NVM and firmware versions) and PCIe errors around the dump (dmesg | grep -iE "AER|DMAR|iommu")`,
  ];
}

/** iwlwifi's stuck queue is the Wi-Fi firmware's: its version, and the dump Intel's developers ask for. */
const IWLWIFI_NEXT = [
  'the firmware: the "Loaded firmware version:" line after the restart and the linux-firmware package — a firmware that hangs on TX is what users change (another iwlwifi-*.ucode, a linux-firmware update or rollback); an intel-ucode or kernel update just before is the other suspect',
  'the error-log dump after "Start IWL Error Log Dump:" (its first lines: the assert code such as NMI_INTERRUPT_UNKNOWN, the firmware version) is what a report to the iwlwifi maintainers needs; `iw dev` and the AP the station was on say whether one AP or every one triggers it',
];

/** ESXi runs the driver under vmklinux: no tracepoints, no perf; its own tools and logs say what the uplink did. */
function esxiNext(dev: string): string[] {
  return [
    `\`esxcli network nic get -n ${dev}\` (driver and firmware versions) and \`esxcli network nic stats get -n ${dev}\` twice during the stall (packets sent, TX errors and drops that move or not)`,
    `vmkernel.log lines of ${dev}'s driver around the first timeout say what its tx_timeout did; vobd.log's vob.net.uplink.watchdog.timeout lines give the same timeouts from the uplink's side`,
  ];
}

/** IPoIB has no ring to dump: what tells an HCA that stopped sending from a send CQ whose event was lost. */
function ipoibNext(dev: string): string[] {
  return [
    `the HCA side: \`ibstat\` (port state, rate) and the port's counters twice (/sys/class/infiniband/*/ports/*/counters/port_xmit_wait, port_xmit_discards): a port that still sends while ${dev}'s sends never complete points at the send CQ's completion event`,
    `the completion side: the HCA's completion vectors in /proc/interrupts twice during the stall (a count that stops while tx_head moves is a lost event), and \`cat /sys/class/net/${dev}/mode\` (datagram or connected: connected mode sends over its own QPs, the global counters)`,
  ];
}

/**
 * A ring whose head and next_to_clean are both still 0 never ran since it was set up: the questions are who owns the
 * NIC and whether the queue was ever enabled, not PCIe faults of a NIC that stopped mid-flow.
 */
function freshRingNext(dev: string, driver: string | undefined): string[] {
  return [
    `\`ethtool -i ${dev}\` and \`lsmod\`: one driver bound to the NIC — an out-of-tree build (an AVB igb, a netmap-patched driver, a vendor package) loaded beside the in-kernel one, or a user-space driver that took the device, leaves rings that nobody started`,
    driver === 'igb'
      ? `\`ethtool -d ${dev}\` while it hangs: the queue's TXDCTL enable bit and, on an i210, whether queues 0–1 carry a credit-based shaper or launch-time setup that holds them`
      : `\`ethtool -d ${dev}\` while it hangs: the queue's TXDCTL enable bit (set when the ring is configured)`,
  ];
}

/** Other queues of the device whose last dump shows a ring that never started: one TX unit that never ran. */
function otherFreshQueues(records: readonly KernelRecord[], last: RingRecord): number[] {
  const queues = new Set<number>();
  for (const r of records) {
    if (r.kind !== 'tx_hang_dump' || r === last || r.queue === undefined || r.queue === last.queue) continue;
    if (!sameDevice(r, last)) continue;
    if (r.hwHead === 0 && r.nextToClean === 0 && (r.hwTail ?? 0) > 0) queues.add(r.queue);
  }
  return [...queues].sort((a, b) => a - b);
}

/** Which side of the ring stopped, from the driver's last dump. */
function titleOf(kind: FindingKind, last: RingRecord, reading: TxHangInterpretation): string {
  if (kind === 'stuck_dma' && last.kind === 'tx_timeout_dump' && last.format === 'iwlwifi')
    return "the Wi-Fi firmware stopped taking frames from this TX queue (hardware read pointer stuck behind the driver's write)";
  if (reading.freshRing)
    return 'the NIC never started this TX ring (head and next_to_clean still at 0 since the ring was set up)';
  if (kind === 'stuck_dma' && last.hwHead !== undefined && last.hwHead === last.hwTail)
    return 'the NIC fetched the TX descriptors and never completed them (head at the tail, completion never written back)';
  return CAUSE_TITLE[kind] ?? kind;
}

function freshElsewhere(records: readonly KernelRecord[], last: RingRecord): string {
  if (last.kind !== 'tx_hang_dump' || last.hwHead !== 0 || last.nextToClean !== 0) return '';
  const others = otherFreshQueues(records, last);
  if (others.length === 0) return '';
  return ` The log shows the same on queue${others.length > 1 ? 's' : ''} ${others.join(', ')} of this device: its TX unit as a whole never started, not one ring.`;
}

function causeFinding(
  records: readonly KernelRecord[],
  f: SeriesFacts,
  last: RingRecord,
  reading: TxHangInterpretation,
  kind: FindingKind,
  source: string,
): Finding {
  return {
    kind,
    severity: 'critical',
    dev: f.dev,
    queue: last.queue ?? f.queue,
    // the ring was already stuck at the first dump of the series; the last dump says which side stopped
    startNs: f.startNs,
    endNs: f.endNs,
    ...f.logWall,
    title: `${f.where}: ${f.guest?.emulated ? titleOf(kind, last, reading).replace(/^the NIC\b/, "the hypervisor's emulated NIC") : titleOf(kind, last, reading)}`,
    // interpretTxHang's summary already says how often and whether the ring moved between dumps
    explanation:
      reading.summary +
      freshElsewhere(records, last) +
      (kind === 'stuck_dma' ? dmaFaultText(records, last.busId) : '') +
      (f.cpuStall?.sentence ?? '') +
      (f.guest?.sentence ?? '') +
      (reading.recovery.length > 0 ? ` Afterwards: ${reading.recovery.join('; ')}.` : ''),
    evidence: f.dumps.slice(-2).map((d) => evidenceOf(d, source)),
    nextSteps: f.cpuStall
      ? [f.cpuStall.nextStep, ...causeNext(kind, last, f.dev)]
      : f.guest
        ? [...f.guest.nextSteps, ...(CAUSE_NEXT[kind] ?? []).slice(1)]
        : reading.freshRing && last.driver !== 'e1000e'
          ? freshRingNext(f.dev, last.driver)
          : causeNext(kind, last, f.dev),
  };
}

/** A dump the log cannot attribute (no hardware head, ring idle) and no watchdog line: still a TX hang the driver saw. */
function driverHangFinding(f: SeriesFacts, source: string): Finding {
  return {
    kind: 'watchdog_timeout',
    severity: 'critical',
    dev: f.dev,
    queue: f.queue,
    startNs: f.startNs,
    endNs: f.endNs,
    ...f.logWall,
    title: f.reading?.staleEntry
      ? `${f.where}: the driver's hang check fired ${f.count} time(s)${f.every} on an empty TX ring (a stale entry, no packet stuck) and stopped the queue`
      : `${f.where}: the driver detected a TX hang ${f.count} time(s)${f.every}`,
    explanation: `${(f.reading?.summary ?? '').replace(/\.$/, '')}${f.recovered}.${f.cpuStall?.sentence ?? ''}`,
    evidence: f.dumps.slice(0, 3).map((d) => evidenceOf(d, source)),
    nextSteps: f.reading?.staleEntry
      ? [
          `\`ethtool -i ${f.dev}\` (driver version): an igc whose hang check also asks for TDH ≠ tail does not report an empty ring; until then an adapter reset (\`ip link set ${f.dev} down; ip link set ${f.dev} up\`) brings the queue back`,
          `\`ip -s link show ${f.dev}\` twice: TX packets that still move on other queues while this one stays stopped confirm it is the report, not the NIC`,
        ]
      : f.last?.kind === 'tx_timeout_dump' && f.last.format === 'iwlwifi'
        ? IWLWIFI_NEXT
        : [
            ...(f.cpuStall ? [f.cpuStall.nextStep] : []),
            'record napi:napi_poll, net:net_dev_xmit and skb:consume_skb through the next stall to tell a stuck NIC from a lost interrupt',
          ],
  };
}

function seriesFindings(s: TimeoutSeries, records: readonly KernelRecord[], source: string): Finding[] {
  const f = seriesFacts(s, records);
  const out: Finding[] = [];
  if (f.watchdogs.length > 0) out.push(watchdogFinding(f, source));
  if (f.last && f.reading && f.causeKind) out.push(causeFinding(records, f, f.last, f.reading, f.causeKind, source));
  else if (f.last && f.watchdogs.length === 0) out.push(driverHangFinding(f, source));
  return out;
}

function neighFindings(records: readonly KernelRecord[], source: string): Finding[] {
  const overflow = records.filter((r) => r.kind === 'neigh_table_overflow');
  if (overflow.length === 0) return [];
  const first = overflow[0]!;
  const last = overflow[overflow.length - 1]!;
  const tables = [...new Set(overflow.flatMap((r) => (r.kind === 'neigh_table_overflow' && r.table ? [r.table] : [])))];
  return [
    {
      kind: 'neigh_table_overflow',
      severity: 'warning',
      dev: '(neighbour table)',
      queue: null,
      ...logSpan(first, last),
      title: `neighbour table overflow${tables.length ? ` (${tables.join(', ')})` : ''} logged ${overflow.length} time(s): ENOBUFS from the neighbour layer, not from a TX queue`,
      explanation:
        'neigh_alloc() (net/core/neighbour.c) found the table at gc_thresh3 and forced garbage collection freed nothing, so ' +
        '__neigh_create() returned -ENOBUFS and ip_finish_output2() dropped the packet (kfree_skb reason NEIGH_CREATEFAIL). ' +
        'Applications see "No buffer space available" although no qdisc or TX ring is full.',
      evidence: overflow.slice(0, 3).map((r) => evidenceOf(r, source)),
      nextSteps: [
        'compare `ip -4 neigh show | wc -l` (and -6) with net.ipv4.neigh.default.gc_thresh3; raise gc_thresh1/2/3 or use static entries for the busiest peers',
        'capture skb:kfree_skb: reason NEIGH_CREATEFAIL confirms this path, QDISC_DROP would point at the qdisc instead',
      ],
    },
  ];
}

const isTimeoutRecord = (r: KernelRecord): boolean =>
  r.kind === 'watchdog_timeout' || r.kind === 'tx_hang_dump' || r.kind === 'tx_timeout_dump';

/**
 * Fill in what a pasted excerpt cut off, where the rest of the log leaves one reading: a dump whose header line
 * (with the device) is outside the excerpt belongs to the one device the log's timeouts name; a record without a
 * queue (old "transmit timed out", e1000e dumps) belongs to the one queue the device's other records name.
 */
function completeFromContext(input: readonly KernelRecord[]): KernelRecord[] {
  // `igb 0000:02:00.1: Detected Tx Unit Hang` names the bus id only; its link lines (`igb 0000:02:00.1 enp2s0f1: …`)
  // give the interface the user knows the device by
  const ifnameOf = new Map<string, string>();
  for (const r of input) {
    const d = r as DeviceNamed;
    if (d.busId !== undefined && d.dev !== undefined) ifnameOf.set(`${d.driver ?? ''}/${d.busId}`, d.dev);
  }
  const records = input.map((r): KernelRecord => {
    const d = r as DeviceNamed;
    // a headerless dump's driver is 'unknown' (RingDumpCommon.driver is required): not a name
    const x = d.driver === 'unknown' ? ({ ...r, driver: undefined } as KernelRecord) : r;
    const dev = d.busId !== undefined && d.dev === undefined ? ifnameOf.get(`${d.driver ?? ''}/${d.busId}`) : undefined;
    return dev !== undefined ? ({ ...x, dev } as KernelRecord) : x;
  });
  const named = records.filter((r) => {
    const d = r as DeviceNamed;
    return isTimeoutRecord(r) && (d.dev !== undefined || d.busId !== undefined || d.driver !== undefined);
  });
  const devices = new Set(named.map((r) => logDeviceName(r as DeviceNamed)));
  const onlyDevice = devices.size === 1 ? (named[0] as DeviceNamed) : undefined;
  const out = records.map((r): KernelRecord => {
    if (!(isTimeoutRecord(r) || r.kind === 'tx_recovery') || !onlyDevice) return r;
    const d = r as DeviceNamed;
    if (d.dev !== undefined || d.busId !== undefined || (d.driver !== undefined && d.driver !== onlyDevice.driver))
      return r;
    return {
      ...r,
      dev: onlyDevice.dev,
      busId: onlyDevice.busId,
      driver: d.driver ?? onlyDevice.driver,
    } as KernelRecord;
  });
  return out.map((r): KernelRecord => {
    if (!isTimeoutRecord(r) || (r as { queue?: number }).queue !== undefined) return r;
    const queues = new Set(
      out
        .filter((x) => isTimeoutRecord(x) && sameDevice(x as DeviceNamed, r as DeviceNamed))
        .flatMap((x) => {
          const q = (x as { queue?: number }).queue;
          return q === undefined ? [] : [q];
        }),
    );
    return queues.size === 1 ? ({ ...r, queue: [...queues][0] } as KernelRecord) : r;
  });
}

/**
 * i40e/ice print "tx_timeout recovery level N" from their ndo_tx_timeout(): a pasted log that kept only that line
 * still shows dev_watchdog fired on the device.
 */
function recoveryOnlyFindings(
  records: readonly KernelRecord[],
  covered: readonly TimeoutSeries[],
  source: string,
): Finding[] {
  const out: Finding[] = [];
  for (const r of records) {
    if (r.kind !== 'tx_recovery' || r.action !== 'recovery_level') continue;
    if (
      covered.some((s) => sameDevice(s, r) && (s.queue === undefined || r.queue === undefined || s.queue === r.queue))
    )
      continue;
    const dev = logDeviceName(r);
    out.push({
      kind: 'watchdog_timeout',
      severity: 'critical',
      dev,
      queue: r.queue ?? null,
      ...logSpan(r, r),
      title: `${dev}${r.driver ? ` (${r.driver})` : ''}: TX timeout handled at recovery level ${r.level}${r.queue !== undefined ? ` on queue ${r.queue}` : ''}`,
      explanation:
        `The driver's ndo_tx_timeout() (i40e_tx_timeout/ice_tx_timeout) logs its recovery level, so dev_watchdog() ` +
        `found a TX queue of ${dev} stopped past watchdog_timeo; level ${r.level} means ${r.level === 1 ? 'a PF reset' : r.level === 2 ? 'a core reset' : 'a global reset'}. ` +
        'The NETDEV WATCHDOG line and the ring dump are not in this log, so it cannot say which side of the ring stopped.',
      evidence: [evidenceOf(r, source)],
      nextSteps: [
        'find the NETDEV WATCHDOG line and the "tx_timeout: VSI_seid … NTC … HWB … NTU … TAIL" dump in the full log: they say whether the NIC or the completion path stopped',
      ],
    });
  }
  return out;
}

/**
 * r8169's reset path polling the TX side (rtl_txcfg_empty_cond: TXCFG_EMPTY never set). rtl_rxtx_empty_cond alone
 * (RX and TX, after a watchdog that then recovers for hours: fixtures/public/13) is not taken as a wedged TX engine.
 */
const RTL_TX_FIFO_WAIT = /rtl_txcfg_empty_cond == 0/;

/**
 * r8169 prints `rtl_txcfg_empty_cond == 0 (loop: 42, delay: 100)` when rtl_wait_txrx_fifo_empty() /
 * rtl8169_cleanup() (drivers/net/ethernet/realtek/r8169_main.c) gave up waiting for the TX FIFO to drain during a
 * reset: descriptors are still inside the MAC and it does not send them. Repeated, it is a TX engine that resets
 * do not unwedge — a stuck NIC, whatever the watchdog lines around it say.
 */
function fifoWedgeFindings(records: readonly KernelRecord[], source: string): Finding[] {
  const waits = records.filter(
    (r): r is TxRecoveryRecord => r.kind === 'tx_recovery' && RTL_TX_FIFO_WAIT.test(r.text ?? ''),
  );
  const out: Finding[] = [];
  for (const dev of [...new Set(waits.map(logDeviceName))]) {
    const mine = waits.filter((r) => logDeviceName(r) === dev);
    const first = mine[0]!;
    const last = mine[mine.length - 1]!;
    const spanNs = logElapsedNs(first, last);
    const every =
      mine.length > 1 && spanNs !== undefined
        ? `, every ${(Number(spanNs) / 1e9 / (mine.length - 1)).toFixed(1)} s`
        : '';
    out.push({
      kind: 'stuck_dma',
      severity: 'critical',
      dev,
      queue: null,
      ...logSpan(first, last),
      title: `${dev}${first.driver ? ` (${first.driver})` : ''}: the TX FIFO never drained during ${mine.length} reset(s)${every}: the MAC's TX engine is wedged`,
      explanation:
        `r8169's reset path waits for the chip's TX FIFO to empty (rtl_txcfg_empty_cond / rtl_rxtx_empty_cond, ` +
        `42 polls of 100 µs) and logs "== 0" when it gives up: frames handed to the MAC were never sent. It happened ` +
        `${mine.length} time(s)${every}, so the resets did not bring the transmitter back — the NIC stopped ` +
        `processing its TX ring (§I.2); the NETDEV WATCHDOG lines that trigger these resets are its symptom.`,
      evidence: mine.slice(0, 3).map((r) => evidenceOf(r, source)),
      nextSteps: [
        'check the r8169 chip version (dmesg "RTL8168… XID") against known TX hangs; try disabling ASPM (pcie_aspm=off) and TSO/SG (ethtool -K DEV tso off sg off)',
        'record napi:napi_poll, net:net_dev_xmit and skb:consume_skb through the next stall (txreplay capture --dev DEV)',
      ],
    });
  }
  return out;
}

/** Findings a kernel log supports on its own, in the order they happened. */
export function findingsFromKernelLog(input: readonly KernelRecord[], source: string): Finding[] {
  const records = completeFromContext(input);
  const out: Finding[] = [];
  // one series per device and queue, however differently its records name the device (ifname vs PCI address)
  const series = summarizeTimeouts(records).filter(
    (s, i, all) => all.findIndex((o) => sameDevice(o, s) && o.queue === s.queue) === i,
  );
  for (const s of series) out.push(...seriesFindings(s, records, source));
  out.push(...recoveryOnlyFindings(records, series, source));
  out.push(...interruptDeliveryFindings(records, series, source));
  out.push(...deviceLostFindings(records, series, source));
  out.push(...resetOnlyFindings(records, series, source));
  out.push(...linkLossFindings(records, source));
  out.push(...mddFindings(records, source));
  out.push(...fifoWedgeFindings(records, source));
  out.push(...stallKickFindings(records, source));
  out.push(...ringFullFindings(records, source));
  out.push(...usbTxFindings(records, source));
  out.push(...neighFindings(records, source));
  return out.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
}
