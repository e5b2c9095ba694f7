/**
 * neigh_drops (§D.3, issue "where an ENOBUFS came from"): packets dropped by the neighbour layer before they
 * reached any qdisc or TX queue, told apart by kfree_skb reason:
 * - NEIGH_QUEUEFULL: __neigh_event_send() found the unresolved queue (arp_queue, unres_qlen_bytes) full while the
 *   next hop was INCOMPLETE — the peer does not answer ARP/ND; the sender's sendto() still returns 0 (UDP).
 * - NEIGH_FAILED: the entry went FAILED (neigh_invalidate) with packets queued on it.
 * - NEIGH_CREATEFAIL: __neigh_create() failed (table at gc_thresh3, "neighbour table overflow"):
 *   ip_finish_output2() returns -ENOBUFS — the ENOBUFS that no TX queue caused.
 * - NEIGH_DEAD: the entry was being destroyed.
 */
import type { Observed } from '../observe/records.js';
import type { FindingSink } from './context.js';
import { reasonDrops, reasonEvidence } from './reason-drops.js';

const MEANING: Record<string, string> = {
  NEIGH_QUEUEFULL:
    'the unresolved-neighbour queue was full (__neigh_event_send: the next hop stayed INCOMPLETE, its ARP/ND requests unanswered, and unres_qlen_bytes ran out); UDP senders get no error',
  NEIGH_FAILED: 'the neighbour entry failed (neigh_invalidate: resolution gave up) with these packets queued on it',
  NEIGH_CREATEFAIL:
    'no neighbour entry could be created (__neigh_create: table at gc_thresh3, "neighbour table overflow"); ip_finish_output2 returns -ENOBUFS to the sender',
  NEIGH_DEAD: 'the neighbour entry was being destroyed',
};

export function neighDrops(o: Observed, sink: FindingSink): void {
  if (o.neighDrops.size === 0) return;
  const { add, ev } = sink;
  const rd = reasonDrops(o.neighDrops);
  const { reasons, total } = rd;
  const enobufs = o.neighDrops.has('NEIGH_CREATEFAIL');
  add(
    'neigh_drops',
    'warning',
    '(neighbour layer)',
    null,
    o.rows.tsRel(rd.firstRow),
    o.rows.tsRel(rd.lastRow),
    `${total} packet(s) dropped by the neighbour layer before any TX queue: ${reasons.map(([r, d]) => `${d.count} ${r}`).join(', ')}`,
    `These skbs never reached a qdisc or a driver: ${reasons.map(([r]) => `${r}: ${MEANING[r] ?? 'a neighbour-layer drop'}`).join('; ')}. ` +
      (enobufs
        ? 'NEIGH_CREATEFAIL is an ENOBUFS that no TX queue caused.'
        : 'None of these is an ENOBUFS: the TX path (qdisc, txq, ring) is not where the packets went missing.'),
    reasonEvidence(rd, ev),
    [
      'ip neigh show: an INCOMPLETE/FAILED entry for the next hop means it does not answer ARP/ND (check the peer, VLAN, proxy_arp)',
      'a static entry (ip neigh replace <ip> lladdr <mac> dev <dev>) makes the drops stop if resolution is the problem',
      'for NEIGH_CREATEFAIL: compare ip neigh | wc -l with net.ipv4.neigh.default.gc_thresh3',
    ],
  );
}
