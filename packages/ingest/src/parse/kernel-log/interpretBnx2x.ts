/**
 * Reading of a bnx2x crash dump (records/bnx2x.ts): per TX ring, tx_pkt_prod (posted), tx_pkt_cons (reaped) and the
 * status block's *tx_cons_sb (what the chip reported sent), 16-bit indexes. A chip that stopped sending shows
 * *tx_cons_sb = tx_pkt_cons with packets posted behind it; a lost completion shows *tx_cons_sb ahead of tx_pkt_cons.
 * The driver's reason for the dump matters: "storm stats were not updated" means the firmware (the storm
 * processors) no longer answered the statistics ramrods — bnx2x_stats_update() calls bnx2x_panic() for it.
 */
import { hexOf } from './numbers.js';
import type { RingReading, TxTimeoutDumpRecord } from './types.js';

function why(r: TxTimeoutDumpRecord): string {
  const missed = r.fields['storm_stats_missed'];
  if (missed === undefined) return '';
  return ` The driver took the dump because the chip's firmware stopped updating statistics ("storm stats were not updated for ${missed} times"${r.fields['driver_assert'] ? ', then "driver assert"' : ''}: bnx2x_stats_update() → bnx2x_panic()): the firmware itself no longer answered.`;
}

export function bnx2xReading(r: TxTimeoutDumpRecord): RingReading {
  const f = r.fields;
  const queues = Number(f['tx_queues'] ?? 0n);
  const stuck = Number(f['tx_queues_stuck'] ?? 0n);
  const unreaped = Number(f['tx_queues_unreaped'] ?? 0n);
  if (r.nextToUse === undefined || r.nextToClean === undefined || r.hwHead === undefined)
    return {
      cause: 'no_ring_numbers',
      summary: `bnx2x began a crash dump but its TX lines ("fpN: tx_pkt_prod(…)") are not in the input.${why(r)}`,
    };
  const fp = `fp${f['fp']}`;
  const posted = (r.nextToUse - r.nextToClean + 0x10000) % 0x10000;
  if (unreaped > 0)
    return {
      cause: 'completions_not_processed',
      unreaped: posted,
      summary: `On ${unreaped} of the ${queues} TX ring(s) in the dump the chip had reported packets sent (*tx_cons_sb) that the driver had not reaped (tx_pkt_cons): completions left unprocessed — the fastpath interrupt or its NAPI poll did not run.${why(r)}`,
    };
  if (stuck === 0)
    return {
      cause: 'pending_unattributed',
      unreaped: 0,
      summary: `Every TX ring in the dump is empty (tx_pkt_prod = tx_pkt_cons = *tx_cons_sb): nothing was waiting on the chip when it was taken.${why(r)}`,
    };
  const range = f['posted_min'] !== f['posted_max'] ? `, ${f['posted_min']}–${f['posted_max']} on each` : '';
  const all =
    stuck === queues && queues > 1
      ? `On all ${queues} TX rings in the dump`
      : `On ${stuck} of the ${queues} TX ring(s) in the dump`;
  return {
    cause: 'dma_stall',
    unreaped: posted,
    pendingOnNic: posted,
    summary: `${all} the chip's consumer in the status block equals the driver's (${fp}: tx_pkt_cons = *tx_cons_sb = ${hexOf(r.nextToClean)}) with packets posted behind it${range} (${fp}: tx_pkt_prod ${hexOf(r.nextToUse)}, ${posted} packet(s)): the chip stopped sending${stuck > 1 ? ' on every ring at once — the chip, not one ring or one interrupt' : ''}.${why(r)}`,
  };
}
