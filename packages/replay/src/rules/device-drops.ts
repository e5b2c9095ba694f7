/**
 * device_tx_drops from the trace: kfree_skb reasons that mean a device driver dropped the packet while handing it on
 * (§D.3: not a qdisc drop, not a neighbour drop):
 * - FULL_RING: tun_net_xmit() / tap_handle_frame() found the queue to the reader full (ptr_ring_produce failed): the
 *   userspace program or vhost-net thread behind the tun/tap does not drain it. Counted in the device's tx_dropped.
 * DEV_READY is not read here: enqueue_to_backlog() gives it too when a veth peer is down, which net_dev_xmit rc=1
 * already tells (peer_down).
 * kfree_skb carries no device: the skb's own net_dev_start_xmit names it when the trace has it.
 */
import type { Observed } from '../observe/records.js';
import type { FindingSink } from './context.js';
import { reasonDrops, reasonEvidence } from './reason-drops.js';

const MEANING: Record<string, string> = {
  FULL_RING:
    'the ring from the driver to its reader was full — tun_net_xmit() (the tun device transmitting) and tap_handle_frame() (macvtap/ipvtap passing a packet to the tap) drop with it when ptr_ring_produce() fails: the program or vhost-net thread reading the tun/tap does not drain it as fast as packets come',
};

export function deviceDrops(o: Observed, sink: FindingSink): void {
  if (o.deviceDrops.size === 0) return;
  const { add, ev } = sink;
  const rd = reasonDrops(o.deviceDrops);
  const { reasons, total } = rd;
  add(
    'device_tx_drops',
    'warning',
    '(device not traced)',
    null,
    o.rows.tsRel(rd.firstRow),
    o.rows.tsRel(rd.lastRow),
    `${total} packet(s) dropped by a device driver, not by a qdisc: ${reasons.map(([r, d]) => `${d.count} ${r}`).join(', ')}`,
    `kfree_skb gives these reasons from a driver handing packets on: ${reasons.map(([r]) => `${r}: ${MEANING[r] ?? 'a driver drop'}`).join('; ')}. ` +
      'No qdisc refused them and no TX queue was stopped for them: the device counts them as dropped (tun: tx_dropped). ' +
      'kfree_skb names no device, so the trace says which one only where it also holds the net_dev_start_xmit of the same skb.',
    reasonEvidence(rd, ev),
    [
      'tun/tap: look at the reader — the QEMU vhost-<pid> thread or the VPN daemon — for CPU starvation, and at `ip -s link` TX dropped of the tun/tap device growing',
      'record net:net_dev_start_xmit beside skb:kfree_skb to name the device the drops happen on',
    ],
  );
}
