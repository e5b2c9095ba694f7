/**
 * iwlwifi's own TX queue watchdog (iwl_txq_stuck_timer() → iwl_trans_pcie_log_scd_error()): a TX queue whose frames
 * the firmware's scheduler has not taken for the queue's timeout prints `Queue 3 is active on fifo 5 and stuck for
 * 10000 ms. SW [106, 10] HW [106, 10] FH TRB=0x080503071` — the driver's read and write pointers, then the hardware's
 * (older drivers: `Queue 3 is stuck 16 73`, the driver's two only) — and the driver restarts the firmware right after
 * ("Microcode SW error detected. Restarting 0x2000000."). The pointers map onto the ring view: the hardware's read
 * pointer is the head, its write pointer the tail the driver wrote, the driver's read pointer next_to_clean.
 */
import { type TxTimeoutDumpRecord } from '../types.js';
import type { Cursor } from './cursor.js';
import { build, ring } from './dump.js';

const STUCK_RE =
  /^Queue (\d+) is active on fifo (\d+) and stuck for (\d+) ms\. SW \[(\d+), (\d+)\] HW \[(\d+), (\d+)\] FH TRB=0x([0-9a-f]+)/;
const STUCK_OLD_RE = /^Queue (\d+) is stuck (\d+) (\d+)\s*$/;
const RESTART_RE = /^Microcode SW error detected\.?\s+Restarting/;

export function matchIwlwifiStuck(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  const m = STUCK_RE.exec(rest);
  const old = m ? null : STUCK_OLD_RE.exec(rest);
  if (!m && !old) return null;
  const idx = [i];
  const next = c.msgs[i + 1];
  const restarted = next !== undefined && !c.used[i + 1] && RESTART_RE.test(next.rest);
  if (restarted) idx.push(i + 1);
  const fields: Record<string, bigint> = m
    ? {
        queue: BigInt(m[1]!),
        fifo: BigInt(m[2]!),
        sw_read: BigInt(m[4]!),
        sw_write: BigInt(m[5]!),
        hw_read: BigInt(m[6]!),
        hw_write: BigInt(m[7]!),
      }
    : { queue: BigInt(old![1]!), sw_read: BigInt(old![2]!), sw_write: BigInt(old![3]!) };
  if (restarted) fields['fw_restart'] = 1n;
  const rec = build(c, i, idx, 'iwlwifi', fields);
  rec.driver = c.msgs[i]!.driver ?? 'iwlwifi';
  ring(rec, { queue: 'queue', hwHead: 'hw_read', hwTail: 'hw_write', nextToUse: 'sw_write', nextToClean: 'sw_read' });
  if (m) rec.sinceLastTransUs = Number(m[3]) * 1000;
  return rec;
}
