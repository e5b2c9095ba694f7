/** Reader of `tc -s qdisc show` output (./types.ts): qdisc blocks, the pasted command's device and sleep. */
import type { QdiscSnapshot, TcStatsRead } from './types.js';

// `qdisc fq_codel 110: dev eth0.2 parent 1:11 limit 1001p …`, `qdisc mq 1: root`, `qdisc noqueue 0: dev lo root …`
const QDISC_RE = /^qdisc (\S+) ([0-9a-f]*:[0-9a-f]*)(?: dev (\S+))?(?: (root)| parent (\S+))?/;
// ` Sent 195450545 bytes 2252952 pkt (dropped 213, overlimits 65672 requeues 0)`
const SENT_RE = /^\s+Sent (\d+) bytes (\d+) pkts? \(dropped (\d+), overlimits (\d+) requeues (\d+)\)/;
// ` backlog 1056Kb 6675p requeues 3532840114` (also after `rate …bit …pps` on class lines)
const BACKLOG_RE = /\bbacklog (\d+(?:\.\d+)?)([KMG]?)b (\d+)p\b/;
// a pasted shell command: `$ tc -s qd sh dev eth1 …`, `root@host:~# tc -s qdisc show dev eth0`
const PROMPT_RE = /^(?:\S*[$#] ?|\[[^\]]*\][$#] ?)(.*\btc\b.*)$|^((?:sudo )?tc -s\b.*)$/;
const CLASS_RE = /^class \S+ [0-9a-f]*:[0-9a-f]*/;

// tc's sprint_rate(): `8bit`, `10Kbit`, `1.5Mbit`, `1Gbit` (SI: 1000), after `rate` (tbf) or `bandwidth` (cake)
const RATE_RE = /\b(?:rate|bandwidth) (\d+(?:\.\d+)?)([KMGT]?)bit\b/;

function rateOf(line: string): number | null {
  const m = RATE_RE.exec(line);
  if (!m) return null;
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]!] ?? 1;
  return Number(m[1]) * scale;
}

/** tc's sprint_size(): `b` bytes, `Kb` 1024 bytes, `Mb` 1024², `Gb` 1024³. */
function sizeBytes(value: string, unit: string): number {
  const scale = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  return Math.round(Number(value) * scale);
}

interface Pending {
  head: RegExpExecArray;
  line: number;
  dev: string | null;
  sent: RegExpExecArray | null;
  sentText: string;
  backlog: RegExpExecArray | null;
}

/** Read every qdisc block of a `tc -s qdisc show` paste (several snapshots in one input are told apart by repeats). */
export function readTcStats(text: string): TcStatsRead {
  const out: TcStatsRead = { qdiscs: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let commandDev: string | null = null;
  let pending: Pending | null = null;
  const flush = (): void => {
    if (pending?.sent) out.qdiscs.push(snapshotOf(pending, seen));
    pending = null;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const head = QDISC_RE.exec(raw);
    if (head) {
      flush();
      pending = { head, line: i + 1, dev: head[3] ?? commandDev, sent: null, sentText: '', backlog: null };
      continue;
    }
    const prompt = PROMPT_RE.exec(raw);
    if (prompt) {
      flush();
      const command = prompt[1] ?? prompt[2]!;
      commandDev = /\bdev ([^\s;|&]+)/.exec(command)?.[1] ?? commandDev;
      const sleep = /\bsleep (\d+(?:\.\d+)?)\b/.exec(command);
      if (sleep) out.intervalSec = Number(sleep[1]);
      continue;
    }
    if (/^\s/.test(raw) && pending) {
      const p: Pending = pending;
      const sent = p.sent === null ? SENT_RE.exec(raw) : null;
      if (sent) {
        p.sent = sent;
        p.sentText = raw.trim();
      }
      p.backlog ??= BACKLOG_RE.exec(raw);
      continue;
    }
    if (CLASS_RE.test(raw) || /^\s/.test(raw)) {
      // a class block (tc -s class show) or its stats: not a qdisc, not judged
      flush();
      continue;
    }
    flush();
    out.skipped++;
    out.firstSkipped ??= { line: i + 1, text: raw.slice(0, 120) };
  }
  flush();
  return out;
}

function snapshotOf(p: Pending, seen: Map<string, number>): QdiscSnapshot {
  const [, kind, handle, , root, parent] = p.head as unknown as [string, string, string, string?, string?, string?];
  const where = root ?? parent ?? 'root';
  const key = `${p.dev ?? ''}|${handle}|${where}`;
  const snapshot = seen.get(key) ?? 0;
  seen.set(key, snapshot + 1);
  const s = p.sent!;
  const b = p.backlog;
  return {
    line: p.line,
    kind,
    handle,
    dev: p.dev,
    parent: where,
    sentBytes: Number(s[1]),
    sentPkts: Number(s[2]),
    dropped: Number(s[3]),
    overlimits: Number(s[4]),
    requeues: Number(s[5]),
    backlogBytes: b ? sizeBytes(b[1]!, b[2]!) : null,
    backlogPkts: b ? Number(b[3]) : null,
    rateBitsPerSec: rateOf(p.head.input),
    snapshot,
    sentText: p.sentText,
  };
}

/** True when the first lines hold a qdisc line with its Sent line: `tc -s qdisc show` output. */
export function looksLikeTcStats(lines: readonly string[]): boolean {
  for (let i = 0; i < lines.length; i++) {
    if (!QDISC_RE.test(lines[i]!)) continue;
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) if (SENT_RE.test(lines[j]!)) return true;
  }
  return false;
}
