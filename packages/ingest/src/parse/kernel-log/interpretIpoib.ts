/**
 * Reading of IPoIB's ipoib_timeout() lines (records/ipoib.ts). IPoIB has no descriptor ring and no hardware head to
 * print: tx_head and tx_tail count the send work requests posted to the UD queue pair (ipoib_send) and the ones
 * whose completion the send CQ delivered (ipoib_ib_handle_tx_wc), so head − tail (mod 2^32) is what the HCA still
 * owes. The driver stops its queue when the send ring is full (global_tx_head − global_tx_tail reaches
 * ipoib_sendq_size) and only a send completion wakes it (ipoib_ib_handle_tx_wc → netif_wake_queue);
 * ipoib_timeout() resets nothing, so a queue stopped this way stays stopped until a completion arrives.
 */
import type { RingReading, TxTimeoutDumpRecord } from './types.js';

const U32 = 2 ** 32;

export function ipoibReading(r: TxTimeoutDumpRecord): RingReading {
  const f = r.fields;
  const latency = f['latency_ms'] !== undefined ? ` The device had sent nothing for ${f['latency_ms']} ms.` : '';
  const stopped =
    f['queue_stopped'] === undefined
      ? ''
      : f['queue_stopped'] === 0n
        ? ' The queue was awake when ipoib_timeout() ran (queue stopped 0).'
        : ' The queue was stopped (queue stopped 1): IPoIB stops it when its send ring is full.';
  const noReset =
    ' ipoib_timeout() only logs — it resets no QP or CQ — so the queue stays stopped until a send completion arrives.';
  if (r.nextToUse === undefined || r.nextToClean === undefined)
    return {
      cause: 'no_ring_numbers',
      summary: `${r.driver} reported a TX timeout without its send counters (the "queue stopped … tx_head … tx_tail" line is not in the input).${latency}${noReset}`,
    };
  const outstanding = (r.nextToUse - r.nextToClean + U32) % U32;
  let s =
    outstanding > 0
      ? `tx_head ${r.nextToUse} − tx_tail ${r.nextToClean} = ${outstanding} send(s) posted to the UD queue pair and never completed: the send CQ delivered no completion for them. The log cannot tell an HCA that stopped executing sends from a completion event that was lost or never re-armed (ib_req_notify_cq).`
      : `tx_head = tx_tail = ${r.nextToUse}: every send posted was completed, yet the queue was not woken.`;
  const gh = f['global_tx_head'];
  const gt = f['global_tx_tail'];
  if (gh !== undefined && gt !== undefined)
    s += ` Over UD and connected mode together ${(Number(gh) - Number(gt) + U32) % U32} send(s) were outstanding (global_tx_head ${gh} − global_tx_tail ${gt}).`;
  const after =
    outstanding === 0 && f['queue_stopped'] !== 0n
      ? ' ipoib_timeout() only logs — it resets no QP or CQ — and with no send outstanding no completion will come to wake the queue: it stays stopped until the interface is taken down and up.'
      : noReset;
  return { cause: 'pending_unattributed', summary: s + stopped + latency + after, unreaped: outstanding };
}
