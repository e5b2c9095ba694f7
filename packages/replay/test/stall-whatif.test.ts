/**
 * The kernel's BQL stall detector replayed (6.9+, dql_check_stall, §A.5): "what would stall_thrs = N ms have
 * caught on this trace". The real eth0-normal capture (igb-like BQL queue, HZ 250) is healthy: no threshold fires.
 * The same capture with the TX completions of a 300 ms window held back to its end (what a late completion
 * interrupt does) is caught by every threshold below the stall it makes and by none above it — computed by the
 * model's Dql, which matches the kernel's own lib/dynamic_queue_limits.c on the golden vectors, detector included.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEvents } from '@txreplay/ingest';
import { replayTable, stallThrsJiffies } from '@txreplay/replay';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared');
const trace = path.join(shared, 'traces/eth0-normal/perf-script.txt');
const THRS = [16, 100, 200, 320, 500];

/** the real trace with every consume_skb in [T, T + 300 ms) moved to T + 300 ms (T: the middle event's time) */
function delayedCompletions(): string {
  const lines = readFileSync(trace, 'utf8').split('\n');
  const re = /^(.*?\[\d+\]\s+)(\d+\.\d+)(:.*)$/;
  const ts = lines.flatMap((l) => {
    const m = re.exec(l);
    return m ? [Number(m[2])] : [];
  });
  const t0 = ts[Math.floor(ts.length / 2)]!;
  const out = lines.map((l) => {
    const m = re.exec(l);
    if (!m || !l.includes('skb:consume_skb')) return l;
    const t = Number(m[2]);
    return t >= t0 && t < t0 + 0.3 ? `${m[1]}${(t0 + 0.3).toFixed(6)}${m[3]}` : l;
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-stall-')), 'eth0-delayed.perf-script.txt');
  writeFileSync(file, out.join('\n'));
  return file;
}

describe('BQL stall detector what-if (stall_thrs sweep)', () => {
  it('the real healthy capture: no threshold would have fired', async () => {
    const { table } = await loadEvents([trace]);
    const r = replayTable(table, { stallThrsMs: THRS });
    const eth0 = r.stallWhatIf!.filter((w) => w.dev === 'eth0');
    expect(eth0.map((w) => w.thrsMs)).toEqual(THRS);
    expect(eth0.map((w) => w.thrsJiffies)).toEqual([4, 25, 50, 80, 125]);
    for (const w of eth0) expect([w.stallCnt, w.stallMaxJiffies, w.firstStallNs]).toEqual([0, 0, null]);
  });

  it('completions held back 300 ms: caught below the stall length, missed above it', async () => {
    const { table } = await loadEvents([delayedCompletions()]);
    const r = replayTable(table, { stallThrsMs: THRS });
    const eth0 = r.stallWhatIf!.filter((w) => w.dev === 'eth0');
    const caught = eth0.filter((w) => w.stallCnt > 0);
    expect(caught.length).toBeGreaterThan(0);
    const stallMs = caught[0]!.stallMaxMs;
    expect(stallMs).toBeGreaterThanOrEqual(300);
    for (const w of eth0) {
      // dql_check_stall reports a stall once it is older than stall_thrs: thresholds under the stall catch it
      expect(w.stallCnt > 0, `${w.thrsMs} ms`).toBe(w.thrsJiffies <= caught[0]!.stallMaxJiffies);
      if (w.stallCnt > 0) expect(w.stallMaxMs).toBe(stallMs);
    }
    expect(eth0.find((w) => w.thrsMs === 500)!.stallCnt).toBe(0);
  });

  it('thresholds are checked as the sysfs write checks them (4..128 jiffies after msecs_to_jiffies)', () => {
    expect(stallThrsJiffies(16, 250)).toBe(4);
    expect(stallThrsJiffies(13, 250)).toBe(4); // msecs_to_jiffies rounds up
    expect(() => stallThrsJiffies(12, 250)).toThrow(/4\.\.128 jiffies/);
    expect(() => stallThrsJiffies(600, 250)).toThrow(/16\.\.512 ms/);
    expect(stallThrsJiffies(128, 1000)).toBe(128);
  });
});
