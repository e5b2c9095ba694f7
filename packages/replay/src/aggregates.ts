/**
 * bpftrace aggregates beside traces and logs (`txreplay diagnose counts.json`): maps, hist, lhist and stats are
 * summarised per map and per key — keys that look like interface names are the devices — and never judged:
 * a count has no timestamp, so it cannot show that a queue stopped, when, or for how long (verdict unknown when
 * nothing else is given). I/O edge: reads the files; the summary is pure.
 */
import { readBpftraceAggregates, readWholeText, type BpftraceAggregate, type TraceInput } from '@txreplay/ingest/plain';
import type { AggregateEntry, AggregateSummary, ReplayResult } from './types.js';

/** Entries listed per map (largest first); the summary's totals count them all. */
const SHOWN_ENTRIES = 12;

/**
 * Interface names as the kernel and udev name them (IFNAMSIZ 16): a key part that matches is a device.
 * A map keyed by comm or by number is summarised the same way, without devices.
 */
const IFNAME =
  /^(?:lo|(?:eth|em|bond|team|wlan|wl|ib|ppp|tun|tap|wg|can|usb|sit|gre|ip6tnl|vxlan|geneve|docker|virbr|cni|dummy)\d+[\w.@-]*|(?:en|wl|ww|sl)[ospxbuc]\w+|p\d+p\d+[\w.]*|veth[\w.@-]*|vnet\d+|br[\w.-]+|cali\w+|flannel[\w.]*|lxc\w+|tap\w+|ovs-\w+|\(no_device\))$/;

function sizeOf(e: BpftraceAggregate): number {
  if (e.kind === 'value') return e.value;
  if (e.kind === 'stats') return e.count;
  return e.buckets.reduce((n, b) => n + b.count, 0);
}

function entryOf(e: BpftraceAggregate): AggregateEntry {
  if (e.kind === 'value') return { key: e.key, value: e.value };
  if (e.kind === 'stats') return { key: e.key, count: e.count, average: e.average, total: e.total };
  const filled = e.buckets.filter((b) => b.count > 0);
  return {
    key: e.key,
    count: sizeOf(e),
    min: filled.length > 0 ? filled[0]!.lo : null,
    max: filled.length > 0 ? filled[filled.length - 1]!.hi : null,
    buckets: e.buckets,
  };
}

/** One summary per map of one source, in the order bpftrace printed them. */
function summarizeAggregates(entries: readonly BpftraceAggregate[], source: string): AggregateSummary[] {
  const byMap = new Map<string, BpftraceAggregate[]>();
  for (const e of entries) {
    const list = byMap.get(e.map);
    if (list) list.push(e);
    else byMap.set(e.map, [e]);
  }
  const out: AggregateSummary[] = [];
  for (const [map, list] of byMap) {
    const devices = [...new Set(list.flatMap((e) => e.key.filter((k) => IFNAME.test(k))))];
    const ranked = [...list].sort((a, b) => sizeOf(b) - sizeOf(a));
    out.push({
      source,
      map,
      kind: list[0]!.kind,
      line: list[0]!.line,
      keys: list.length,
      total: list.reduce((n, e) => n + sizeOf(e), 0),
      devices,
      entries: ranked.slice(0, SHOWN_ENTRIES).map(entryOf),
    });
  }
  return out;
}

export interface AggregateEvidence {
  sources: string[];
  summaries: AggregateSummary[];
  /** per source: "file: skipped N line(s) that are not bpftrace aggregates, first at line L: …" */
  notes: string[];
}

export async function readAggregateEvidence(inputs: readonly TraceInput[]): Promise<AggregateEvidence> {
  const out: AggregateEvidence = { sources: [], summaries: [], notes: [] };
  for (const input of inputs) {
    const read = readBpftraceAggregates(await readWholeText(input.path), input.aggregates ?? 'text');
    out.sources.push(input.path);
    out.summaries.push(...summarizeAggregates(read.entries, input.path));
    if (read.skipped > 0) {
      const first = read.firstSkipped[0]!;
      out.notes.push(
        `${input.path}: skipped ${read.skipped} line(s) that are not bpftrace aggregates, first at line ${first.line}: ${first.text}`,
      );
    }
  }
  return out;
}

/**
 * The result with the aggregates added: sources, summaries, and — when nothing else holds evidence (no TX-path
 * event, no log record) — why the verdict is unknown. Findings and verdict are the trace's and logs' own.
 */
export function withAggregates(result: ReplayResult, agg: AggregateEvidence): ReplayResult {
  const onlyCounts = result.trace.events === 0 && result.coverage.logRecords === 0;
  const entries = agg.summaries.reduce((n, s) => n + s.keys, 0);
  return {
    ...result,
    trace: { ...result.trace, sources: [...result.trace.sources, ...agg.sources] },
    aggregates: [...(result.aggregates ?? []), ...agg.summaries],
    captureAdvice: onlyCounts
      ? [
          'bpftrace maps count events but carry no time: record the TX path itself through the next stall with `txreplay capture --seconds N --dev DEV -o trace.txt` (events with timestamps) and diagnose that',
          ...result.captureAdvice,
        ]
      : result.captureAdvice,
    coverage: onlyCounts
      ? {
          ...result.coverage,
          unknownWhy: `the input holds only bpftrace aggregates (${agg.summaries.length} map(s), ${entries} entr${entries === 1 ? 'y' : 'ies'}): counts without timestamps cannot show whether, when or for how long a queue stopped`,
        }
      : result.coverage,
    verdict: onlyCounts ? 'unknown' : result.verdict,
  };
}
