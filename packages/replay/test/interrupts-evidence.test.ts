/**
 * What a kernel engineer reads from /proc/interrupts: alone, a vector that did not fire is an idle queue or a lost
 * interrupt — no verdict (this machine's eth0; public 60, a healthy 16-CPU host whose five idle igb-style vectors did
 * not fire in 0.14 s). Beside a TX queue's sysfs files over the same seconds it tells §I.1 from §I.2 — on the
 * simulator's igb, whose DQL is the kernel's (golden vectors): a lost interrupt leaves the vector silent while the
 * bytes stay in flight; a DMA hang leaves them in flight while the vector still fires (igb's watchdog task raises
 * every queue vector every 2 s by EICS).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseFiles } from '../src/diagnose.js';
import { formatVerdict } from '../src/view/text.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(repoRoot, 'fixtures/captured/interrupts', f);
const pub = (f: string): string => path.join(repoRoot, 'fixtures/public', f);

/**
 * The simulated igb's queue files and its /proc/interrupts at each time (ms), each pasted as two snapshots under
 * one command with `sleep`: [sysfs file, interrupts file].
 */
async function simulated(scenario: string, atMs: [number, number]): Promise<[string, string]> {
  const { Simulator, parseScenario, queueSysfsText, interruptsText } = await import('@txreplay/model');
  const file = path.join(repoRoot, 'examples/scenarios', `${scenario}.json`);
  const sim = new Simulator(parseScenario(readFileSync(file, 'utf8'), file));
  const sleep = (atMs[1] - atMs[0]) / 1000;
  const sysfs: string[] = [];
  const irqs: string[] = [];
  for (const ms of atMs) {
    const r = sim.runUntil(ms * 1e6);
    sysfs.push(queueSysfsText(r, 'eth0'));
    irqs.push(interruptsText(r, 'eth0'));
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'txr-irq-sim-'));
  const q = '/sys/class/net/eth0/queues/tx-*';
  const grep = `grep . ${q}/byte_queue_limits/{inflight,limit} ${q}/tx_timeout`;
  const out: [string, string] = [path.join(dir, 'sysfs.txt'), path.join(dir, 'interrupts.txt')];
  writeFileSync(out[0], `$ ${grep}; sleep ${sleep}; ${grep}\n${sysfs.join('')}`);
  writeFileSync(out[1], `$ cat /proc/interrupts; sleep ${sleep}; cat /proc/interrupts\n${irqs.join('')}`);
  return out;
}

describe('/proc/interrupts alone: no verdict', () => {
  it("this machine's eth0 (virtio), twice 5 s apart: the vectors summarised, unknown, and what to take beside them", async () => {
    const r = await diagnoseFiles([captured('this-vm-virtio-sleep5.txt')]);
    expect(r.verdict).toBe('unknown');
    expect(r.findings).toEqual([]);
    expect(r.interrupts!.map((i) => [i.name, i.dir, i.snapshots, i.intervalSec])).toEqual([
      ['virtio2-input.0', 'rx', 2, 5],
      ['virtio2-output.0', 'tx', 2, 5],
    ]);
    expect(r.coverage.unknownWhy).toMatch(/idle queue and one whose interrupt is lost look the same/);
    expect(r.captureAdvice[0]).toMatch(/byte_queue_limits\/inflight.*cat \/proc\/interrupts; sleep 5/);
    expect(formatVerdict(r)).toMatch(
      /IRQ 39 virtio2-output\.0 \(virtio2 queue 0, TX; .*\): \d+, fired 1 time\(s\) over 2 snapshots \(5 s apart\)/,
    );
  });

  it('public 60: five of eight eth0-TxRx vectors silent over 0.14 s on a healthy host — not a lost interrupt', async () => {
    const r = await diagnoseFiles([pub('60-proc-interrupts-igb-txrx-before-after-16cpu.irq.txt')]);
    expect(r.verdict).toBe('unknown');
    expect(r.findings).toEqual([]);
    const silent = r.interrupts!.filter((i) => i.delta === 0 && i.dir === 'txrx').map((i) => i.queue);
    expect(silent).toEqual([2, 3, 4, 5, 6]);
  });

  it('the simulated lost TX interrupt, its /proc/interrupts alone: silent, and still no verdict', async () => {
    const [, irqs] = await simulated('igb-lost-irq', [1000, 2000]);
    const r = await diagnoseFiles([irqs]);
    expect(r.interrupts!.map((i) => [i.name, i.delta])).toEqual([['eth0-TxRx-0', 0]]);
    expect(r.verdict).toBe('unknown');
    expect(r.findings).toEqual([]);
  });
});

describe('/proc/interrupts beside the queue files: lost interrupt or stuck DMA', () => {
  it('igb lost IRQ (1 s → 2 s): 2000 bytes in flight over the limit and the vector silent: lost_interrupt, critical', async () => {
    const r = await diagnoseFiles(await simulated('igb-lost-irq', [1000, 2000]));
    const lost = r.findings.find((f) => f.kind === 'lost_interrupt');
    expect(lost).toMatchObject({ severity: 'critical', dev: 'eth0', queue: 0 });
    expect(lost!.title).toMatch(/its interrupt \(IRQ 45 eth0-TxRx-0\) did not fire once in 1 s/);
    expect(r.findings.some((f) => f.kind === 'stuck_dma')).toBe(false);
    expect(r.findings.some((f) => f.kind === 'stack_xoff_stuck')).toBe(true);
    expect(lost!.evidence.map((e) => e.event)).toContain('procfs:interrupts');
    expect(r.verdict).toBe('critical');
  });

  it('igb DMA hang (1 s → 3 s): the same bytes stuck while the vector fired: stuck_dma, critical, no lost interrupt', async () => {
    const r = await diagnoseFiles(await simulated('igb-tx-hang', [1000, 3000]));
    const dma = r.findings.find((f) => f.kind === 'stuck_dma');
    expect(dma).toMatchObject({ severity: 'critical', dev: 'eth0', queue: 0 });
    expect(dma!.title).toMatch(/fired [1-9]\d* time\(s\) in 2 s: polls ran, nothing completed/);
    expect(r.findings.some((f) => f.kind === 'lost_interrupt')).toBe(false);
  });

  it('a virtio vector stands for eth0 when each side names one device, and a quiet virtio TX vector only warns', async () => {
    const [sysfs] = await simulated('igb-lost-irq', [1000, 2000]);
    const r = await diagnoseFiles([sysfs, captured('this-vm-grep-virtio2.txt')]);
    const lost = r.findings.find((f) => f.kind === 'lost_interrupt')!;
    expect(lost).toMatchObject({ severity: 'warning', dev: 'eth0', queue: 0 });
    expect(lost.explanation).toMatch(/virtio2 taken for eth0: the only NIC in \/proc\/interrupts/);
    expect(lost.explanation).toMatch(/napi_tx/);
  });
});
