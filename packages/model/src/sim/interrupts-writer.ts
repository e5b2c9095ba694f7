/**
 * A simulated device's TX-queue vectors as /proc/interrupts prints them (kernel/irq/proc.c show_interrupts): per
 * queue one MSI-X vector named as igb names its queue pairs (`%s-TxRx-%u`, igb_request_msix), its count — the
 * handler runs (kstat_irqs) — on the CPU the queue's interrupt is steered to, 0 on the others. An interrupt the
 * vector lost (fault lost_irq, §I.1) never ran its handler and is not counted. For NIC scenarios (a veth has none).
 */
import type { SimResult } from './simulator.js';

/** The simulator steers queue q's interrupt to CPU q % 2 (its NR_CPUS). */
const CPUS = 2;

export function interruptsText(result: SimResult, dev: string, firstIrq = 45): string {
  if (!result.devices.some((d) => d.name === dev)) throw new Error(`no device ${dev} in the simulation`);
  const cpuHeader = Array.from({ length: CPUS }, (_, c) => `CPU${c}`.padEnd(11)).join('');
  const out = [`           ${cpuHeader}`.trimEnd()];
  for (const q of result.queues) {
    if (q.dev !== dev) continue;
    const counts = Array.from({ length: CPUS }, (_, c) =>
      String(c === q.queue % CPUS ? q.irqsHandled : 0).padStart(10),
    );
    const irq = `${firstIrq + q.queue}:`.padStart(4);
    out.push(
      `${irq} ${counts.join(' ')}  IR-PCI-MSIX-0000:03:00.0 ${String(q.queue + 1).padStart(4)}-edge      ${dev}-TxRx-${q.queue}`,
    );
  }
  return `${out.join('\n')}\n`;
}
