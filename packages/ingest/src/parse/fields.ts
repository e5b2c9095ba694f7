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
import { EV_DQL_STALL_DETECTED } from './fieldKeys.js';
// the `seen` flags (F_*) of the required fields, the same numbers the byte fast path (./fast.ts) sets
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

/**
 * Parse the field text s[a, b) of event `ev` into row r. Returns null on success or an error message.
 * For events not modelled (ev = EV_OTHER) and dql_stall_detected the field text is kept in `raw`.
 */
export function parseFields(cols: RowColumns, r: number, ev: number, s: string, a: number, b: number): string | null {
  // trim surrounding spaces (trace-cmd pads the event column)
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  if (ev < 0) {
    cols.raw[r] = s.slice(a, b);
    cols.valid.raw[r] = 1;
    return null;
  }
  if (ev === EV_DQL_STALL_DETECTED) {
    cols.raw[r] = s.slice(a, b);
    cols.valid.raw[r] = 1;
  }
  const valid = cols.valid;
  const wanted = WANTED[ev] ?? -1;
  let seen = 0;
  let ptrSeen = false;
  let hashed = false;
  let i = a;
  while (i < b) {
    // next token
    while (i < b && isSpace(s.charCodeAt(i))) i++;
    if (i >= b) break;
    const ta = i;
    let eq = -1;
    while (i < b) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9) break;
      if (c === CH_EQ && eq < 0) eq = i;
      i++;
    }
    const te = i;
    let ka: number, kb: number, va: number, vb: number;
    if (eq >= 0) {
      ka = ta;
      kb = eq;
      va = eq + 1;
      vb = te;
    } else {
      // a bare word: a key only if it is one of the word keys and a value follows
      if (!isWordKey(s, ta, te)) continue;
      while (i < b && isSpace(s.charCodeAt(i))) i++;
      if (i >= b) break;
      va = i;
      while (i < b && !isSpace(s.charCodeAt(i))) i++;
      vb = i;
      if (te - ta === 6 && s.startsWith('device', ta) && isWordKey(s, va, vb)) {
        // `for device  work 1`: napi_poll of a NAPI whose netdev has no name yet (empty %s): dev null, line kept
        seen |= seenFlag.F_DEV;
        i = va;
        continue;
      }
      ka = ta;
      kb = s.charCodeAt(te - 1) === CH_COLON ? te - 1 : te;
    }
    const key = matchKey(s, ka, kb);
    if (key === null) continue;
    switch (key) {
      case 'dev':
      case 'device':
        // an empty `dev=` (a device whose name is not set yet) is present but unnamed: dev null, line kept
        if (vb > va) cols.setDict('dev', r, s.slice(va, vb));
        seen |= seenFlag.F_DEV;
        break;
      case 'skbaddr': {
        const k = parsePtr(s, va, vb, cols.halves.skbaddr, r);
        if (k === Ptr.Invalid) return `bad skbaddr '${s.slice(va, vb)}'`;
        if (k !== Ptr.Unknown) valid.skbaddr[r] = 1;
        if (k === Ptr.Hashed || k === Ptr.Unknown) hashed = true;
        ptrSeen = true;
        seen |= seenFlag.F_SKBADDR;
        break;
      }
      case 'napi':
      case 'struct': {
        const k = parsePtr(s, va, vb, cols.halves.napi, r);
        if (k === Ptr.Invalid) return `bad napi pointer '${s.slice(va, vb)}'`;
        if (k !== Ptr.Unknown) valid.napi[r] = 1;
        if (k === Ptr.Hashed || k === Ptr.Unknown) hashed = true;
        ptrSeen = true;
        seen |= seenFlag.F_NAPI;
        break;
      }
      case 'len': {
        const v = parseUDec(s, va, vb);
        if (v !== v || v > 0xffffffff) return `bad len '${s.slice(va, vb)}'`;
        // dql_stall_detected's `len` is the stall length (dql_check_stall), every other event's the skb length
        const col = ev === EV_DQL_STALL_DETECTED ? 'stall_len' : 'len';
        cols.values[col][r] = v;
        valid[col][r] = 1;
        seen |= col === 'len' ? seenFlag.F_LEN : seenFlag.F_STALL_LEN;
        break;
      }
      case 'rc': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad rc '${s.slice(va, vb)}'`;
        cols.values.rc[r] = v;
        valid.rc[r] = 1;
        seen |= seenFlag.F_RC;
        break;
      }
      case 'queue':
      case 'queue_mapping':
      case 'queue_index': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad ${key} '${s.slice(va, vb)}'`;
        cols.values.queue[r] = v;
        valid.queue[r] = 1;
        seen |= seenFlag.F_QUEUE;
        break;
      }
      case 'driver':
        cols.setDict('driver', r, s.slice(va, vb));
        seen |= seenFlag.F_DRIVER;
        break;
      case 'ifindex': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad ifindex '${s.slice(va, vb)}'`;
        cols.values.ifindex[r] = v;
        valid.ifindex[r] = 1;
        break;
      }
      case 'handle': {
        const v = parseNum32(s, va, vb);
        if (v !== v) return `bad handle '${s.slice(va, vb)}'`;
        cols.values.handle[r] = v;
        valid.handle[r] = 1;
        break;
      }
      case 'parent': {
        const v = parseNum32(s, va, vb);
        if (v !== v) return `bad parent '${s.slice(va, vb)}'`;
        cols.values.parent[r] = v;
        valid.parent[r] = 1;
        break;
      }
      case 'txq_state': {
        const v = parseNum32(s, va, vb);
        if (v !== v) return `bad txq_state '${s.slice(va, vb)}'`;
        cols.values.txq_state[r] = v;
        valid.txq_state[r] = 1;
        seen |= seenFlag.F_TXQ_STATE;
        break;
      }
      case 'packets': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad packets '${s.slice(va, vb)}'`;
        cols.values.packets[r] = v;
        valid.packets[r] = 1;
        seen |= seenFlag.F_PACKETS;
        break;
      }
      case 'work':
      case 'budget': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad ${key} '${s.slice(va, vb)}'`;
        const col = key === 'work' ? 'work' : 'budget';
        cols.values[col][r] = v;
        valid[col][r] = 1;
        break;
      }
      case 'reason':
        if (vb > va) cols.setDict('reason', r, s.slice(va, vb));
        break;
      case 'location':
        if (vb > va) cols.setDict('location', r, s.slice(va, vb));
        break;
      case 'net_cookie':
        if (!parseU64Dec(s, va, vb, cols.halves.net_cookie, r)) return `bad net_cookie '${s.slice(va, vb)}'`;
        valid.net_cookie[r] = 1;
        break;
      case 'now':
        if (ev === EV_DQL_STALL_DETECTED) {
          if (!parseU64Dec(s, va, vb, cols.halves.jiffies, r)) return `bad now '${s.slice(va, vb)}'`;
          valid.jiffies[r] = 1;
          seen |= seenFlag.F_JIFFIES;
        }
        break;
      default:
        break;
    }
    if ((seen & wanted) === wanted) break;
  }
  if (ptrSeen) {
    cols.values.ptr_hashed[r] = hashed ? 1 : 0;
    valid.ptr_hashed[r] = 1;
  }
  const missing = (REQUIRED[ev] ?? 0) & ~seen;
  if (missing !== 0) {
    const names: string[] = [];
    for (let bit = 1; bit <= missing; bit <<= 1) if (missing & bit) names.push(FIELD_NAMES[bit] ?? String(bit));
    return `missing field${names.length > 1 ? 's' : ''} ${names.join(', ')} (truncated line?)`;
  }
  return null;
}
