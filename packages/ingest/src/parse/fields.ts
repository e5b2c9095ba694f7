/**
 * The field text of the TX-path tracepoints, shared by every text format (perf script, ftrace, trace-cmd,
 * bpftrace printf). Format strings and their drift across kernels: spec §H.1/§H.2. One tokenizer covers
 *  - `key=value` fields (all events, and every field of the bpftrace capture kit),
 *  - `napi poll on napi struct %p for device %s work %d budget %d` (napi_poll, word-value pairs),
 *  - `thrs %u  len %u  last_reap %lu  hist_head %lu  now %lu  hist …` (dql_stall_detected, two spaces),
 *  - `reason: %s` (kfree_skb; symbolic since 5.17, bpftrace prints the number).
 * Unknown keys are ignored (e.g. vlan_*, gso_*, `net_cookie=` of newer net_dev_xmit_timeout, bpftrace `qdisc=`/`txq=`).
 */
import type { RowColumns } from '../table/rows.js';
import {
  EV_DQL_STALL_DETECTED,
  F_DEV, F_DRIVER, F_HANDLE, F_IFINDEX, F_JIFFIES, F_LEN, F_NAPI, F_PACKETS, F_PARENT, F_QUEUE, F_RC, F_SKB, F_STALL_LEN, F_TXQ,
} from './fieldKeys.js';
import { Ptr, parseDec, parseNum32, parsePtr, parseU64Dec, parseUDec, isSpace, CH_EQ, CH_COLON } from './scan.js';
import { TX_EVENTS } from '../table/schema.js';

export { EV_DQL_STALL_DETECTED };
if (TX_EVENTS[EV_DQL_STALL_DETECTED] !== 'napi:dql_stall_detected') throw new Error('fieldKeys.ts EV_DQL_STALL_DETECTED is stale');

export const EV_NET_DEV_QUEUE = 0;
export const EV_NET_DEV_START_XMIT = 1;
export const EV_NET_DEV_XMIT = 2;
export const EV_NET_DEV_XMIT_TIMEOUT = 3;
export const EV_QDISC_ENQUEUE = 4;
export const EV_QDISC_DEQUEUE = 5;
export const EV_NAPI_POLL = 6;
export const EV_CONSUME_SKB = 8;
export const EV_KFREE_SKB = 9;
export const EV_OTHER = -1;

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
 * Fields an event must carry to be trusted (a truncated line misses them). Only fields present in every
 * kernel version of the format (§H.2): qdisc_dequeue's ifindex/handle/parent and napi_poll's work/budget
 * came later, so they are optional.
 */
export const REQUIRED: readonly number[] = [
  F_DEV | F_SKB | F_LEN, // net_dev_queue
  F_DEV | F_QUEUE | F_SKB | F_LEN, // net_dev_start_xmit
  F_DEV | F_SKB | F_LEN | F_RC, // net_dev_xmit
  F_DEV | F_DRIVER | F_QUEUE, // net_dev_xmit_timeout
  F_SKB, // qdisc_enqueue
  F_TXQ | F_PACKETS | F_SKB, // qdisc_dequeue
  F_NAPI | F_DEV, // napi_poll
  F_STALL_LEN | F_JIFFIES, // dql_stall_detected
  F_SKB, // consume_skb
  F_SKB, // kfree_skb
];
const FIELD_NAMES: Record<number, string> = {
  [F_DEV]: 'dev',
  [F_SKB]: 'skbaddr',
  [F_LEN]: 'len',
  [F_RC]: 'rc',
  [F_QUEUE]: 'queue',
  [F_DRIVER]: 'driver',
  [F_TXQ]: 'txq_state',
  [F_PACKETS]: 'packets',
  [F_NAPI]: 'napi',
  [F_STALL_LEN]: 'len',
  [F_JIFFIES]: 'now',
};

/** Words that are followed by their value in the non-`key=value` formats (napi_poll, dql_stall_detected). */
const WORD_KEYS = ['struct', 'device', 'work', 'budget', 'thrs', 'len', 'now', 'reason:'];
const KEYS = [
  'dev', 'device', 'skbaddr', 'napi', 'struct', 'len', 'rc', 'queue_mapping', 'queue', 'queue_index', 'driver',
  'ifindex', 'handle', 'parent', 'txq_state', 'packets', 'work', 'budget', 'reason', 'location', 'now',
];
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
  for (const k of WORD_KEYS) if (k.length === b - a && s.startsWith(k, a)) return true;
  return false;
}

/** Fields after which nothing else of interest follows (lets long lines like net_dev_start_xmit stop early). */
export const WANTED: readonly number[] = [
  F_DEV | F_SKB | F_LEN,
  F_DEV | F_QUEUE | F_SKB | F_LEN,
  F_DEV | F_SKB | F_LEN | F_RC,
  -1,
  -1,
  -1,
  -1,
  -1,
  -1,
  -1,
];

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
      ka = ta;
      kb = s.charCodeAt(te - 1) === CH_COLON ? te - 1 : te;
    }
    const key = matchKey(s, ka, kb);
    if (key === null) continue;
    switch (key) {
      case 'dev':
      case 'device':
        if (vb > va) {
          cols.setDict('dev', r, s.slice(va, vb));
          seen |= F_DEV;
        }
        break;
      case 'skbaddr': {
        const k = parsePtr(s, va, vb, cols.skbaddr32, r);
        if (k === Ptr.Invalid) return `bad skbaddr '${s.slice(va, vb)}'`;
        if (k !== Ptr.Unknown) valid.skbaddr[r] = 1;
        if (k === Ptr.Hashed || k === Ptr.Unknown) hashed = true;
        ptrSeen = true;
        seen |= F_SKB;
        break;
      }
      case 'napi':
      case 'struct': {
        const k = parsePtr(s, va, vb, cols.napi32, r);
        if (k === Ptr.Invalid) return `bad napi pointer '${s.slice(va, vb)}'`;
        if (k !== Ptr.Unknown) valid.napi[r] = 1;
        if (k === Ptr.Hashed || k === Ptr.Unknown) hashed = true;
        ptrSeen = true;
        seen |= F_NAPI;
        break;
      }
      case 'len': {
        const v = parseUDec(s, va, vb);
        if (v !== v || v > 0xffffffff) return `bad len '${s.slice(va, vb)}'`;
        if (ev === EV_DQL_STALL_DETECTED) {
          cols.stallLen[r] = v;
          valid.stall_len[r] = 1;
          seen |= F_STALL_LEN;
        } else {
          cols.len[r] = v;
          valid.len[r] = 1;
          seen |= F_LEN;
        }
        break;
      }
      case 'rc': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad rc '${s.slice(va, vb)}'`;
        cols.rc[r] = v;
        valid.rc[r] = 1;
        seen |= F_RC;
        break;
      }
      case 'queue_mapping':
      case 'queue':
      case 'queue_index': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad ${key} '${s.slice(va, vb)}'`;
        cols.queue[r] = v;
        valid.queue[r] = 1;
        seen |= F_QUEUE;
        break;
      }
      case 'driver':
        cols.setDict('driver', r, s.slice(va, vb));
        seen |= F_DRIVER;
        break;
      case 'ifindex': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad ifindex '${s.slice(va, vb)}'`;
        cols.ifindex[r] = v;
        valid.ifindex[r] = 1;
        seen |= F_IFINDEX;
        break;
      }
      case 'handle': {
        const v = parseNum32(s, va, vb);
        if (v !== v) return `bad handle '${s.slice(va, vb)}'`;
        cols.handle[r] = v;
        valid.handle[r] = 1;
        seen |= F_HANDLE;
        break;
      }
      case 'parent': {
        const v = parseNum32(s, va, vb);
        if (v !== v) return `bad parent '${s.slice(va, vb)}'`;
        cols.parent[r] = v;
        valid.parent[r] = 1;
        seen |= F_PARENT;
        break;
      }
      case 'txq_state': {
        const v = parseNum32(s, va, vb);
        if (v !== v) return `bad txq_state '${s.slice(va, vb)}'`;
        cols.txqState[r] = v;
        valid.txq_state[r] = 1;
        seen |= F_TXQ;
        break;
      }
      case 'packets': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad packets '${s.slice(va, vb)}'`;
        cols.packets[r] = v;
        valid.packets[r] = 1;
        seen |= F_PACKETS;
        break;
      }
      case 'work':
      case 'budget': {
        const v = parseDec(s, va, vb);
        if (v !== v) return `bad ${key} '${s.slice(va, vb)}'`;
        if (key === 'work') {
          cols.work[r] = v;
          valid.work[r] = 1;
        } else {
          cols.budget[r] = v;
          valid.budget[r] = 1;
        }
        break;
      }
      case 'reason':
        if (vb > va) cols.setDict('reason', r, s.slice(va, vb));
        break;
      case 'location':
        if (vb > va) cols.setDict('location', r, s.slice(va, vb));
        break;
      case 'now':
        if (ev === EV_DQL_STALL_DETECTED) {
          if (!parseU64Dec(s, va, vb, cols.jiffies32, r)) return `bad now '${s.slice(va, vb)}'`;
          valid.jiffies[r] = 1;
          seen |= F_JIFFIES;
        }
        break;
      default:
        break;
    }
    if ((seen & wanted) === wanted) break;
  }
  if (ptrSeen) {
    cols.ptrHashed[r] = hashed ? 1 : 0;
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
