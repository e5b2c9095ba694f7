/**
 * Types of the kernel-log reader: one envelope-stripped line, and the records grouped from them.
 * Pure data; no I/O.
 */

/**
 * The envelope a kernel message came in. Names follow the tool that writes it:
 * dmesg (`[  123.456789] msg`), dmesg -r / Android (`<4>[  123.456789] msg`), dmesg -T, dmesg -d/--reltime deltas,
 * dmesg --time-format=iso, dmesg -x (`kern  :warn  : ` before any of these),
 * /dev/kmsg (`6,339,5140900,-;msg`), RFC 3164 syslog (`Dec  7 10:11:12 host kernel: msg`, kern.log, /var/log/messages),
 * syslog with an ISO stamp (rsyslog high precision), RFC 5424, journalctl -k short / short-iso / short-monotonic /
 * short-full / -o json, OpenWrt logread, talosctl dmesg, and bare messages (no envelope at all).
 */
export type KernelLogShape =
  | 'dmesg'
  | 'dmesg-raw'
  | 'dmesg-T'
  | 'dmesg-delta'
  | 'dmesg-iso'
  | 'kmsg'
  | 'syslog'
  | 'syslog-iso'
  | 'rfc5424'
  | 'journal-short'
  | 'journal-short-iso'
  | 'journal-short-monotonic'
  | 'journal-short-full'
  | 'journal-short-unix'
  | 'journal-json'
  | 'dmesg-json'
  | 'logread'
  | 'talos'
  | 'vmkernel'
  | 'bare';

/** One source line with its envelope taken off. */
export interface KernelLine {
  /** 1-based line number in the input (a journal JSON MESSAGE with embedded newlines gives several lines with one number). */
  lineNo: number;
  /** The line as read, paste prefix and all. */
  raw: string;
  shape: KernelLogShape;
  /** Time since boot from `[  123.456789]`, /dev/kmsg or the journal's monotonic stamp (printk's local_clock()). */
  tsBootNs?: bigint;
  /** Wall time in µs since the Unix epoch, only when the envelope says year and zone (RFC 5424, ISO with offset, journal JSON). */
  wallTimeUs?: bigint;
  /** Wall time as written (dmesg -T, syslog, journal short…), also when it lacks year or zone. */
  wall?: string;
  host?: string;
  /** printk level 0 (KERN_EMERG) … 7 (KERN_DEBUG), from `<4>`, RFC 5424 PRI, journal PRIORITY or logread `kern.warn`. */
  level?: number;
  /** Syslog identifier (`kernel` for kernel lines); absent for dmesg-style shapes, which hold only kernel messages. */
  ident?: string;
  /** printk caller id `[ T123]` / `[   C28]` (CONFIG_PRINTK_CALLER). */
  caller?: string;
  /** True when the line had no envelope of its own and continues the previous message (multi-line printk). */
  continuation: boolean;
  /** The message text after the envelope (leading spaces of a continuation line kept). */
  message: string;
}

/** Where a record came from in the input: first and last source line and the raw lines themselves. */
export interface RecordSpan {
  firstLine: number;
  lastLine: number;
  tsBootNs?: bigint;
  wall?: string;
  wallTimeUs?: bigint;
  host?: string;
  /**
   * The log is an ESXi vmkernel.log: the driver runs under vmklinux, where neither tracepoints nor perf exist, so the
   * next steps are ESXi's own tools.
   */
  esxi?: true;
  /** The raw source lines of the record, in order (evidence to quote back). */
  evidence: string[];
}

/** The device a driver message names: `igb 0000:01:00.0 eth0:` → driver igb, busId 0000:01:00.0, dev eth0. */
export interface DeviceRef {
  driver?: string;
  busId?: string;
  dev?: string;
}

/** dev_watchdog() in net/sched/sch_generic.c found a stopped TX queue whose trans_start is older than watchdog_timeo. */
export interface WatchdogTimeoutRecord extends RecordSpan, DeviceRef {
  kind: 'watchdog_timeout';
  dev: string;
  queue?: number;
  /** jiffies_to_msecs(jiffies - trans_start), printed since v6.5. */
  timedOutMs?: number;
  /** CPU that ran the watchdog timer (netdev_crit form since v6.8, or the WARNING line before). */
  cpu?: number;
  /** The sch_generic.c line of the WARN_ONCE, when the WARNING line was there. */
  warnAt?: string;
}

/**
 * A descriptor-ring dump a driver prints when it finds a TX ring stuck. All ring numbers are descriptor indexes
 * in the driver's own terms; `fields` holds every number as printed (hex unless the driver prints decimal).
 */
interface RingDumpCommon extends RecordSpan, DeviceRef {
  driver: string;
  queue?: number;
  /** Hardware head: TDH (Intel), HWB/HW_HEAD write-back head (i40e, ice, hns3). */
  hwHead?: number;
  /** Hardware tail: TDT / TAIL / HW_TAIL — the last descriptor the driver handed to the NIC. */
  hwTail?: number;
  /** Driver producer index: next_to_use / NTU / SW_NTU / SQ Prod / cur_tx. */
  nextToUse?: number;
  /** Driver consumer index: next_to_clean / NTC / SW_NTC / SQ Cons / dirty_tx. */
  nextToClean?: number;
  /** Every parsed number, keyed by the name the driver prints. */
  fields: Record<string, bigint>;
}

/**
 * Intel "Detected Tx Unit Hang" (igb, ixgbe, e1000, fm10k, igc: *_clean_tx_irq) and e1000e "Detected Hardware Unit Hang"
 * (e1000_print_hw_hang) blocks.
 */
export interface TxHangDumpRecord extends RingDumpCommon {
  kind: 'tx_hang_dump';
  variant: 'tx_unit_hang' | 'hardware_unit_hang';
  /** The header line was not in the input (cut by grep or the paste); the block started at `Tx Queue` / `TDH`. */
  headerless?: boolean;
  /** ixgbe prints " (XDP)" for an XDP ring (ixgbe_clean_tx_irq, 4.15–5.x). */
  xdp?: boolean;
  /** buffer_info[next_to_clean].time_stamp: jiffies when that descriptor was queued. */
  timeStampJiffies?: bigint;
  /** jiffies when the check ran. */
  jiffies?: bigint;
  nextToWatch?: bigint;
}

/** Driver ndo_tx_timeout dumps: i40e/ice, mlx5e, hns3, virtio_net, pcnet32, bnxt, tg3, and the generic one-liners. */
export interface TxTimeoutDumpRecord extends RingDumpCommon {
  kind: 'tx_timeout_dump';
  /** Which printk it was: 'i40e' (tx_timeout: VSI_seid…), 'ice', 'mlx5e', 'hns3', 'virtio_net', 'pcnet32', 'bnxt', 'mtk_eth', 'ipoib', 'tg3' (tg3_dump_state()), 'sky2', 'bnx2x_panic' (bnx2x_panic_dump()), 'generic'. */
  format:
    | 'i40e'
    | 'ice'
    | 'mlx5e'
    | 'hns3'
    | 'virtio_net'
    | 'pcnet32'
    | 'bnxt'
    | 'mtk_eth'
    | 'ipoib'
    | 'tg3'
    | 'sky2'
    | 'bnx2x_panic'
    | 'iwlwifi'
    | 'generic';
  /** Time since the queue last transmitted, when the driver prints it (mlx5e usecs since last trans, virtio usecs ago, hns3 delta msecs). */
  sinceLastTransUs?: number;
  /** The driver's own timeout counter (hns3 tx_timeout count, ixgbe tx hang N). */
  count?: number;
  /** The driver's own reading, as it printed it (sky2 of 2.6.1x: "hardware hung? flushing", "status report lost?"). */
  driverVerdict?: string;
}

/** What the driver did about it: i40e/ice recovery level, mlx5e EQ recovery, resets. */
export interface TxRecoveryRecord extends RecordSpan, DeviceRef {
  kind: 'tx_recovery';
  action: 'recovery_level' | 'eq_recovered' | 'eq_dump' | 'reset' | 'recovery_failed';
  queue?: number;
  /** i40e/ice tx_timeout_recovery_level (1 PF reset, 2 core reset, 3 global reset). */
  level?: number;
  /** mlx5e_health_channel_eq_recover: EQEs found pending on the EQ — interrupts that were never serviced. */
  eqes?: number;
  eqn?: number;
  /** EQ consumer index and IRQ number from the EQ dump. */
  eqCons?: number;
  irqn?: number;
  /** ixgbe/fm10k "tx hang N detected": the driver's running count. */
  count?: number;
  /**
   * Why the driver asked for the reset, when its line says: 'link_loss' is ixgbe_watchdog_flush_tx() "initiating reset
   * to clear Tx work after link loss" (carrier off while a TX ring still held descriptors).
   */
  reason?: 'link_loss';
  text: string;
}

export interface LinkChangeRecord extends RecordSpan, DeviceRef {
  kind: 'link_change';
  dev: string;
  up: boolean;
  speedMbps?: number;
  duplex?: 'full' | 'half';
  flowControl?: string;
}

export interface NeighOverflowRecord extends RecordSpan {
  kind: 'neigh_table_overflow';
  /** arp_cache / ndisc_cache, when printed (neigh_alloc, v4.x+). */
  table?: string;
}

/**
 * An application's "No buffer space available" (ENOBUFS) pasted beside the kernel lines (`ping: sendto: No buffer
 * space available`): the symptom, with no word on which layer refused the packet.
 */
export interface AppEnobufsRecord extends RecordSpan {
  kind: 'app_enobufs';
  /** the program and the call that failed, as printed (`ping`, `sendto`) */
  program?: string;
  call?: string;
  /**
   * which ping printed it, from its other lines (iputils: `icmp_seq=`, `56(84) bytes of data`, `sendmsg:`; busybox
   * and netkit: `seq=`, `56 data bytes`): iputils retries a refused send silently and prints this only after its
   * linger time; the others print it at the first refusal
   */
  ping?: 'iputils' | 'other';
}

/**
 * A driver's own TX-stall check found a queue whose completions had stopped with descriptors outstanding and kicked
 * the hardware again, without a reset: macb's `TX stall detected on queue %u (tail=%u head=%u); re-kicking TSTART`
 * (Raspberry Pi's rpi-6.18.y and Talos carry it: raspberrypi/linux #7340, a per-queue delayed work that calls
 * macb_tx_restart() when tx_tail has not moved for ≥ 1 s while the ring is not empty). macb has no ndo_tx_timeout, so
 * dev_watchdog() never reports its stalls: this line is the only trace they leave in the log.
 */
export interface TxStallKickRecord extends RecordSpan, DeviceRef {
  kind: 'tx_stall_kick';
  driver: string;
  queue: number;
  /** queue->tx_tail (consumer) and tx_head (producer): free-running u32 counters, the ring slot is value & (size − 1) */
  tail: number;
  head: number;
  /** head − tail (mod 2^32): descriptors posted to the ring and not completed when the check ran */
  outstanding: number;
}

/**
 * A USB network adapter's TX transfer failed: r8152/ax88179_178a write_bulk_callback() "Tx status %d" (pegasus "TX
 * status %d"). Every packet aggregated into that URB is counted in tx_errors and lost; the line is net_ratelimit()ed,
 * so the lines undercount the failures.
 */
export interface UsbTxErrorRecord extends RecordSpan, DeviceRef {
  kind: 'usb_tx_error';
  driver: string;
  /** urb->status: a negative errno (-71 EPROTO, -32 EPIPE, -108 ESHUTDOWN, …) */
  status: number;
}

/**
 * A driver said its TX ring filled (records/ringFull.ts). whileAwake false: it stopped the queue as designed (IPoIB
 * "TX ring full, stopping kernel net queue": __QUEUE_STATE_DRV_XOFF until a completion wakes it). whileAwake true:
 * ndo_start_xmit() found the ring full with the queue still awake ("BUG! Tx Ring full when queue awake!": tg3, bnx2x,
 * 8139cp, jme, mtk_eth_soc…), stopped it then and returned NETDEV_TX_BUSY, so the qdisc requeued the skb.
 */
export interface TxRingFullRecord extends RecordSpan, DeviceRef {
  kind: 'tx_ring_full';
  driver: string;
  whileAwake: boolean;
  /** the message as printed, after the device prefix */
  text: string;
}

/** The kernel crashed (records/oops.ts): the header line, and where, when the register dump says. */
export interface KernelOopsRecord extends RecordSpan {
  kind: 'kernel_oops';
  /** the header as printed: "BUG: kernel NULL pointer dereference, address: 0000000000000098", "kernel BUG at …" */
  text: string;
  /** the faulting function from `RIP:` / `pc :`: "ice_clean_tx_ring+0xa/0xd0 [ice]" */
  rip?: string;
  /** the workqueue it ran in: "ice ice_service_task [ice]" */
  workqueue?: string;
}

/** The NIC fell off the PCIe bus (records/deviceLost.ts): "PCIe link lost, device now detached", "Adapter removed". */
export interface DeviceLostRecord extends RecordSpan, DeviceRef {
  kind: 'device_lost';
  /** the message as printed, after the device prefix */
  text: string;
}

/** A NIC's Malicious Driver Detection refused what a driver put on a queue (records/mdd.ts). */
export interface MddEventRecord extends RecordSpan, DeviceRef {
  kind: 'mdd_event';
  direction: 'tx' | 'rx';
  queue: number;
  /** the event as printed: "0x02" (i40e), "7" (ice) */
  event: string;
  pf?: number;
  vf?: number;
  /** "TX driver issue detected, PF reset issued" followed: the PF's own driver sent it, the PF is reset */
  pfReset: boolean;
  /** the lines after it name a VF as the sender (ice: "… detected on VF 0", "N Tx … events detected on PF 0 VF 0") */
  fromVf?: boolean;
  text: string;
}

/** A CPU the kernel's watchdogs found stuck (records/cpuStall.ts): soft or hard lockup, RCU stall. */
export interface CpuStallRecord extends RecordSpan {
  kind: 'cpu_stall';
  what: 'soft_lockup' | 'hard_lockup' | 'rcu_stall';
  /** the CPUs named (RCU: those listed after the header; may be empty) */
  cpus: number[];
  /** how long, where the line says (soft lockup: "stuck for 23s") */
  seconds?: number;
  /** the task on the CPU (soft lockup: "kworker/u146:7") */
  task?: string;
  text: string;
}

/** The IOMMU refused a device's DMA or blocked its interrupt (records/iommuFault.ts). */
export interface IommuFaultRecord extends RecordSpan {
  kind: 'iommu_fault';
  /** the device, as `0000:42:00.2` */
  busId: string;
  /** 'interrupt': interrupt remapping rejected its MSI; 'dma': a DMA to an address it was not mapped for */
  blocked: 'interrupt' | 'dma';
  faultAddr?: string;
  /** VT-d's fault reason number (37 = 0x25: a compatibility-format interrupt blocked) */
  faultReason?: number;
  /** VT-d's reason as printed: "Blocked a compatibility format interrupt request" */
  reasonText?: string;
  text: string;
}

/**
 * The kernel runs as a guest of a hypervisor (records/virtualMachine.ts): its DMI line, a WARN's "Hardware name:",
 * or the boot's "Hypervisor detected:".
 */
export interface VirtualMachineRecord extends RecordSpan {
  kind: 'virtual_machine';
  hypervisor: 'QEMU/KVM' | 'VMware' | 'VirtualBox' | 'Hyper-V' | 'Xen' | 'Parallels' | 'bhyve';
  /** the platform as printed: "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.13.0-1ubuntu1 04/01/2014" */
  text: string;
}

export type KernelRecord =
  | WatchdogTimeoutRecord
  | KernelOopsRecord
  | VirtualMachineRecord
  | IommuFaultRecord
  | CpuStallRecord
  | MddEventRecord
  | DeviceLostRecord
  | TxRingFullRecord
  | UsbTxErrorRecord
  | TxStallKickRecord
  | TxHangDumpRecord
  | TxTimeoutDumpRecord
  | TxRecoveryRecord
  | LinkChangeRecord
  | NeighOverflowRecord
  | AppEnobufsRecord;

type KernelRecordKind = KernelRecord['kind'];

/** Which side of a TX ring stopped, as a ring dump shows it (interpretTxHang). */
export type TxHangCause =
  | 'dma_stall'
  | 'completions_not_processed'
  | 'doorbell_not_written'
  | 'pending_unattributed'
  | 'no_ring_numbers';

/** A driver-specific reading of one dump (interpretIpoib/Tg3/Sky2/Bnx2x): the part interpretTxHang takes from it. */
export interface RingReading {
  cause: TxHangCause;
  /** One or two sentences in kernel terms with the numbers quoted. */
  summary: string;
  /** Descriptors (or sends) posted and not yet reaped by the driver. */
  unreaped?: number;
  /** Descriptors handed to the NIC and not done by it. */
  pendingOnNic?: number;
  /**
   * Head and next_to_clean both 0 with descriptors posted: nothing has completed since the driver set the ring up
   * (igb_configure_tx_ring() and its kin start every index at 0) — the NIC never started on this queue.
   */
  freshRing?: boolean;
  /**
   * An empty ring (head = tail = next_to_use = next_to_clean) whose buffer_info[next_to_clean] still names a packet:
   * the driver's hang check fired on a stale entry (a false positive that still stops the subqueue).
   */
  staleEntry?: boolean;
}
