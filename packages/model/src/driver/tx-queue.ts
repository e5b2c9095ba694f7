/**
 * One driver TX queue: descriptor ring, hardware engine, interrupt line and NAPI, with the per-driver xmit/clean
 * rules of §G (igb, macb with/without BQL, virtio_net, generic, veth-like).
 *
 * Indexes are free-running 32-bit counters like macb's tx_head/tx_tail (§G.2), wrapped with `| 0`, and masked on use.
 * head = next_to_use (producer), tail = next_to_clean (consumer), doorbell = what the hardware was told about
 * (TDT / TSTART / virtqueue kick), hwNext = next descriptor the hardware will process, hwDone = first descriptor
 * not yet completed by hardware (descriptors in [tail, hwDone) have DD / TX_USED set).
 */
import {
  type NetdevQueue,
  type DqlStallEvent,
  netdevTxSentQueue,
  netdevTxSentQueueMore,
  netdevTxCompletedQueue,
  netdevTxResetQueue,
} from '../sim/core-api.js';
import { NapiInstance } from '../napi.js';
import {
  type DriverProfile,
  NETDEV_TX_OK,
  NETDEV_TX_BUSY,
  IGB_DESC_NEEDED,
  IGB_TX_WAKE_THRESHOLD,
  IGB_DEFAULT_TX_WORK,
  VIRTIO_NET_STOP_THRESHOLD,
  circCnt,
  circSpace,
  macbTxWakeupThresh,
} from './profiles.js';
import { DropReason, FreeLocation } from '../sim/trace-event.js';

/** What a driver needs from the simulator (kernel services around it). */
export interface DriverHost {
  jiffies(): number;
  nowNs(): number;
  /** netif_schedule_queue / __netif_schedule(txq->qdisc) (§C, §D.5) */
  netifSchedule(dev: number, queue: number): void;
  /** consume_skb / kfree_skb of a ring skb, returning it to the pool */
  freeSkb(dev: number, queue: number, skb: number, consumed: boolean, reason: number, location: number): void;
  /** the hardware was told about new descriptors (doorbell); start it if idle */
  hwKick(q: DriverTxQueue): void;
  /** napi:dql_stall_detected from netdev_tx_completed_queue (§A.5) */
  dqlStall(dev: number, queue: number, stall: DqlStallEvent): void;
}

export interface DriverTxQueueOptions {
  ringSize: number;
  bql: boolean;
  /** extra descriptors per packet (e.g. igb context descriptor); default 0 */
  extraDescsPerPacket: number;
  /** generic/veth-like wake threshold in free descriptors (default ringSize/4) */
  wakeThresholdDescs?: number;
}

export class DriverTxQueue {
  readonly ringSize: number;
  readonly mask: number;
  readonly bql: boolean;
  readonly napi: NapiInstance;
  head = 0;
  tail = 0;
  doorbell = 0;
  hwNext = 0;
  hwDone = 0;
  /** skb id at the first descriptor of each packet (-1 on continuation descriptors) */
  readonly slotSkb: Int32Array;
  readonly slotDescs: Uint8Array;
  readonly slotLen: Int32Array;
  /** hardware engine busy transmitting the packet at hwNext */
  hwBusy = false;
  /** interrupt cause pending delivery (coalescing timer running) */
  irqPending = false;
  /** interrupt masked (auto-mask on fire / NAPI running / lost message) */
  irqMasked = false;
  carrierOk = true;
  // fault switches (faults.ts drives them)
  faultLostIrq = false;
  faultLostWakeup = false;
  faultTxBusyWhileAwake = false;
  faultDmaStuck = false;
  // counters (ethtool -S style)
  xmitOk = 0;
  xmitBusy = 0;
  stops = 0;
  wakes = 0;
  restartQueue2 = 0;
  txDropped = 0;
  completedPackets = 0;
  completedBytes = 0;
  postedPackets = 0;
  postedBytes = 0;
  resets = 0;
  lostIrqs = 0;
  lostWakeups = 0;
  /** DRV_XOFF bookkeeping for invariants: when the current stop began (-1 = running), longest stop so far */
  stoppedSinceNs = -1;
  maxStoppedNs = 0;
  /** bytes freed by resetRing (never completed) */
  resetBytes = 0;
  private readonly wakeThreshold: number;
  private readonly extraDescs: number;

  constructor(
    readonly dev: number,
    readonly index: number,
    readonly profile: DriverProfile,
    readonly txq: NetdevQueue,
    private readonly host: DriverHost,
    opts: DriverTxQueueOptions,
  ) {
    if (opts.ringSize < 8 || (opts.ringSize & (opts.ringSize - 1)) !== 0) {
      throw new Error(`ring size ${opts.ringSize} must be a power of two >= 8`);
    }
    this.ringSize = opts.ringSize;
    this.mask = opts.ringSize - 1;
    this.bql = opts.bql;
    this.extraDescs = opts.extraDescsPerPacket;
    this.wakeThreshold = opts.wakeThresholdDescs ?? opts.ringSize / 4;
    this.slotSkb = new Int32Array(opts.ringSize).fill(-1);
    this.slotDescs = new Uint8Array(opts.ringSize);
    this.slotLen = new Int32Array(opts.ringSize);
    this.napi = new NapiInstance(profile.napiWeight, 0x24e1ac0 + 0x1000 * (dev * 64 + index));
  }

  /** descriptors in use (posted, not cleaned): CIRC_CNT */
  get occupancy(): number {
    // free-running indexes: the exact count even when a virtqueue is completely full (CIRC_CNT would read 0)
    return (this.head - this.tail) | 0;
  }
  /** free descriptors: CIRC_SPACE (one slot always empty) */
  get free(): number {
    return this.ringSize - 1 - this.occupancy;
  }
  /**
   * virtio: vq->num_free. A virtqueue has no "one slot always empty" rule: all `ringSize` entries can be used,
   * so num_free = size - occupied (one more than CIRC_SPACE).
   */
  get virtioNumFree(): number {
    return this.ringSize - this.occupancy;
  }

  /** descriptors completed by hardware but not yet cleaned */
  get completedPending(): number {
    return circCnt(this.hwDone, this.tail, this.ringSize);
  }

  /** TXD_USE_COUNT(len) + extra (§G.1; macb DIV_ROUND_UP(len, max_tx_length) §G.2) */
  descsFor(lenBytes: number): number {
    return Math.ceil(lenBytes / this.profile.maxDataPerDesc) + this.extraDescs;
  }

  /** ndo_start_xmit. Returns NETDEV_TX_OK or NETDEV_TX_BUSY. */
  xmit(skb: number, lenBytes: number, xmitMore: boolean): number {
    switch (this.profile.kind) {
      case 'igb':
        return this.igbXmit(skb, lenBytes, xmitMore);
      case 'macb':
        return this.macbXmit(skb, lenBytes);
      case 'virtio_net':
        return this.virtioXmit(skb, lenBytes, xmitMore);
      default:
        return this.genericXmit(skb, lenBytes, xmitMore);
    }
  }

  /**
   * The NAPI poll for this queue's TX (§F). Returns `work` as the kernel's poll returns it.
   * Sets `this.pollComplete` to whether the driver completed NAPI (work < weight).
   */
  poll(): number {
    const weight = this.napi.weight;
    switch (this.profile.kind) {
      case 'igb': {
        // igb_poll: clean_complete = igb_clean_tx_irq(q_vector, budget); no RX here, so work = 0 unless TX
        // cleaning hit its work limit, in which case the poll returns budget to be polled again (§F, §G.1).
        const r = this.clean(IGB_DEFAULT_TX_WORK);
        return r < IGB_DEFAULT_TX_WORK ? 0 : weight;
      }
      case 'virtio_net':
        // virtnet_poll_tx: free_old_xmit, wake if num_free >= 19, always returns 0 (§F, §G.3)
        this.clean(0x7fffffff);
        return 0;
      default:
        // macb_tx_poll / generic: work = packets completed, <= budget (§F)
        return this.clean(weight);
    }
  }

  /** packets the hardware completed but the driver has not cleaned yet */
  hasCompletedPending(): boolean {
    return this.hwDone !== this.tail;
  }

  // ---- igb (§G.1) ----

  private igbDescUnused(): number {
    // igb_desc_unused on masked indexes equals CIRC_SPACE
    return circSpace(this.head, this.tail, this.ringSize);
  }

  /** igb_maybe_stop_tx: 0 (false) when room, else stop + re-check; true means -EBUSY */
  private igbMaybeStopTx(size: number): boolean {
    if (this.igbDescUnused() >= size) return false;
    this.stopQueue();
    // smp_mb(); re-check: another CPU may have cleaned meanwhile (never in this single-threaded model, but keep the rule)
    if (this.igbDescUnused() < size) return true;
    this.restartQueue2++;
    this.wakeQueue();
    return false;
  }

  private igbXmit(skb: number, lenBytes: number, xmitMore: boolean): number {
    if (this.faultTxBusyWhileAwake) return this.busy();
    const count = this.descsFor(lenBytes);
    // "need: 1 descriptor per page * PAGE_SIZE/IGB_MAX_DATA_PER_TXD, + 1 desc for skb_headlen/IGB_MAX_DATA_PER_TXD,
    //  + 2 desc gap to keep tail from touching head, + 1 desc for context descriptor" → count + 3
    if (this.igbMaybeStopTx(count + 3)) return this.busy();
    this.post(skb, lenBytes, count);
    if (this.bql) netdevTxSentQueue(this.txq, lenBytes, this.host.jiffies());
    this.igbMaybeStopTx(IGB_DESC_NEEDED);
    if (this.txq.xmitStopped() || !xmitMore) this.ringDoorbell();
    return NETDEV_TX_OK;
  }

  // ---- macb (§G.2) ----

  private macbXmit(skb: number, lenBytes: number): number {
    if (this.faultTxBusyWhileAwake) return this.busy();
    const descCnt = this.descsFor(lenBytes);
    if (circSpace(this.head, this.tail, this.ringSize) < descCnt) {
      // normal back-pressure for macb: stop and return BUSY
      this.stopQueue();
      return this.busy();
    }
    this.post(skb, lenBytes, descCnt);
    if (this.bql) netdevTxSentQueue(this.txq, lenBytes, this.host.jiffies()); // 6.15+ only
    this.ringDoorbell(); // TSTART
    if (circSpace(this.head, this.tail, this.ringSize) < 1) this.stopQueue();
    return NETDEV_TX_OK;
  }

  // ---- virtio_net (§G.3) ----

  private virtioXmit(skb: number, lenBytes: number, xmitMore: boolean): number {
    // start_xmit frees old buffers before queueing new ones
    this.cleanCompleted(0x7fffffff, false);
    if (this.faultTxBusyWhileAwake) return this.busy();
    const descs = this.descsFor(lenBytes);
    if (this.virtioNumFree < descs) {
      // "Unexpected TXQ (%d) queue failure": dropped, never BUSY
      this.txDropped++;
      this.host.freeSkb(this.dev, this.index, skb, false, DropReason.NOT_SPECIFIED, FreeLocation.freeOldXmit);
      return NETDEV_TX_OK;
    }
    this.post(skb, lenBytes, descs);
    // check_sq_full_and_disable
    if (this.virtioNumFree < VIRTIO_NET_STOP_THRESHOLD) this.stopQueue();
    const kick = this.bql
      ? netdevTxSentQueueMore(this.txq, lenBytes, xmitMore, this.host.jiffies())
      : !xmitMore || this.txq.xmitStopped();
    if (kick) this.ringDoorbell();
    return NETDEV_TX_OK;
  }

  // ---- generic / veth-like ----

  private genericXmit(skb: number, lenBytes: number, xmitMore: boolean): number {
    if (this.faultTxBusyWhileAwake) return this.busy();
    const descs = this.descsFor(lenBytes);
    if (this.free < descs) {
      this.stopQueue();
      return this.busy();
    }
    this.post(skb, lenBytes, descs);
    if (this.bql) netdevTxSentQueue(this.txq, lenBytes, this.host.jiffies());
    if (this.free < descs) this.stopQueue();
    if (this.txq.xmitStopped() || !xmitMore) this.ringDoorbell();
    return NETDEV_TX_OK;
  }

  // ---- completion ----

  /** driver clean pass with its wake rule; returns packets cleaned */
  clean(budgetPackets: number): number {
    return this.cleanCompleted(budgetPackets, true);
  }

  private cleanCompleted(budgetPackets: number, inNapi: boolean): number {
    let pkts = 0;
    let bytes = 0;
    const location =
      this.profile.kind === 'igb'
        ? FreeLocation.igbCleanTxIrq
        : this.profile.kind === 'macb'
          ? FreeLocation.macbTxComplete
          : this.profile.kind === 'virtio_net'
            ? FreeLocation.freeOldXmit
            : FreeLocation.genericClean;
    while (this.tail !== this.hwDone && pkts < budgetPackets) {
      const slot = this.tail & this.mask;
      const skb = this.slotSkb[slot]!;
      const descs = this.slotDescs[slot]!;
      bytes += this.slotLen[slot]!;
      pkts++;
      this.slotSkb[slot] = -1;
      this.host.freeSkb(this.dev, this.index, skb, true, 0, location);
      this.tail = (this.tail + descs) | 0;
    }
    this.completedPackets += pkts;
    this.completedBytes += bytes;
    // netdev_tx_completed_queue: bytes == 0 → nothing (§B). macb without BQL never calls it.
    if (this.bql && pkts > 0) {
      const r = netdevTxCompletedQueue(this.txq, pkts, bytes, this.host.jiffies());
      if (r.stall) this.host.dqlStall(this.dev, this.index, r.stall);
      if (r.reschedule) this.host.netifSchedule(this.dev, this.index);
    }
    switch (this.profile.kind) {
      case 'igb':
        // wake if total_packets && carrier_ok && igb_desc_unused >= TX_WAKE_THRESHOLD (§G.1)
        if (pkts > 0 && this.carrierOk && this.igbDescUnused() >= IGB_TX_WAKE_THRESHOLD && this.txq.txqStopped()) {
          this.wakeQueue();
        }
        break;
      case 'macb':
        // wake if stopped and CIRC_CNT <= 3/4 size (§G.2), checked at the end of every macb_tx_complete
        if (this.txq.txqStopped() && circCnt(this.head, this.tail, this.ringSize) <= macbTxWakeupThresh(this.ringSize)) {
          this.wakeQueue();
        }
        break;
      case 'virtio_net':
        // virtnet_poll_tx: wake if num_free >= 2 + MAX_SKB_FRAGS (start_xmit's own free does not wake)
        if (inNapi && this.txq.txqStopped() && this.virtioNumFree >= VIRTIO_NET_STOP_THRESHOLD) this.wakeQueue();
        break;
      default:
        if (this.txq.txqStopped() && this.free >= this.wakeThreshold) this.wakeQueue();
    }
    return pkts;
  }

  /** hardware finished the packet at hwNext: set DD on its descriptors */
  hwCompleteOne(): void {
    const slot = this.hwNext & this.mask;
    this.hwNext = (this.hwNext + this.slotDescs[slot]!) | 0;
    this.hwDone = this.hwNext;
  }

  /** bytes of the packet the hardware would transmit next, or -1 if it has nothing (or is stuck) */
  hwNextLen(): number {
    if (this.hwNext === this.doorbell) return -1;
    return this.slotLen[this.hwNext & this.mask]!;
  }

  /**
   * Adapter reset (igb reset_task after ndo_tx_timeout, §E): stop all, free ring skbs (kfree_skb, they were never
   * completed), netdev_tx_reset_queue (§B), indexes to 0, interrupts re-enabled, netif_tx_start_all_queues (start,
   * not wake: the qdisc is not rescheduled, §C).
   */
  resetRing(): void {
    this.stopQueue();
    while (this.tail !== this.head) {
      const slot = this.tail & this.mask;
      const skb = this.slotSkb[slot]!;
      const descs = this.slotDescs[slot]!;
      this.slotSkb[slot] = -1;
      this.resetBytes += this.slotLen[slot]!;
      this.host.freeSkb(this.dev, this.index, skb, false, DropReason.NOT_SPECIFIED, FreeLocation.igbCleanTxRing);
      this.txDropped++;
      this.tail = (this.tail + descs) | 0;
    }
    if (this.bql) netdevTxResetQueue(this.txq, this.host.jiffies());
    this.head = this.tail = this.doorbell = this.hwNext = this.hwDone = 0;
    this.hwBusy = false;
    this.irqMasked = false;
    this.irqPending = false;
    this.resets++;
    this.txq.start();
    this.noteRunning();
  }

  // ---- helpers ----

  private post(skb: number, lenBytes: number, descs: number): void {
    const slot = this.head & this.mask;
    this.slotSkb[slot] = skb;
    this.slotDescs[slot] = descs;
    this.slotLen[slot] = lenBytes;
    for (let i = 1; i < descs; i++) this.slotSkb[(this.head + i) & this.mask] = -1;
    this.head = (this.head + descs) | 0;
    this.postedPackets++;
    this.postedBytes += lenBytes;
    this.xmitOk++;
  }

  private ringDoorbell(): void {
    this.doorbell = this.head;
    this.host.hwKick(this);
  }

  private busy(): number {
    this.xmitBusy++;
    return NETDEV_TX_BUSY;
  }

  /** netif_tx_stop_queue / netif_stop_subqueue (§C) */
  private stopQueue(): void {
    if (!this.txq.txqStopped()) {
      this.stops++;
      this.stoppedSinceNs = this.host.nowNs();
    }
    this.txq.stop(this.host.jiffies());
  }

  /** DRV_XOFF cleared (wake or start): close the stop interval */
  private noteRunning(): void {
    if (this.stoppedSinceNs >= 0) {
      const d = this.host.nowNs() - this.stoppedSinceNs;
      if (d > this.maxStoppedNs) this.maxStoppedNs = d;
      this.stoppedSinceNs = -1;
    }
  }

  /** bytes posted to the ring and not cleaned */
  ringBytes(): number {
    let bytes = 0;
    for (let i = this.tail; i !== this.head; ) {
      const slot = i & this.mask;
      bytes += this.slotLen[slot]!;
      i = (i + this.slotDescs[slot]!) | 0;
    }
    return bytes;
  }

  /** netif_tx_wake_queue: clear DRV_XOFF, schedule the qdisc if it was set (§C); the lost_wakeup fault skips it */
  private wakeQueue(): void {
    if (this.faultLostWakeup) {
      this.lostWakeups++;
      return;
    }
    if (this.txq.wake()) {
      this.wakes++;
      this.noteRunning();
      this.host.netifSchedule(this.dev, this.index);
    }
  }
}
