/**
 * peer_down (§D.4): net_dev_xmit returned NET_XMIT_DROP: the veth peer or the carrier is down.
 */
import type { DeviceRule } from './context.js';

export const peerDown: DeviceRule = {
  kind: 'peer_down',
  needs: { events: ['net:net_dev_xmit'], signals: ['rc=1 (NET_XMIT_DROP)'] },
  run(c) {
    const { o, d, peerDriven, add, ev } = c;
    const drops = d.rcOther.get(1) ?? 0;
    if (drops > 0) {
      add(
        'peer_down',
        'critical',
        d.name,
        null,
        o.rows.tsRel(d.rcDropFirstRow),
        o.rows.tsRel(d.rcDropLastRow),
        `${d.name}: ${drops} transmits returned NET_XMIT_DROP${peerDriven ? ' — the veth peer is down' : ' — the driver dropped them (carrier/peer down)'}`,
        peerDriven
          ? `veth_xmit drops the skb and returns NET_XMIT_DROP when the peer device is missing or not running (peer down), counting tx_dropped; the qdisc sees a completed transmit (dev_xmit_complete), so packets vanish silently while the sender keeps going (§D.4).`
          : `The driver consumed the skb but returned NET_XMIT_DROP: it dropped it (link/carrier down or no resources) (§D.4).`,
        [ev(d.rcDropFirstRow, 'first net_dev_xmit rc=1'), ev(d.rcDropLastRow, 'last net_dev_xmit rc=1')],
        ['ip -s link show <dev> and its peer (operstate, tx_dropped)', 'dmesg for link down events'],
      );
    }
  },
};
