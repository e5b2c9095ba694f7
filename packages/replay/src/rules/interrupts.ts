/**
 * What /proc/interrupts adds beside counters that show a TX queue stuck (pure). Alone, a vector whose count did not
 * move is an idle queue or a lost interrupt — the two look the same, so it judges nothing. Beside in-flight bytes
 * that never completed (TX-queue sysfs), a tx_timeout that grew, or a qdisc backlog that did not drain over the same
 * seconds, it tells §I.1 from §I.2: the queue's completions are cleaned by the NAPI poll its interrupt schedules
 * (igb_msix_ring → napi_schedule → igb_poll → igb_clean_tx_irq, §F/§G), so a silent vector is a poll that never ran
 * (lost interrupt), and a vector that fired while nothing completed is a poll that found no descriptor done.
 */
import type { InterruptsRead, IrqSnapshot } from '@txreplay/ingest/plain';
import type { Finding, IrqSummary } from '../types.js';
import { combineSnapshots, perKey, type Snapshots } from './snapshot-sequence.js';

export type IrqSnapshots = Snapshots<IrqSnapshot>;

const keyOf = (s: IrqSnapshot): string => `${s.irq}/${s.name}`;

/** Several inputs as one sequence per interrupt (each input numbers its own snapshots from 0). */
export const combineInterrupts = (reads: readonly { read: InterruptsRead; source: string }[]): IrqSnapshots =>
  combineSnapshots(reads, keyOf);

/** Per NIC interrupt: its last count, with what it did since its first snapshot. */
export function summarizeInterrupts(all: IrqSnapshots): IrqSummary[] {
  return perKey(all.snapshots, keyOf).map((list) => {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    return {
      source: first.source,
      line: first.line,
      irq: first.irq,
      name: first.name,
      dev: first.dev,
      queue: first.queue,
      dir: first.dir,
      snapshots: list.length,
      intervalSec: list.length > 1 ? all.intervalSec : null,
      total: last.total,
      ...(list.length > 1 ? { delta: last.total - first.total } : {}),
    };
  });
}

/** Counter findings that show a queue stuck over the snapshots' seconds (not since boot). */
const STUCK: Partial<Record<Finding['kind'], string>> = {
  stack_xoff_stuck: 'bytes in flight over the BQL limit that never completed',
  dql_limit_collapse: 'bytes in flight that never completed',
  watchdog_timeout: 'dev_watchdog timed the queue out',
  qdisc_stuck_backlog: 'a qdisc backlog that did not drain',
};
const stuckOverInterval = (f: Finding): boolean =>
  STUCK[f.kind] !== undefined && (f.kind !== 'watchdog_timeout' || f.severity === 'critical');

/** The interrupts that clean `dev`'s TX queue `queue` (all of the device's when null), compared over two snapshots. */
function vectorsOf(irqs: readonly IrqSummary[], dev: string, queue: number | null): IrqSummary[] {
  const mine = irqs.filter((i) => i.dev === dev && i.delta !== undefined && i.dir !== 'rx');
  if (queue === null) return mine;
  const exact = mine.filter((i) => i.queue === queue);
  return exact.length > 0 ? exact : mine.filter((i) => i.dir === 'device');
}

/**
 * The device the interrupts stand for when their names carry none of the stuck devices' names (virtio2 for eth0,
 * a PCI address): only when each side names exactly one.
 */
function aliasOf(irqs: readonly IrqSummary[], stuck: readonly Finding[]): Map<string, string> {
  const named = new Set(irqs.filter((i) => i.dir !== 'rx').map((i) => i.dev));
  const devs = new Set(stuck.map((f) => f.dev));
  if (named.size !== 1 || devs.size !== 1) return new Map();
  const [irqDev] = named;
  const [dev] = devs;
  return irqDev === dev ? new Map() : new Map([[dev!, irqDev!]]);
}

const vectorText = (v: IrqSummary): string => `IRQ ${v.irq} ${v.name}`;

function evidenceOf(vectors: readonly IrqSummary[], f: Finding): Finding['evidence'] {
  return [
    ...vectors.map((v) => ({
      tsNs: 0n,
      event: 'procfs:interrupts',
      source: v.source,
      line: v.line,
      note: `${vectorText(v)}: ${v.total} (${v.delta! >= 0 ? '+' : ''}${v.delta})`,
    })),
    ...f.evidence,
  ];
}

interface Reading {
  f: Finding;
  dev: string;
  vectors: IrqSummary[];
  span: string;
  /** the interrupts' device stood for the stuck device by elimination (one each) */
  assumed: string | null;
}

const SAME_SECONDS =
  'This holds if the interrupt snapshots and the counters that show the queue stuck cover the same seconds.';

function lostInterrupt(r: Reading, silent: readonly IrqSummary[], all: boolean): Finding {
  const where = `${r.dev}${r.f.queue !== null ? ` txq ${r.f.queue}` : ''}`;
  const names = silent.map(vectorText).join(', ');
  // virtio_net without napi_tx frees in start_xmit with the output queue's callbacks off: its vector can stay quiet
  const virtio = silent.every((v) => v.dev.startsWith('virtio'));
  const alias = r.assumed !== null ? ` (${r.assumed} taken for ${r.dev}: the only NIC in /proc/interrupts)` : '';
  return {
    kind: 'lost_interrupt',
    severity: all && !virtio ? 'critical' : 'warning',
    dev: r.dev,
    queue: r.f.queue,
    startNs: 0n,
    endNs: 0n,
    title: all
      ? `${where}: ${STUCK[r.f.kind]}, and its interrupt (${names}) did not fire once ${r.span}: no poll ran to clean the ring`
      : `${where}: ${STUCK[r.f.kind]}; of the device's vectors ${names} did not fire ${r.span} — if the stuck queue is behind one of them, its interrupt is lost`,
    explanation: `A TX queue's completions are reported by the NAPI poll its interrupt schedules (igb_msix_ring → napi_schedule → igb_poll → igb_clean_tx_irq; §F, §G). With work outstanding the hardware raises the vector once it writes descriptors back; a count that does not move means the handler never ran: the MSI-X message was lost or the vector stays masked, or the device stopped processing the ring altogether and had nothing to interrupt for. Either way no poll cleaned the ring — §I.1's signature, no napi_poll while inflight > 0. igb and ixgbe also raise every queue vector by software every 2 s from their watchdog task (EICS), so over more than 2 s even those did not arrive.${virtio ? ' virtio_net without napi_tx cleans its TX ring in start_xmit with the output queue’s interrupts off, so its vector may stay quiet on a healthy queue.' : ''} ${SAME_SECONDS}${alias}`,
    nextSteps: [
      `is the vector masked? lspci -vv (MSI-X: Enable+ Masked-), cat /proc/irq/${silent[0]!.irq}/smp_affinity_list`,
      `trace the polls through the next stall: txreplay capture --seconds 10 --dev ${r.dev} -o stall.txt (napi:napi_poll)`,
    ],
    evidence: evidenceOf(r.vectors, r.f),
  };
}

function pollsFoundNothing(r: Reading): Finding {
  const where = `${r.dev}${r.f.queue !== null ? ` txq ${r.f.queue}` : ''}`;
  const fired = r.vectors.reduce((n, v) => n + v.delta!, 0);
  const alias = r.assumed !== null ? ` (${r.assumed} taken for ${r.dev}: the only NIC in /proc/interrupts)` : '';
  return {
    kind: 'stuck_dma',
    // bytes below the limit that stay counted may be leaked ones on an idle queue (§I.8), not a stopped ring
    severity: r.f.kind === 'dql_limit_collapse' ? 'warning' : 'critical',
    dev: r.dev,
    queue: r.f.queue,
    startNs: 0n,
    endNs: 0n,
    title: `${where}: ${STUCK[r.f.kind]} while its interrupt (${r.vectors.map(vectorText).join(', ')}) fired ${fired} time(s) ${r.span}: polls ran, nothing completed`,
    explanation: `Each interrupt schedules the NAPI poll that cleans the TX ring (igb_poll → igb_clean_tx_irq; on a TxRx vector the interrupts may be RX's, and the poll still cleans TX). It ran, and the queue's bytes still did not complete: the driver found no descriptor written back — the hardware stopped fetching or completing the ring (§I.2; igb logs "Detected Tx Unit Hang") — or the bytes were freed without netdev_tx_completed_queue and stay counted (§I.5). Not a lost interrupt. ${SAME_SECONDS}${alias}`,
    nextSteps: [
      `journalctl -k | grep -iE 'tx unit hang|tx timeout|NETDEV WATCHDOG' — the driver's own dump names head and tail`,
      `trace it through the next stall: txreplay capture --seconds 10 --dev ${r.dev} -o stall.txt`,
    ],
    evidence: evidenceOf(r.vectors, r.f),
  };
}

/**
 * Beside counter findings that show a queue stuck over the snapshots, what its interrupt did: silent (lost
 * interrupt) or firing (polls that found nothing done). One reading per stuck queue; nothing when no vector serves it.
 */
export function interruptFindings(irqs: readonly IrqSummary[], counterFindings: readonly Finding[]): Finding[] {
  const stuck = counterFindings.filter(stuckOverInterval);
  const alias = aliasOf(irqs, stuck);
  const out: Finding[] = [];
  for (const f of perKey(stuck, (x) => `${x.dev}/${x.queue}`).map((list) => list[0]!)) {
    const irqDev = alias.get(f.dev) ?? f.dev;
    const vectors = vectorsOf(irqs, irqDev, f.queue);
    if (vectors.length === 0) continue;
    const interval = vectors[0]!.intervalSec;
    const span = interval !== null ? `in ${interval} s` : 'between the snapshots';
    const r: Reading = { f, dev: f.dev, vectors, span, assumed: alias.has(f.dev) ? irqDev : null };
    const silent = vectors.filter((v) => v.delta === 0);
    if (silent.length === vectors.length) out.push(lostInterrupt(r, silent, true));
    else if (silent.length === 0) out.push(pollsFoundNothing(r));
    else if (f.queue === null) out.push(lostInterrupt(r, silent, false));
  }
  return out;
}
