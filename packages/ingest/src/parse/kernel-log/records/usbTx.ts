/**
 * USB network adapters' failed TX transfers: r8152 and ax88179_178a write_bulk_callback() print "Tx status %d" when a
 * bulk-out URB completes with an error (and count its agg->skb_num packets in tx_errors); pegasus prints "TX status
 * %d". Only with a device prefix: a bare "TX status" is too common a phrase.
 */
import { deviceRef } from '../device.js';
import type { UsbTxErrorRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const USB_TX_STATUS_RE = /^T[Xx] status (-\d+)\s*$/;

export function matchUsbTxError(c: Cursor, i: number): UsbTxErrorRecord | null {
  const msg = c.msgs[i]!;
  if (msg.driver === undefined) return null;
  const m = USB_TX_STATUS_RE.exec(msg.rest);
  if (!m) return null;
  return { kind: 'usb_tx_error', ...takeSpan(c, [i]), ...deviceRef(msg), driver: msg.driver, status: Number(m[1]) };
}
