/**
 * The field text of the TX-path tracepoints, shared by every text format (perf script, ftrace, trace-cmd,
 * bpftrace printf). Format strings and their drift across kernels: spec §H.1/§H.2. One tokenizer covers
 *  - `key=value` fields (all events, and every field of the bpftrace capture kit),
 *  - `napi poll on napi struct %p for device %s work %d budget %d` (napi_poll, word-value pairs),
 *  - `thrs %u  len %u  last_reap %lu  hist_head %lu  now %lu  hist …` (dql_stall_detected, two spaces),
 *  - `reason: %s` (kfree_skb; symbolic since 5.17, bpftrace prints the number).
 * Keys and the columns they feed come from the catalogue (../table/catalogue.ts); unknown keys are ignored (e.g.
 * vlan_*, gso_*, bpftrace `qdisc=`/`txq=`).
 */
import type { RowColumns } from '../table/rows.js';
import { EV_DQL_STALL_DETECTED, I32_MAX, I32_MIN, QUEUE_MAX } from './fieldKeys.js';
// the `seen` flags (F_*) of the required fields, the same numbers the WebAssembly kernel (../../wasm/lines.ts) sets
import * as seenFlag from '../table/catalogueIds.js';
import { Ptr, parseDec, parseNum32, parsePtr, parseU64Dec, parseUDec, isSpace, CH_EQ, CH_COLON } from './scan.js';
import {
  CATALOGUE,
  REQUIRED_BY_EVENT,
  REQUIRED_COLUMNS,
  TX_EVENTS,
  WORD_KEYS,
  fieldText,
  requiredFlag,
  textKeys,
  type ColumnName,
  type ColumnSpec,
} from '../table/catalogue.js';
if (TX_EVENTS[EV_DQL_STALL_DETECTED] !== 'napi:dql_stall_detected')
  throw new Error('fieldKeys.ts EV_DQL_STALL_DETECTED is stale');

const EV_OTHER = -1;

/** canonical or bare name → event id (TX_EVENTS order) */
const EVENT_IDS = new Map<string, number>();
TX_EVENTS.forEach((name, i) => {
  EVENT_IDS.set(name, i);
  EVENT_IDS.set(name.slice(name.indexOf(':') + 1), i);
});
/** bare ftrace/trace-cmd name → canonical `sys:name` */
const CANONICAL = new Map<string, string>();
for (const name of TX_EVENTS) {
  CANONICAL.set(name, name);
  CANONICAL.set(name.slice(name.indexOf(':') + 1), name);
}

export function eventId(name: string): number {
  return EVENT_IDS.get(name) ?? EV_OTHER;
}
/** Canonical `sys:name` for a modelled event; other names are returned unchanged. */
export function canonicalEvent(name: string): string {
  return CANONICAL.get(name) ?? name;
}

/**
 * `seen` flags an event must carry to be trusted (a truncated line misses them), by event id: the catalogue's
 * `required` tracepoints. Only fields present in every kernel version of the format (§H.2): qdisc_dequeue's
 * ifindex/handle/parent and napi_poll's work/budget came later, so they are optional.
 */
export const REQUIRED: readonly number[] = REQUIRED_BY_EVENT;
const FIELD_NAMES: Record<number, string> = Object.fromEntries(
  REQUIRED_COLUMNS.map((c) => [requiredFlag(c), fieldText(c)]),
);

/** Words that are followed by their value in the non-`key=value` formats (napi_poll, dql_stall_detected). */
export const WORD_KEY_LIST: readonly string[] = [...WORD_KEYS, 'thrs']; // `thrs %u`: a word key whose value no column keeps
const KEYS = [...textKeys().keys()];
/** keys by length, for allocation-free matching with startsWith */
const KEYS_BY_LEN: string[][] = [];
for (const k of KEYS) (KEYS_BY_LEN[k.length] ??= []).push(k);

/** The known key at s[a, b), or null (no substring is allocated). */
function matchKey(s: string, a: number, b: number): string | null {
  const cands = KEYS_BY_LEN[b - a];
  if (cands === undefined) return null;
  for (const k of cands) if (s.startsWith(k, a)) return k;
  return null;
}
function isWordKey(s: string, a: number, b: number): boolean {
  for (const k of WORD_KEY_LIST) if (k.length === b - a && s.startsWith(k, a)) return true;
  return false;
}

/**
 * Fields after which nothing else of interest follows (lets long lines like net_dev_start_xmit stop early); -1:
 * read every token. An early stop is only right while every other column the catalogue fills from that
 * tracepoint's text is also wanted: checked below, so a new optional field of these events cannot be lost.
 */
export const WANTED: readonly number[] = [
  seenFlag.F_DEV | seenFlag.F_SKBADDR | seenFlag.F_LEN,
  seenFlag.F_DEV | seenFlag.F_QUEUE | seenFlag.F_SKBADDR | seenFlag.F_LEN,
  seenFlag.F_DEV | seenFlag.F_SKBADDR | seenFlag.F_LEN | seenFlag.F_RC,
  -1,
  -1,
  -1,
  -1,
  -1,
  -1,
  -1,
];

TX_EVENTS.forEach((ev, id) => {
  const wanted = WANTED[id] ?? -1;
  if (wanted === -1) return;
  for (const c of CATALOGUE as readonly ColumnSpec[]) {
    const parsed =
      (c.keys !== undefined || c.text !== undefined) && c.tracepoints !== 'all' && c.tracepoints.includes(ev);
    if (parsed && !(c.required?.includes(ev) && (wanted & requiredFlag(c.name as ColumnName)) !== 0)) {
      throw new Error(`fields.ts WANTED stops ${ev} before its optional column ${c.name}: make it -1`);
    }
  }
});

/** An integer field: its column, the range of the kernel type the tracepoint prints, and its `seen` flag. */
interface IntField {
  col: 'rc' | 'queue' | 'ifindex' | 'packets' | 'work' | 'budget' | 'handle' | 'parent' | 'txq_state';
  lo: number;
  hi: number;
  /** the kernel type, for the message */
  type: string;
  seen: number;
  /** `0x…` hex or decimal (qdisc handles, txq state bits) */
  num32?: true;
}
const S32 = { lo: I32_MIN, hi: I32_MAX, type: 's32' };
const U32 = { lo: 0, hi: 0xffffffff, type: 'u32', num32: true as const };
// skb->queue_mapping and the queue indices of the xmit tracepoints are u16 (include/linux/skbuff.h)
const QUEUE: IntField = { col: 'queue', lo: 0, hi: QUEUE_MAX, type: 'u16', seen: seenFlag.F_QUEUE };
const INT_FIELDS = new Map<string, IntField>([
  ['rc', { col: 'rc', ...S32, seen: seenFlag.F_RC }],
  ['queue', QUEUE],
  ['queue_mapping', QUEUE],
  ['queue_index', QUEUE],
  ['ifindex', { col: 'ifindex', ...S32, seen: 0 }],
  ['packets', { col: 'packets', ...S32, seen: seenFlag.F_PACKETS }],
  ['work', { col: 'work', ...S32, seen: 0 }],
  ['budget', { col: 'budget', ...S32, seen: 0 }],
  ['handle', { col: 'handle', ...U32, seen: 0 }],
  ['parent', { col: 'parent', ...U32, seen: 0 }],
  ['txq_state', { col: 'txq_state', ...U32, seen: seenFlag.F_TXQ_STATE }],
]);

/** What parseFields gathered over a line's tokens (one object, reset per line: nothing is allocated per line). */
const line = { seen: 0, ptrSeen: false, hashed: false };
/** The token nextToken found: key s[ka, kb), value s[va, vb); `next` is where the scan goes on. */
const tok = { next: 0, ka: 0, kb: 0, va: 0, vb: 0 };

/**
 * Parse the field text s[a, b) of event `ev` into row r. Returns null on success or an error message.
 * For events not modelled (ev = EV_OTHER) and dql_stall_detected the field text is kept in `raw`.
 */
export function parseFields(cols: RowColumns, r: number, ev: number, s: string, a: number, b: number): string | null {
  // trim surrounding spaces (trace-cmd pads the event column)
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  if (ev < 0 || ev === EV_DQL_STALL_DETECTED) {
    cols.raw[r] = s.slice(a, b);
    cols.valid.raw[r] = 1;
    if (ev < 0) return null;
  }
  const wanted = WANTED[ev] ?? -1;
  line.seen = 0;
  line.ptrSeen = false;
  line.hashed = false;
  let i = a;
  while (i < b) {
    const key = nextToken(s, i, b);
    i = tok.next;
    if (key === null) continue;
    const err = storeField(cols, r, ev, key, s, tok.va, tok.vb);
    if (err !== null) return err;
    if ((line.seen & wanted) === wanted) break;
  }
  if (line.ptrSeen) {
    cols.values.ptr_hashed[r] = line.hashed ? 1 : 0;
    cols.valid.ptr_hashed[r] = 1;
  }
  return missingFields((REQUIRED[ev] ?? 0) & ~line.seen);
}

/**
 * The next token of s from i (within b): its known key (key, value and `next` in `tok`), or null for a token that
 * is no key of ours (`next` past it). `key=value`, or a word key followed by its value (`struct %p`, `work %d`).
 */
function nextToken(s: string, i: number, b: number): string | null {
  while (i < b && isSpace(s.charCodeAt(i))) i++;
  tok.next = i;
  if (i >= b) return null;
  const ta = i;
  let eq = -1;
  while (i < b) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) break;
    if (c === CH_EQ && eq < 0) eq = i;
    i++;
  }
  const te = i;
  tok.next = i;
  if (eq >= 0) {
    tok.ka = ta;
    tok.kb = eq;
    tok.va = eq + 1;
    tok.vb = te;
    return matchKey(s, ta, eq);
  }
  // a bare word: a key only if it is one of the word keys and a value follows
  if (!isWordKey(s, ta, te)) return null;
  while (i < b && isSpace(s.charCodeAt(i))) i++;
  if (i >= b) {
    tok.next = i;
    return null;
  }
  const va = i;
  while (i < b && !isSpace(s.charCodeAt(i))) i++;
  tok.next = i;
  if (te - ta === 6 && s.startsWith('device', ta) && isWordKey(s, va, i)) {
    // `for device  work 1`: napi_poll of a NAPI whose netdev has no name yet (empty %s): dev null, line kept
    line.seen |= seenFlag.F_DEV;
    tok.next = va;
    return null;
  }
  tok.va = va;
  tok.vb = i;
  return matchKey(s, ta, s.charCodeAt(te - 1) === CH_COLON ? te - 1 : te);
}

/** The value s[va, vb) of `key` into row r: null, or the error (bad or out of its kernel type's range). */
function storeField(
  cols: RowColumns,
  r: number,
  ev: number,
  key: string,
  s: string,
  va: number,
  vb: number,
): string | null {
  const int = INT_FIELDS.get(key);
  if (int !== undefined) return storeInt(cols, r, key, int, s, va, vb);
  switch (key) {
    case 'dev':
    case 'device':
      // an empty `dev=` (a device whose name is not set yet) is present but unnamed: dev null, line kept
      if (vb > va) cols.setDict('dev', r, s.slice(va, vb));
      line.seen |= seenFlag.F_DEV;
      return null;
    case 'skbaddr':
      return storePointer(cols, r, 'skbaddr', s, va, vb);
    case 'napi':
    case 'struct':
      return storePointer(cols, r, 'napi', s, va, vb);
    case 'len':
      return storeLen(cols, r, ev, s, va, vb);
    case 'driver':
      cols.setDict('driver', r, s.slice(va, vb));
      line.seen |= seenFlag.F_DRIVER;
      return null;
    case 'reason':
    case 'location':
      if (vb > va) cols.setDict(key, r, s.slice(va, vb));
      return null;
    case 'net_cookie':
      if (!parseU64Dec(s, va, vb, cols.halves.net_cookie, r)) return `bad net_cookie '${s.slice(va, vb)}'`;
      cols.valid.net_cookie[r] = 1;
      return null;
    case 'now':
      if (ev !== EV_DQL_STALL_DETECTED) return null;
      if (!parseU64Dec(s, va, vb, cols.halves.jiffies, r)) return `bad now '${s.slice(va, vb)}'`;
      cols.valid.jiffies[r] = 1;
      line.seen |= seenFlag.F_JIFFIES;
      return null;
    default:
      return null;
  }
}

/** An integer field checked against its kernel type: a value that does not fit is refused, never wrapped. */
function storeInt(
  cols: RowColumns,
  r: number,
  key: string,
  f: IntField,
  s: string,
  va: number,
  vb: number,
): string | null {
  const v = f.num32 === true ? parseNum32(s, va, vb) : parseDec(s, va, vb);
  if (v !== v) return `bad ${key} '${s.slice(va, vb)}'`;
  if (v < f.lo || v > f.hi) return `${key} ${s.slice(va, vb)} out of range (${f.type})`;
  cols.values[f.col][r] = v;
  cols.valid[f.col][r] = 1;
  line.seen |= f.seen;
  return null;
}

/** skbaddr / napi (`struct` in napi_poll's text): NULL, ftrace-hashed or raw (./scan.ts parsePtr). */
function storePointer(
  cols: RowColumns,
  r: number,
  col: 'skbaddr' | 'napi',
  s: string,
  va: number,
  vb: number,
): string | null {
  const k = parsePtr(s, va, vb, cols.halves[col], r);
  if (k === Ptr.Invalid)
    return col === 'skbaddr' ? `bad skbaddr '${s.slice(va, vb)}'` : `bad napi pointer '${s.slice(va, vb)}'`;
  if (k !== Ptr.Unknown) cols.valid[col][r] = 1;
  if (k === Ptr.Hashed || k === Ptr.Unknown) line.hashed = true;
  line.ptrSeen = true;
  line.seen |= col === 'skbaddr' ? seenFlag.F_SKBADDR : seenFlag.F_NAPI;
  return null;
}

/** `len`: dql_stall_detected's is the stall length (dql_check_stall), every other event's the skb length (u32). */
function storeLen(cols: RowColumns, r: number, ev: number, s: string, va: number, vb: number): string | null {
  const v = parseUDec(s, va, vb);
  if (v !== v) return `bad len '${s.slice(va, vb)}'`;
  if (v > 0xffffffff) return `len ${s.slice(va, vb)} out of range (u32)`;
  const col = ev === EV_DQL_STALL_DETECTED ? 'stall_len' : 'len';
  cols.values[col][r] = v;
  cols.valid[col][r] = 1;
  line.seen |= col === 'len' ? seenFlag.F_LEN : seenFlag.F_STALL_LEN;
  return null;
}

/** The error for required fields a line lacks (the `seen` bits in `missing`), or null when none. */
function missingFields(missing: number): string | null {
  if (missing === 0) return null;
  const names: string[] = [];
  for (let bit = 1; bit <= missing; bit <<= 1) if (missing & bit) names.push(FIELD_NAMES[bit] ?? String(bit));
  return `missing field${names.length > 1 ? 's' : ''} ${names.join(', ')} (truncated line?)`;
}
