/**
 * device_tx_drops from a USB adapter's log: r8152/ax88179_178a write_bulk_callback() prints "Tx status %d" when a
 * bulk-out URB completes with an error and adds every packet aggregated in it to tx_errors. The qdisc handed those
 * packets over; they were lost on the USB link, not held in a queue. The errno says what the host controller saw
 * (Documentation/driver-api/usb/error-codes.rst).
 */
import type { KernelRecord, UsbTxErrorRecord } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { evidenceOf, groupByDevice, logDeviceName, logElapsedNs, logSpan, logTimeNs } from './log-record.js';

/** urb->status values a bulk-out completion reports, in the USB core's own terms. */
const URB_STATUS: Record<number, string> = {
  [-71]:
    'EPROTO: a protocol error on the bus (bit stuffing, no handshake from the device in time) — signal or power trouble between host and adapter',
  [-84]: 'EILSEQ: a CRC mismatch on the bus',
  [-62]: 'ETIME: the device did not answer in time',
  [-110]: 'ETIMEDOUT: the transfer timed out',
  [-75]: 'EOVERFLOW: the device sent more than asked (babble)',
  [-32]: 'EPIPE: the bulk-out endpoint stalled',
  [-108]: 'ESHUTDOWN: the host controller or the device went away (unplugged, or the port was disabled)',
  [-19]: 'ENODEV: the device is gone',
  [-2]: 'ENOENT: the transfer was unlinked (the interface stopped or reset)',
  [-104]: 'ECONNRESET: the transfer was unlinked (the interface stopped or reset)',
};

/** Most lines within one second of each other: the longest burst. */
function longestBurst(errs: readonly UsbTxErrorRecord[]): number {
  let best = 1;
  let from = 0;
  for (let i = 0; i < errs.length; i++) {
    while (logTimeNs(errs[i]!) - logTimeNs(errs[from]!) > 1_000_000_000n) from++;
    best = Math.max(best, i - from + 1);
  }
  return best;
}

function usbFinding(errs: UsbTxErrorRecord[], source: string): Finding {
  const first = errs[0]!;
  const last = errs[errs.length - 1]!;
  const dev = logDeviceName(first);
  const codes = [...new Set(errs.map((e) => e.status))];
  const spanNs = errs.length > 1 ? logElapsedNs(first, last) : undefined;
  const over = spanNs !== undefined ? ` over ${(Number(spanNs) / 60e9).toFixed(1)} min` : '';
  const burst = longestBurst(errs);
  return {
    kind: 'device_tx_drops',
    severity: 'warning',
    dev,
    queue: null,
    ...logSpan(first, last),
    title: `${dev} (${first.driver}): ${errs.length} failed USB TX transfer(s)${over} (Tx status ${codes.join(', ')}): the packets in them were counted in tx_errors and lost`,
    explanation:
      `${first.driver}'s write_bulk_callback() logs "Tx status N" when a bulk-out URB completes with an error and adds ` +
      `every packet aggregated in it to tx_errors: the qdisc had handed them over, and they were lost on the USB link ` +
      `between host and adapter, not held in a queue. ${codes.map((c) => `${c} = ${URB_STATUS[c] ?? 'an errno the USB core reports'}`).join('; ')}. ` +
      `${burst > 1 ? `Up to ${burst} failed within one second. ` : ''}The line is net_ratelimit()ed, so there were at ` +
      `least this many failures. The log cannot show whether TX stopped altogether: a failed transfer goes back to ` +
      `the free list and sending goes on; a stop would show as a NETDEV WATCHDOG (r8152 has an ndo_tx_timeout) or as ` +
      `TX packets no longer growing in ip -s link.`,
    evidence: [...errs.slice(0, 3), ...(errs.length > 3 ? [last] : [])].map((e) => evidenceOf(e, source)),
    nextSteps: [
      `look at the USB side: \`dmesg | grep -iE "usb .*(reset|disconnect)"\` for the adapter's port, \`lsusb -t\` for the speed it runs at; try another port, another cable, or a powered hub`,
      `\`ip -s link show ${dev}\` twice: TX errors growing with these lines confirm it (txreplay diagnose reads both snapshots beside the log)`,
    ],
  };
}

/** One finding per USB adapter whose TX transfers failed. */
export function usbTxFindings(records: readonly KernelRecord[], source: string): Finding[] {
  const errs = records.filter((r): r is UsbTxErrorRecord => r.kind === 'usb_tx_error');
  return groupByDevice(errs).map((g) => usbFinding(g, source));
}
