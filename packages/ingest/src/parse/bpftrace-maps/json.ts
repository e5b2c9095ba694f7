/**
 * bpftrace `-f json` aggregate records: `{"type": "map"|"hist"|"stats", "data": {"@name": …}}`, one per line.
 * A keyed map's data is an object by key (tuple keys joined with ","); an unkeyed one is the value itself.
 */
import type { AggregateValue, BpftraceAggregate, HistBucket } from './types.js';

interface JsonRecord {
  type?: unknown;
  data?: unknown;
}

/** The aggregate record types bpftrace writes at exit; other types (printf, time, attached_probes…) are not maps. */
const JSON_AGGREGATE_TYPES = new Set(['map', 'hist', 'stats']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function bucketsOf(v: unknown): HistBucket[] | null {
  if (!Array.isArray(v)) return null;
  const out: HistBucket[] = [];
  for (const b of v) {
    if (!isObject(b) || typeof b.count !== 'number') return null;
    out.push({
      lo: typeof b.min === 'number' ? b.min : null,
      hi: typeof b.max === 'number' ? b.max : null,
      count: b.count,
    });
  }
  return out;
}

function aggregateValueOf(type: string, v: unknown): AggregateValue | null {
  if (type === 'hist') {
    const buckets = bucketsOf(v);
    return buckets ? { kind: 'hist', buckets } : null;
  }
  if (type === 'stats') {
    if (!isObject(v) || typeof v.count !== 'number') return null;
    return { kind: 'stats', count: v.count, average: Number(v.average ?? 0), total: Number(v.total ?? 0) };
  }
  return typeof v === 'number' ? { kind: 'value', value: v } : null;
}

/** Is `v` the value itself (unkeyed map) rather than an object by key? */
function isBareValue(type: string, v: unknown): boolean {
  if (type === 'hist') return Array.isArray(v);
  if (type === 'stats') return isObject(v) && typeof v.count === 'number' && typeof v.total === 'number';
  return typeof v === 'number';
}

/**
 * The entries of one JSON record (one line, or a pretty-printed value), null when the line is not an aggregate record (another record type, or not
 * JSON), or a string saying what is wrong with an aggregate record.
 */
export function aggregatesOfJsonLine(text: string, line: number): BpftraceAggregate[] | null | string {
  const s = text.trim();
  if (!s.startsWith('{')) return null;
  let rec: JsonRecord;
  try {
    rec = JSON.parse(s) as JsonRecord;
  } catch {
    return null;
  }
  if (!isObject(rec) || typeof rec.type !== 'string' || !JSON_AGGREGATE_TYPES.has(rec.type)) return null;
  const type = rec.type;
  if (!isObject(rec.data)) return `${type} record without a data object`;
  const out: BpftraceAggregate[] = [];
  for (const [map, body] of Object.entries(rec.data)) {
    if (isBareValue(type, body)) {
      const v = aggregateValueOf(type, body);
      if (!v) return `${map}: unreadable ${type} value`;
      out.push({ ...v, map, key: [], line });
      continue;
    }
    if (!isObject(body)) return `${map}: unreadable ${type} value`;
    for (const [key, kv] of Object.entries(body)) {
      const v = aggregateValueOf(type, kv);
      if (!v) return `${map}[${key}]: unreadable ${type} value`;
      out.push({ ...v, map, key: key.split(','), line });
    }
  }
  return out;
}
