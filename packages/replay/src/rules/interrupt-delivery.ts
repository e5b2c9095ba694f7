/**
 * Interrupts a device raised that never reached the driver, shown outside any TX timeout: mlx5's
 * mlx5_cmd_eq_recover() runs when a firmware command times out and polls the command EQ — "Recovered N EQEs on
 * cmd_eq" means the device had completed the command and signalled it, and the interrupt never arrived. The TX
 * completion EQs of that device depend on the same MSI-X delivery, so its TX queues can stall the same way (mlx5e's
 * tx_timeout then reports "Recovered N eqes on EQ"). Where the IOMMU logged interrupt-remapping faults for the device
 * (VT-d's INTR-REMAP), the interrupt was blocked on its way, not lost in the device.
 */
import type { IommuFaultRecord, KernelRecord, TimeoutSeries, TxRecoveryRecord } from '@txreplay/ingest/plain';
import { sameKernelLogDevice as sameDevice } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { everyOnAverage, evidenceOf, groupByDevice, logDeviceName, logSpan } from './log-record.js';

/** The IOMMU faults of one device, matched by PCI address (the fault names no driver or interface). */
const faultsOf = (records: readonly KernelRecord[], busId: string | undefined): IommuFaultRecord[] =>
  busId === undefined
    ? []
    : records.filter((r): r is IommuFaultRecord => r.kind === 'iommu_fault' && r.busId === busId.toLowerCase());

function blockedText(faults: readonly IommuFaultRecord[]): string {
  const intr = faults.filter((f) => f.blocked === 'interrupt');
  if (intr.length === 0) return '';
  const f = intr[0]!;
  const why = f.reasonText ? `: ${f.reasonText}` : '';
  return (
    ` The IOMMU logged ${intr.length} interrupt-remapping fault(s) for this device (line ${f.firstLine}, fault reason ` +
    `${f.faultReason ?? '?'}${why}): interrupt remapping rejected the device's MSI message, so the interrupt was ` +
    'blocked on its way to the CPU, not lost in the device.'
  );
}

function nextSteps(dev: string, faults: readonly IommuFaultRecord[]): string[] {
  const intr = faults.filter((f) => f.blocked === 'interrupt');
  // VT-d reason 0x25: the device sent a compatibility-format MSI while remapping is on — the kernel programmed its
  // MSI without a remapping entry (the 5.10 device-MSI series did that to mlx5 VFs), not a hardware fault
  const compat = intr.some((f) => f.faultReason === 37);
  return [
    `\`grep mlx5 /proc/interrupts\` twice a few seconds apart: vectors of ${dev} whose counts stay put while the driver still finds completions by polling are the interrupts that never arrive`,
    intr.length === 0
      ? `where the vectors point: /proc/irq/N/effective_affinity of ${dev}'s vectors against the online CPUs (maxcpus=, nr_cpus=, CPU hotplug leave vectors on CPUs that never run them)`
      : compat
        ? "a compatibility-format MSI blocked by VT-d means the kernel programmed the device's MSI without a remapping entry: a kernel-side bug (the 5.10 device-MSI series did this to mlx5 VFs), not hardware — compare kernels; booting once with intremap=off tells whether remapping is what blocks it"
        : "the interrupt-remapping faults: the kernel's MSI/IOMMU set-up for this device; booting once with intremap=off tells whether remapping is what blocks it",
  ];
}

/** Devices whose completions were found by polling, outside the TX timeout series the log already explains. */
export function interruptDeliveryFindings(
  records: readonly KernelRecord[],
  covered: readonly TimeoutSeries[],
  source: string,
): Finding[] {
  const polled = records.filter(
    (r): r is TxRecoveryRecord =>
      r.kind === 'tx_recovery' && r.action === 'eq_recovered' && !covered.some((s) => sameDevice(s, r)),
  );
  return groupByDevice(polled).map((g) => {
    const first = g[0]!;
    const dev = logDeviceName(first);
    const eqes = g.reduce((n, r) => n + (r.eqes ?? 0), 0);
    const onCmdEq = g.every((r) => r.eqn === undefined);
    const faults = faultsOf(records, first.busId);
    const blocked = blockedText(faults);
    return {
      kind: 'lost_interrupt',
      severity: 'warning',
      dev,
      queue: null,
      ...logSpan(first, g[g.length - 1]!),
      title:
        `${dev}${first.driver ? ` (${first.driver})` : ''}: completions found by polling ${g.length} time(s)${everyOnAverage(g)} — ` +
        `${eqes} event(s) waited on the ${onCmdEq ? 'command EQ' : 'EQ'} whose interrupt never came`,
      explanation:
        `${onCmdEq ? 'mlx5_cmd_eq_recover() runs when a firmware command times out and polls the command EQ' : 'The driver polled its EQ after a timeout'}: ` +
        'an event was waiting, so the device had done the work and signalled it, and the interrupt never reached the driver. ' +
        'The device\'s TX completion EQs depend on the same MSI-X delivery: its TX queues can stall the same way (mlx5e\'s tx_timeout then reports "Recovered N eqes on EQ"). ' +
        `No TX timeout of this device is in the log.${blocked}`,
      evidence: [...g.slice(0, 3), ...faults.slice(0, 1)]
        .sort((a, b) => a.firstLine - b.firstLine)
        .map((r) => evidenceOf(r, source)),
      nextSteps: nextSteps(dev, faults),
    };
  });
}

/** For a NIC that stopped fetching (stuck_dma): the IOMMU refusing its DMA is the reason the log gives, if it does. */
export function dmaFaultText(records: readonly KernelRecord[], busId: string | undefined): string {
  const dma = faultsOf(records, busId).filter((f) => f.blocked === 'dma');
  if (dma.length === 0) return '';
  const f = dma[0]!;
  return (
    ` The IOMMU refused ${dma.length} DMA(s) of this device (line ${f.firstLine}${f.faultAddr ? `, fault addr ${f.faultAddr}` : ''}): ` +
    "a descriptor or buffer fetch the IOMMU rejects stops the NIC on the ring — look at the mapping (the driver's DMA " +
    'unmap/reuse, or the IOMMU mode) before the NIC.'
  );
}
