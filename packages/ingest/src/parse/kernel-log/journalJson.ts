/**
 * `journalctl -k -o json` (and json-seq / export-as-JSON pastes): one JSON object per line.
 * For kernel entries journald stores the printk time in _SOURCE_MONOTONIC_TIMESTAMP (µs, from /dev/kmsg);
 * __MONOTONIC_TIMESTAMP is when journald received it, so the source stamp wins when present.
 */
import type { Envelope } from './envelope.js';

type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** journald writes non-UTF-8 or binary MESSAGE as an array of byte values. */
function fieldText(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  return undefined;
}

function usField(v: JsonValue | undefined): bigint | undefined {
  const t = fieldText(v);
  return t !== undefined && /^\d+$/.test(t) ? BigInt(t) : undefined;
}

/**
 * Parse one journal JSON line. Returns one envelope per line of MESSAGE (a multi-line printk is one journal entry),
 * or null when the line is not a JSON object with a MESSAGE.
 */
export function parseJournalJson(line: string): Envelope[] | null {
  const t = line.trim().replace(/^\x1e/, '');
  if (!t.startsWith('{')) return null;
  let rec: unknown;
  try {
    rec = JSON.parse(t);
  } catch {
    return null;
  }
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return null;
  const o = rec as Record<string, JsonValue>;
  const message = fieldText(o['MESSAGE']);
  if (message === undefined) return null;
  const base: Omit<Envelope, 'message'> = { shape: 'journal-json' };
  const mono = usField(o['_SOURCE_MONOTONIC_TIMESTAMP']) ?? usField(o['__MONOTONIC_TIMESTAMP']);
  if (mono !== undefined) base.tsBootNs = mono * 1000n;
  const wall = usField(o['__REALTIME_TIMESTAMP']);
  if (wall !== undefined) base.wallTimeUs = wall;
  const host = fieldText(o['_HOSTNAME']);
  if (host) base.host = host;
  const prio = fieldText(o['PRIORITY']);
  if (prio !== undefined && /^\d$/.test(prio)) base.level = Number(prio);
  const transport = fieldText(o['_TRANSPORT']);
  const ident = fieldText(o['SYSLOG_IDENTIFIER']) ?? (transport === 'kernel' ? 'kernel' : undefined);
  if (ident) base.ident = ident;
  return message.split('\n').map((msg) => ({ ...base, message: msg }));
}
