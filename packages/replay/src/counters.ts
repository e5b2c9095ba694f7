/**
 * `tc -s qdisc show` snapshots beside traces and logs (`txreplay diagnose tc.txt`): each qdisc's counters are
 * summarised, and what changed between two snapshots of the same qdisc is judged (rules/qdisc-counters.ts): a
 * backlog that no packet left, requeues, drops. One snapshot alone is totals since the qdisc was created: the
 * verdict stays unknown when nothing else is given. I/O edge: reads the files; the judging is pure.
 */
import { readNicStats, readTcStats, readWholeText, type TraceInput } from '@txreplay/ingest/plain';
import { combineNicStats, findingsFromNicStats, summarizeNicStats } from './rules/nic-counters.js';
import { combineTcStats, findingsFromTcStats, summarizeTcStats } from './rules/qdisc-counters.js';
import { SEVERITY_RANK } from './replay.js';
import type { Finding, NicCounterSummary, QdiscCounterSummary, ReplayResult } from './types.js';
import { verdictOf } from './view/verdict.js';

export interface CounterEvidence {
  sources: string[];
  summaries: QdiscCounterSummary[];
  nics: NicCounterSummary[];
  findings: Finding[];
  /** per source: "file: skipped N line(s) that are not tc output, first at line L: …" */
  notes: string[];
}

function skippedNote(
  path: string,
  what: string,
  read: { skipped: number; firstSkipped: { line: number; text: string } | null },
): string[] {
  if (!read.firstSkipped) return [];
  return [
    `${path}: skipped ${read.skipped} line(s) that are not ${what} output, first at line ${read.firstSkipped.line}: ${read.firstSkipped.text}`,
  ];
}

/** Read every counters input, in the order given: the same qdisc or device in a later input is a later snapshot. */
export async function readCounterEvidence(inputs: readonly TraceInput[]): Promise<CounterEvidence> {
  const notes: string[] = [];
  const tc = [];
  const nic = [];
  for (const input of inputs) {
    const text = await readWholeText(input.path);
    if (input.counters === 'ethtool-stats') {
      const read = readNicStats(text);
      nic.push({ read, source: input.path });
      notes.push(...skippedNote(input.path, 'ethtool -S', read));
    } else {
      const read = readTcStats(text);
      tc.push({ read, source: input.path });
      notes.push(...skippedNote(input.path, 'tc -s', read));
    }
  }
  const qdiscs = combineTcStats(tc);
  const nics = combineNicStats(nic);
  return {
    sources: inputs.map((i) => i.path),
    summaries: summarizeTcStats(qdiscs),
    nics: summarizeNicStats(nics),
    findings: [...findingsFromTcStats(qdiscs), ...findingsFromNicStats(nics)],
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
  // a device whose driver reports none of the TX counters read here (veth) was not judged, however many snapshots
  const compared =
    ev.summaries.some((s) => s.snapshots > 1) || ev.nics.some((s) => s.snapshots > 1 && s.counters.length > 0);
  const devs = [...new Set([...ev.summaries, ...ev.nics].map((s) => s.dev))];
  const dev = devs.length === 1 ? devs[0]! : 'DEV';
  const unknownWhy = !nothingElse
    ? result.coverage.unknownWhy
    : compared
      ? null
      : ev.nics.length > 0 && ev.summaries.length === 0
        ? `the input holds one \`ethtool -S\` snapshot per device: counters since the driver loaded cannot show whether a queue moves now — take two a few seconds apart`
        : `the input holds one \`tc -s qdisc show\` snapshot (${ev.summaries.length} qdisc(s)): counters since each qdisc was created cannot show whether a queue moves now — take two a few seconds apart`;
  const coverage = { ...result.coverage, unknownWhy };
  return {
    ...result,
    trace: { ...result.trace, sources: [...result.trace.sources, ...ev.sources] },
    counters: [...(result.counters ?? []), ...ev.summaries],
    nicCounters: [...(result.nicCounters ?? []), ...ev.nics],
    findings,
    captureAdvice:
      nothingElse && !compared
        ? [
            ev.summaries.length > 0
              ? `take two snapshots: tc -s qdisc show dev ${dev}; sleep 1; tc -s qdisc show dev ${dev} — a backlog that Sent does not drain is a stopped queue`
              : `take two snapshots: ethtool -S ${dev}; sleep 1; ethtool -S ${dev} — and tc -s qdisc show dev ${dev} beside them (its backlog shows a stopped queue)`,
            ...result.captureAdvice,
          ]
        : result.captureAdvice,
    coverage,
    // one snapshot judges nothing, unless a counter shows a failure by itself (a TX timeout since the driver loaded)
    verdict: nothingElse && !compared && ev.findings.length === 0 ? 'unknown' : verdictOf(findings, coverage),
  };
}
