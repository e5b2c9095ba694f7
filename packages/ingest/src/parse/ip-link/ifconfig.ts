/**
 * `ifconfig` (net-tools, lib/interface.c ife_print_long) as users paste it: the same rtnl_link_stats64 as `ip -s
 * link`, in two layouts. net-tools 2.x: `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500`, then `TX
 * packets N  bytes N (…)` and `TX errors N  dropped N overruns N  carrier N  collisions N`. net-tools 1.60: `eth0
 * Link encap:Ethernet  HWaddr …`, `UP BROADCAST RUNNING MULTICAST  MTU:1500`, `TX packets:N errors:N dropped:N
 * overruns:N carrier:N`, `collisions:N txqueuelen:N`. UP without RUNNING is the carrier lost: iproute2 prints that
 * as NO-CARRIER (print_link_flags), and so does this reader, so the link rules read both alike.
 */
import { bareLinkSnapshot, type LinkStatsRead, type LinkStatsSnapshot } from './read.js';
import { promptOrSkipped, unquoteMail } from '../snapshot-paste.js';

// net-tools 2.x: `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500`
const NEW_DEV_RE = /^([^\s:]+(?::\d+)?): flags=\d+<([^>]*)>\s+mtu \d+/;
// net-tools 1.60: `eth0      Link encap:Ethernet  HWaddr 00:0C:29:…` (a paste may have lost the name)
const OLD_DEV_RE = /^(?:(\S+)\s+)?Link encap:/;
// 1.60's flag line: `UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1`
const OLD_FLAGS_RE = /^\s*((?:[A-Z]+ )*[A-Z]+)\s+MTU:\d+/;
/** a device's own lines, also when a web page lost their indentation: counters, addresses, link layer */
const DETAIL_RE = /^\s|^(?:RX|TX) (?:packets|errors|bytes)|^collisions|^(?:inet6?|ether|loop|unspec|infiniband)\b/;
// `TX packets 88  bytes 123 (…)`, `TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0` (2.x), and
// `TX packets:88 errors:0 dropped:0 overruns:0 carrier:0`, `collisions:0 txqueuelen:1000`,
// `RX bytes:123 (1.2 KB)  TX bytes:456 (4.5 KB)` (1.60)
const PAIR_RE = /\b(RX|TX)?\s*(packets|bytes|errors|dropped|overruns|carrier|collisions|frame|txqueuelen)[: ](\d+)/g;
/** ifconfig's words → rtnl_link_stats64 names (overruns are the fifo errors, lib/interface.c) */
const NAME: Record<string, string> = { overruns: 'fifo_errors', frame: 'frame_errors' };

function newDevice(line: number, dev: string, flags: string[], snapshot: number): LinkStatsSnapshot {
  // IFF_UP without IFF_RUNNING: no carrier (what `ip link` calls NO-CARRIER)
  if (flags.includes('UP') && !flags.includes('RUNNING')) flags.push('NO-CARRIER');
  return bareLinkSnapshot(line, dev, snapshot, flags);
}

/** The counters of one line into the device's stats: the direction carries over until the line names another. */
function readPairs(cur: LinkStatsSnapshot, text: string): void {
  let dir: string | null = null;
  for (const m of text.matchAll(PAIR_RE)) {
    if (m[1] !== undefined) dir = m[1].toLowerCase();
    const word = m[2]!;
    const value = Number(m[3]);
    if (word === 'txqueuelen') cur.txqlen = value;
    else if (word === 'collisions') cur.stats.set('tx_collisions', value);
    else if (dir !== null) cur.stats.set(`${dir}_${NAME[word] ?? word}`, value);
  }
}

/** Reads one paste of ifconfig, either layout; the same device again is its next snapshot. */
export function readIfconfig(text: string): LinkStatsRead {
  const out: LinkStatsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let cur: LinkStatsSnapshot | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquoteMail(lines[i]!.replace(/\r$/, ''));
    if (raw.trim() === '') continue;
    const dev = NEW_DEV_RE.exec(raw) ?? OLD_DEV_RE.exec(raw);
    if (dev) {
      const name = dev[1] ?? '(device not given)';
      const snapshot = seen.get(name) ?? 0;
      seen.set(name, snapshot + 1);
      const flags = dev[2] !== undefined ? dev[2].split(',').filter((f) => f !== '') : [];
      cur = newDevice(i + 1, name, flags, snapshot);
      out.snapshots.push(cur);
      continue;
    }
    const old = cur ? OLD_FLAGS_RE.exec(raw) : null;
    if (cur && (old || DETAIL_RE.test(raw))) {
      if (old) {
        cur.flags = newDevice(cur.line, cur.dev, old[1]!.split(' '), cur.snapshot).flags;
        continue;
      }
      // the device's other lines (inet, ether, Interrupt:, Memory:) are ifconfig's own details, not garbage
      readPairs(cur, raw);
      continue;
    }
    promptOrSkipped(out, raw, i + 1);
  }
  return out;
}

/** True when the first lines hold an ifconfig device with its TX counters (either layout). */
export function looksLikeIfconfig(lines: readonly string[]): boolean {
  const head = lines.slice(0, 64).map(unquoteMail);
  for (let i = 0; i < head.length; i++) {
    if (!NEW_DEV_RE.test(head[i]!) && !OLD_DEV_RE.test(head[i]!)) continue;
    return head.slice(i + 1, i + 10).some((l) => /^\s*TX packets[: ]\d+/.test(l));
  }
  return false;
}
