/**
 * A TX hang on a guest's emulated NIC. QEMU, VirtualBox and VMware give a guest an Intel e1000/e1000e or a Realtek
 * 8139 that their own process emulates register by register: the "NIC" that stopped fetching descriptors is that
 * device model (or the host thread that runs it), so a ring dump says where the emulation stopped, and PCIe AER,
 * firmware or an out-of-tree driver are the wrong places to look. The field's fix is the paravirtual NIC
 * (virtio-net; vmxnet3 on VMware; netvsc on Hyper-V), whose TX path is a shared ring with the host, not emulated
 * registers.
 *
 * A guest is known from the log (records/virtualMachine.ts: "DMI:", "Hardware name:", "Hypervisor detected:") or,
 * for e1000, from the PCI slot: 0000:00:03.0 (enp0s3) is where QEMU's i440fx machine and VirtualBox put a guest's
 * first NIC; a physical e1000 (a PCI/PCI-X card of 2000–2006) never sits at bus 0, device 3 of a current chipset.
 */
import type { KernelRecord, VirtualMachineRecord } from '@txreplay/ingest/plain';
import type { DeviceNamed } from './log-record.js';

/**
 * Drivers of NICs that, in a guest, are the hypervisor's emulation: parts of 1995–2006 no one passes through to a VM
 * (e1000's 8254x, Realtek's 8139, AMD's PCnet, the NE2000, Hyper-V's legacy DEC 21140). Not e1000e: QEMU and VMware
 * emulate an 82574L, but a guest's e1000e is as often a real I21x passed through (Qubes' sys-net, Proxmox), and the
 * log cannot tell which. Paravirtual NICs (virtio_net, vmxnet3, netvsc) are not emulated.
 */
const EMULATED_MODELS = new Set(['e1000', '8139too', '8139cp', 'pcnet32', 'ne2k-pci', 'tulip']);

export interface GuestNic {
  /** an emulated NIC (the device model stopped); false: a paravirtual one (the host stopped consuming its ring) */
  emulated: boolean;
  /** one sentence for the explanation, starting with a space */
  sentence: string;
  nextSteps: string[];
}

const defaultSlot = (r: DeviceNamed): boolean =>
  r.driver === 'e1000' && (r.busId?.endsWith(':00:03.0') === true || r.dev === 'enp0s3');

/** What makes this device a guest's emulated or paravirtual NIC, or undefined when the log does not show it is one. */
export function guestNic(records: readonly KernelRecord[], d: DeviceNamed): GuestNic | undefined {
  const vm = records.find((r): r is VirtualMachineRecord => r.kind === 'virtual_machine');
  if (d.driver === 'virtio_net') return virtioNic(d.dev ?? d.busId ?? 'DEV', vm);
  if (d.driver === undefined || !EMULATED_MODELS.has(d.driver)) return undefined;
  const slot = defaultSlot(d);
  if (!vm && !slot) return undefined;
  const why = vm
    ? `the log names the platform "${vm.text}" (line ${vm.firstLine}), a ${vm.hypervisor} guest`
    : `${d.busId ?? d.dev} is the slot where QEMU's i440fx machine and VirtualBox put a guest's first NIC`;
  const model = d.driver === 'e1000' ? 'Intel e1000' : d.driver;
  return {
    emulated: true,
    sentence:
      ` This ${model} is emulated: ${why}. Its TX ring is served by the hypervisor's device model: a queue that stops ` +
      'here is that emulation (or the host thread running it) stopping — not a chip, a PCIe link or NIC firmware.',
    nextSteps: guestNext(vm?.hypervisor),
  };
}

function guestNext(hypervisor: string | undefined): string[] {
  const paravirtual =
    hypervisor === 'VMware'
      ? 'vmxnet3 (`ethernet0.virtualDev = "vmxnet3"`)'
      : hypervisor === 'Hyper-V'
        ? 'a synthetic network adapter (netvsc)'
        : 'virtio-net (libvirt `<model type="virtio"/>`, Proxmox/Synology VMM "VirtIO", VirtualBox "virtio-net"; vmxnet3 on VMware)';
  return [
    `give the guest the paravirtual NIC instead of the emulated one: ${paravirtual} — what users report ends this hang; the interface gets a new name with the new model, so move its network configuration with it`,
    "on the host, around the first hang report: the hypervisor's version and its log for this guest (/var/log/libvirt/qemu/<guest>.log, VBox.log, vmware.log), and whether the thread running the guest was starved (host load; the steal column of the guest's /proc/stat)",
  ];
}

/**
 * virtio_net: the TX queue is a virtqueue the host consumes (vhost-net in the host kernel, or the VMM's own virtio
 * backend). start_xmit() stops the queue when the ring has no room for another packet and the host's used-buffer
 * notification wakes it (skb_xmit_done()); virtnet_tx_timeout() only reports and counts — no reset — so a queue that
 * stays stopped waits on the host.
 */
function virtioNic(dev: string, vm: VirtualMachineRecord | undefined): GuestNic {
  const host = vm ? ` (the log names the platform "${vm.text}", line ${vm.firstLine})` : '';
  return {
    emulated: false,
    sentence:
      ` virtio_net's TX queue is a ring the host consumes${host}: the guest stops the queue when the ring is full and ` +
      'the host wakes it by returning used buffers, so a queue that stays stopped means the host stopped consuming it ' +
      "(vhost-net's thread or the VMM's virtio backend blocked or starved) or its notification never reached the guest; " +
      'virtnet_tx_timeout() only reports and counts, it resets nothing.',
    nextSteps: [
      "on the host: the thread that serves this queue — the vhost-<VMM pid> kernel threads or the VMM process itself (QEMU, podman's/Lima's VM) — running, blocked or starved, and the network backend behind it (tap with vhost-net, user-mode networking, gvproxy/vmnet on macOS) with its version",
      `in the guest, \`ethtool -S ${dev}\` twice during the stall: tx_queue_N_kicks that keep rising while tx_queue_N_packets stand still say the guest notifies and the host does not consume`,
    ],
  };
}
