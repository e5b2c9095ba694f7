/** The readable verdict of `txreplay diagnose`: findings first, then a short per-queue timeline. */
import type { AggregateEntry, AggregateSummary, Finding, ReplayResult } from '../types.js';

const sec = (ns: bigint): string => {
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
  if (!w) return 'wall time unknown (the trace carries no wall clock)';
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
  if (crit + warn === 0)
    return info === 0 ? 'HEALTHY: no divergence between the trace and the model' : `HEALTHY with ${info} note(s)`;
  return `${crit > 0 ? 'PROBLEM' : 'WARNING'}: ${crit} critical, ${warn} warning, ${info} info finding(s)`;
}

function findingText(f: Finding): string {
  const where = `${f.dev}${f.queue === null ? '' : ` txq ${f.queue}`}`;
  const lines = [
    `[${f.severity.toUpperCase()}] ${f.kind} on ${where}, ${sec(f.startNs)} → ${sec(f.endNs)} s`,
    `  ${f.title}`,
    `  why: ${f.explanation}`,
  ];
  for (const e of f.evidence) lines.push(`  evidence: ${sec(e.tsNs)} ${e.event} (${e.source}:${e.line}) ${e.note}`);
  for (const a of f.alternatives ?? []) lines.push(`  or, if the driver is ${a.driver}: ${a.kind}: ${a.title}`);
  for (const s of f.nextSteps) lines.push(`  next: ${s}`);
  return lines.join('\n');
}

export function formatVerdict(r: ReplayResult): string {
  const out: string[] = [];
  out.push(`txreplay diagnose: ${r.trace.sources.join(', ')}`);
  const timed = r.trace.events > 0 || r.coverage.logRecords > 0;
  out.push(
    `${r.trace.events} events${r.coverage.logRecords > 0 ? `, ${r.coverage.logRecords} kernel-log record(s)` : ''}${timed ? `, ${sec(r.trace.firstNs)} → ${sec(r.trace.lastNs)} s` : ''}${r.trace.lostEvents > 0 ? `, ${r.trace.lostEvents} events LOST by the tracer` : ''}`,
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
  if (r.aggregates && r.aggregates.length > 0) out.push('', ...aggregateLines(r.aggregates));
  if (r.captureAdvice.length > 0) {
    out.push('');
    out.push('To say more, capture:');
    for (const a of r.captureAdvice) out.push(`  - ${a}`);
  }
  return out.join('\n') + '\n';
}

const bound = (v: number | null | undefined, open: string): string =>
  v === null || v === undefined ? open : String(v);

function entryText(kind: AggregateSummary['kind'], e: AggregateEntry): string {
  const key = e.key.length > 0 ? `[${e.key.join(', ')}]` : '';
  if (kind === 'value') return `${key} ${e.value}`;
  if (kind === 'stats') return `${key} count ${e.count}, average ${e.average}, total ${e.total}`;
  return `${key} ${e.count} sample(s), ${bound(e.min, '-inf')} .. ${bound(e.max, '+inf')}`;
}

/** bpftrace maps: per map its devices, total and largest entries (counts, no time). */
function aggregateLines(aggs: readonly AggregateSummary[]): string[] {
  const out = ['bpftrace aggregates (counts without timestamps: not judged):'];
  for (const a of aggs) {
    const devs = a.devices.length > 0 ? `, devices ${a.devices.join(', ')}` : '';
    out.push(`  ${a.map} (${a.kind}, ${a.source}:${a.line}): ${a.keys} key(s), total ${a.total}${devs}`);
    for (const e of a.entries.slice(0, a.keys > 1 ? 5 : 1)) out.push(`    ${a.map}${entryText(a.kind, e)}`);
    if (a.keys > 5) out.push(`    … ${a.keys - 5} more`);
  }
  return out;
}
