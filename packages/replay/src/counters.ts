/**
 * `tc -s qdisc show` snapshots beside traces and logs (`txreplay diagnose tc.txt`): each qdisc's counters are
 * summarised, and what changed between two snapshots of the same qdisc is judged (rules/qdisc-counters.ts): a
 * backlog that no packet left, requeues, drops. One snapshot alone is totals since the qdisc was created: the
 * verdict stays unknown when nothing else is given. I/O edge: reads the files; the judging is pure.
 */
import { readTcStats, readWholeText, type TraceInput } from '@txreplay/ingest/plain';
import { combineTcStats, findingsFromTcStats, summarizeTcStats } from './rules/qdisc-counters.js';
import { SEVERITY_RANK } from './replay.js';
import type { Finding, QdiscCounterSummary, ReplayResult } from './types.js';
import { verdictOf } from './view/verdict.js';

export interface CounterEvidence {
  sources: string[];
  summaries: QdiscCounterSummary[];
  findings: Finding[];
  /** per source: "file: skipped N line(s) that are not tc output, first at line L: …" */
  notes: string[];
}

/** Read every counters input, in the order given: the same qdisc in a later input is a later snapshot. */
export async function readCounterEvidence(inputs: readonly TraceInput[]): Promise<CounterEvidence> {
  const notes: string[] = [];
  const reads = [];
  for (const input of inputs) {
    const read = readTcStats(await readWholeText(input.path));
    reads.push({ read, source: input.path });
    if (read.firstSkipped)
      notes.push(
        `${input.path}: skipped ${read.skipped} line(s) that are not tc -s output, first at line ${read.firstSkipped.line}: ${read.firstSkipped.text}`,
      );
  }
  const all = combineTcStats(reads);
  return {
    sources: inputs.map((i) => i.path),
    summaries: summarizeTcStats(all),
    findings: findingsFromTcStats(all),
    notes,
  };
}

const bySeverity = (a: Finding, b: Finding): number => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];

/**
 * The result with the counters added: summaries, the findings of consecutive snapshots, and — when nothing else
 * holds evidence and no qdisc was seen twice — why the verdict is unknown.
 */
export function withCounters(result: ReplayResult, ev: CounterEvidence): ReplayResult {
  const findings = [...result.findings, ...ev.findings].sort(bySeverity);
  const nothingElse = result.trace.events === 0 && result.coverage.logRecords === 0;
  const compared = ev.summaries.some((s) => s.snapshots > 1);
  const devs = [...new Set(ev.summaries.map((s) => s.dev))];
  const dev = devs.length === 1 ? devs[0]! : 'DEV';
  const unknownWhy = !nothingElse
    ? result.coverage.unknownWhy
    : compared
      ? null
      : `the input holds one \`tc -s qdisc show\` snapshot (${ev.summaries.length} qdisc(s)): counters since each qdisc was created cannot show whether a queue moves now — take two a few seconds apart`;
  const coverage = { ...result.coverage, unknownWhy };
  return {
    ...result,
    trace: { ...result.trace, sources: [...result.trace.sources, ...ev.sources] },
    counters: [...(result.counters ?? []), ...ev.summaries],
    findings,
    captureAdvice:
      nothingElse && !compared
        ? [
            `take two snapshots: tc -s qdisc show dev ${dev}; sleep 1; tc -s qdisc show dev ${dev} — a backlog that Sent does not drain is a stopped queue`,
            ...result.captureAdvice,
          ]
        : result.captureAdvice,
    coverage,
    verdict: nothingElse && !compared ? 'unknown' : verdictOf(findings, coverage),
  };
}
