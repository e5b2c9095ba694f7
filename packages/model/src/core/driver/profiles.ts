/**
 * Driver TX ring profiles (§G). Constants are the kernel's (K6.12; igb same in K5.15).
 */
export type DriverKind = 'igb' | 'macb' | 'virtio_net' | 'generic' | 'veth-like' | 'veth';

export const NETDEV_TX_OK = 0x00;
/** §D.4: the only rc that is not dev_xmit_complete */
export const NETDEV_TX_BUSY = 0x10;

const MAX_SKB_FRAGS = 17;
/** igb (§G.1) */
const IGB_DEFAULT_TXD = 256;
export const IGB_DEFAULT_TX_WORK = 128;
const IGB_MAX_DATA_PER_TXD = 32768;
export const IGB_DESC_NEEDED = MAX_SKB_FRAGS + 4; // 21
export const IGB_TX_WAKE_THRESHOLD = IGB_DESC_NEEDED * 2; // 42
/** macb (§G.2) */
const MACB_DEFAULT_TX_RING_SIZE = 512;
/** GEM max_tx_length (GEM_MAX_TX_LEN = 0x3FC0 rounded to the DMA bus width) */
const MACB_MAX_TX_LENGTH = 0x3fc0;
export function macbTxWakeupThresh(ringSize: number): number {
  return (3 * ringSize) / 4;
}
/** virtio_net (§G.3): stop when num_free < 2 + MAX_SKB_FRAGS, wake when >= */
export const VIRTIO_NET_STOP_THRESHOLD = 2 + MAX_SKB_FRAGS; // 19
const VIRTIO_DEFAULT_RING_SIZE = 256;
/** §F */
export const NAPI_POLL_WEIGHT = 64;
/** veth: the peer rq's xdp_ring (ptr_ring) size, VETH_RING_SIZE */
export const VETH_RING_SIZE = 256;

/** From which kernel release a driver calls netdev_tx_sent_queue / netdev_tx_completed_queue (§B). */
type BqlSupport = 'always' | 'never' | { readonly sinceMajor: number; readonly sinceMinor: number };

/**
 * What the driver's ring does, in words with the kernel functions (§G): when ndo_start_xmit stops the txq,
 * when the clean path wakes it, what head and tail are, and what a head that stops moving means.
 */
interface RingRules {
  stop: string;
  wake: string;
  headTail: string;
  stuckHead: string;
}

export interface DriverProfile {
  kind: DriverKind;
  /** name printed in net_dev_xmit_timeout driver= */
  driverName: string;
  defaultRingSize: number;
  /** bytes one descriptor can carry (TXD_USE_COUNT) */
  maxDataPerDesc: number;
  /** ndo_tx_timeout present → dev_watchdog armed (§E). macb and veth have none. */
  hasTxTimeout: boolean;
  /** BQL: igb, generic always; virtio_net (napi_tx) from 6.11; macb from 6.15 (§G.2); veth never */
  bql: BqlSupport;
  /**
   * The TX-complete interrupt fires only once the controller has transmitted descriptors (macb/GEM, §G.2):
   * no completion and no TX poll then means the controller stopped fetching the ring, not a lost interrupt.
   */
  txIrqOnlyAfterTransmit: boolean;
  /** completions are the peer's NAPI draining a ptr_ring (veth, §D.1), not this device's own */
  completedByPeerNapi: boolean;
  /** TX completions through NAPI (all but veth-like) */
  napiWeight: number;
  /** default qdisc kind when the scenario does not say */
  defaultQdisc: 'pfifo_fast' | 'noqueue';
  ring: RingRules;
}

/** Does `release` ("6.18", "6.18.44-fc") run BQL for this driver by default? Unparseable releases count as new. */
export function bqlDefault(p: DriverProfile, release: string): boolean {
  if (p.bql === 'always' || p.bql === 'never') return p.bql === 'always';
  return atLeast(release, p.bql.sinceMajor, p.bql.sinceMinor);
}

function atLeast(release: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return true;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a > major || (a === major && b >= minor);
}

/** veth and veth-like share the peer ptr_ring (§D.1) */
const VETH_RING_RULES: RingRules = {
  stop: 'veth_xmit: the peer rq ptr_ring (VETH_RING_SIZE) full → netif_tx_stop_queue + NETDEV_TX_BUSY with a qdisc, drop with noqueue',
  wake: 'veth_poll of the peer: netif_tx_wake_queue once it consumed entries and sees the txq stopped',
  headTail: 'ptr_ring producer (veth_xmit) and consumer (peer veth_poll); no descriptors, no doorbell',
  stuckHead: 'the peer NAPI does not run (starved, §I.12) or misses the wake (§I.4); no ndo_tx_timeout (§E)',
};

/** veth (§D.1): the peer's ptr_ring, no BQL, no ndo_tx_timeout, completions by the peer's NAPI */
const VETH_PROFILE: DriverProfile = {
  kind: 'veth',
  driverName: 'veth',
  defaultRingSize: VETH_RING_SIZE,
  maxDataPerDesc: 0x7fffffff,
  hasTxTimeout: false,
  bql: 'never',
  txIrqOnlyAfterTransmit: false,
  completedByPeerNapi: true,
  napiWeight: NAPI_POLL_WEIGHT,
  defaultQdisc: 'noqueue',
  ring: VETH_RING_RULES,
};

/** What the NIC drivers (igb, macb, virtio_net, generic) share: own NAPI, qdisc pfifo_fast by default. */
const NIC = {
  txIrqOnlyAfterTransmit: false,
  completedByPeerNapi: false,
  napiWeight: NAPI_POLL_WEIGHT,
  defaultQdisc: 'pfifo_fast',
} as const;

export const DRIVER_PROFILES: Record<DriverKind, DriverProfile> = {
  igb: {
    kind: 'igb',
    driverName: 'igb',
    defaultRingSize: IGB_DEFAULT_TXD,
    maxDataPerDesc: IGB_MAX_DATA_PER_TXD,
    hasTxTimeout: true,
    bql: 'always',
    ...NIC,
    ring: {
      stop: 'igb_maybe_stop_tx: stop when igb_desc_unused < DESC_NEEDED (MAX_SKB_FRAGS + 4 = 21), re-check after smp_mb (§G.1)',
      wake: 'igb_clean_tx_irq: wake when packets were cleaned, carrier is up and igb_desc_unused >= TX_WAKE_THRESHOLD (42) (§G.1)',
      headTail:
        'next_to_use = producer (TDT written as the doorbell), next_to_clean = consumer; the hardware sets DD on done descriptors (§G.1)',
      stuckHead:
        'the oldest descriptor never gets DD: igb_clean_tx_irq logs "Detected Tx Unit Hang" and dev_watchdog resets the adapter (reset_task, §E)',
    },
  },
  macb: {
    kind: 'macb',
    driverName: 'macb',
    defaultRingSize: MACB_DEFAULT_TX_RING_SIZE,
    maxDataPerDesc: MACB_MAX_TX_LENGTH,
    hasTxTimeout: false,
    bql: { sinceMajor: 6, sinceMinor: 15 },
    ...NIC,
    txIrqOnlyAfterTransmit: true,
    ring: {
      stop: 'macb_start_xmit: BUSY + stop when CIRC_SPACE(tx_head, tx_tail) < descriptors needed; stop after posting when CIRC_SPACE < 1 (§G.2)',
      wake: 'macb_tx_complete: wake when stopped and CIRC_CNT(tx_head, tx_tail) <= 3/4 of the ring (§G.2)',
      headTail:
        'tx_head = producer, tx_tail = consumer (free-running); TSTART tells the controller to fetch, TX_USED marks done descriptors (§G.2)',
      stuckHead:
        'the controller stops fetching at an outstanding head descriptor (TSTART lost): no TX interrupt, no completion, and no ndo_tx_timeout to recover (§I.2, §E)',
    },
  },
  virtio_net: {
    kind: 'virtio_net',
    driverName: 'virtio_net',
    defaultRingSize: VIRTIO_DEFAULT_RING_SIZE,
    maxDataPerDesc: 0x7fffffff,
    hasTxTimeout: true,
    bql: { sinceMajor: 6, sinceMinor: 11 },
    ...NIC,
    ring: {
      stop: 'check_sq_full_and_disable: stop when num_free < 2 + MAX_SKB_FRAGS (19); a full ring drops ("Unexpected TXQ queue failure"), never BUSY (§G.3)',
      wake: 'virtnet_poll_tx: free_old_xmit, wake when num_free >= 2 + MAX_SKB_FRAGS (§G.3)',
      headTail: 'the virtqueue avail ring (driver) and used ring (device); virtqueue_kick is the doorbell (§G.3)',
      stuckHead: 'the device never returns buffers on the used ring: dev_watchdog fires, virtio_net only logs it (§E)',
    },
  },
  generic: {
    kind: 'generic',
    driverName: 'generic',
    defaultRingSize: 256,
    maxDataPerDesc: 0x7fffffff,
    hasTxTimeout: true,
    bql: 'always',
    ...NIC,
    ring: {
      stop: 'stop when free descriptors < what the next skb needs (BUSY if it does not fit)',
      wake: 'clean pass: wake when free descriptors >= wake threshold (ring/4 by default)',
      headTail: 'head = next to use (doorbell), tail = next to clean',
      stuckHead: 'the device stops completing descriptors: TX ring not draining (§I.2), dev_watchdog fires (§E)',
    },
  },
  veth: VETH_PROFILE,
  // the simulator's lone veth end without a modelled peer device: the same ring and rules
  'veth-like': { ...VETH_PROFILE, kind: 'veth-like', defaultRingSize: 256 },
};

/** The drivers a user can name (`txreplay --driver`, profile files); veth-like is the simulator's own. */
export const NAMED_DRIVERS: readonly DriverKind[] = ['igb', 'macb', 'virtio_net', 'veth', 'generic'];

/** The profile of a driver the user named, or null for a name the model does not know. */
export function driverProfileNamed(name: string): DriverProfile | null {
  return (NAMED_DRIVERS as readonly string[]).includes(name) ? DRIVER_PROFILES[name as DriverKind] : null;
}

/** CIRC_CNT / CIRC_SPACE (include/linux/circ_buf.h) over free-running indexes, size a power of two (§G) */
export function circCnt(head: number, tail: number, size: number): number {
  return (head - tail) & (size - 1);
}
export function circSpace(head: number, tail: number, size: number): number {
  return (tail - head - 1) & (size - 1);
}
/** igb_desc_unused: (ntc > ntu ? 0 : count) + ntc - ntu - 1, on masked indexes (§G.1) */
export function igbDescUnused(nextToUse: number, nextToClean: number, count: number): number {
  const ntu = nextToUse % count;
  const ntc = nextToClean % count;
  return (ntc > ntu ? 0 : count) + ntc - ntu - 1;
}
