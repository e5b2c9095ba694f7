/**
 * `ip -s link show` as users paste it (iproute2): per device its flags (`NO-CARRIER`, `LOWER_UP`), operstate, qdisc,
 * qlen and the kernel's rtnl_link_stats64 — RX and TX bytes, packets, errors, dropped, and with `-s -s` the error
 * details. The text (`RX:  bytes packets errors dropped …` then the numbers, older iproute2 `RX: bytes  packets …`)
 * and the JSON of `ip -s -j link` (`stats64`, or `stats` on old iproute2). Counters since the device was created;
 * the same device pasted twice gives what happened between the two.
 */
import { promptOrSkipped, unquoteMail } from '../snapshot-paste.js';

export interface LinkStatsSnapshot {
  /** 1-based line of the device's first line (JSON: the line its object starts on) */
  line: number;
  dev: string;
  flags: string[];
  /** `state UP` (text), operstate (JSON); null when not shown */
  operstate: string | null;
  qdisc: string | null;
  txqlen: number | null;
  /** counter name (`tx_packets`, `tx_dropped`, `tx_carrier`, `rx_bytes`, …) → value */
  stats: Map<string, number>;
  /** 0 for the device's first appearance in the input, 1 for the second, … */
  snapshot: number;
  /** `ip -s -h link` (or -iec): counters printed rounded (`6.04T`, `67.7M`): changes smaller than the rounding are lost */
  rounded: boolean;
}

/** A device's snapshot before its counters: what the tools that print no qdisc, qlen or operstate start from. */
export function bareLinkSnapshot(line: number, dev: string, snapshot: number, flags: string[]): LinkStatsSnapshot {
  return { line, dev, flags, operstate: null, qdisc: null, txqlen: null, stats: new Map(), snapshot, rounded: false };
}

export interface LinkStatsRead {
  snapshots: LinkStatsSnapshot[];
  /** seconds between snapshots when the paste shows them (`…; sleep 1; ip -s link …`); null: not shown */
  intervalSec: number | null;
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}

// `201: vs0@if202: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc pfifo state DOWN mode DEFAULT group default qlen 64`
// (a web page may have eaten the `<…>` flags as a tag: `3: swp1:  mtu 1500 …`)
const DEV_RE = /^\d+: ([^\s:@]+)(?:@[^\s:]+)?: (?:<([^>]*)>)? *(mtu .*)$/;
// `RX:  bytes packets errors dropped  missed   mcast`, `TX errors: aborted   fifo  window heartbt transns`
const HEADER_RE = /^\s+(RX|TX)(?: errors)?:\s+([a-z_ ]+?)\s*$/;
// plain, or rounded by -h/-iec: `6.04T      4.67G    0       0       0       67.7M`
const VALUE = String.raw`\d+(?:\.\d+)?(?:[KMGT]i?)?`;
const NUMBERS_RE = new RegExp(String.raw`^\s+(${VALUE}(?:\s+${VALUE})*)\s*$`);
const SCALE: Record<string, number> = {
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** A counter as printed: `4542`, or rounded `67.7M` (-h, powers of 1000) / `1.2Ki` (-iec). */
function counterValue(text: string): { value: number; rounded: boolean } {
  const m = /^(\d+(?:\.\d+)?)([KMGT]i?)?$/.exec(text)!;
  return m[2]
    ? { value: Math.round(Number(m[1]) * SCALE[m[2]]!), rounded: true }
    : { value: Number(m[1]), rounded: false };
}
const LINK_RE = /^\s+link\/\S+/;
// the rest of a wrapped device line: unindented, ip's own words (`state UP mode DEFAULT …`, `mode DEFAULT …`)
const WRAPPED_RE = /^(?:qdisc|master|state|mode|group|qlen) \S+/;
// in the text, the TX header says `carrier` and `collsns`; the JSON says `carrier_errors` and `collisions`
const CANONICAL: Record<string, string> = { collsns: 'collisions', carrier_errors: 'carrier', over_errors: 'overrun' };

/** Reads one paste, text or JSON. */
export function readLinkStats(text: string): LinkStatsRead {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) return readJson(text);
  return readText(text);
}

function field(rest: string, name: string): string | null {
  return new RegExp(`\\b${name} (\\S+)`).exec(rest)?.[1] ?? null;
}

function readText(text: string): LinkStatsRead {
  const out: LinkStatsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let cur: LinkStatsSnapshot | null = null;
  let header: { dir: string; names: string[]; errors: boolean } | null = null;
  /** the device line just read ends before `qlen`: the next line may be its wrapped rest */
  let wrapped = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquoteMail(lines[i]!.replace(/\r$/, ''));
    if (raw.trim() === '') continue;
    const dev = DEV_RE.exec(raw);
    if (dev) {
      const snapshot = seen.get(dev[1]!) ?? 0;
      seen.set(dev[1]!, snapshot + 1);
      const rest = dev[3]!;
      const qlen = field(rest, 'qlen');
      cur = {
        line: i + 1,
        dev: dev[1]!,
        flags: (dev[2] ?? '').split(',').filter((f) => f !== ''),
        operstate: field(rest, 'state'),
        qdisc: field(rest, 'qdisc'),
        txqlen: qlen === null ? null : Number(qlen),
        stats: new Map(),
        snapshot,
        rounded: false,
      };
      out.snapshots.push(cur);
      header = null;
      wrapped = qlen === null;
      continue;
    }
    // a mail client wrapped the device line (`… qdisc noqueue` / `state UP mode DEFAULT group default qlen 1000`):
    // its rest comes before any indented line of the device
    if (cur && wrapped && WRAPPED_RE.test(raw)) {
      cur.operstate ??= field(raw, 'state');
      cur.qdisc ??= field(raw, 'qdisc');
      const qlen = field(raw, 'qlen');
      if (cur.txqlen === null && qlen !== null) cur.txqlen = Number(qlen);
      wrapped = false;
      continue;
    }
    wrapped = false;
    const h = cur ? HEADER_RE.exec(raw) : null;
    if (h) {
      header = { dir: h[1]!.toLowerCase(), names: h[2]!.trim().split(/\s+/), errors: raw.includes('errors:') };
      continue;
    }
    const nums = header && cur ? NUMBERS_RE.exec(raw) : null;
    if (nums && header && cur) {
      const values = nums[1]!.split(/\s+/).map(counterValue);
      header.names.forEach((name, k) => {
        const v = values[k];
        if (v === undefined) return;
        if (v.rounded) cur!.rounded = true;
        // `-s -s` detail lines: `TX errors: aborted fifo …` → tx_aborted_errors…; the main line's errors stays tx_errors
        const key = header!.errors ? `${header!.dir}_${name}_errors` : `${header!.dir}_${CANONICAL[name] ?? name}`;
        cur!.stats.set(key, v.value);
      });
      header = null;
      continue;
    }
    // the device's other indented lines are ip's own details (link/ether, altname, inet of `ip -s addr`, -d's
    // vlan/can/promiscuity lines): not counters, not garbage
    if (cur && (LINK_RE.test(raw) || /^\s+[a-z]/.test(raw))) continue;
    promptOrSkipped(out, raw, i + 1);
  }
  return out;
}

interface JsonLink {
  ifname?: unknown;
  flags?: unknown;
  operstate?: unknown;
  qdisc?: unknown;
  txqlen?: unknown;
  stats64?: { rx?: Record<string, unknown>; tx?: Record<string, unknown> };
  stats?: { rx?: Record<string, unknown>; tx?: Record<string, unknown> };
}

/** `ip -s -j link`: one JSON array per command run; several runs pasted one after another are several snapshots. */
function readJson(text: string): LinkStatsRead {
  const out: LinkStatsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  // arrays one after another (`ip -s -j link; sleep 1; ip -s -j link`): split where one ends and the next begins
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  for (const m of text.matchAll(/\[(?:[^[\]]|\[[^[\]]*\])*\]/g)) {
    let links: unknown;
    try {
      links = JSON.parse(m[0]);
    } catch {
      out.skipped++;
      out.firstSkipped ??= { line: lineOf(m.index!), text: m[0].slice(0, 120) };
      continue;
    }
    if (!Array.isArray(links)) continue;
    for (const l of links as JsonLink[]) {
      if (typeof l !== 'object' || l === null || typeof l.ifname !== 'string') continue;
      const st = l.stats64 ?? l.stats;
      const stats = new Map<string, number>();
      for (const dir of ['rx', 'tx'] as const)
        for (const [k, v] of Object.entries(st?.[dir] ?? {}))
          if (typeof v === 'number') stats.set(`${dir}_${CANONICAL[k] ?? k}`, v);
      const snapshot = seen.get(l.ifname) ?? 0;
      seen.set(l.ifname, snapshot + 1);
      out.snapshots.push({
        line: lineOf(m.index!),
        dev: l.ifname,
        flags: Array.isArray(l.flags) ? l.flags.filter((f): f is string => typeof f === 'string') : [],
        operstate: typeof l.operstate === 'string' ? l.operstate : null,
        qdisc: typeof l.qdisc === 'string' ? l.qdisc : null,
        txqlen: typeof l.txqlen === 'number' ? l.txqlen : null,
        stats,
        snapshot,
        rounded: false,
      });
    }
  }
  const sleep = /\bsleep (\d+(?:\.\d+)?)\b/.exec(text);
  if (sleep) out.intervalSec = Number(sleep[1]);
  return out;
}

/** True when the first lines hold a device line of `ip link` followed by its statistics (text or JSON). */
export function looksLikeLinkStats(lines: readonly string[]): boolean {
  const head = lines.slice(0, 64);
  if (head.join('\n').trimStart().startsWith('[') && head.some((l) => l.includes('"ifname"')))
    return head.some((l) => l.includes('"stats64"') || l.includes('"stats"'));
  for (let i = 0; i < head.length; i++) {
    if (!DEV_RE.test(unquoteMail(head[i]!))) continue;
    return head.slice(i + 1, i + 6).some((l) => /^\s+(RX|TX):\s+bytes/.test(unquoteMail(l)));
  }
  return false;
}
