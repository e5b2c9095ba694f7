/**
 * A driver's word that its TX ring filled:
 *  - as designed: IPoIB's ipoib_send()/ipoib_cm_send() "TX ring full, stopping kernel net queue" (ipoib_dbg, so only
 *    with the module's debug_level set): the send ring reached ipoib_sendq_size and the driver stopped the queue
 *    (netif_stop_queue: __QUEUE_STATE_DRV_XOFF) until a send completion wakes it;
 *  - as a bug: "BUG! Tx Ring full when queue awake!" (tg3, bnx2, bnx2x BNX2X_ERR, 8139cp, sungem, jme, mtk_eth_soc):
 *    ndo_start_xmit() found fewer free descriptors than the skb needs while the queue was awake, i.e. the driver's own
 *    stop check after the previous transmit (tg3: tx_avail ≤ MAX_SKB_FRAGS + 1) did not stop it. It stops the queue
 *    now and returns NETDEV_TX_BUSY: the qdisc requeues the skb (dev_requeue_skb) and retries after the next wake.
 */
import { deviceRef } from '../device.js';
import type { TxRingFullRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const STOPPING_RE = /^TX ring full, stopping kernel net queue/;
const AWAKE_RE = /^(?:BUG! )?T[Xx] [Rr]ing full when queue awake!?/;
// BNX2X_ERR(): pr_err("[%s:%d(%s)]" fmt, __func__, __LINE__, dev->name) after pr_fmt "bnx2x: "
const BNX2X_RE = /^\[\w+:\d+\(([\w.@-]+)\)\]\s*(.*)$/;
// 2.6-era 8139cp/sungem: printk(KERN_ERR PFX "%s: BUG! …", dev->name) with PFX "8139cp: " — a module name that
// starts with a digit, which the common prefix split does not take for a driver
const PFX_RE = /^([\w-]+): ([\w.@-]+): (.*)$/;

export function matchRingFull(c: Cursor, i: number): TxRingFullRecord | null {
  const msg = c.msgs[i]!;
  let rest = msg.rest;
  let ref = deviceRef(msg);
  const bnx2x = BNX2X_RE.exec(rest);
  const pfx = !bnx2x && ref.dev === undefined ? PFX_RE.exec(rest) : null;
  if (bnx2x) {
    // splitDevicePrefix took the "bnx2x:" pr_fmt for an interface name; the bracket names the real one
    ref = { driver: msg.dev ?? 'bnx2x', dev: bnx2x[1]! };
    rest = bnx2x[2]!;
  } else if (pfx) {
    ref = { driver: pfx[1]!, dev: pfx[2]! };
    rest = pfx[3]!;
  }
  const stopping = STOPPING_RE.test(rest);
  if (!stopping && !AWAKE_RE.test(rest)) return null;
  return {
    kind: 'tx_ring_full',
    ...takeSpan(c, [i]),
    ...ref,
    driver: ref.driver ?? (stopping ? 'ib_ipoib' : 'unknown'),
    whileAwake: !stopping,
    text: rest.trim(),
  };
}
