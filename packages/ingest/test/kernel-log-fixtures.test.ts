/**
 * The kernel-log reader against the curated public corpus fixtures/public/ (excerpts + expected.json, written by
 * reading each excerpt as a kernel engineer would). The folder is merged into main separately: these tests read
 * whatever is there and assert on it — with no folder there is nothing to compare, and the first test says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { looksLikeKernelLog, parseKernelLog, type KernelRecord } from '../src/parse/kernel-log/index.js';

interface Expected {
  kind: string;
  [k: string]: unknown;
}
interface Entry {
  file: string;
  format: string;
  stall: boolean;
  records?: Expected[];
}

const PUBLIC = fileURLToPath(new URL('../../../fixtures/public/', import.meta.url));
const EXPECTED = join(PUBLIC, 'expected.json');
const entries: Entry[] = existsSync(EXPECTED)
  ? (JSON.parse(readFileSync(EXPECTED, 'utf8')) as { entries: Entry[] }).entries
  : [];
// Trace captures belong to the trace sniffer, device snapshots (tc -s, ip -s link, TX-queue sysfs, ethtool -S,
// /proc/interrupts) to
// the counters readers: not to the kernel-log reader.
const TRACE_FILE =
  /\.(?:perf-script|perf-trace|ftrace|tc\.txt|ip\.txt|sysfs\.txt|ethtool\.txt|irq\.txt|ifconfig\.txt|netstat\.txt)$/;
const kernelEntries = entries.filter((e) => !TRACE_FILE.test(e.file));
const traceEntries = entries.filter((e) => TRACE_FILE.test(e.file));
const text = (e: Entry): string => readFileSync(join(PUBLIC, e.file), 'utf8');

/** Where the corpus and this reader count differently, and why (kept honest: every entry is a real difference). */
const KNOWN: Record<string, Partial<Record<Counted, string>>> = {
  '21-mlx5e-vf-tx-timeout-no-eq-recovery-quoted.dmesg': {
    watchdog:
      'corpus counts mlx5e_tx_timeout()\'s "TX timeout detected" as the watchdog event; the reader joins it to the queue dump',
  },
};

type Counted =
  | 'watchdog'
  | 'ringDump'
  | 'recovery'
  | 'eqRecovered'
  | 'eqDump'
  | 'linkUp'
  | 'linkDown'
  | 'neigh'
  | 'stallKick'
  | 'usbTx'
  | 'ringFull';

function countExpected(rs: readonly Expected[]): Record<Counted, number> {
  const n = (...kinds: string[]): number => rs.filter((r) => kinds.includes(r.kind)).length;
  return {
    watchdog: n('watchdog_timeout'),
    ringDump: n('tx_hang_dump', 'tx_timeout_dump', 'missing_tx_completion'),
    recovery: n('reset'),
    eqRecovered: n('eq_recovered'),
    eqDump: n('eq_dump'),
    linkUp: n('link_up'),
    linkDown: n('link_down'),
    neigh: n('neigh_overflow'),
    stallKick: n('tx_stall_kick'),
    usbTx: n('usb_tx_error'),
    ringFull: n('tx_ring_full'),
  };
}

function countMine(rs: readonly KernelRecord[]): Record<Counted, number> {
  const n = (f: (r: KernelRecord) => boolean): number => rs.filter(f).length;
  return {
    watchdog: n((r) => r.kind === 'watchdog_timeout'),
    ringDump: n((r) => r.kind === 'tx_hang_dump' || r.kind === 'tx_timeout_dump'),
    recovery: n(
      (r) =>
        r.kind === 'tx_recovery' &&
        (r.action === 'reset' || r.action === 'recovery_level' || r.action === 'recovery_failed'),
    ),
    eqRecovered: n((r) => r.kind === 'tx_recovery' && r.action === 'eq_recovered'),
    eqDump: n((r) => r.kind === 'tx_recovery' && r.action === 'eq_dump'),
    linkUp: n((r) => r.kind === 'link_change' && r.up),
    linkDown: n((r) => r.kind === 'link_change' && !r.up),
    neigh: n((r) => r.kind === 'neigh_table_overflow'),
    stallKick: n((r) => r.kind === 'tx_stall_kick'),
    usbTx: n((r) => r.kind === 'usb_tx_error'),
    ringFull: n((r) => r.kind === 'tx_ring_full'),
  };
}

/** The corpus names ring indexes per driver; map them onto the reader's common ring view. */
function ringOf(r: Expected): { hwHead?: number; hwTail?: number; nextToUse?: number; nextToClean?: number } {
  const pick = (...k: string[]): number | undefined => {
    for (const key of k) if (typeof r[key] === 'number') return r[key] as number;
    return undefined;
  };
  const out: { hwHead?: number; hwTail?: number; nextToUse?: number; nextToClean?: number } = {};
  const set = (k: keyof typeof out, v: number | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('hwHead', pick('tdh', 'hwHead', 'hwb', 'head'));
  set('hwTail', pick('tdt', 'hwTail', 'tail'));
  set('nextToUse', pick('nextToUse', 'swNtu', 'ntu', 'sqPc', 'curTx'));
  set('nextToClean', pick('nextToClean', 'swNtc', 'ntc', 'sqCc', 'dirtyTx'));
  return out;
}

const STALL = (r: KernelRecord): boolean =>
  r.kind === 'watchdog_timeout' ||
  r.kind === 'tx_stall_kick' ||
  r.kind === 'tx_hang_dump' ||
  r.kind === 'tx_timeout_dump' ||
  // the NIC disabled a TX queue itself (Malicious Driver Detection), or left the bus
  (r.kind === 'mdd_event' && r.direction === 'tx') ||
  r.kind === 'device_lost' ||
  (r.kind === 'tx_recovery' && r.action !== 'eq_recovered' && r.action !== 'eq_dump');

describe('public corpus fixtures', () => {
  it('the folder, when present, holds every file expected.json names', () => {
    expect(existsSync(PUBLIC) ? entries.length > 0 : entries.length === 0).toBe(true);
    for (const e of entries) expect(existsSync(join(PUBLIC, e.file)), e.file).toBe(true);
  });

  it('trace captures in the corpus are not taken for kernel logs', () => {
    for (const e of traceEntries) expect(looksLikeKernelLog(text(e).split('\n').slice(0, 50)), e.file).toBeNull();
  });

  it('stall verdict: timeouts, ring dumps and resets are found exactly where the corpus sees a stall', () => {
    for (const e of kernelEntries) {
      const { records } = parseKernelLog(text(e));
      expect(records.some(STALL), e.file).toBe(e.stall);
    }
  });

  it('counts per kind match the corpus, apart from the differences listed in KNOWN', () => {
    let compared = 0;
    for (const e of kernelEntries) {
      const want = countExpected(e.records ?? []);
      const got = countMine(parseKernelLog(text(e)).records);
      for (const k of Object.keys(want) as Counted[]) {
        if (KNOWN[e.file]?.[k]) {
          expect(got[k], `${e.file} ${k}: the listed difference is gone, drop it from KNOWN`).not.toBe(want[k]);
          continue;
        }
        expect(got[k], `${e.file} ${k}`).toBe(want[k]);
        compared++;
      }
    }
    const known = kernelEntries.reduce((n, e) => n + Object.keys(KNOWN[e.file] ?? {}).length, 0);
    expect(compared).toBe(kernelEntries.length * 11 - known);
  });

  it('every ring dump the corpus reads has a record with the same indexes', () => {
    for (const e of kernelEntries) {
      const mine = parseKernelLog(text(e)).records.filter(
        (r) => r.kind === 'tx_hang_dump' || r.kind === 'tx_timeout_dump',
      );
      for (const x of (e.records ?? []).filter((r) => r.kind === 'tx_hang_dump' || r.kind === 'tx_timeout_dump')) {
        const ring = ringOf(x);
        if (Object.keys(ring).length === 0) continue;
        expect(
          mine.some((m) => Object.entries(ring).every(([k, v]) => m[k as keyof typeof ring] === v)),
          `${e.file} ${JSON.stringify(ring)}`,
        ).toBe(true);
      }
    }
  });

  it('a driver stall check that re-kicked the ring: device, queue, tail, head and what was outstanding, in order', () => {
    let compared = 0;
    for (const e of kernelEntries) {
      const mine = parseKernelLog(text(e)).records.filter((r) => r.kind === 'tx_stall_kick');
      const want = (e.records ?? []).filter((r) => r.kind === 'tx_stall_kick');
      expect(mine.length, e.file).toBe(want.length);
      want.forEach((w, k) => {
        const m = mine[k]!;
        expect([m.dev, m.driver, m.queue, m.tail, m.head], `${e.file} #${k}`).toEqual([
          w['dev'],
          w['driver'],
          w['queue'],
          w['tail'],
          w['head'],
        ]);
        expect(m.outstanding).toBe((w['head'] as number) - (w['tail'] as number));
        expect(Number(m.tsBootNs) / 1e9).toBeCloseTo(w['tsSec'] as number, 6);
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('watchdog queue, timed-out ms and CPU match in order', () => {
    for (const e of kernelEntries) {
      if (KNOWN[e.file]?.watchdog) continue;
      const mine = parseKernelLog(text(e)).records.filter((r) => r.kind === 'watchdog_timeout');
      const want = (e.records ?? []).filter((r) => r.kind === 'watchdog_timeout');
      want.forEach((w, k) => {
        const m = mine[k]!;
        for (const f of ['queue', 'timedOutMs', 'cpu'] as const)
          if (typeof w[f] === 'number') expect(m[f], `${e.file} #${k} ${f}`).toBe(w[f]);
      });
    }
  });
});
