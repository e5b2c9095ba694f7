/**
 * Reading of tg3's tg3_dump_state() (records/tg3.ts). Three indexes of one TX ring of TG3_TX_RING_SIZE = 512 entries:
 * tx_prod (the driver's next free descriptor), tx_cons (the next one tg3_tx() reaps) and the status block's
 * tx_consumer (how far the NIC has sent). The mailbox the driver writes to tell the NIC about new descriptors
 * (tnapi->prodmbox) is not printed, so a doorbell never rung and a NIC that stopped fetching differ only in how the
 * queue came to be stopped:
 *  - tg3_start_xmit()'s ring-full check (tg3_tx_avail() ≤ MAX_SKB_FRAGS + 1: 18 with 4 KiB pages) stops the queue
 *    and then writes the mailbox (`!netdev_xmit_more() || netif_xmit_stopped(txq)`): the NIC was told;
 *  - tg3_tso_bug() (too little room for a GSO skb's segments) and the "BUG! Tx Ring full when queue awake!" check
 *    stop the queue and return NETDEV_TX_BUSY early; until "tg3: Fix the TX ring stall" (netdev, November 2023)
 *    those returns skipped the mailbox write, stranding the descriptors queued before them with xmit_more.
 */
import { TG3_TX_RING_SIZE } from './records/tg3.js';
import { hexOf } from './numbers.js';
import type { RingReading, TxTimeoutDumpRecord } from './types.js';

/** MAX_SKB_FRAGS + 1 with 4 KiB pages (MAX_SKB_FRAGS = 17): tg3_start_xmit() stops the queue at or below it. */
const RING_FULL_AVAIL = 18;
const mod = (n: number): number => ((n % TG3_TX_RING_SIZE) + TG3_TX_RING_SIZE) % TG3_TX_RING_SIZE;

function tags(r: TxTimeoutDumpRecord): string {
  const st = r.fields['status_tag'];
  const last = r.fields['last_tag'];
  if (st === undefined || last === undefined) return '';
  return st === last
    ? ` The driver had handled the NIC's latest status block (status_tag = last_tag = ${hexOf(Number(st))}): no interrupt was left unserviced.`
    : ` The status block's tag ${hexOf(Number(st))} is newer than the last the driver handled (last_tag ${hexOf(Number(last))}): the NIC posted an update no interrupt or poll picked up.`;
}

export function tg3Reading(r: TxTimeoutDumpRecord): RingReading {
  const { nextToUse: prod, nextToClean: cons, hwHead: hw } = r;
  const vector = `NAPI vector ${r.fields['vector'] ?? 0n}`;
  if (prod === undefined || cons === undefined || hw === undefined)
    return {
      cause: 'no_ring_numbers',
      summary: `tg3 printed only part of its state for ${vector} (the "Host status block" or "NAPI info" line is not in the input), so the ring cannot be read.`,
    };
  const posted = mod(prod - cons);
  const doneUnreaped = mod(hw - cons);
  const unsent = mod(prod - hw);
  const where = `${vector}'s ring (512 entries)`;
  if (doneUnreaped > 0 && doneUnreaped <= posted)
    return {
      cause: 'completions_not_processed',
      unreaped: posted,
      summary: `On ${where} the NIC's status block reports tx_consumer ${hexOf(hw)} but the driver reaped only up to tx_cons ${hexOf(cons)}: ${doneUnreaped} descriptor(s) the NIC had sent were never reaped — tg3_poll() did not run tg3_tx(): the interrupt was lost or masked, or NAPI was not scheduled.${tags(r)}`,
    };
  if (posted === 0) {
    const zero = prod === 0 && hw === 0;
    return {
      cause: 'pending_unattributed',
      summary: zero
        ? `On ${where} tx_prod, tx_cons and tx_consumer are all 0: the ring has carried nothing since it was (re)initialised; the queue was left stopped by whatever rebuilt it, not held by the NIC.`
        : `On ${where} tx_prod = tx_cons = tx_consumer = ${hexOf(prod)}: nothing was outstanding when the state was printed — the NIC is not what holds the queue; it was stopped and never woken, or held by flow control (pause frames).`,
    };
  }
  const avail = r.fields['tx_pending'] !== undefined ? Number(r.fields['tx_pending']) - posted : undefined;
  const base = `On ${where} the driver had reaped everything the NIC reported sent (tx_consumer = tx_cons = ${hexOf(cons)}), and tx_prod ${hexOf(prod)} is ${unsent} descriptor(s) ahead (modulo 512): queued for the NIC and not consumed by it.${avail !== undefined ? ` tx_pending ${r.fields['tx_pending']} − ${posted} leaves ${avail} free.` : ''}${tags(r)}`;
  if (avail === undefined)
    return {
      cause: 'pending_unattributed',
      unreaped: posted,
      pendingOnNic: unsent,
      summary: `${base} Without tx_pending the dump cannot say how the queue was stopped, so a doorbell never rung and a NIC that stopped fetching look alike.`,
    };
  if (avail <= RING_FULL_AVAIL)
    return {
      cause: 'dma_stall',
      unreaped: posted,
      pendingOnNic: unsent,
      summary: `${base} That is tg3_start_xmit()'s ring-full stop (free ≤ MAX_SKB_FRAGS + 1 = 18), a path that writes the send mailbox before returning: the NIC was told of these descriptors and fetched none — its send engine stalled (the chip, its firmware, or the PCIe/DMA path). tg3_dump_state() does not print the mailbox, so a lost mailbox write is not excluded.`,
    };
  return {
    cause: 'doorbell_not_written',
    unreaped: posted,
    pendingOnNic: unsent,
    summary: `${base} The ring was not full (${avail} free > 18), so the queue was stopped on a path that returns NETDEV_TX_BUSY — tg3_tso_bug() finding too little room for a GSO skb's segments, or the "BUG! Tx Ring full when queue awake!" check — and until "tg3: Fix the TX ring stall" (netdev, November 2023) those returns skipped the send-mailbox write: descriptors queued before them with xmit_more were never announced to the NIC, which sat idle with work in its ring. tg3_dump_state() does not print the mailbox, so a NIC that stopped fetching is not excluded.`,
  };
}
