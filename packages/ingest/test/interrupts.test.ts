/**
 * /proc/interrupts as users paste it: this machine's table twice around `sleep 5` and grepped for one device (no
 * header), a 16-CPU before/after pair kept beside perf results (public 60, 2.6.38 `PCI-MSI-edge` rows) and a
 * tutorial's one snapshot (public 61); the names drivers give their queue vectors; the front door's reading.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTraceInput } from '../src/index.js';
import { looksLikeInterrupts, nicIrqOfName, readInterrupts } from '../src/parse/interrupts/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/interrupts', f);
const pub = (f: string): string => path.join(root, 'fixtures/public', f);
const read = (file: string) => readInterrupts(readFileSync(file, 'utf8'));

describe('/proc/interrupts reader', () => {
  it("this machine's table twice (5 s): eth0's virtio vectors kept, every other row counted, none skipped", () => {
    const r = read(captured('this-vm-virtio-sleep5.txt'));
    expect(r.intervalSec).toBe(5);
    expect(r.skipped).toBe(0);
    const tx = r.snapshots.filter((s) => s.name === 'virtio2-output.0');
    expect(tx.map((s) => [s.dev, s.queue, s.dir, s.snapshot, s.perCpu.length])).toEqual([
      ['virtio2', 0, 'tx', 0, 2],
      ['virtio2', 0, 'tx', 1, 2],
    ]);
    expect(tx[1]!.total - tx[0]!.total).toBe(1);
    // virtio2-config, the balloon's and the console's vectors, timers, NMI/LOC rows: read, not a NIC queue's
    expect(r.otherIrqs).toBeGreaterThan(50);
    expect(new Set(r.snapshots.map((s) => s.name))).toEqual(new Set(['virtio2-input.0', 'virtio2-output.0']));
  });

  it('grepped for the device (no CPU header): the counts are the numbers before the chip', () => {
    const r = read(captured('this-vm-grep-virtio2.txt'));
    expect(r.intervalSec).toBe(2);
    expect(r.snapshots.map((s) => [s.irq, s.perCpu])).toEqual([
      ['38', [0, 13106]],
      ['39', [11310, 0]],
      ['38', [0, 13106]],
      ['39', [11310, 0]],
    ]);
  });

  it('public 60: eight eth0-TxRx vectors over 16 CPUs before and after a 0.14 s run; 3 fired', () => {
    const r = read(pub('60-proc-interrupts-igb-txrx-before-after-16cpu.irq.txt'));
    const pairs = new Map<string, number[]>();
    for (const s of r.snapshots) pairs.set(s.name, [...(pairs.get(s.name) ?? []), s.total]);
    expect(pairs.get('eth0-TxRx-0')).toEqual([13553590, 13553617]);
    expect(pairs.get('eth0-TxRx-7')).toEqual([7832220, 7832254]);
    const fired = [...pairs].filter(([, [a, b]]) => b! > a!).map(([n]) => n);
    expect(fired).toEqual(['eth0-TxRx-0', 'eth0-TxRx-1', 'eth0-TxRx-7']);
    // eth0's own (link) vector is the whole device's; the TxRx ones are queue pairs
    expect(r.snapshots.find((s) => s.name === 'eth0')).toMatchObject({ dev: 'eth0', queue: null, dir: 'device' });
    expect(r.snapshots.every((s) => s.perCpu.length === 16)).toBe(true);
    // the results file's `### …` headings read as commands; its elapsed-time line is the one line not known
    expect(r.skipped).toBe(1);
    expect(r.firstSkipped!.text).toMatch(/seconds time elapsed/);
  });

  it('public 61: one snapshot, 4 CPUs, the NMI/LOC rows counted as other interrupts', () => {
    const r = read(pub('61-proc-interrupts-igb-txrx-one-snapshot-packagecloud.irq.txt'));
    expect(r.snapshots.map((s) => `${s.name}=${s.total}`)).toEqual([
      'eth0=1',
      'eth0-TxRx-0=863649703',
      'eth0-TxRx-1=986285573',
      'eth0-TxRx-2=45',
      'eth0-TxRx-3=394',
    ]);
    expect(r.otherIrqs).toBe(6);
    expect(r.skipped).toBe(0);
  });

  it('the names drivers give request_irq: queue, direction and the netdev (or what stands for it)', () => {
    expect(nicIrqOfName('eth0-TxRx-3')).toEqual({ dev: 'eth0', queue: 3, dir: 'txrx' });
    expect(nicIrqOfName('i40e-enp3s0f1-TxRx-12')).toEqual({ dev: 'enp3s0f1', queue: 12, dir: 'txrx' });
    expect(nicIrqOfName('eth1-tx-0')).toEqual({ dev: 'eth1', queue: 0, dir: 'tx' });
    expect(nicIrqOfName('eth0:rx-2')).toEqual({ dev: 'eth0', queue: 2, dir: 'rx' });
    expect(nicIrqOfName('0000:00:05.0-Tx-Rx-1')).toEqual({ dev: '0000:00:05.0', queue: 1, dir: 'txrx' });
    expect(nicIrqOfName('mlx5_comp7@pci:0000:82:00.0')).toEqual({ dev: 'pci:0000:82:00.0', queue: 7, dir: 'txrx' });
    expect(nicIrqOfName('virtio2-output.0')).toEqual({ dev: 'virtio2', queue: 0, dir: 'tx' });
    expect(nicIrqOfName('enp1s0')).toEqual({ dev: 'enp1s0', queue: null, dir: 'device' });
    for (const other of ['nvme0q3', 'ahci[0000:00:17.0]', 'xhci_hcd', 'virtio2-config', 'ehci_hcd:usb1', 'timer'])
      expect(nicIrqOfName(other), other).toBeNull();
  });

  it('a shared line (`eth0, eth1`) cannot be told apart: counted, not kept', () => {
    const r = readInterrupts(' 19:   10   20   IO-APIC-fasteoi   eth0, eth1\n');
    expect(r.snapshots).toEqual([]);
    expect(r.otherIrqs).toBe(1);
  });

  it('the front door calls every form counters', async () => {
    for (const f of [
      captured('this-vm-virtio-sleep5.txt'),
      captured('this-vm-grep-virtio2.txt'),
      pub('60-proc-interrupts-igb-txrx-before-after-16cpu.irq.txt'),
      pub('61-proc-interrupts-igb-txrx-one-snapshot-packagecloud.irq.txt'),
    ]) {
      expect(looksLikeInterrupts(readFileSync(f, 'utf8').split('\n')), f).toBe(true);
      expect(await openTraceInput(f), f).toMatchObject({ kind: 'counters', counters: 'interrupts' });
    }
  });
});
