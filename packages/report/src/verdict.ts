/** One-line verdict of a replay, shared by the post-mortem, the `runs` table and the CLI. */
import { verdictLine, type Finding, type ReplayResult, type Severity } from '@txreplay/replay';

const RANK: Record<Severity, number> = { critical: 2, warning: 1, info: 0 };

/** Findings most severe first, then by start time (stable otherwise). */
export function rankFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        RANK[b.f.severity] - RANK[a.f.severity] ||
        (a.f.startNs < b.f.startNs ? -1 : a.f.startNs > b.f.startNs ? 1 : a.i - b.i),
    )
    .map((x) => x.f);
}

/** The line `txreplay diagnose` prints (replay's verdictLine), then the most severe finding's title. */
export function verdictOf(result: ReplayResult): string {
  const top = rankFindings(result.findings)[0];
  const line = verdictLine(result);
  if (!top || top.severity === 'info') return line;
  return `${line}. Worst: ${top.title}`;
}
