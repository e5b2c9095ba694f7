/**
 * A NIC its driver found gone from PCIe ("PCIe link lost, device now detached": igb_rd32()/igc_rd32() read all-ones;
 * "Adapter removed": ixgbe_remove_adapter()). Everything on its queues waits for good: a NETDEV WATCHDOG after it is
 * the consequence, and the questions are about the link — the slot, its power management, the platform firmware —
 * not about which side of a ring stopped.
 */
import type { DeviceLostRecord, KernelRecord, TimeoutSeries } from '@txreplay/ingest/plain';
import { sameKernelLogDevice as sameDevice } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { evidenceOf, logDeviceName, logElapsedNs, logSpan } from './log-record.js';

const lostOf = (records: readonly KernelRecord[]): DeviceLostRecord[] =>
  records.filter((r): r is DeviceLostRecord => r.kind === 'device_lost');

/** What to look at for a NIC that left the bus: the link, its power management, the firmware, and how to get it back. */
export function deviceLostNext(lost: DeviceLostRecord): string[] {
  const bus = lost.busId ?? 'BUSID';
  return [
    `the PCIe link: \`lspci -vvv -s ${bus.replace(/^0000:/, '')}\` (still there? all-ones config space, LnkSta, AER status) and the PCIe errors before the loss (dmesg | grep -iE "AER|pcieport|link down"); ASPM on the slot (booting once with pcie_aspm=off tells whether it is power management); a BIOS/firmware update or a Thunderbolt dock in between`,
    `to get it back without a reboot: \`echo 1 > /sys/bus/pci/devices/${bus}/remove; echo 1 > /sys/bus/pci/rescan\` (the driver probes it afresh)`,
  ];
}

/** The device-lost record before a timeout series of the same device, as a sentence (empty: none). */
export function deviceLostBefore(records: readonly KernelRecord[], s: TimeoutSeries): DeviceLostRecord | undefined {
  return lostOf(records).find((r) => r.firstLine < s.firstLine && sameDevice(r, s));
}

export function deviceLostText(lost: DeviceLostRecord, first: KernelRecord | undefined): string {
  const gap = first ? logElapsedNs(lost, first) : undefined;
  const when = gap !== undefined ? `${(Number(gap) / 1e9).toFixed(1)} s before` : 'before';
  return (
    ` The driver found the NIC gone from PCIe ${when} (line ${lost.firstLine}: "${lost.text}"): its register reads ` +
    'returned all-ones and it detached the device, so nothing on its queues could complete — the timeout is the ' +
    'consequence of the lost link, not a ring that stopped on its own.'
  );
}

/** A NIC lost from the bus with no TX timeout of it in the log: still every packet it held is lost. */
export function deviceLostFindings(
  records: readonly KernelRecord[],
  covered: readonly TimeoutSeries[],
  source: string,
): Finding[] {
  return lostOf(records)
    .filter((r) => !covered.some((s) => sameDevice(s, r)))
    .map((r) => {
      const dev = logDeviceName(r);
      return {
        kind: 'device_tx_drops',
        severity: 'critical',
        dev,
        queue: null,
        ...logSpan(r, r),
        title: `${dev}${r.driver ? ` (${r.driver})` : ''}: the NIC fell off PCIe ("${r.text}"): nothing it held can be sent`,
        explanation:
          "The driver's register read came back all-ones (the device no longer answers on the bus) and it detached the " +
          'device: its queues keep what they held and the interface can look UP while nothing moves. A TX timeout, if ' +
          'one follows, is the consequence.',
        evidence: [evidenceOf(r, source)],
        nextSteps: deviceLostNext(r),
      };
    });
}
