/**
 * `sar -n DEV` and `sar -n EDEV` (sysstat) as users paste them, live (`sar -n DEV,EDEV 1 10`) or from the daily
 * history (`sar -n DEV -f /var/log/sa/sa06`, every 10 minutes by default): per interval a header (`18:46:41  IFACE
 * rxpck/s txpck/s …` or `… rxerr/s txerr/s coll/s rxdrop/s txdrop/s txcarr/s …`) and one row per device with its
 * rates per second over that interval. The header's time is the interval's start, the rows' its end. sysstat
 * computes the rates from /proc/net/dev (the same rtnl_link_stats64 as `ip -s link`): txdrop/s is tx_dropped's
 * rate, txerr/s tx_errors', txcarr/s tx_carrier_errors', txfifo/s tx_fifo_errors'. The DEV and EDEV rows of one
 * device and interval are merged into one row. Times are the host's local wall clock (12-hour with AM/PM in some
 * locales); `Average:` rows repeat what the intervals hold and are not kept.
 */
import { promptOrSkipped, unquoteMail } from '../snapshot-paste.js';

export interface SarNetRow {
  /** 1-based line of the device's first row in this interval (DEV or EDEV, whichever came first) */
  line: number;
  dev: string;
  /** the interval's start and end as printed (`18:46:41`, `06:46:41 PM`) */
  start: string;
  end: string;
  /** the interval in seconds (end − start, across midnight) */
  intervalSec: number;
  /** column (`rxpck/s`, `txpck/s`, `txdrop/s`, …) → rate per second over the interval */
  rates: Map<string, number>;
}

export interface SarNetRead {
  rows: SarNetRow[];
  /** from sar's first line (`Linux 6.1.0 (host) 12/06/26 _x86_64_ (2 CPU)`), when pasted */
  kernel: string | null;
  host: string | null;
  date: string | null;
  /** lines of `LINUX RESTART`: the host rebooted there, the counters started again */
  restarts: number[];
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}

const TIME = String.raw`(\d\d:\d\d:\d\d)(?:\s+([AP]M))?`;
const TITLE_RE = /^Linux (\S+) \(([^)]*)\)\s+(\S+)/;
const HEADER_RE = new RegExp(String.raw`^${TIME}\s+IFACE\s+(.+?)\s*$`);
const NUMBER = String.raw`-?\d+(?:[.,]\d+)?`;
const ROW_RE = new RegExp(String.raw`^${TIME}\s+(\S+)\s+(${NUMBER}(?:\s+${NUMBER})*)\s*$`);
const RESTART_RE = new RegExp(String.raw`^${TIME}\s+LINUX RESTART`);
const AVERAGE_RE = /^Average:\s/;

/** Seconds since midnight of `HH:MM:SS` (12-hour with AM/PM: 12 AM is 0 h, 12 PM is 12 h). */
function daySec(time: string, half: string | undefined): number {
  const [h, m, s] = time.split(':').map(Number) as [number, number, number];
  const hour = half === undefined ? h : (h % 12) + (half === 'PM' ? 12 : 0);
  return hour * 3600 + m * 60 + s;
}

const printed = (time: string, half: string | undefined): string => (half ? `${time} ${half}` : time);

/** A rate as printed: `1.00`, or `1,00` where the locale writes a decimal comma. */
const rate = (text: string): number => Number(text.replace(',', '.'));

/** Reads one paste; lines it does not know are counted (skipped, firstSkipped), never guessed at. */
export function readSarNet(text: string): SarNetRead {
  const out: SarNetRead = {
    rows: [],
    kernel: null,
    host: null,
    date: null,
    restarts: [],
    skipped: 0,
    firstSkipped: null,
  };
  let header = null as { columns: string[]; start: string; startSec: number } | null;
  const tally = { intervalSec: null as number | null, skipped: 0, firstSkipped: null as SarNetRead['firstSkipped'] };
  // the interval's rows by device: its EDEV row joins its DEV row
  let current = new Map<string, SarNetRow>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquoteMail(lines[i]!.replace(/\r$/, ''));
    const trimmed = raw.trim();
    if (trimmed === '' || AVERAGE_RE.test(trimmed)) continue;
    const title = TITLE_RE.exec(trimmed);
    if (title) {
      [out.kernel, out.host, out.date] = [title[1]!, title[2]!, title[3]!];
      continue;
    }
    const h = HEADER_RE.exec(trimmed);
    if (h) {
      const start = printed(h[1]!, h[2]);
      if (header === null || header.start !== start) current = new Map();
      header = { columns: h[3]!.split(/\s+/), start, startSec: daySec(h[1]!, h[2]) };
      continue;
    }
    if (RESTART_RE.test(trimmed)) {
      out.restarts.push(i + 1);
      header = null;
      continue;
    }
    const row = header ? ROW_RE.exec(trimmed) : null;
    const values = row ? row[4]!.split(/\s+/).map(rate) : [];
    if (row && header && values.length === header.columns.length) {
      const dev = row[3]!;
      let r = current.get(dev);
      if (!r) {
        const endSec = daySec(row[1]!, row[2]);
        r = {
          line: i + 1,
          dev,
          start: header.start,
          end: printed(row[1]!, row[2]),
          intervalSec: (endSec - header.startSec + 86400) % 86400,
          rates: new Map(),
        };
        current.set(dev, r);
        out.rows.push(r);
      }
      const rates = r.rates;
      header.columns.forEach((c, k) => rates.set(c, values[k]!));
      continue;
    }
    promptOrSkipped(tally, raw, i + 1);
  }
  return { ...out, skipped: tally.skipped, firstSkipped: tally.firstSkipped };
}

/** True when the first lines hold a `sar -n DEV` or `-n EDEV` header. */
export function looksLikeSarNet(lines: readonly string[]): boolean {
  return lines.slice(0, 64).some((l) => {
    const h = HEADER_RE.exec(unquoteMail(l).trim());
    return h !== null && /\b(?:txpck\/s|txdrop\/s)/.test(h[3]!);
  });
}
