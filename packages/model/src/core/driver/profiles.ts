/**
 * Driver TX ring profiles (§G). Constants are the kernel's (K6.12; igb same in K5.15).
 */
export type DriverKind = 'igb' | 'macb' | 'virtio_net' | 'generic' | 'veth-like' | 'veth';

export const NETDEV_TX_OK = 0x00;
/** §D.4: the only rc that is not dev_xmit_complete */
export const NETDEV_TX_BUSY = 0x10;

export const MAX_SKB_FRAGS = 17;
/** igb (§G.1) */
export const IGB_DEFAULT_TXD = 256;
export const IGB_DEFAULT_TX_WORK = 128;
export const IGB_MAX_DATA_PER_TXD = 32768;
export const IGB_DESC_NEEDED = MAX_SKB_FRAGS + 4; // 21
export const IGB_TX_WAKE_THRESHOLD = IGB_DESC_NEEDED * 2; // 42
/** macb (§G.2) */
export const MACB_DEFAULT_TX_RING_SIZE = 512;
/** GEM max_tx_length (GEM_MAX_TX_LEN = 0x3FC0 rounded to the DMA bus width) */
export const MACB_MAX_TX_LENGTH = 0x3fc0;
export function macbTxWakeupThresh(ringSize: number): number {
  return (3 * ringSize) / 4;
}
/** virtio_net (§G.3): stop when num_free < 2 + MAX_SKB_FRAGS, wake when >= */
export const VIRTIO_NET_STOP_THRESHOLD = 2 + MAX_SKB_FRAGS; // 19
export const VIRTIO_DEFAULT_RING_SIZE = 256;
/** §F */
export const NAPI_POLL_WEIGHT = 64;
/** veth: the peer rq's xdp_ring (ptr_ring) size, VETH_RING_SIZE */
export const VETH_RING_SIZE = 256;

export interface DriverProfile {
  kind: DriverKind;
  /** name printed in net_dev_xmit_timeout driver= */
  driverName: string;
  defaultRingSize: number;
  /** bytes one descriptor can carry (TXD_USE_COUNT) */
  maxDataPerDesc: number;
  /** ndo_tx_timeout present → dev_watchdog armed (§E). macb and veth have none. */
  hasTxTimeout: boolean;
  /** BQL default: igb, virtio_net (napi_tx, ~6.11+), generic yes; macb only from 6.15 (§G.2) */
  bqlDefault: (kernelRelease: string) => boolean;
  /** TX completions through NAPI (all but veth-like) */
  napiWeight: number;
  /** default qdisc kind when the scenario does not say */
  defaultQdisc: 'pfifo_fast' | 'noqueue';
}

function atLeast(release: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return true;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a > major || (a === major && b >= minor);
}

export const DRIVER_PROFILES: Record<DriverKind, DriverProfile> = {
  igb: {
    kind: 'igb',
    driverName: 'igb',
    defaultRingSize: IGB_DEFAULT_TXD,
    maxDataPerDesc: IGB_MAX_DATA_PER_TXD,
    hasTxTimeout: true,
    bqlDefault: () => true,
    napiWeight: NAPI_POLL_WEIGHT,
    defaultQdisc: 'pfifo_fast',
  },
  macb: {
    kind: 'macb',
    driverName: 'macb',
    defaultRingSize: MACB_DEFAULT_TX_RING_SIZE,
    maxDataPerDesc: MACB_MAX_TX_LENGTH,
    hasTxTimeout: false,
    bqlDefault: (r) => atLeast(r, 6, 15),
    napiWeight: NAPI_POLL_WEIGHT,
    defaultQdisc: 'pfifo_fast',
  },
  virtio_net: {
    kind: 'virtio_net',
    driverName: 'virtio_net',
    defaultRingSize: VIRTIO_DEFAULT_RING_SIZE,
    maxDataPerDesc: 0x7fffffff,
    hasTxTimeout: true,
    bqlDefault: (r) => atLeast(r, 6, 11),
    napiWeight: NAPI_POLL_WEIGHT,
    defaultQdisc: 'pfifo_fast',
  },
  generic: {
    kind: 'generic',
    driverName: 'generic',
    defaultRingSize: 256,
    maxDataPerDesc: 0x7fffffff,
    hasTxTimeout: true,
    bqlDefault: () => true,
    napiWeight: NAPI_POLL_WEIGHT,
    defaultQdisc: 'pfifo_fast',
  },
  veth: {
    kind: 'veth',
    driverName: 'veth',
    defaultRingSize: VETH_RING_SIZE,
    maxDataPerDesc: 0x7fffffff,
    hasTxTimeout: false,
    bqlDefault: () => false,
    napiWeight: NAPI_POLL_WEIGHT,
    defaultQdisc: 'noqueue',
  },
  'veth-like': {
    kind: 'veth-like',
    driverName: 'veth',
    defaultRingSize: 256,
    maxDataPerDesc: 0x7fffffff,
    hasTxTimeout: false,
    bqlDefault: () => false,
    napiWeight: NAPI_POLL_WEIGHT,
    defaultQdisc: 'noqueue',
  },
};

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
