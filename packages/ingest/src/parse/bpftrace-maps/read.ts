/**
 * Read bpftrace aggregates (maps, hist, lhist, stats) from text or `-f json` output. Pure: text in, data out.
 */
import { aggregatesOfJsonLine } from './json.js';
import { bucketOfLine, isBannerLine, mapLineOf } from './text.js';
import { jsonValuesOf, type StrayText } from './values.js';
import type { BpftraceAggregates, HistAggregate } from './types.js';

const SHOWN_SKIPS = 3;
const LOST_TEXT = /^Lost (\d+) events/;

function skip(out: BpftraceAggregates, line: number, text: string): void {
  out.skipped++;
  if (out.firstSkipped.length < SHOWN_SKIPS) out.firstSkipped.push({ line, text: text.slice(0, 120) });
}

function lostOfJson(s: string): number | null {
  try {
    const rec = JSON.parse(s) as { type?: unknown; data?: { events?: unknown } };
    return rec.type === 'lost_events' ? Number(rec.data?.events ?? 0) : null;
  } catch {
    return null;
  }
}

/** Every top-level JSON value (one per line as bpftrace writes them, or pretty-printed over several). */
function readJson(text: string, out: BpftraceAggregates): void {
  const stray: StrayText[] = [];
  const values = jsonValuesOf(text, stray);
  for (const s of stray) skip(out, s.line, s.text);
  for (const v of values) {
    if (!v.complete) {
      skip(out, v.line, `truncated JSON record: ${v.text}`);
      continue;
    }
    const got = aggregatesOfJsonLine(v.text, v.line);
    if (typeof got === 'string') skip(out, v.line, got);
    else if (got) out.entries.push(...got);
    else if (v.text.includes('"lost_events"')) out.lostEvents += lostOfJson(v.text) ?? 0;
    // other record types (attached_probes, time, printf…) are not aggregates: nothing to keep here
  }
}

function readText(lines: readonly string[], out: BpftraceAggregates): void {
  let hist: HistAggregate | null = null;
  lines.forEach((s, i) => {
    if (hist) {
      const b = bucketOfLine(s);
      if (b) return void hist.buckets.push(b);
      hist = null;
    }
    if (s.trim() === '') return;
    const lost = LOST_TEXT.exec(s);
    if (lost) out.lostEvents += Number(lost[1]);
    if (isBannerLine(s)) return;
    const m = mapLineOf(s, i + 1);
    if (!m?.entry) return skip(out, i + 1, s);
    out.entries.push(m.entry);
    if (m.opensHist) hist = m.entry as HistAggregate;
  });
}

/** All aggregates of one bpftrace output; `output` says which of the two shapes it is (see detect.ts). */
export function readBpftraceAggregates(text: string, output: 'json' | 'text'): BpftraceAggregates {
  const out: BpftraceAggregates = { output, entries: [], skipped: 0, firstSkipped: [], lostEvents: 0 };
  if (output === 'json') readJson(text, out);
  else readText(text.split(/\r?\n/), out);
  return out;
}
