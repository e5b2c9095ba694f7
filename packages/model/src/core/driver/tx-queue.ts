/**
 * One driver TX queue: descriptor ring, hardware engine, interrupt line and NAPI, with the per-driver xmit/clean
 * rules of §G (igb, macb with/without BQL, virtio_net, generic, veth-like).
 *
 * Indexes are free-running 32-bit counters like macb's tx_head/tx_tail (§G.2), wrapped with `| 0`, and masked on use.
 * head = next_to_use (producer), tail = next_to_clean (consumer), doorbell = what the hardware was told about
 * (TDT / TSTART / virtqueue kick), hwNext = next descriptor the hardware will process, hwDone = first descriptor
 * not yet completed by hardware (descriptors in [tail, hwDone) have DD / TX_USED set).
 */
import type { NetdevQueue } from '../netdev-queue.js';
import type { DqlStallEvent } from '../dql.js';
import { netdevTxSentQueue, netdevTxSentQueueMore, netdevTxCompletedQueue, netdevTxResetQueue } from '../bql.js';
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
import { DropReason, FreeLocation } from '../skb-free.js';

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
  /**
   * An skb the driver discards with a *consume* free (macb_tx_unmap → napi_consume_skb(skb, 0) in the error task,
   * §G.2): the trace says consume_skb, but the packet was never sent (counted as dropped).
   */
  discardSkb(dev: number, queue: number, skb: number, location: number): void;
  /** a driver log line (dmesg), e.g. igb "Detected Tx Unit Hang" (§G.1) */
  driverLog(dev: number, queue: number, text: string): void;
}

export interface DriverTxQueueOptions {
  ringSize: number;
  bql: boolean;
  /** extra descriptors per packet (e.g. igb context descriptor); default 0 */
  extraDescsPerPacket: number;
  /** generic/veth-like wake threshold in free descriptors (default ringSize/4) */
  wakeThresholdDescs?: number;
  /** igb: adapter->tx_timeout_factor * HZ, the hang-check age in jiffies (§G.1; default HZ 250 × 1) */
  hangTimeoutJiffies?: number;
  /** veth: a qdisc is attached (!qdisc_txq_has_no_queue): a full peer ring stops the txq and returns BUSY */
  hasQdisc?: boolean;
  /** igb: record tx_buffer->time_stamp per packet (needed only when igb_watchdog_task runs the hang check) */
  trackTimeStamps?: boolean;
}

export class DriverTxQueue {
  readonly ringSize: number;
  readonly mask: number;
  readonly bql: boolean;
  readonly napi: NapiInstance;
  /** index in the simulator's global queue list (set by the simulator) */
  globalIndex = 0;
  /** veth: the "hardware" is the peer's NAPI (no link-rate engine, no interrupt) */
  readonly isVeth: boolean;
  /** macb: TXUBR bookkeeping on every hardware idle */
  readonly isMacb: boolean;
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
  /** a software-triggered cause (igb EICS) latched while the vector was masked: fires on re-enable */
  irqLatched = false;
  carrierOk = true;
  // fault switches (faults.ts drives them)
  faultLostIrq = false;
  faultLostWakeup = false;
  faultTxBusyWhileAwake = false;
  faultDmaStuck = false;
  /** veth: the peer device is down (its rq NAPI deleted): veth_xmit drops every skb with NET_XMIT_DROP */
  faultPeerDown = false;
  /** bql_completed_zero: completions are reported to BQL as 0 bytes (§I.5) */
  faultBqlZeroBytes = false;
  /** the doorbell_skipped fault is armed: the next burst's end skips its tail write (one-shot) */
  faultSkipDoorbell = false;
  /** the previous ndo_start_xmit had xmit_more set (this skb ends a burst) */
  private prevXmitMore = false;
  doorbellsSkipped = 0;
  /**
   * veth without GRO/XDP on the peer: veth_xmit → netif_rx → enqueue_to_backlog, so the "ring" is the CPU's
   * input_pkt_queue (netdev_max_backlog) and a full one drops the skb (CPU_BACKLOG, NET_XMIT_DROP) instead of the
   * ptr_ring's stop + NETDEV_TX_BUSY.
   */
  vethBacklogRx = false;
  /** macb: TSTART written while the controller is still transmitting is ignored (the TXUBR race, §G.2) */
  faultLostTstart = false;
  /** macb: the controller halted on TUND/RLE/TXERR; the frame in progress is aborted (§G.2 TX error path) */
  hwTxError = false;
  /** macb queue->txubr_pending: the controller read a TX_USED descriptor (end of posted work) (§G.2) */
  txubrPending = false;
  /** igb IGB_RING_FLAG_TX_DETECT_HANG, set by igb_watchdog_task, consumed by the next clean (§G.1) */
  detectHang = false;
  /** igb tx_buffer->time_stamp (jiffies) of each slot's first descriptor (§G.1 hang check) */
  readonly slotTimeStamp: Float64Array;
  /** igb hang checks that found a hang ("Detected Tx Unit Hang") */
  txHangs = 0;
  /** macb: TSTART writes lost to the race, restarts done by macb_tx_restart, TX error tasks run */
  tstartLost = 0;
  txRestarts = 0;
  txErrors = 0;
  /** bytes of frames discarded by the macb error task and never reported to BQL (§G.2 step 5) */
  txErrorDiscardedBytes = 0;
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
  /** interrupts whose handler ran: what /proc/interrupts counts for the queue's vector (kstat_irqs) */
  irqsHandled = 0;
  lostWakeups = 0;
  /** DRV_XOFF bookkeeping for invariants: when the current stop began (-1 = running), longest stop so far */
  stoppedSinceNs = -1;
  maxStoppedNs = 0;
  /** bytes freed by resetRing (never completed) */
  resetBytes = 0;
  private readonly wakeThreshold: number;
  private readonly extraDescs: number;
  private readonly hangTimeoutJiffies: number;
  private readonly hasQdisc: boolean;
  private readonly trackTimeStamps: boolean;
  /** where this driver's completions free skbs (FreeLocation) */
  private readonly cleanLocation: number;
  /** veth: ptr_ring_produce failures (the peer ring was full) */
  peerRingFull = 0;

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
    this.isVeth = profile.kind === 'veth';
    this.isMacb = profile.kind === 'macb';
    this.ringSize = opts.ringSize;
    this.mask = opts.ringSize - 1;
    this.bql = opts.bql;
    this.extraDescs = opts.extraDescsPerPacket;
    this.wakeThreshold = opts.wakeThresholdDescs ?? opts.ringSize / 4;
    this.hangTimeoutJiffies = opts.hangTimeoutJiffies ?? 250;
    this.hasQdisc = opts.hasQdisc ?? false;
    this.trackTimeStamps = profile.kind === 'igb' && (opts.trackTimeStamps ?? true);
    this.cleanLocation =
      profile.kind === 'igb'
        ? FreeLocation.igbCleanTxIrq
        : profile.kind === 'macb'
          ? FreeLocation.macbTxComplete
          : profile.kind === 'virtio_net'
            ? FreeLocation.freeOldXmit
            : profile.kind === 'veth'
              ? FreeLocation.vethRcv
              : FreeLocation.genericClean;
    this.slotSkb = new Int32Array(opts.ringSize).fill(-1);
    this.slotDescs = new Uint8Array(opts.ringSize);
    this.slotLen = new Int32Array(opts.ringSize);
    this.slotTimeStamp = new Float64Array(opts.ringSize);
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
      case 'veth':
        return this.vethXmit(skb, lenBytes);
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
      case 'veth':
        // veth_poll → veth_xdp_rcv: consume up to budget entries of the ring; work = entries consumed
        return this.clean(weight);
      case 'macb': {
        // macb_tx_poll: macb_tx_complete(queue, budget), then, if txubr_pending, macb_tx_restart (§G.2)
        const work = this.clean(weight);
        if (this.txubrPending) {
          this.txubrPending = false;
          this.macbTxRestart();
        }
        return work;
      }
      default:
        // generic: work = packets completed, <= budget (§F)
        return this.clean(weight);
    }
  }

  /**
   * macb_tx_restart (§G.2): re-write TSTART only if head != tail and the hardware queue pointer TBQP is not
   * already at head (the controller stopped short of posted descriptors: a TSTART was lost).
   */
  macbTxRestart(): void {
    if (this.head === this.tail) return;
    if ((this.hwNext & this.mask) === (this.head & this.mask)) return;
    this.txRestarts++;
    this.doorbell = this.head;
    this.host.hwKick(this);
  }

  /**
   * macb_tx_error_task (§G.2 TX error path) for this queue, after TUND/RLE/TXERR. The caller has already done
   * netif_tx_stop_all_queues on the device and will netif_tx_start_all_queues after (start, not wake).
   * 2. walk tail→head: frames with TX_USED set (completed by the controller) are counted as sent, every other frame
   *    is discarded; all are freed by macb_tx_unmap → napi_consume_skb(skb, 0), i.e. a *consume* free;
   * 5. with BQL (6.15+) only the completed frames are reported (netdev_tx_completed_queue), and there is no
   *    netdev_tx_reset_queue: the discarded bytes stay in DQL inflight for good (§I.5, §I.8);
   * 3. TBQP back to the ring start, tx_head = tx_tail = 0.
   * Returns the discarded bytes.
   */
  macbTxErrorReset(): number {
    let pkts = 0;
    let bytes = 0;
    let discarded = 0;
    while (this.tail !== this.head) {
      const slot = this.tail & this.mask;
      const skb = this.slotSkb[slot]!;
      const descs = this.slotDescs[slot]!;
      const len = this.slotLen[slot]!;
      // TX_USED written back by the controller: descriptors in [tail, hwDone)
      const used = ((this.hwDone - this.tail) | 0) > 0;
      this.slotSkb[slot] = -1;
      if (used) {
        pkts++;
        bytes += len;
        this.host.freeSkb(this.dev, this.index, skb, true, 0, FreeLocation.netTxAction);
      } else {
        discarded += len;
        this.txDropped++;
        this.host.discardSkb(this.dev, this.index, skb, FreeLocation.netTxAction);
      }
      this.tail = (this.tail + descs) | 0;
    }
    // a reschedule request here is moot: every queue is stopped by the task (DRV_XOFF) until the start
    this.reportCompleted(pkts, bytes);
    this.resetBytes += discarded;
    this.txErrorDiscardedBytes += discarded;
    this.head = this.tail = this.doorbell = this.hwNext = this.hwDone = 0;
    this.hwBusy = false;
    this.hwTxError = false;
    this.txubrPending = false;
    this.txErrors++;
    return discarded;
  }

  /** netif_tx_stop_queue from outside the xmit path (macb error task: netif_tx_stop_all_queues) */
  stopFromTask(): void {
    this.stopQueue();
  }
  /** netif_tx_start_queue (not wake: no qdisc reschedule, §C) */
  startFromTask(): void {
    this.txq.start();
    this.noteRunning();
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
    if (this.txq.xmitStopped() || !xmitMore) this.burstDoorbell();
    this.prevXmitMore = xmitMore;
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
    // TSTART; with the lost-TSTART race the write is ignored while the controller is still transmitting, which
    // then stops at the first TX_USED descriptor and raises TXUBR (§G.2 interrupts)
    if (this.faultLostTstart && this.hwBusy) this.tstartLost++;
    else this.ringDoorbell();
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
    if (kick) this.burstDoorbell();
    this.prevXmitMore = xmitMore;
    return NETDEV_TX_OK;
  }

  // ---- veth (peer ptr_ring) ----

  /**
   * veth_xmit → veth_forward_skb → veth_xdp_rx: ptr_ring_produce into the peer rq's xdp_ring (all VETH_RING_SIZE
   * entries usable). On a full ring (6.18, "veth: apply qdisc backpressure on full ptr_ring"): with a qdisc,
   * netif_tx_stop_queue + __veth_xdp_flush (make sure the peer NAPI runs) + NETDEV_TX_BUSY (the qdisc requeues);
   * with noqueue the skb is dropped (kfree_skb) and NET_XMIT_DROP returned (→ ENOBUFS, §D.3). Success:
   * __veth_xdp_flush → napi_schedule of the peer NAPI. No BQL, no doorbell, no link rate: the peer NAPI consumes.
   */
  private vethXmit(skb: number, lenBytes: number): number {
    if (this.faultTxBusyWhileAwake) return this.busy();
    if (this.faultPeerDown) {
      // peer down: rq->napi is gone, so veth_forward_skb → netif_rx → enqueue_to_backlog, which drops the skb
      // (the peer is not running: SKB_DROP_REASON_DEV_READY) and returns NET_RX_DROP; veth_xmit counts it in
      // tx_dropped and returns NET_XMIT_DROP (the real capture shared/traces/veth-peer-down shows both)
      this.txDropped++;
      this.host.freeSkb(this.dev, this.index, skb, false, DropReason.DEV_READY, FreeLocation.enqueueToBacklog);
      return 0x01; // NET_XMIT_DROP
    }
    if (this.vethBacklogRx && this.occupancy >= this.ringSize) {
      this.txDropped++;
      this.host.freeSkb(this.dev, this.index, skb, false, DropReason.CPU_BACKLOG, FreeLocation.enqueueToBacklog);
      return 0x01; // NET_XMIT_DROP
    }
    if (this.occupancy >= this.ringSize) {
      this.peerRingFull++;
      if (!this.hasQdisc) {
        this.txDropped++;
        this.host.freeSkb(this.dev, this.index, skb, false, DropReason.NOT_SPECIFIED, FreeLocation.vethXmit);
        return 0x01; // NET_XMIT_DROP
      }
      this.stopQueue();
      this.host.hwKick(this);
      return this.busy();
    }
    this.post(skb, lenBytes, 1);
    // the entry is visible to the consumer at once
    this.doorbell = this.hwNext = this.hwDone = this.head;
    this.host.hwKick(this);
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
    if (this.txq.xmitStopped() || !xmitMore) this.burstDoorbell();
    this.prevXmitMore = xmitMore;
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
    const location = this.cleanLocation;
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
    if (this.reportCompleted(pkts, bytes)) this.host.netifSchedule(this.dev, this.index);
    switch (this.profile.kind) {
      case 'igb':
        if (this.detectHang && inNapi && this.igbCheckTxHang()) break;
        // wake if total_packets && carrier_ok && igb_desc_unused >= TX_WAKE_THRESHOLD (§G.1)
        if (pkts > 0 && this.carrierOk && this.igbDescUnused() >= IGB_TX_WAKE_THRESHOLD && this.txq.txqStopped()) {
          this.wakeQueue();
        }
        break;
      case 'macb':
        // wake if stopped and CIRC_CNT <= 3/4 size (§G.2), checked at the end of every macb_tx_complete
        if (
          this.txq.txqStopped() &&
          circCnt(this.head, this.tail, this.ringSize) <= macbTxWakeupThresh(this.ringSize)
        ) {
          this.wakeQueue();
        }
        break;
      case 'virtio_net':
        // virtnet_poll_tx: wake if num_free >= 2 + MAX_SKB_FRAGS (start_xmit's own free does not wake)
        if (inNapi && this.txq.txqStopped() && this.virtioNumFree >= VIRTIO_NET_STOP_THRESHOLD) this.wakeQueue();
        break;
      case 'veth':
        // veth_xdp_rcv: "release backpressure per NAPI poll": the peer txq is woken if stopped, every poll
        if (this.txq.txqStopped()) this.wakeQueue();
        break;
      default:
        if (this.txq.txqStopped() && this.free >= this.wakeThreshold) this.wakeQueue();
    }
    return pkts;
  }

  /**
   * igb_clean_tx_irq's hang check (§G.1): consumes IGB_RING_FLAG_TX_DETECT_HANG. If the oldest pending buffer
   * (next_to_watch set: a packet posted and not cleaned) is older than tx_timeout_factor*HZ
   * (`time_after(jiffies, time_stamp + factor*HZ)`) — the MAC is never paused (TXOFF) here — log "Detected Tx Unit
   * Hang" and netif_stop_subqueue, returning before the wake. Returns true when it found a hang.
   */
  private igbCheckTxHang(): boolean {
    this.detectHang = false;
    if (this.tail === this.head) return false;
    const slot = this.tail & this.mask;
    const timeStamp = this.slotTimeStamp[slot]!;
    const now = this.host.jiffies();
    if (!(now - (timeStamp + this.hangTimeoutJiffies) > 0)) return false;
    this.txHangs++;
    const hex = (n: number): string => (n >>> 0).toString(16);
    this.host.driverLog(
      this.dev,
      this.index,
      `Detected Tx Unit Hang\n  Tx Queue             <${this.index}>\n  TDH                  <${hex(this.hwNext & this.mask)}>\n` +
        `  TDT                  <${hex(this.doorbell & this.mask)}>\n  next_to_use          <${hex(this.head & this.mask)}>\n` +
        `  next_to_clean        <${hex(this.tail & this.mask)}>\nbuffer_info[next_to_clean]\n  time_stamp           <${hex(timeStamp)}>\n` +
        `  jiffies              <${hex(now)}>\n  desc.status          <${this.hwDone !== this.tail ? 1 : 0}>`,
    );
    // "we are about to reset, no point in enabling stuff": stop, no wake
    this.stopQueue();
    return true;
  }

  /**
   * veth peer set down: veth_close(peer) → veth_napi_del → veth_napi_del_range: napi_disable, then ptr_ring_cleanup
   * frees what the peer never consumed (kfree_skb at veth_napi_del_range), and since "veth: more robust handling of
   * race to avoid txq getting stuck" (6.18) a stale stop of the sending txq is woken (netif_tx_wake_queue).
   */
  vethPeerClose(): void {
    this.faultPeerDown = true;
    while (this.tail !== this.head) {
      const slot = this.tail & this.mask;
      const skb = this.slotSkb[slot]!;
      this.slotSkb[slot] = -1;
      this.txDropped++;
      this.host.freeSkb(this.dev, this.index, skb, false, DropReason.NOT_SPECIFIED, FreeLocation.vethNapiDelRange);
      this.tail = (this.tail + this.slotDescs[slot]!) | 0;
    }
    this.head = this.tail = this.doorbell = this.hwNext = this.hwDone = 0;
    if (this.txq.txqStopped()) this.wakeQueue();
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
    this.irqLatched = false;
    this.resets++;
    this.txq.start();
    this.noteRunning();
  }

  // ---- helpers ----

  /**
   * Completed packets: the counters, then netdev_tx_completed_queue (bytes == 0 → nothing, §B; macb without BQL
   * never calls it). Returns whether BQL asks for a qdisc reschedule.
   */
  private reportCompleted(pkts: number, bytes: number): boolean {
    this.completedPackets += pkts;
    this.completedBytes += bytes;
    if (!this.bql || pkts === 0) return false;
    // the bql_completed_zero fault: the clean pass reports its packets with 0 bytes, which
    // netdev_tx_completed_queue ignores (`if (!bytes) return`, §B, §I.5)
    const r = netdevTxCompletedQueue(this.txq, pkts, this.faultBqlZeroBytes ? 0 : bytes, this.host.jiffies());
    if (r.stall) this.host.dqlStall(this.dev, this.index, r.stall);
    return r.reschedule;
  }

  private post(skb: number, lenBytes: number, descs: number): void {
    const slot = this.head & this.mask;
    this.slotSkb[slot] = skb;
    this.slotDescs[slot] = descs;
    this.slotLen[slot] = lenBytes;
    // igb_tx_map: first->time_stamp = jiffies (the hang check's age, §G.1)
    if (this.trackTimeStamps) this.slotTimeStamp[slot] = this.host.jiffies();
    for (let i = 1; i < descs; i++) this.slotSkb[(this.head + i) & this.mask] = -1;
    this.head = (this.head + descs) | 0;
    this.postedPackets++;
    this.postedBytes += lenBytes;
    this.xmitOk++;
  }

  /**
   * The tail write after the last skb of a burst (or a single skb). The doorbell_skipped fault (§I.11) drops the
   * first one that ends an xmit_more burst: the descriptors stay posted and unseen until a later doorbell.
   */
  private burstDoorbell(): void {
    if (this.faultSkipDoorbell && this.prevXmitMore) {
      this.faultSkipDoorbell = false;
      this.doorbellsSkipped++;
      return;
    }
    this.ringDoorbell();
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
