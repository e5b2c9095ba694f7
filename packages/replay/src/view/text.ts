/** The readable verdict of `txreplay diagnose`: findings first, then a short per-queue timeline. */
import { ENOBUFS_LAYER_LABEL, ENOBUFS_STATUS_LABEL } from './enobufs.js';
import { isCounterEvent, timelessSpan } from './timeless.js';
import { snapshotSections } from './snapshot-lines.js';
import type { EnobufsSource, Finding, ReplayResult } from '../types.js';

/** From 2001-09-09 on, a stamp is a wall-clock instant (CLOCK_MONOTONIC cannot reach 10^18 ns: 31.7 years up). */
const WALL_FROM_NS = 1_000_000_000_000_000_000n;

const sec = (ns: bigint): string => {
  if (ns >= WALL_FROM_NS) {
    const iso = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
    return `${iso}.${(ns % 1_000_000_000n).toString().padStart(9, '0').slice(0, 6)}Z`;
  }
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').slice(0, 6);
  return `${s}.${frac}`;
};

/**
 * The run's wall time as the trace itself gives it (result.trace.wallClock), or that it is unknown: never a
 * file's mtime. `wall time 2024-09-19 08:55:54.123 → 08:56:05.731 UTC (perf.data clock data)`.
 */
export function wallTimeText(result: ReplayResult): string {
  const w = result.trace.wallClock;
  if (!w) {
    // a kernel log read alone: its own stamps are the times shown
    if (result.trace.events === 0 && result.trace.lastNs >= WALL_FROM_NS) return "times are the log's own (UTC)";
    if (result.trace.events === 0 && result.findings.some((f) => f.logWall))
      return "times are the log's local wall time as written (it gives no zone)";
    return 'wall time unknown (the trace carries no wall clock)';
  }
  const iso = (ns: bigint): string => {
    const ms = (ns + w.offsetNs) / 1_000_000n;
    return new Date(Number(ms)).toISOString().replace('T', ' ').replace('Z', '');
  };
  const a = iso(result.trace.firstNs);
  const b = iso(result.trace.lastNs);
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return `wall time ${a} → ${sameDay ? b.slice(11) : b} UTC (${w.source})`;
}

export function verdictLine(r: ReplayResult): string {
  if (r.verdict === 'unknown') return `UNKNOWN: ${r.coverage.unknownWhy ?? 'too little evidence to judge'}: no verdict`;
  const crit = r.findings.filter((f) => f.severity === 'critical').length;
  const warn = r.findings.filter((f) => f.severity === 'warning').length;
  const info = r.findings.length - crit - warn;
  if (crit + warn === 0) {
    const head = info === 0 ? 'HEALTHY: no divergence between the trace and the model' : `HEALTHY with ${info} note(s)`;
    return head + notJudged(r);
  }
  return `${crit > 0 ? 'PROBLEM' : 'WARNING'}: ${crit} critical, ${warn} warning, ${info} info finding(s)`;
}

/**
 * A healthy verdict holds only for what the input showed: say how many finding kinds it could not judge and how
 * much of its time is unknown, so "HEALTHY" on a partial capture is never read as a clean bill.
 */
function notJudged(r: ReplayResult): string {
  const kinds = new Set((r.coverage.cannotJudge ?? []).map((c) => c.kind)).size;
  const unknownMs = r.coverage.unknownNs / 1e6;
  const parts: string[] = [];
  if (kinds > 0) parts.push(`${kinds} finding kind(s) not judged for lack of tracepoints (listed below)`);
  if (unknownMs > 0) parts.push(`${unknownMs.toFixed(3)} ms of the trace unknown (events lost)`);
  return parts.length === 0 ? '' : ` on what the trace shows; ${parts.join('; ')}`;
}

/** "a → b s" on a trace clock, "a → b" between wall-clock instants, or that the input gave no time at all. */
function span(a: bigint, b: bigint): string {
  if (a === 0n && b === 0n) return 'at a time the input does not give on any clock (see the evidence lines)';
  return `${sec(a)} → ${sec(b)}${b >= WALL_FROM_NS ? '' : ' s'}`;
}

function findingText(f: Finding): string {
  const where = `${f.dev}${f.queue === null ? '' : ` txq ${f.queue}`}`;
  const lines = [
    `[${f.severity.toUpperCase()}] ${f.kind} on ${where}, ${timelessSpan(f) ?? span(f.startNs, f.endNs)}`,
    `  ${f.title}`,
    `  why: ${f.explanation}`,
  ];
  for (const e of f.evidence)
    lines.push(
      `  evidence: ${e.tsNs === 0n && (e.event.startsWith('log:') || isCounterEvent(e.event)) ? '' : `${sec(e.tsNs)} `}${e.event} (${e.source}:${e.line}) ${e.note}`,
    );
  for (const a of f.alternatives ?? []) lines.push(`  or, if the driver is ${a.driver}: ${a.kind}: ${a.title}`);
  for (const s of f.nextSteps) lines.push(`  next: ${s}`);
  return lines.join('\n');
}

export function formatVerdict(r: ReplayResult): string {
  const out: string[] = [];
  out.push(`txreplay diagnose: ${r.trace.sources.join(', ')}`);
  const timed = r.trace.events > 0 || r.coverage.logRecords > 0;
  out.push(
    `${r.trace.events} events${r.coverage.logRecords > 0 ? `, ${r.coverage.logRecords} kernel-log record(s)` : ''}${timed && (r.trace.firstNs !== 0n || r.trace.lastNs !== 0n) ? `, ${span(r.trace.firstNs, r.trace.lastNs)}` : ''}${r.trace.lostEvents > 0 ? `, ${r.trace.lostEvents} events LOST by the tracer` : ''}`,
  );
  if (timed) out.push(wallTimeText(r));
  // where each log sits on the trace's clock (a log read alone has no other clock to sit on)
  if (r.trace.events > 0)
    for (const c of r.logClock ?? []) if (c.how !== 'boot-stamps') out.push(`log clock: ${c.source}: ${c.note}`);
  for (const d of r.drivers ?? []) out.push(`driver profile: ${d.dev}: ${d.driver ?? 'not named'} — ${d.why}`);
  out.push('');
  out.push(verdictLine(r));
  for (const f of r.findings) {
    out.push('');
    out.push(findingText(f));
  }
  for (const n of r.coverage.sharedNames ?? []) {
    const keys = [
      ...(n.netCookies.length > 1 ? [`net_cookie ${n.netCookies.join(', ')}`] : []),
      ...(n.ifindexes.length > 1 ? [`ifindex ${n.ifindexes.join(', ')}`] : []),
    ];
    out.push(
      '',
      `${n.dev} is more than one device (${keys.join('; ')}): events that carry only the name cannot be told apart, so what is said of ${n.dev} may mix them`,
    );
  }
  const unjudged = r.coverage.cannotJudge ?? [];
  if (unjudged.length > 0) {
    // a kind the input cannot support was not judged: its absence above says nothing
    out.push('');
    for (const u of unjudged)
      out.push(
        `cannot judge ${u.kind}${u.dev === null ? '' : ` on ${u.dev}`} without ${u.missing.map((m) => (u.missing.length > 1 && m.includes(' or ') ? `(${m})` : m)).join(' and ')}`,
      );
  }
  out.push(...enobufsLines(r.enobufs));
  if (r.queues.length > 0) out.push('', 'Per-queue timeline:');
  for (const q of r.queues) {
    const stops = q.stoppedIntervals.filter((i) => i.state !== 'UNKNOWN');
    out.push(
      `  ${q.dev} txq ${q.queue}${q.qdiscHandle !== null ? ` (qdisc ${(q.qdiscHandle >>> 16).toString(16)}:)` : ''}: ` +
        `xmit ok ${q.xmitOk}, TX_BUSY ${q.txBusy}, requeues ${q.requeues}, other rc ${q.xmitOtherRc}, qdisc drops ${q.qdiscDrops}, ` +
        `enqueued ${q.enqueued}, dequeued ${q.dequeued}, completions ${q.completions}, backlog at end ${q.backlogAtEnd}`,
    );
    const shown = stops.slice(-3);
    if (stops.length > 3) out.push(`    … ${stops.length - 3} earlier stop(s)`);
    for (const s of shown) out.push(`    ${sec(s.startNs)} → ${sec(s.endNs)} ${s.state}`);
  }
  if (r.stallWhatIf && r.stallWhatIf.length > 0) {
    out.push('');
    out.push('BQL stall detector what-if (stall_thrs → stall_cnt, stall_max, first detection):');
    for (const w of r.stallWhatIf) {
      out.push(
        `  ${w.dev} txq ${w.queue}: stall_thrs ${w.thrsMs} ms (${w.thrsJiffies} jiffies) → stall_cnt ${w.stallCnt}, ` +
          `stall_max ${w.stallMaxJiffies} jiffies (${w.stallMaxMs.toFixed(1)} ms)` +
          (w.firstStallNs !== null ? `, first at ${sec(w.firstStallNs)} s` : ', would not have fired'),
      );
    }
  }
  for (const section of snapshotSections(r)) out.push('', `${section.heading}:`, ...section.items.map((i) => `  ${i}`));
  if (r.captureAdvice.length > 0) {
    out.push('');
    out.push('To say more, capture:');
    for (const a of r.captureAdvice) out.push(`  - ${a}`);
  }
  return out.join('\n') + '\n';
}

/** "Where an ENOBUFS came from": printed when the input shows at least one source (else it would only be noise). */
function enobufsLines(sources: readonly EnobufsSource[] | undefined): string[] {
  if (!sources || !sources.some((s) => s.status === 'shown')) return [];
  const out = ['', 'Where an ENOBUFS came from:'];
  for (const s of sources) {
    const n = s.packets !== null && s.status === 'shown' ? ` (${s.packets} packet(s))` : '';
    // the terminal shows a shown layer in capitals: the one line a reader looks for
    const status = s.status === 'shown' ? 'SHOWN' : ENOBUFS_STATUS_LABEL[s.status];
    out.push(`  ${ENOBUFS_LAYER_LABEL[s.layer]}: ${status}${n}: ${s.why}`);
    for (const w of s.where.slice(0, 6)) out.push(`    ${w}`);
    if (s.where.length > 6) out.push(`    … ${s.where.length - 6} more`);
  }
  return out;
}
