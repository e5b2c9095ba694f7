/**
 * NETDEV WATCHDOG lines from dev_watchdog() in net/sched/sch_generic.c, in every form since 2.6:
 *  - 2.6.0–2.6.26:  printk(KERN_INFO "NETDEV WATCHDOG: %s: transmit timed out\n", dev->name)
 *  - 2.6.27–6.4:    WARN_ONCE(1, KERN_INFO "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out\n", …, netdev_drivername(dev), i)
 *  - 6.5–6.7:       WARN_ONCE(1, "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out %u ms\n", …, timedout_ms)
 *  - 6.8+:          netdev_crit(dev, "NETDEV WATCHDOG: CPU: %d: transmit queue %u timed out %u ms\n", raw_smp_processor_id(), i, timedout_ms)
 * The WARN_ONCE forms come with a `WARNING: CPU: n PID: p at net/sched/sch_generic.c:NNN dev_watchdog+…` line
 * (before or after the message, depending on the version) that names the CPU; it joins the record.
 */
import { deviceRef } from '../device.js';
import type { WatchdogTimeoutRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const OLD_RE = /NETDEV WATCHDOG: (\S+): transmit timed out/;
const NAMED_RE = /NETDEV WATCHDOG: (\S+) \(([^)]*)\): transmit queue (\d+) timed out(?: (\d+) ms)?/;
const CRIT_RE = /^NETDEV WATCHDOG: (?:CPU: (\d+): )?transmit queue (\d+) timed out(?: (\d+) ms)?/;
const WARNING_RE =
  /WARNING: (?:CPU: (\d+) PID: \d+ )?at (\S*sch_generic\.c:\d+)(?: |$).*dev_watchdog|WARNING: CPU: (\d+) PID: \d+ at dev_watchdog/;
const CUT_HERE_RE = /-+\[ cut here \]-+/;

/** Join the WARN_ONCE lines next to the message: up to two lines before (cut here, WARNING) or the one after. */
function warningLines(c: Cursor, i: number): { idx: number[]; cpu?: number; warnAt?: string } {
  const idx: number[] = [];
  let cpu: number | undefined;
  let warnAt: string | undefined;
  const look = (j: number): boolean => {
    const l = c.lines[j];
    if (!l || c.used[j]) return false;
    const m = WARNING_RE.exec(l.message);
    if (!m) return false;
    idx.push(j);
    const cpuText = m[1] ?? m[3];
    if (cpuText !== undefined) cpu = Number(cpuText);
    if (m[2] !== undefined) warnAt = m[2];
    return true;
  };
  if (look(i - 1)) {
    if (c.lines[i - 2] && !c.used[i - 2] && CUT_HERE_RE.test(c.lines[i - 2]!.message)) idx.push(i - 2);
  } else {
    // x86 __warn() since 4.x prints the message right after "cut here" and the WARNING line after it.
    look(i + 1);
    if (c.lines[i - 1] && !c.used[i - 1] && CUT_HERE_RE.test(c.lines[i - 1]!.message)) idx.push(i - 1);
  }
  if (cpu === undefined) {
    // 3.x WARNING lines name no CPU; dump_stack()'s "CPU: n PID: p Comm: …" a few lines on does.
    for (let j = i + 1; j <= i + 4 && j < c.lines.length; j++) {
      const m = /^CPU: (\d+) PID: \d+ Comm:/.exec(c.lines[j]!.message.trim());
      if (m) {
        cpu = Number(m[1]);
        break;
      }
    }
  }
  const out: { idx: number[]; cpu?: number; warnAt?: string } = { idx };
  if (cpu !== undefined) out.cpu = cpu;
  if (warnAt !== undefined) out.warnAt = warnAt;
  return out;
}

export function matchWatchdog(c: Cursor, i: number): WatchdogTimeoutRecord | null {
  const line = c.lines[i]!;
  const msg = c.msgs[i]!;
  if (!line.message.includes('NETDEV WATCHDOG')) return null;
  let dev: string | undefined;
  let driver: string | undefined;
  let queue: number | undefined;
  let timedOutMs: number | undefined;
  let cpu: number | undefined;
  let m: RegExpExecArray | null;
  if ((m = NAMED_RE.exec(line.message))) {
    dev = m[1]!;
    driver = m[2]!;
    queue = Number(m[3]);
    if (m[4] !== undefined) timedOutMs = Number(m[4]);
  } else if ((m = CRIT_RE.exec(msg.rest)) && msg.dev !== undefined) {
    dev = msg.dev;
    driver = msg.driver;
    if (m[1] !== undefined) cpu = Number(m[1]);
    queue = Number(m[2]);
    if (m[3] !== undefined) timedOutMs = Number(m[3]);
  } else if ((m = CRIT_RE.exec(msg.rest)) && c.msgs[i - 1]?.dev !== undefined) {
    // 6.8+ form with its netdev prefix cut by the poster (`[xxxxxx] NETDEV WATCHDOG: CPU: 8: …`): the device is the
    // one the line right before it names — the driver's own reset or dump that the watchdog set off.
    const prev = c.msgs[i - 1]!;
    return finish(c, i, m, { dev: prev.dev!, driver: prev.driver, busId: prev.busId });
  } else if ((m = OLD_RE.exec(line.message))) {
    dev = m[1]!;
  } else {
    return null;
  }
  const warn = warningLines(c, i);
  const rec: WatchdogTimeoutRecord = {
    kind: 'watchdog_timeout',
    ...takeSpan(c, [i, ...warn.idx]),
    ...deviceRef({ driver: msg.driver, busId: msg.busId }),
    dev,
  };
  if (driver !== undefined) rec.driver = driver;
  if (queue !== undefined) rec.queue = queue;
  if (timedOutMs !== undefined) rec.timedOutMs = timedOutMs;
  const cpuAll = cpu ?? warn.cpu;
  if (cpuAll !== undefined) rec.cpu = cpuAll;
  if (warn.warnAt !== undefined) rec.warnAt = warn.warnAt;
  return rec;
}

/** A 6.8+ netdev_crit() line whose device comes from the line before it. */
function finish(
  c: Cursor,
  i: number,
  m: RegExpExecArray,
  d: { dev: string; driver: string | undefined; busId: string | undefined },
): WatchdogTimeoutRecord {
  const rec: WatchdogTimeoutRecord = {
    kind: 'watchdog_timeout',
    ...takeSpan(c, [i]),
    ...deviceRef({ driver: d.driver, busId: d.busId }),
    dev: d.dev,
    queue: Number(m[2]),
  };
  if (m[1] !== undefined) rec.cpu = Number(m[1]);
  if (m[3] !== undefined) rec.timedOutMs = Number(m[3]);
  return rec;
}
