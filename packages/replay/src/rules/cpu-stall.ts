/**
 * A stuck CPU beside a TX timeout. NAPI reaps a queue's TX completions in softirq on the CPU that took the queue's
 * interrupt (napi_schedule() raises NET_RX_SOFTIRQ there); a CPU held by one task with preemption off — a soft
 * lockup — or with interrupts off — a hard lockup — runs neither ksoftirqd nor, in the hard case, the interrupt, so
 * the queue's completions wait however healthy the NIC is. A driver's "TX not completed on time" next to a CPU the
 * kernel's watchdog calls stuck is that CPU's, unless the queue's interrupt is elsewhere: the log does not say which
 * CPU takes the interrupt, so the reading names the check that decides.
 */
import type { CpuStallRecord, KernelRecord, TimeoutSeries } from '@txreplay/ingest/plain';
import { logTimeNs } from './log-record.js';

export interface CpuStallNear {
  sentence: string;
  nextStep: string;
}

/** how far (lines, or seconds when both carry time) a stall may lie from the series to count as beside it */
const NEAR_LINES = 60;
const NEAR_NS = 120_000_000_000n;

const WHAT: Record<CpuStallRecord['what'], string> = {
  soft_lockup: 'a soft lockup',
  hard_lockup: 'a hard lockup (interrupts off)',
  rcu_stall: 'an RCU stall',
};

/** On the log's clock when all three have it (printk stamps, zoned walls), else by line distance. */
function near(stall: CpuStallRecord, first: KernelRecord, last: KernelRecord): boolean {
  const [t, f, l] = [logTimeNs(stall), logTimeNs(first), logTimeNs(last)];
  if (t !== 0n && f !== 0n && l !== 0n) return t >= f - NEAR_NS && t <= l + NEAR_NS;
  return stall.firstLine >= first.firstLine - NEAR_LINES && stall.firstLine <= last.lastLine + NEAR_LINES;
}

/** The CPU stall(s) the log shows beside one device/queue's timeout series, as a sentence and a next step. */
export function cpuStallNear(
  records: readonly KernelRecord[],
  s: TimeoutSeries,
  dev: string,
  queue: number | null,
): CpuStallNear | undefined {
  const first = records.find((r) => r.firstLine === s.firstLine);
  const last = [...records].reverse().find((r) => r.firstLine <= s.lastLine) ?? first;
  if (!first || !last) return undefined;
  const stalls = records.filter((r): r is CpuStallRecord => r.kind === 'cpu_stall' && near(r, first, last));
  if (stalls.length === 0) return undefined;
  const st = stalls[0]!;
  const cpus = [...new Set(stalls.flatMap((x) => x.cpus))];
  const cpuText = cpus.length > 0 ? `CPU ${cpus.join(', ')}` : 'a CPU';
  const how = st.seconds !== undefined ? ` for ${st.seconds} s` : '';
  const task = st.task !== undefined ? `, task ${st.task}` : '';
  const where = st.firstLine > s.lastLine ? 'after' : st.firstLine < s.firstLine ? 'before' : 'among';
  return {
    sentence:
      ` The log shows ${cpuText} stuck in ${WHAT[st.what]}${how} (line ${st.firstLine}${task}) ${where} these reports: ` +
      "NAPI reaps a queue's TX completions in softirq on the CPU that takes its interrupt, so if that is the stuck CPU " +
      "nobody reaped them while it was stuck — the missing completions are the CPU's, not the NIC's.",
    nextStep:
      `which CPU takes ${dev}${queue !== null ? ` queue ${queue}` : ''}'s interrupt: \`grep ${dev} /proc/interrupts\` and /proc/irq/N/effective_affinity_list — ` +
      `${cpus.length > 0 ? `CPU ${cpus.join(', ')}` : 'the stuck CPU'} there makes the stall the cause, and its call trace in the log says what held it`,
  };
}
