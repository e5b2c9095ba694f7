/**
 * `netstat -i` (net-tools, lib/interface.c ife_print_short) as users paste it: `Kernel Interface table`, a column
 * header (`Iface MTU RX-OK RX-ERR RX-DRP RX-OVR TX-OK TX-ERR TX-DRP TX-OVR Flg`; net-tools 1.60 adds `Met` after
 * MTU), then per device its name, the packet counters of rtnl_link_stats64 and its flags as letters (`BMRU`). Only
 * packets, no bytes: TX-OK is tx_packets, TX-ERR tx_errors, TX-DRP tx_dropped, TX-OVR tx_fifo_errors. UP (`U`)
 * without RUNNING (`R`) is the carrier lost, read as NO-CARRIER like `ip link` prints it. The columns are named by
 * the header, so a header an 80-column page cut short (`… TX-DRP TX-`) still reads the counters it names.
 */
import { bareLinkSnapshot, type LinkStatsRead } from './read.js';
import { promptOrSkipped, unquoteMail } from '../snapshot-paste.js';

const TITLE_RE = /^Kernel Interface table\s*$/;
const HEADER_RE = /^\s*Iface\s+MTU\b(.*)$/;
// `vs9              1500       13      0      0 0           307      0      2      0 BMU`
const ROW_RE = /^\s*(\S+)\s+(\d+(?:\s+\d+)+)(?:\s+([A-Za-z]+|\[NO FLAGS\]))?\s*$/;
/** the header's columns → rtnl_link_stats64 names as `ip -s link` gives them (OVR: fifo errors, ife_print_short) */
const COLUMN: Record<string, string> = {
  'RX-OK': 'rx_packets',
  'RX-ERR': 'rx_errors',
  'RX-DRP': 'rx_dropped',
  'RX-OVR': 'rx_fifo_errors',
  'TX-OK': 'tx_packets',
  'TX-ERR': 'tx_errors',
  'TX-DRP': 'tx_dropped',
  'TX-OVR': 'tx_fifo_errors',
};
/** ife_print_short's letters; `P` is both PROMISC and POINTOPOINT there, so it names neither */
const FLAG: Record<string, string> = {
  A: 'ALLMULTI',
  B: 'BROADCAST',
  D: 'DEBUG',
  L: 'LOOPBACK',
  M: 'MULTICAST',
  d: 'DYNAMIC',
  N: 'NOTRAILERS',
  O: 'NOARP',
  s: 'SLAVE',
  m: 'MASTER',
  R: 'RUNNING',
  U: 'UP',
};

function flagsOf(letters: string | undefined, dev: string): string[] {
  // no flags column (a header cut short): the loopback device is known by name, as in /proc/net/dev
  if (letters === undefined) return dev === 'lo' ? ['LOOPBACK'] : [];
  const flags = [...letters].flatMap((c) => (FLAG[c] !== undefined ? [FLAG[c]!] : []));
  // IFF_UP without IFF_RUNNING: no carrier (what `ip link` calls NO-CARRIER)
  if (flags.includes('UP') && !flags.includes('RUNNING')) flags.push('NO-CARRIER');
  return flags;
}

/** Reads one paste; the same device again is its next snapshot; lines it does not know are counted, never guessed at. */
export function readNetstatInterfaces(text: string): LinkStatsRead {
  const out: LinkStatsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let columns: string[] | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquoteMail(lines[i]!.replace(/\r$/, ''));
    if (raw.trim() === '' || TITLE_RE.test(raw.trim())) continue;
    const header = HEADER_RE.exec(raw);
    if (header) {
      // the numbers start at MTU; the flags column (Flg, Flags) holds letters, not a number
      columns = [
        'MTU',
        ...header[1]!
          .trim()
          .split(/\s+/)
          .filter((c) => !/^Fl(?:g|ags)$/.test(c)),
      ];
      continue;
    }
    const row = columns ? ROW_RE.exec(raw) : null;
    const values = row ? row[2]!.split(/\s+/).map(Number) : [];
    if (row && columns && values.length <= columns.length) {
      const dev = row[1]!;
      const snapshot = seen.get(dev) ?? 0;
      seen.set(dev, snapshot + 1);
      const s = bareLinkSnapshot(i + 1, dev, snapshot, flagsOf(row[3], dev));
      values.forEach((v, k) => {
        const name = COLUMN[columns![k]!];
        if (name !== undefined) s.stats.set(name, v);
      });
      out.snapshots.push(s);
      continue;
    }
    promptOrSkipped(out, raw, i + 1);
  }
  return out;
}

/** True when the first lines hold netstat -i's column header. */
export function looksLikeNetstatInterfaces(lines: readonly string[]): boolean {
  return lines.slice(0, 64).some((l) => {
    const h = HEADER_RE.exec(unquoteMail(l));
    return h !== null && /\bRX-OK\b/.test(h[1]!) && /\bTX-OK\b/.test(h[1]!);
  });
}
