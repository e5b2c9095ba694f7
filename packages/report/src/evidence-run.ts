/**
 * Runs of production evidence: kernel logs, `tc -s qdisc` and `ethtool -S` snapshots, bpftrace maps — what users
 * bring when no trace was recorded. `report` and `bulk` store them like traces: alone, as a run with no events
 * (its findings and its `runs` row, so a fleet's watchdog timeouts and stuck backlogs are counted with the traced
 * ones), or beside a trace, in the trace's run. The run id hashes every input, evidence included.
 */
import { makeEventSchema, type IngestSummary, type TraceInput } from '@txreplay/ingest';
import { Table } from 'apache-arrow';

/** One source of a run: a trace's summary, or an evidence input's (format: what kind of evidence it is). */
type RunSource = Omit<IngestSummary['sources'][number], 'format'> & { format: string };

/** A run's sources and totals: ingest's summary of its traces, plus its evidence inputs. */
export type RunSummary = Omit<IngestSummary, 'sources'> & { sources: RunSource[] };

/** The `runs.format` name of an evidence input (`runs.sources[].format`). */
function evidenceFormat(input: TraceInput): string {
  if (input.kind === 'log') return 'kernel-log';
  if (input.kind === 'counters') return input.counters ?? 'counters';
  return 'bpftrace-maps';
}

/** `summary` (null: no trace) with the evidence inputs as sources: they carry no events and no trace lines. */
export function withEvidenceSources(summary: IngestSummary | null, evidence: readonly TraceInput[]): RunSummary {
  const base: RunSummary = summary ?? {
    sources: [],
    lines: 0,
    events: 0,
    skipped: 0,
    comments: 0,
    lostEvents: 0,
    eventCounts: {},
  };
  const sources: RunSource[] = evidence.map((i) => ({
    path: i.path,
    format: evidenceFormat(i),
    kernel: null,
    lines: 0,
    events: 0,
    skipped: 0,
    comments: 0,
    lostEvents: 0,
    issues: [],
    eventCounts: {},
  }));
  return { ...base, sources: [...base.sources, ...sources] };
}

/** The event table of a run of evidence alone: the schema, no rows. */
export const noEvents = (): Table => new Table(makeEventSchema());
