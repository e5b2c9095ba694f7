/**
 * A device's sysfs counters as users paste them (net/core/net-sysfs.c): `grep . /sys/class/net/eth0/statistics/*`
 * (`path:value`), `… $(cat $f)` loops (`path value`), or `cd …/statistics; grep . *` (`tx_dropped:2`, no device).
 * The files are rtnl_link_stats64 one per file — the same counters as `ip -s link` — and a `grep .
 * /sys/class/net/eth0/*` beside them adds the link state: `carrier` (0: no carrier, what `ip link` prints as
 * NO-CARRIER) and `operstate`. The same device's file again starts its next snapshot.
 */
import { bareLinkSnapshot, type LinkStatsRead, type LinkStatsSnapshot } from './read.js';
import { PROMPT_RE, promptOrSkipped, unquoteMail } from '../snapshot-paste.js';

// `/sys/class/net/eth0/statistics/tx_bytes:123`, `/sys/class/net/eth0/carrier 1`, `tx_dropped:2`
const LINE_RE =
  /^\s*(?:\/sys\/(?:class\/net|devices\/\S+?\/net)\/([^/\s:]+)\/)?(statistics\/)?([a-z][a-z0-9_]*)(?::\s*|\s+)(\S+)\s*$/;
/** the device's own files that say its link state; other device files (address, mtu, …) are known, not kept */
const STATE_FILES = new Set(['carrier', 'operstate']);
/** a counter file as `ip -s link` names it (rtnl_link_stats64: `tx_carrier_errors` is ip's `carrier`) */
const CANONICAL: Record<string, string> = { tx_carrier_errors: 'tx_carrier', collisions: 'tx_collisions' };
/** statistics/ files: rx_*, tx_*, collisions, multicast (a bare name is a counter only if it is one of these) */
const isCounterName = (name: string): boolean =>
  /^(?:rx|tx)_[a-z_]+$/.test(name) || /^(?:collisions|multicast)$/.test(name);

/** Reads one paste; lines it does not know are counted (skipped, firstSkipped), never guessed at. */
export function readSysfsStatistics(text: string): LinkStatsRead {
  const out: LinkStatsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const current = new Map<string, LinkStatsSnapshot>();
  // bare names (`cd /sys/class/net/eth0/statistics; grep . *`): the device the pasted command went to
  let promptDev: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquoteMail(lines[i]!.replace(/\r$/, ''));
    if (raw.trim() === '') continue;
    const m = LINE_RE.exec(raw);
    const [dev, inStatistics, name, value] = m ? [m[1], m[2] !== undefined, m[3]!, m[4]!] : [];
    const counter = m !== null && (inStatistics || (dev === undefined && isCounterName(name!))) && /^\d+$/.test(value!);
    const state = m !== null && dev !== undefined && !inStatistics;
    if (!counter && !state) {
      promptDev = /\/sys\/class\/net\/([^/\s:*]+)\/statistics\b/.exec(PROMPT_RE.exec(raw)?.[1] ?? '')?.[1] ?? promptDev;
      promptOrSkipped(out, raw, i + 1);
      continue;
    }
    const device = dev ?? promptDev ?? '(device not given)';
    const key = counter ? `statistics/${CANONICAL[name!] ?? name}` : name!;
    let s = current.get(device);
    if (!s || (counter ? s.stats.has(key.slice(11)) : STATE_FILES.has(key) && seenState(s, key))) {
      s = bareLinkSnapshot(i + 1, device, out.snapshots.filter((x) => x.dev === device).length, []);
      current.set(device, s);
      out.snapshots.push(s);
    }
    if (counter) s.stats.set(key.slice(11), Number(value));
    else if (name === 'carrier') setCarrier(s, value!);
    else if (name === 'operstate') s.operstate = value!.toUpperCase();
  }
  return out;
}

const seenState = (s: LinkStatsSnapshot, file: string): boolean =>
  file === 'operstate' ? s.operstate !== null : s.flags.includes('NO-CARRIER') || s.flags.includes('LOWER_UP');

/** carrier 1 is what `ip link` prints as LOWER_UP, 0 as NO-CARRIER (netif_carrier_ok); unreadable when down */
function setCarrier(s: LinkStatsSnapshot, value: string): void {
  if (value === '1') s.flags.push('LOWER_UP');
  else if (value === '0') s.flags.push('NO-CARRIER');
}

/** True when the first lines hold a device's statistics/ files with their values. */
export function looksLikeSysfsStatistics(lines: readonly string[]): boolean {
  const head = lines.slice(0, 64).map(unquoteMail);
  if (
    head.some((l) =>
      /\/sys\/(?:class\/net|devices\/\S+?\/net)\/[^/\s:]+\/statistics\/[a-z_]+(?::|\s+)\s*\d+\s*$/.test(l),
    )
  )
    return true;
  // `cd …/statistics; grep . *`: bare `tx_dropped:2` lines, several of them and nothing else that looks like counters
  const bare = head.filter((l) => /^(?:rx|tx)_[a-z_]+:\d+$/.test(l.trim()));
  return bare.length >= 4 && bare.some((l) => l.startsWith('tx_'));
}
