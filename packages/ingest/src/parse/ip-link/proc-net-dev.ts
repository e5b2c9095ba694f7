/**
 * /proc/net/dev (net/core/net-procfs.c dev_seq_show) as users paste it: two header lines (`Inter-|   Receive … |
 * Transmit`, ` face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls
 * carrier compressed`), then per device `eth0: ` and sixteen counters of rtnl_link_stats64 — the same as `ip -s
 * link`, without the link state. The columns are named by the header's second line; the same device again is its
 * next snapshot (`cat /proc/net/dev; sleep 5; cat /proc/net/dev`).
 */
import { bareLinkSnapshot, type LinkStatsRead } from './read.js';
import { promptOrSkipped, unquoteMail } from '../snapshot-paste.js';

const TITLE_RE = /^Inter-\|\s*Receive\s*\|\s*Transmit\s*$/;
const COLUMNS_RE = /^\s*face\s*\|(.*)\|(.*)$/;
// `  eth0: 1234 56 …` (a long name may touch its counters: `enp0s31f6:12345 …`)
const ROW_RE = /^\s*([^\s:]+):\s*(\d+(?:\s+\d+)*)\s*$/;
/** the header's words → rtnl_link_stats64 names as `ip -s link` gives them (errs, drop, colls are abbreviated) */
const NAME: Record<string, string> = {
  errs: 'errors',
  drop: 'dropped',
  fifo: 'fifo_errors',
  frame: 'frame_errors',
  colls: 'collisions',
};
const DEFAULT_COLUMNS = {
  rx: ['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'],
  tx: ['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'],
};

/** Reads one paste; lines it does not know are counted (skipped, firstSkipped), never guessed at. */
export function readProcNetDev(text: string): LinkStatsRead {
  const out: LinkStatsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let columns = DEFAULT_COLUMNS;
  let sawHeader = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquoteMail(lines[i]!.replace(/\r$/, ''));
    if (raw.trim() === '' || TITLE_RE.test(raw.trim())) continue;
    const cols = COLUMNS_RE.exec(raw);
    if (cols) {
      columns = { rx: cols[1]!.trim().split(/\s+/), tx: cols[2]!.trim().split(/\s+/) };
      sawHeader = true;
      continue;
    }
    const row = ROW_RE.exec(raw);
    const values = row ? row[2]!.split(/\s+/).map(Number) : [];
    if (row && (sawHeader || values.length === 16) && values.length === columns.rx.length + columns.tx.length) {
      const dev = row[1]!;
      const snapshot = seen.get(dev) ?? 0;
      seen.set(dev, snapshot + 1);
      // the file holds no flags; the loopback device is known by name (the link rules leave it out)
      const s = bareLinkSnapshot(i + 1, dev, snapshot, dev === 'lo' ? ['LOOPBACK'] : []);
      columns.rx.forEach((name, k) => s.stats.set(`rx_${NAME[name] ?? name}`, values[k]!));
      columns.tx.forEach((name, k) => s.stats.set(`tx_${NAME[name] ?? name}`, values[columns.rx.length + k]!));
      out.snapshots.push(s);
      continue;
    }
    promptOrSkipped(out, raw, i + 1);
  }
  return out;
}

/** True when the first lines hold /proc/net/dev's column header. */
export function looksLikeProcNetDev(lines: readonly string[]): boolean {
  return lines.slice(0, 64).some((l) => COLUMNS_RE.test(unquoteMail(l)) && /\|\s*bytes\s+packets/.test(l));
}
