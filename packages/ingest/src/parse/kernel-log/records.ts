/**
 * Record layer: group kernel lines into TX-path evidence records (watchdog timeouts, ring dumps, recovery,
 * link changes, neighbour overflow). Lines that match nothing are skipped: a kernel log is mostly other noise.
 */
import { readKernelLines } from './reader.js';
import { makeCursor, type Matcher } from './records/cursor.js';
import { matchCpuStall } from './records/cpuStall.js';
import { matchDeviceLost } from './records/deviceLost.js';
import { matchIntelHang } from './records/intelHang.js';
import { matchMdd } from './records/mdd.js';
import { matchIommuFault } from './records/iommuFault.js';
import { matchOops } from './records/oops.js';
import { matchVirtualMachine } from './records/virtualMachine.js';
import { matchRingFull } from './records/ringFull.js';
import { matchStallKick } from './records/stallKick.js';
import { matchUsbTxError } from './records/usbTx.js';
import { matchAppEnobufs, matchLink, matchNeigh, matchRecovery } from './records/linkReset.js';
import { TX_TIMEOUT_MATCHERS } from './records/txTimeout.js';
import { matchWatchdog } from './records/watchdog.js';
import type { KernelLine, KernelRecord } from './types.js';

const MATCHERS: readonly Matcher[] = [
  matchWatchdog,
  matchIntelHang,
  matchStallKick,
  matchRingFull,
  matchUsbTxError,
  matchRecovery,
  ...TX_TIMEOUT_MATCHERS,
  matchLink,
  matchNeigh,
  matchAppEnobufs,
  matchOops,
  matchVirtualMachine,
  matchIommuFault,
  matchCpuStall,
  matchMdd,
  matchDeviceLost,
];

/** Records from already-read kernel lines, in source order of their first line. */
function recordsFromLines(lines: readonly KernelLine[]): KernelRecord[] {
  const c = makeCursor(lines);
  const out: KernelRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (c.used[i]) continue;
    for (const match of MATCHERS) {
      const rec = match(c, i);
      if (rec) {
        out.push(rec);
        break;
      }
    }
  }
  return out.sort((a, b) => a.firstLine - b.firstLine);
}

/** Read kernel-log text and return its TX-path records. */
export function parseKernelLog(input: string | readonly string[]): { lines: KernelLine[]; records: KernelRecord[] } {
  const lines = readKernelLines(input);
  return { lines, records: recordsFromLines(lines) };
}
