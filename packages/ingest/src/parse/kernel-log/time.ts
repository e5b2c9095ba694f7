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
