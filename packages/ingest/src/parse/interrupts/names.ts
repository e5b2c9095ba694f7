/**
 * Which network device and queue an interrupt serves, from the name its driver gave request_irq() (the action
 * name /proc/interrupts prints last). Drivers name their MSI-X vectors after the netdev and the queue pair they
 * clean: igb/ixgbe/igc/bnxt `eth0-TxRx-3` (`%s-TxRx-%u`, also `-tx-`/`-rx-` when not paired), i40e/ice
 * `i40e-eth0-TxRx-3` (driver prefix), e1000e `eth0-tx-0`, stmmac `eth0:tx-0`, ena `0000:00:05.0-Tx-Rx-0`
 * (the PCI address), virtio_net `virtio2-output.0` (the virtio device, not the netdev), mlx5
 * `mlx5_comp3@pci:0000:82:00.0` (a completion EQ shared by channel 3's TX and RX). A single-vector NIC (e1000,
 * macb, r8169) names its interrupt after the device alone.
 */

export type IrqDirection = 'tx' | 'rx' | 'txrx' | 'device';

export interface NicIrq {
  /** the netdev (eth0), or what stands for it when the name has none (virtio2, a PCI address) */
  dev: string;
  /** the queue or channel index; null for a device's only interrupt */
  queue: number | null;
  /** what the vector cleans: TX only, RX only, a TX/RX pair, or everything of the device */
  dir: IrqDirection;
}

// drivers that put their own name before the netdev's (i40e_vsi_request_irq: "%s-%s" driver, netdev)
const DRIVER_PREFIX = /^(?:i40e|ice|iavf|idpf|igc|fm10k|qede|txgbe|ngbe|octeon_ep)-/;
const QUEUE_RE = /^(.+?)[-:](TxRx|Tx-Rx|txrx|rxtx|TX|RX|Tx|Rx|tx|rx)[-_]?(\d+)$/;
const VIRTIO_RE = /^(virtio\d+)-(input|output)\.(\d+)$/;
const MLX5_RE = /^mlx5_comp(\d+)@(pci:\S+)$/;
/** a netdev name as udev and the kernel give them: eth0, enp3s0f1, eno1, ens5, wlan0, wlp2s0, bond0 */
const NETDEV_RE = /^(?:eth|en[opsx]|em|wl|wlan|ww|lan|wan|bond|ib|usb)[\w.-]*\d[\w.-]*$|^eth\d+$/;

function direction(word: string): IrqDirection {
  const w = word.toLowerCase();
  if (w === 'tx') return 'tx';
  if (w === 'rx') return 'rx';
  return 'txrx';
}

/** The NIC queue an interrupt's action name stands for, or null when the name is not a NIC's. */
export function nicIrqOfName(name: string): NicIrq | null {
  const virtio = VIRTIO_RE.exec(name);
  if (virtio) return { dev: virtio[1]!, queue: Number(virtio[3]), dir: virtio[2] === 'output' ? 'tx' : 'rx' };
  const mlx5 = MLX5_RE.exec(name);
  if (mlx5) return { dev: mlx5[2]!, queue: Number(mlx5[1]), dir: 'txrx' };
  const q = QUEUE_RE.exec(name);
  if (q) {
    const dev = q[1]!.replace(DRIVER_PREFIX, '');
    // `ahci-rx-0` is no NIC; a PCI address is (ena names its vectors after it)
    if (NETDEV_RE.test(dev) || /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d$/.test(dev))
      return { dev, queue: Number(q[3]), dir: direction(q[2]!) };
    return null;
  }
  return NETDEV_RE.test(name) ? { dev: name, queue: null, dir: 'device' } : null;
}
