/** One-line verdict of a replay, shared by the post-mortem, the `runs` table and the CLI. */
import type { Finding, ReplayResult, Severity } from '@txreplay/replay';

const RANK: Record<Severity, number> = { critical: 2, warning: 1, info: 0 };

/** Findings most severe first, then by start time (stable otherwise). */
export function rankFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[b.f.severity] - RANK[a.f.severity] || (a.f.startNs < b.f.startNs ? -1 : a.f.startNs > b.f.startNs ? 1 : a.i - b.i))
    .map((x) => x.f);
}

export function verdictOf(result: ReplayResult): string {
  const ranked = rankFindings(result.findings);
  const top = ranked[0];
  if (!top || top.severity === 'info') return 'No TX-path fault found: every stopped queue was woken and every queued packet left.';
  const others = ranked.filter((f) => f.severity !== 'info').length - 1;
  return `${top.severity.toUpperCase()}: ${top.title}${others > 0 ? ` (+${others} more finding${others > 1 ? 's' : ''})` : ''}`;
}
