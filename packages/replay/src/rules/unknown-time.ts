/**
 * No finding rests on time the trace cannot show (issue "verdicts that hold on partial evidence"): where the tracer
 * lost events, a quiet stretch is unknown, not quiet. A finding whose window overlaps such a window says how much
 * of it is unknown; a finding that stands on the ABSENCE of events (no poll, no completion, no wake) and whose
 * window is mostly unknown is only a possibility: severity info, title marked "unconfirmed". Findings made of
 * events that were seen (a TX_BUSY, a drop, a watchdog) keep their severity: a loss elsewhere does not unsee them.
 */
import type { Finding, FindingKind } from '../types.js';
import type { LostGap } from '../observe/records.js';
import { fmtMs } from './context.js';

/** Kinds whose evidence is that something did NOT happen for a while. */
const ABSENCE_KINDS = new Set<FindingKind>([
  'lost_wakeup',
  'lost_interrupt',
  'stuck_dma',
  'napi_starvation',
  'napi_poll_gap',
  'qdisc_stuck_backlog',
  'qdisc_stuck_skb',
  'stack_xoff_stuck',
  'frozen_queue',
  'dql_limit_collapse',
  'doorbell_not_rung',
]);

/** Share of a window that, once unknown, leaves too little seen time to stand on. */
const MOSTLY_UNKNOWN = 0.5;

function overlapNs(startRel: number, endRel: number, gaps: readonly LostGap[]): number {
  let n = 0;
  for (const g of gaps) {
    const from = Math.max(startRel, g.startRel);
    const to = Math.min(endRel, g.endRel);
    if (to > from) n += to - from;
  }
  return n;
}

export function guardUnknownTime(findings: Finding[], gaps: readonly LostGap[], baseNs: bigint): void {
  if (gaps.length === 0) return;
  for (const f of findings) {
    if (f.kind === 'trace_gap' || f.evidence.some((e) => e.event.startsWith('log:'))) continue;
    const startRel = Number(f.startNs - baseNs);
    const endRel = Number(f.endNs - baseNs);
    const unknown = overlapNs(startRel, endRel, gaps);
    if (unknown <= 0) continue;
    const width = endRel - startRel;
    f.explanation += ` ${fmtMs(unknown)} of this window ${width > 0 ? `(${fmtMs(width)})` : ''} fall inside windows where the tracer lost events: nothing is known there, and the finding rests only on what was seen outside them.`;
    if (ABSENCE_KINDS.has(f.kind) && width > 0 && unknown / width >= MOSTLY_UNKNOWN && f.severity !== 'info') {
      f.severity = 'info';
      f.title = `unconfirmed (mostly lost time): ${f.title}`;
      f.nextSteps = [
        'capture again with larger buffers (perf record -m, BPFTRACE_PERF_RB_PAGES, trace-cmd -b) so this window is seen',
        ...f.nextSteps,
      ];
    }
  }
}
