/**
 * The log says the kernel runs as a guest: the DMI line the boot prints (dmi_setup() "DMI: …") or the copy every
 * WARN/oops carries (dump_stack_print_info() "Hardware name: …"), or the hypervisor detection at boot
 * (init_hypervisor_platform() "Hypervisor detected: …"). A guest's NIC is the hypervisor's device: an emulated one
 * (e1000, e1000e, rtl8139) is a device model in the host's QEMU/VirtualBox/VMware process, so a TX hang there is
 * that emulation or the host thread running it, never a chip, a PCIe link or firmware.
 */
import type { VirtualMachineRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const LINE_RE = /^(?:DMI|Hardware name|Hypervisor detected): (.+?)\s*$/;

/** DMI product strings and detected hypervisor names → the hypervisor they name; bare metal names none. */
const HYPERVISORS: readonly (readonly [RegExp, VirtualMachineRecord['hypervisor']])[] = [
  [/\bQEMU\b|\bBochs\b|\bKVM\b/, 'QEMU/KVM'],
  [/\bVMware\b/, 'VMware'],
  [/\bVirtualBox\b|\binnotek\b/, 'VirtualBox'],
  [/Microsoft Corporation Virtual Machine|Microsoft Hyper-V/, 'Hyper-V'],
  [/\bXen\b/, 'Xen'],
  [/\bParallels\b/, 'Parallels'],
  [/\bBHYVE\b/i, 'bhyve'],
];

export function matchVirtualMachine(c: Cursor, i: number): VirtualMachineRecord | null {
  const m = LINE_RE.exec(c.lines[i]!.message.trim());
  if (!m) return null;
  const hypervisor = HYPERVISORS.find(([re]) => re.test(m[1]!))?.[1];
  if (hypervisor === undefined) return null;
  return { kind: 'virtual_machine', ...takeSpan(c, [i]), hypervisor, text: m[1]! };
}
