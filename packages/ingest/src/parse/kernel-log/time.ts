/**
 * Time helpers for kernel-log envelopes: printk's `secs.frac` since boot, and wall stamps.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `123.456789` (printk prints %5lu.%06lu of local_clock()) → ns since boot, exact for any fraction length. */
export function secsDotFracToNs(secs: string, frac: string): bigint {
  const f = (frac + '000000000').slice(0, 9);
  return BigInt(secs) * 1_000_000_000n + BigInt(f);
}

/**
 * An ISO-8601 stamp with a zone (`2020-12-07T10:11:12.123456+00:00`, `…+0000`, `…Z`) → µs since the epoch.
 * Undefined without a zone: a local time is not an instant.
 */
export function isoToEpochUs(iso: string): bigint | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)$/.exec(iso);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(ms)) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const z = zone.replace(':', '');
    offsetMin = (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  const fracUs = BigInt(((frac ?? '') + '000000').slice(0, 6));
  return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1000n + fracUs;
}

/** Month abbreviation → 1..12, or 0 if it is not one. */
function monthNumber(mon: string): number {
  return MONTHS.indexOf(mon) + 1;
}

export const MONTH_RE = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
export const WEEKDAY_RE = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';

/** A wall stamp read without its zone: µs as if it were UTC, and whether it said its year. */
export interface NaiveWall {
  us: bigint;
  yearKnown: boolean;
}

/** The year assumed for syslog stamps that omit it: a leap year, so `Feb 29` reads. Only differences are used. */
const YEARLESS = 2000;

/**
 * A wall stamp as written (`Oct 22 08:55:54`, `Thu Oct 22 08:55:54 2020`, `2020-10-22T08:55:54.123+02:00`,
 * `Thu 2020-10-22 08:55:54 UTC`) → µs since the epoch as if its local time were UTC; its zone, when it has one,
 * is ignored; a stamp without a year takes `yearIfMissing`. Such a value is a time on the log's own clock: the offset to the trace's clock is found by matching
 * records or given by the user (replay log-clock.ts). Undefined when the stamp has no date and time.
 */
export function naiveWallUs(wall: string, yearIfMissing = YEARLESS): NaiveWall | undefined {
  const s = wall.replace(/^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+/, '');
  const iso = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?/.exec(s);
  if (iso) return { us: utcUs(+iso[1]!, +iso[2]!, +iso[3]!, iso.slice(4, 8)), yearKnown: true };
  // a time of day alone (a journal paste whose date and host were cut: `07:37:02 kernel: …`): differences within the
  // day still hold; the day is unknown, kept as the first of the yearless year
  const tod = /^(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?$/.exec(s);
  if (tod) return { us: utcUs(yearIfMissing, 1, 1, tod.slice(1, 5)), yearKnown: false };
  const sys = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:\s+(\d{4}))?/.exec(s);
  const month = sys ? monthNumber(sys[1]!) : 0;
  if (!sys || month === 0) return undefined;
  const year = sys[7] !== undefined ? +sys[7] : yearIfMissing;
  return { us: utcUs(year, month, +sys[2]!, sys.slice(3, 7)), yearKnown: sys[7] !== undefined };
}

function utcUs(year: number, month: number, day: number, hms: (string | undefined)[]): bigint {
  const [h, mi, sec, frac] = hms;
  const ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(sec));
  return BigInt(ms) * 1000n + BigInt(((frac ?? '') + '000000').slice(0, 6));
}
