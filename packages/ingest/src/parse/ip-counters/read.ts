/**
 * The IP and UDP send counters of /proc/net/snmp as users paste them: `nstat -az` (iproute2: `#kernel`, then
 * `IpOutDiscards   727   0.0` — name, value, rate) and `netstat -s` (net-tools: `Ip:` then `727 outgoing packets
 * dropped`, `Udp:` then `214 send buffer errors`). Only the counters that say what the stack refused on the way out
 * are kept, under nstat's names:
 *  - IpOutRequests: packets IPv4 was asked to send; IpOutDiscards: those refused below IP — ip_send_skb() counts
 *    every error of ip_local_out(), i.e. a qdisc's NET_XMIT_DROP (→ -ENOBUFS), a neighbour table that is full
 *    (-ENOBUFS), a netfilter OUTPUT drop (-EPERM); IpOutNoRoutes: no route.
 *  - UdpOutDatagrams, UdpSndbufErrors: udp_send_skb() counts an -ENOBUFS from below as a send buffer error and
 *    returns success to a socket without IP_RECVERR; udp_sendmsg() counts a full socket buffer there too.
 * nstat also gives IPv6's (Ip6OutDiscards, Udp6SndbufErrors: ip6_send_skb, udp_v6_send_skb), kept the same way.
 * netstat -s leaves out the IP counters that are 0 (`outgoing packets dropped` is an opt_number line): inside an
 * `Ip:` section their absence is read as 0. The same counter again is its next snapshot.
 */
import { PROMPT_RE, promptOrSkipped, unquoteMail } from '../snapshot-paste.js';

export interface IpCounterSnapshot {
  line: number;
  /** 0 for the first appearance of its counters in the input, 1 for the second, … */
  snapshot: number;
  /** nstat name (`IpOutDiscards`) → value */
  counters: Map<string, number>;
  /** which tool printed it */
  tool: 'nstat' | 'netstat -s';
  /**
   * nstat without -a prints what grew since its previous run, not totals: known only from the pasted command
   * (`$ nstat -z` → true); without a command the values are taken as totals
   */
  increments: boolean;
}

export interface IpCountersRead {
  snapshots: IpCounterSnapshot[];
  intervalSec: number | null;
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}

/** the counters kept, by nstat name */
export const IP_SEND_COUNTERS = [
  'IpOutRequests',
  'IpOutDiscards',
  'IpOutNoRoutes',
  'UdpOutDatagrams',
  'UdpSndbufErrors',
  // IPv6 (nstat; /proc/net/snmp6): ip6_send_skb() and udp_v6_send_skb() count them the same way
  'Ip6OutRequests',
  'Ip6OutDiscards',
  'Ip6OutNoRoutes',
  'Udp6OutDatagrams',
  'Udp6SndbufErrors',
] as const;
const KEPT = new Set<string>(IP_SEND_COUNTERS);
/** netstat -s's sentences (net-tools statistics.c) → nstat names, per section */
const SENTENCE: Record<string, Record<string, string>> = {
  Ip: {
    'requests sent out': 'IpOutRequests',
    'outgoing packets dropped': 'IpOutDiscards',
    'dropped because of missing route': 'IpOutNoRoutes',
  },
  Udp: { 'packets sent': 'UdpOutDatagrams', 'send buffer errors': 'UdpSndbufErrors' },
};
/** netstat -s prints these only when not 0 */
const OPTIONAL_IP = ['IpOutDiscards', 'IpOutNoRoutes'];

const NSTAT_RE = /^([A-Z][A-Za-z0-9]+)\s+(\d+)\s+(\d+(?:\.\d+)?)\s*$/;
const SECTION_RE = /^([A-Za-z][A-Za-z0-9]*):\s*$/;
const SENTENCE_RE = /^\s+(\d+) (.+?)\s*$/;
// netstat -s's other lines: `Forwarding: 2`, `OutTransmits: 1057`, histograms (`ICMP input histogram:`, `echo replies: 2`)
const NETSTAT_OTHER_RE = /^\s+[A-Za-z][\w -]*:(?: \d+)?\s*$/;

/** Reads one paste of either tool; lines of neither are counted (skipped, firstSkipped), never guessed at. */
export function readIpCounters(text: string): IpCountersRead {
  const out: IpCountersRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let section: string | null = null;
  let cur: IpCounterSnapshot | null = null;
  let increments = false;
  const put = (line: number, name: string, value: number, tool: IpCounterSnapshot['tool']): void => {
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (!cur || cur.snapshot !== n || cur.tool !== tool) {
      cur = { line, snapshot: n, counters: new Map(), tool, increments: tool === 'nstat' && increments };
      out.snapshots.push(cur);
    }
    cur.counters.set(name, value);
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquoteMail(lines[i]!.replace(/\r$/, ''));
    if (raw.trim() === '' || raw.trim() === '#kernel') continue;
    const nstat = NSTAT_RE.exec(raw);
    if (nstat) {
      if (KEPT.has(nstat[1]!)) put(i + 1, nstat[1]!, Number(nstat[2]), 'nstat');
      continue;
    }
    const sec = SECTION_RE.exec(raw);
    if (sec) {
      section = sec[1]!;
      if (section === 'Ip') for (const name of OPTIONAL_IP) put(i + 1, name, 0, 'netstat -s');
      continue;
    }
    const sentence = section !== null ? SENTENCE_RE.exec(raw) : null;
    if (sentence) {
      const name = SENTENCE[section!]?.[sentence[2]!];
      if (name !== undefined) {
        // an optional IP line overwrites the 0 its section started with
        if (OPTIONAL_IP.includes(name)) cur!.counters.set(name, Number(sentence[1]));
        else put(i + 1, name, Number(sentence[1]), 'netstat -s');
      }
      continue;
    }
    if (section !== null && NETSTAT_OTHER_RE.test(raw)) continue;
    const command = PROMPT_RE.exec(raw)?.[1];
    // `nstat`, `nstat -z`: increments since its previous run; `nstat -a`, `-az`, `--ignore`: totals
    if (command !== undefined && /\bnstat\b/.test(command)) increments = !/\s-[a-z]*a|--ignore/.test(command);
    promptOrSkipped(out, raw, i + 1);
  }
  return out;
}

/** True when the first lines hold nstat's `#kernel` with an Ip/Udp counter, or netstat -s's `Ip:` section. */
export function looksLikeIpCounters(lines: readonly string[]): boolean {
  const head = lines.slice(0, 64).map((l) => unquoteMail(l).replace(/\r$/, ''));
  if (head.some((l) => l.trim() === '#kernel') && head.some((l) => /^(?:Ip|Udp)[A-Z]\w*\s+\d+\s+\d/.test(l)))
    return true;
  const ip = head.findIndex((l) => /^Ip:\s*$/.test(l));
  return ip >= 0 && head.slice(ip + 1, ip + 10).some((l) => /^\s+\d+ total packets received/.test(l));
}
