/**
 * The IOMMU refused something a device asked for, naming the device by its PCI address:
 * - Intel VT-d (drivers/iommu/intel/dmar.c dmar_fault_do_one()): `DMAR: [INTR-REMAP] Request device [42:00.2] fault
 *   index 1600 [fault reason 37] Blocked a compatibility format interrupt request` — interrupt remapping rejected the
 *   device's MSI, so the interrupt never reached a CPU; `DMAR: [DMA Read NO_PASID] Request device [65:00.0] fault addr
 *   0xffffe000 [fault reason 0x06] PTE Read access is not set` (older: `DMAR:[DMA Read] Request device [03:00.0] fault
 *   addr fffd3000`) — a DMA the device issued to an address it was not mapped for;
 * - AMD-Vi (drivers/iommu/amd/iommu.c amd_iommu_report_page_fault()): `AMD-Vi: Event logged [IO_PAGE_FAULT
 *   device=02:00.0 domain=0x000f address=0x… flags=0x0050]`, or since 5.x with the device prefix `igb 0000:02:00.0:
 *   AMD-Vi: Event logged [IO_PAGE_FAULT domain=… address=…]`.
 * A NIC whose DMA faults stops fetching descriptors; one whose interrupts are blocked completes work nobody reaps.
 */
import type { IommuFaultRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const BDF = String.raw`(?:([0-9a-f]{4}):)?([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])`;
const DMAR_RE = new RegExp(
  String.raw`^DMAR: ?\[?(INTR-REMAP|DMA (?:Read|Write))[^\]]*\]?:? Request device \[+${BDF}\]` +
    String.raw`(?:.*?fault addr (?:0x)?([0-9a-f]+))?(?:.*?\[fault reason ((?:0x)?[0-9a-f]+)\]\s*(.*))?`,
  'i',
);
const AMD_RE = new RegExp(
  String.raw`AMD-Vi: Event logged \[IO_PAGE_FAULT(?: device=${BDF})?.*?address=(0x[0-9a-f]+)`,
  'i',
);

const pci = (domain: string | undefined, bdf: string): string => `${domain ?? '0000'}:${bdf.toLowerCase()}`;

export function matchIommuFault(c: Cursor, i: number): IommuFaultRecord | null {
  const msg = c.lines[i]!.message.trim();
  const d = DMAR_RE.exec(msg);
  if (d) {
    const rec: IommuFaultRecord = {
      kind: 'iommu_fault',
      ...takeSpan(c, [i]),
      busId: pci(d[2], d[3]!),
      blocked: d[1]!.toUpperCase() === 'INTR-REMAP' ? 'interrupt' : 'dma',
      text: msg,
    };
    if (d[4] !== undefined) rec.faultAddr = `0x${d[4]}`;
    // dmar_fault_do_one() prints the reason as 0x%02x now, as %02d in 4.x/5.x (37 there is 0x25 here)
    if (d[5] !== undefined) rec.faultReason = d[5].startsWith('0x') ? parseInt(d[5].slice(2), 16) : Number(d[5]);
    if (d[6] !== undefined && d[6] !== '') rec.reasonText = d[6];
    return rec;
  }
  const a = AMD_RE.exec(msg);
  if (!a) return null;
  // the device is in the event (older kernels) or in the line's own `driver 0000:bb:dd.f:` prefix
  const prefix = c.msgs[i]!.busId;
  const busId = a[2] !== undefined ? pci(a[1], a[2]) : prefix;
  if (busId === undefined) return null;
  return { kind: 'iommu_fault', ...takeSpan(c, [i]), busId, blocked: 'dma', faultAddr: a[3]!, text: msg };
}
