/**
 * A driver's own TX-stall check that re-kicks the hardware: macb's "TX stall detected on queue %u (tail=%u
 * head=%u); re-kicking TSTART" (raspberrypi/linux #7340, rpi-6.18.y; the check calls macb_tx_restart(), which
 * rewrites TSTART in NCR when the controller's queue pointer TBQP is short of tx_head).
 */
import { deviceRef } from '../device.js';
import type { TxStallKickRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const MACB_STALL_RE = /^TX stall detected on queue (\d+) \(tail=(\d+) head=(\d+)\); re-kicking TSTART/;

export function matchStallKick(c: Cursor, i: number): TxStallKickRecord | null {
  const msg = c.msgs[i]!;
  const m = MACB_STALL_RE.exec(msg.rest);
  if (!m) return null;
  const tail = Number(m[2]);
  const head = Number(m[3]);
  return {
    kind: 'tx_stall_kick',
    ...takeSpan(c, [i]),
    ...deviceRef(msg),
    driver: msg.driver ?? 'macb',
    queue: Number(m[1]),
    tail,
    head,
    // tx_head and tx_tail are unsigned int counters that wrap at 2^32 (macb.h struct macb_queue)
    outstanding: (head - tail + 2 ** 32) % 2 ** 32,
  };
}
