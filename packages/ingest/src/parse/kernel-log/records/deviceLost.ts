/**
 * The NIC fell off the PCIe bus, as its driver says when a register read comes back all-ones: igb_rd32() "PCIe link
 * lost" (", device now detached" since 4.x), igc_rd32() "PCIe link lost, device now detached" (with "igc: Failed to
 * read reg 0x…!" and a WARN after it), ixgbe_remove_adapter() "Adapter removed". The driver detaches the netdev: its
 * queues hold what they held, and nothing on them can complete — a TX timeout after this is the consequence.
 */
import type { DeviceLostRecord } from '../types.js';
import { deviceRef } from '../device.js';
import { takeSpan, type Cursor } from './cursor.js';

const LOST_RE = /^(?:PCIe link lost(?:, device now detached)?|Adapter removed)\s*$/;

export function matchDeviceLost(c: Cursor, i: number): DeviceLostRecord | null {
  const msg = c.msgs[i]!;
  if (!LOST_RE.test(msg.rest) || (msg.driver === undefined && msg.dev === undefined)) return null;
  return { kind: 'device_lost', ...takeSpan(c, [i]), ...deviceRef(msg), text: msg.rest.trim() };
}
