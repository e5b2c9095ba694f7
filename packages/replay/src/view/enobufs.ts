/**
 * Where an ENOBUFS came from (issue "verdicts on partial evidence", item 8). `sendto: No buffer space available`
 * has several kernel sources; for each, say whether the input shows it (with counts and where), excludes it (the
 * input would have shown it and does not), or cannot exclude it (the input cannot show it at all).
 *
 * - qdisc: a qdisc refused the new skb at enqueue (kfree_skb reason QDISC_DROP, no qdisc_enqueue for it) and
 *   returned NET_XMIT_DROP, which net_xmit_errno() turns into -ENOBUFS (§D.3); drops from inside the qdisc and
 *   fq_codel's batch drops (NET_XMIT_CN) give the sender none.
 * - neighbour: __neigh_create() failed (table at gc_thresh3, "neighbour table overflow"): ip_finish_output2() drops
 *   the skb with NEIGH_CREATEFAIL and returns -ENOBUFS. NEIGH_QUEUEFULL (unresolved queue full) is a silent drop.
 * - socket buffer: __ip_append_data() returns -ENOBUFS when sk_wmem_alloc is over twice sk_sndbuf for a further
 *   fragment: no skb exists yet, so no tracepoint here can show it.
 * - stacked device: an upper device (vlan, macvlan, bond) returns its lower device's NET_XMIT_DROP through
 *   dev_queue_xmit(): the drop is traced on the lower device's qdisc, and the trace cannot name the upper one.
 */
import { K } from '../observe/kinds.js';
import type { Observed } from '../observe/records.js';
import type { EnobufsSource } from '../types.js';

/** How each layer and status reads in the text verdict and the post-mortems (one wording for both). */
export const ENOBUFS_LAYER_LABEL: Record<EnobufsSource['layer'], string> = {
  qdisc: 'qdisc (NET_XMIT_DROP)',
  neighbour: 'neighbour layer',
  socket_buffer: 'socket send buffer',
  stacked_device: 'stacked device',
};
export const ENOBUFS_STATUS_LABEL: Record<EnobufsSource['status'], string> = {
  shown: 'shown',
  excluded: 'excluded',
  cannot_exclude: 'cannot be excluded',
};

/** qdisc drops of new packets per queue: the ENOBUFS candidates (fq_codel: none, NET_XMIT_CN) */
function refusedByQdisc(obs: Observed, qdiscOf: (dev: string) => string | undefined): { where: string[]; n: number } {
  const where: string[] = [];
  let n = 0;
  for (const d of obs.devices) {
    if (qdiscOf(d.name) === 'fq_codel') continue;
    for (const q of d.queues.values()) {
      const refused = q.qdiscDrops - q.dropsInside;
      if (refused <= 0) continue;
      where.push(`${d.name} txq ${q.queue}: ${refused}`);
      n += refused;
    }
  }
  if (obs.unattributedDrops > 0) {
    where.push(`(no device): ${obs.unattributedDrops}`);
    n += obs.unattributedDrops;
  }
  return { where, n };
}

export function enobufsSources(obs: Observed, qdiscOf: (dev: string) => string | undefined): EnobufsSource[] {
  const kfree = obs.kindCounts[K.kfree] ?? 0;
  const reasoned = kfree > 0 && obs.kfreeWithReason > 0;
  const noKfree = 'skb:kfree_skb was not captured (its drop reason names the layer)';
  const qdisc = refusedByQdisc(obs, qdiscOf);
  const createFail = obs.neighDrops.get('NEIGH_CREATEFAIL')?.count ?? 0;
  const numeric = obs.numericReasons.size > 0;
  const out: EnobufsSource[] = [];
  out.push(
    qdisc.n > 0
      ? {
          layer: 'qdisc',
          status: 'shown',
          packets: qdisc.n,
          where: qdisc.where,
          why: 'new packets refused at enqueue: NET_XMIT_DROP → -ENOBUFS (net_xmit_errno)',
        }
      : kfree > 0
        ? {
            layer: 'qdisc',
            status: 'excluded',
            packets: 0,
            where: [],
            why: 'kfree_skb was captured: no qdisc refused a new packet',
          }
        : { layer: 'qdisc', status: 'cannot_exclude', packets: null, where: [], why: noKfree },
  );
  out.push(
    createFail > 0
      ? {
          layer: 'neighbour',
          status: 'shown',
          packets: createFail,
          where: [],
          why: 'NEIGH_CREATEFAIL: __neigh_create() failed (neighbour table full), ip_finish_output2() returned -ENOBUFS',
        }
      : reasoned && !numeric
        ? {
            layer: 'neighbour',
            status: 'excluded',
            packets: 0,
            where: [],
            why: 'kfree_skb reasons were captured: no NEIGH_CREATEFAIL',
          }
        : {
            layer: 'neighbour',
            status: 'cannot_exclude',
            packets: null,
            where: [],
            why:
              kfree === 0
                ? noKfree
                : numeric
                  ? 'kfree_skb reasons are numbers here (bpftrace): NEIGH_CREATEFAIL cannot be told without the kernel’s enum'
                  : 'kfree_skb carries no drop reason on this kernel (before 5.17): a neighbour drop looks like any other',
          },
  );
  out.push({
    layer: 'socket_buffer',
    status: 'cannot_exclude',
    packets: null,
    where: [],
    why: 'sk_wmem_alloc over the send buffer (__ip_append_data) fails before an skb exists: no TX tracepoint shows it; `ss -m` (skmem w/tb) or a kretprobe on the sendmsg path would',
  });
  out.push({
    layer: 'stacked_device',
    status: qdisc.n > 0 || kfree === 0 ? 'cannot_exclude' : 'excluded',
    packets: null,
    where: [],
    why:
      qdisc.n > 0
        ? 'an upper device (vlan, macvlan, bond) passes its lower qdisc’s NET_XMIT_DROP up through dev_queue_xmit(): the drops above may be an upper device’s senders’'
        : kfree === 0
          ? noKfree
          : 'no qdisc refused a packet on any device, lower or upper',
  });
  return out;
}
