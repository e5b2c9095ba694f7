/** Text pieces the HTML and Markdown post-mortems share: times, title, severity, the queue table's columns. */
import { timelessSpan, wallTimeText, type Finding, type QueueSummary, type ReplayResult } from '@txreplay/replay';

export function msBetween(a: bigint, b: bigint): string {
  return (Number(b - a) / 1e6).toFixed(3);
}

/** Trace-relative time in ms, and the absolute stamp in seconds (as perf/ftrace print it). */
export function when(result: ReplayResult, ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `+${msBetween(result.trace.firstNs, ns)} ms (${s}.${frac})`;
}

/**
 * A finding's time span for the post-mortems: from the trace's start, or in words when its evidence has no time on
 * the trace's clock (counter snapshots, a log's local stamps: replay's timelessSpan, as the text verdict says it).
 */
export function findingWhen(result: ReplayResult, f: Finding): string {
  const timeless = timelessSpan(f);
  if (timeless !== null) return timeless;
  return `${when(result, f.startNs)} → ${when(result, f.endNs)} (${msBetween(f.startNs, f.endNs)} ms)`;
}

export function defaultTitle(result: ReplayResult): string {
  return `txreplay post-mortem: ${result.trace.sources.join(', ') || 'trace'}`;
}

export function severityOf(result: ReplayResult): 'critical' | 'warning' | 'ok' {
  if (result.findings.some((f) => f.severity === 'critical')) return 'critical';
  if (result.findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

/** The line under the title: events, span, lost events, sources (each string through `esc`, code-styled by `code`). */
export function traceFacts(
  result: ReplayResult,
  esc: (s: string | number | bigint) => string,
  code: (s: string) => string = (s) => `<code>${esc(s)}</code>`,
  strong: (s: string) => string = (s) => `<strong>${s}</strong>`,
): string {
  const tr = result.trace;
  return (
    `${esc(tr.events)} events, ${esc(msBetween(tr.firstNs, tr.lastNs))} ms of trace (${esc(tr.firstNs)} … ${esc(tr.lastNs)} ns)` +
    `${tr.lostEvents ? `, ${strong(`${esc(tr.lostEvents)} events lost by the tracer`)}` : ''}` +
    ` · ${esc(wallTimeText(result))}` +
    ` · sources: ${tr.sources.map(code).join(', ')}`
  );
}

export const QUEUE_COLS: [string, (q: QueueSummary) => string | number][] = [
  ['dev', (q) => q.dev],
  ['txq', (q) => q.queue],
  ['queued', (q) => q.netDevQueue],
  ['enq', (q) => q.enqueued],
  ['deq', (q) => q.dequeued],
  ['xmit ok', (q) => q.xmitOk],
  ['TX_BUSY', (q) => q.txBusy],
  ['requeues', (q) => q.requeues],
  ['qdisc drops', (q) => q.qdiscDrops],
  ['completions', (q) => q.completions],
  ['stopped', (q) => q.stoppedIntervals.length],
  ['backlog at end', (q) => q.backlogAtEnd],
];
