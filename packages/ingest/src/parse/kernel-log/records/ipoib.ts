/**
 * IPoIB (drivers/infiniband/ulp/ipoib) has no hardware ring of its own: it posts send work requests to a UD queue
 * pair and learns of their completion from the send CQ. Its lines carry only the interface name (ipoib_warn():
 * `"%s: " fmt, priv->dev->name`).
 *
 * ipoib_timeout(), its ndo_tx_timeout, prints two lines and does nothing else ("XXX reset QP, etc."):
 *   `transmit timeout: latency %d msecs` — jiffies − dev_trans_start(): how long the device had sent nothing;
 *   `queue stopped %d, tx_head %u, tx_tail %u` — v5.12+ adds `, global_tx_head %u, global_tx_tail %u` (sends posted
 *   and completed over UD and connected mode together). tx_head/tx_tail are free-running unsigned counters:
 *   ipoib_send() increments tx_head, ipoib_ib_handle_tx_wc() tx_tail; the ring slot is value & (ipoib_sendq_size − 1).
 */
import { sameDevice } from '../device.js';
import { small } from '../numbers.js';
import type { TxTimeoutDumpRecord } from '../types.js';
import type { Cursor } from './cursor.js';
import { build } from './dump.js';

const LATENCY_RE = /^transmit timeout: latency (\d+) msecs/;
const STOPPED_RE =
  /^queue stopped (\d+), tx_head (\d+), tx_tail (\d+)(?:, global_tx_head (\d+), global_tx_tail (\d+))?/;

/** ipoib_timeout()'s latency line and/or its queue line (either alone when the paste cut the other). */
export function matchIpoibTimeout(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const msg = c.msgs[i]!;
  const lat = LATENCY_RE.exec(msg.rest);
  let stopIdx = i;
  if (lat) {
    const next = c.msgs[i + 1];
    stopIdx = next && !c.used[i + 1] && sameDevice(next, msg) && STOPPED_RE.test(next.rest) ? i + 1 : -1;
  }
  const stop = stopIdx >= 0 ? STOPPED_RE.exec(c.msgs[stopIdx]!.rest) : null;
  if (!lat && !stop) return null;
  const fields: Record<string, bigint> = {};
  if (lat) fields['latency_ms'] = BigInt(lat[1]!);
  if (stop) {
    fields['queue_stopped'] = BigInt(stop[1]!);
    fields['tx_head'] = BigInt(stop[2]!);
    fields['tx_tail'] = BigInt(stop[3]!);
    if (stop[4] !== undefined) {
      fields['global_tx_head'] = BigInt(stop[4]);
      fields['global_tx_tail'] = BigInt(stop[5]!);
    }
  }
  const rec = build(c, i, stop && stopIdx !== i ? [i, stopIdx] : [i], 'ipoib', fields);
  rec.driver = msg.driver ?? 'ib_ipoib';
  if (lat) rec.sinceLastTransUs = Number(lat[1]) * 1000;
  // the counters wrap at 2^32 (unsigned int in struct ipoib_dev_priv): keep them as printed, the reading takes the
  // difference mod 2^32
  const head = small(fields['tx_head']);
  const tail = small(fields['tx_tail']);
  if (head !== undefined) rec.nextToUse = head;
  if (tail !== undefined) rec.nextToClean = tail;
  return rec;
}
