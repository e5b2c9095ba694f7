/**
 * Putting a wall-clock kernel log on the trace's clock. printk's `[  123.456789]` stamps are local_clock(), the
 * clock perf and ftrace stamp events with by default, so dmesg lines need nothing. A syslog, `dmesg -T` or journal
 * log has only wall times: the offset to the trace clock is the wall time of boot, given by the user
 * (`--boot-time`, e.g. from `btime` in /proc/stat of that host) or found by matching the log's NETDEV WATCHDOG
 * records to the trace's net_dev_xmit_timeout events — both come from the same dev_watchdog() call
 * (net/sched/sch_generic.c), so one record and its event are at most the log's stamp resolution apart.
 * Pure: records in, records out.
 */
import { naiveWallUs, type KernelRecord } from '@txreplay/ingest/plain';
import type { LogClockNote } from './types.js';

/** A NETDEV WATCHDOG seen in the trace (net_dev_xmit_timeout), on the trace clock. */
export interface TraceTimeout {
  dev: string;
  queue: number | null;
  tsNs: bigint;
}

/** How one log's times were put on the trace clock (the result's `logClock`). */
export type LogAlignment = LogClockNote;

/** `--boot-time`: the wall time at boot, as epoch seconds (`btime` of /proc/stat) or ISO 8601 with a zone. */
export interface BootTime {
  epochNs: bigint;
  /** minutes east of UTC of the given ISO time: zone-less log stamps are read in it; null for epoch seconds */
  zoneMin: number | null;
}

export function parseBootTime(text: string): BootTime {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) {
    const [s, f = ''] = t.split('.');
    return { epochNs: BigInt(s!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9)), zoneMin: null };
  }
  const m = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?)\s*(Z|[+-]\d\d:?\d\d)$/.exec(t);
  const naive = m ? naiveWallUs(m[1]!) : undefined;
  if (!m || !naive) {
    throw new RangeError(
      `--boot-time ${JSON.stringify(text)}: give the wall time of boot as epoch seconds (btime in /proc/stat) or ISO 8601 with its zone, e.g. 2024-09-19T16:20:00+08:00`,
    );
  }
  const z = m[2]!.replace(':', '');
  const zoneMin = z === 'Z' ? 0 : (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  return { epochNs: naive.us * 1000n - BigInt(zoneMin) * 60_000_000_000n, zoneMin };
}

/**
 * A record's time on the log's own wall clock (ns, zone-less stamps as if UTC), or undefined. A syslog stamp has no
 * year: with a boot time it takes the boot's year (the next one when that would put it before the boot), else an
 * arbitrary one — matching uses only differences.
 */
function wallNsOf(r: KernelRecord, boot: BootTime | null): { ns: bigint; zoned: boolean } | undefined {
  if (r.wallTimeUs !== undefined) return { ns: r.wallTimeUs * 1000n, zoned: true };
  if (r.wall === undefined) return undefined;
  const bootLocalNs = boot ? boot.epochNs + BigInt(boot.zoneMin ?? 0) * 60_000_000_000n : null;
  const bootYear = bootLocalNs !== null ? new Date(Number(bootLocalNs / 1_000_000n)).getUTCFullYear() : undefined;
  let naive = naiveWallUs(r.wall, bootYear);
  if (naive && !naive.yearKnown && bootYear !== undefined && naive.us * 1000n < bootLocalNs! - DAY_NS)
    naive = naiveWallUs(r.wall, bootYear + 1);
  return naive ? { ns: naive.us * 1000n, zoned: false } : undefined;
}

const DAY_NS = 86_400_000_000_000n;

/** How far a log watchdog record may sit from its trace event: syslog stamps have whole seconds. */
const MATCH_TOLERANCE_NS = 1_500_000_000n;

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** The offset under which most of the log's watchdog records land on a trace timeout of the same queue. */
function matchOffset(walls: { r: KernelRecord; ns: bigint }[], timeouts: readonly TraceTimeout[]) {
  const dogs = walls.filter((w) => w.r.kind === 'watchdog_timeout');
  const sameQueue = (r: KernelRecord, t: TraceTimeout): boolean =>
    r.kind === 'watchdog_timeout' &&
    r.dev === t.dev &&
    (r.queue === undefined || t.queue === null || r.queue === t.queue);
  let best: { offsetNs: bigint; matched: number } | null = null;
  for (const anchor of dogs.slice(0, 8)) {
    for (const t of timeouts) {
      if (!sameQueue(anchor.r, t)) continue;
      const offsetNs = anchor.ns - t.tsNs;
      const matched = dogs.filter((d) =>
        timeouts.some((u) => sameQueue(d.r, u) && abs(d.ns - offsetNs - u.tsNs) <= MATCH_TOLERANCE_NS),
      ).length;
      if (!best || matched > best.matched) best = { offsetNs, matched };
    }
  }
  return best;
}

/**
 * The log's records on the trace clock (records with a printk stamp keep it; wall-only records get one when an
 * offset is known) and how that was decided.
 */
export function alignLogRecords(
  records: readonly KernelRecord[],
  source: string,
  timeouts: readonly TraceTimeout[],
  bootTime: BootTime | null,
  hasTrace = true,
): { records: KernelRecord[]; alignment: LogAlignment } {
  const wallOnly = records.filter((r) => r.tsBootNs === undefined);
  const walls = wallOnly.flatMap((r) => {
    const w = wallNsOf(r, bootTime);
    return w ? [{ r, ...w }] : [];
  });
  const base = { source, offsetNs: null, matched: 0 };
  if (walls.length === 0) {
    const how = records.some((r) => r.tsBootNs !== undefined) ? 'boot-stamps' : 'none';
    const note =
      how === 'boot-stamps'
        ? 'printk stamps since boot: the trace clock (local_clock) already'
        : 'the log has no time stamps: its records are not on the timeline';
    return { records: [...records], alignment: { ...base, how, note } };
  }
  let toTraceNs: ((w: { ns: bigint; zoned: boolean }) => bigint) | null = null;
  let alignment: LogAlignment;
  if (bootTime) {
    // a zone-less stamp is local time in the zone of --boot-time (UTC for epoch seconds): make it an instant
    const zoneNs = BigInt(bootTime.zoneMin ?? 0) * 60_000_000_000n;
    toTraceNs = (w) => (w.zoned ? w.ns : w.ns - zoneNs) - bootTime.epochNs;
    const zoneNote =
      walls.some((w) => !w.zoned) && bootTime.zoneMin === null
        ? " (stamps without a zone read as UTC: give --boot-time in ISO 8601 with the log host's zone if the log is in local time)"
        : '';
    alignment = {
      ...base,
      how: 'boot-time',
      offsetNs: bootTime.epochNs,
      note: `wall times minus --boot-time${zoneNote}`,
    };
  } else if (!hasTrace) {
    alignment = { ...base, how: 'none', note: 'wall-clock times, read without a trace: shown as written' };
  } else {
    const m = timeouts.length > 0 ? matchOffset(walls, timeouts) : null;
    if (m && m.matched > 0) {
      toTraceNs = (w) => w.ns - m.offsetNs;
      alignment = {
        ...base,
        how: 'matched-watchdog',
        offsetNs: m.offsetNs,
        matched: m.matched,
        note: `wall times aligned by matching ${m.matched} NETDEV WATCHDOG record(s) to the trace's net_dev_xmit_timeout events`,
      };
    } else {
      alignment = {
        ...base,
        how: 'none',
        note: "wall-clock times that could not be put on the trace clock (no NETDEV WATCHDOG record matches a net_dev_xmit_timeout event): pass --boot-time (the log host's `btime` from /proc/stat, or ISO 8601 with its zone) to place them",
      };
    }
  }
  if (toTraceNs === null) return { records: [...records], alignment };
  const at = new Map(walls.map((w) => [w.r, toTraceNs(w)]));
  return { records: records.map((r) => (at.has(r) ? { ...r, tsBootNs: at.get(r)! } : r)), alignment };
}
