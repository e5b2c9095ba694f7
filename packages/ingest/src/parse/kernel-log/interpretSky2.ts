/**
 * Reading of sky2_tx_timeout()'s "transmit ring tx_cons .. tx_prod report=R done=D" (records/sky2.ts). done is where
 * the TX queue's DMA has got to (Q_DONE), report what the status unit has told the host (STAT_TXA*_RIDX), tx_cons
 * what the driver reaped after that report (sky2_tx_complete()). The driver's own branches in 2.6.1x say the same:
 * report ≠ done "status burst pending (irq moderation?)", report ≠ tx_cons "status report lost?", else "hardware
 * hung? flushing". Indexes run modulo the TX ring (TX_RING_SIZE = 512 list elements in the drivers that print the
 * "sky2 eth0:" form; later ones size it from tx_pending).
 */
import type { RingReading, TxTimeoutDumpRecord } from './types.js';

const SKY2_TX_RING_SIZE = 512;

const ahead = (from: number, to: number): number => (to - from + SKY2_TX_RING_SIZE) % SKY2_TX_RING_SIZE;
const wrapped = (from: number, to: number): string =>
  to >= from ? '' : ' (the ring wrapped; counted on a 512-entry ring)';

export function sky2Reading(r: TxTimeoutDumpRecord): RingReading {
  const f = r.fields;
  const cons = Number(f['tx_cons'] ?? 0n);
  const prod = Number(f['tx_prod'] ?? 0n);
  const report = Number(f['report'] ?? 0n);
  const done = Number(f['done'] ?? 0n);
  const said = r.driverVerdict !== undefined ? ` The driver's own verdict: "${r.driverVerdict}".` : '';
  const ring = `transmit ring ${cons} .. ${prod} (tx_cons .. tx_prod), report=${report}, done=${done}`;
  if (report !== done)
    return {
      cause: 'completions_not_processed',
      summary: `${ring}: the NIC's TX queue has done list elements up to ${done} but its status unit reported only up to ${report} — completions held back from the host (a status burst pending behind interrupt moderation, or a status interrupt that never came).${said}`,
    };
  if (report !== cons)
    return {
      cause: 'completions_not_processed',
      summary: `${ring}: the NIC sent and reported up to ${report}, the driver reaped only up to tx_cons ${cons}: ${ahead(cons, report)} completion(s)${wrapped(cons, report)} reported and never processed — the status report was lost or the NAPI poll that handles it did not run.${said}`,
    };
  if (prod === cons)
    return {
      cause: 'pending_unattributed',
      unreaped: 0,
      summary: `${ring}: nothing outstanding — the ring was empty when the timeout fired, so the NIC is not what held the queue.${said}`,
    };
  return {
    cause: 'dma_stall',
    unreaped: ahead(cons, prod),
    pendingOnNic: ahead(done, prod),
    summary: `${ring}: the driver reaped everything the NIC did (report = done = tx_cons = ${cons}) and the ${ahead(cons, prod)} list element(s) from ${cons} to ${prod}${wrapped(cons, prod)} were never done — the TX queue's DMA stopped at ${done} (the prefetch unit's put index, the doorbell, is not printed, so a put index never written is not excluded).${said}`,
  };
}
