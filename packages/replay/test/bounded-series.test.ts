/**
 * The bounded per-queue stores (observe/series-store.ts, observe/stamp-counts.ts) on the real series of the shared
 * captures, squeezed into a few buckets: every point they keep is one the queue really had, the lowest and highest
 * backlog and in-flight bytes survive, the last point is exact, the enqueue count qdisc_stuck_backlog reads equals the
 * count over the whole series, and the drop counts add up to every drop.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { replayTable, toJson } from '@txreplay/replay';
import { SeriesScratch, SeriesStore } from '../src/observe/series-store.js';
import { StampCounts } from '../src/observe/stamp-counts.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

/** the count over the whole series that the bounded store keeps as it goes: backlog rises at or after fromRel */
function risesOver(ts: number[], backlog: number[], fromRel: number): number {
  let k = ts.findIndex((t) => t >= fromRel);
  if (k < 0) return 0;
  let prev = k > 0 ? backlog[k - 1]! : backlog[0]!;
  let n = 0;
  for (; k < ts.length; k++) {
    if (backlog[k]! > prev) n += backlog[k]! - prev;
    prev = backlog[k]!;
  }
  return n;
}

describe('bounded series and drop stamps', () => {
  for (const capture of ['multiqueue', 'veth-peer-down', 'veth-stall-napi-starved']) {
    it(`${capture}: 16 buckets keep real points, the extremes, the last point and the exact counts`, async () => {
      const { table } = await loadEvents([path.join(traces, capture, 'perf-script.txt')]);
      const r = replayTable(table);
      // without series (maxSeriesPoints 0: the queues keep no points) everything else is the same
      const { series: _s, ...rest } = JSON.parse(toJson(r)) as { series: unknown };
      const { series: none, ...restNone } = JSON.parse(toJson(replayTable(table, { maxSeriesPoints: 0 }))) as {
        series: unknown[];
      };
      expect(none).toEqual([]);
      expect(restNone).toEqual(rest);
      const first = r.trace.firstNs;
      const big = r.series.filter((s) => s.tsNs.length > 100);
      expect(big.length).toBeGreaterThan(0);
      for (const s of big) {
        const ts = s.tsNs.map((t) => Number(t - first));
        const bl = s.backlogPackets;
        const inf = s.inflightBytes;
        // the state observation at a point two thirds in: points before it are pushed under an earlier one
        const cut = Math.floor((ts.length * 2) / 3);
        const store = new SeriesStore(16);
        for (let k = 0; k < ts.length; k++) store.push(ts[k]!, bl[k]!, inf[k]!, k < cut ? ts[0]! : ts[cut]!);
        const v = store.view();
        expect(v.exact).toBe(false);
        expect(v.ts.length).toBeLessThanOrEqual(16 * 5 + 1);
        const real = new Map(ts.map((t, k) => [t, `${bl[k]} ${inf[k]}`]));
        for (let k = 0; k < v.ts.length; k++) {
          expect(real.get(v.ts[k]!)).toBe(`${v.backlog[k]} ${v.inflight[k]}`);
          if (k > 0) expect(v.ts[k]!).toBeGreaterThan(v.ts[k - 1]!);
        }
        expect(Math.max(...v.backlog)).toBe(Math.max(...bl));
        expect(Math.min(...v.backlog)).toBe(Math.min(...bl));
        expect(Math.max(...v.inflight)).toBe(Math.max(...inf));
        expect(Math.min(...v.inflight)).toBe(Math.min(...inf));
        expect(v.ts[v.ts.length - 1]).toBe(ts[ts.length - 1]);
        expect(store.risesFrom(ts[cut]!)).toBe(risesOver(ts, bl, ts[cut]!));
        // a state observation after the last point: only points at its time count (none here)
        expect(store.risesFrom(ts[ts.length - 1]! + 1)).toBe(0);
        // a store that keeps no points (a replay that draws no series) counts the same
        const bare = new SeriesStore(16, false);
        for (let k = 0; k < ts.length; k++) bare.push(ts[k]!, bl[k]!, inf[k]!, k < cut ? ts[0]! : ts[cut]!);
        expect(bare.risesFrom(ts[cut]!)).toBe(risesOver(ts, bl, ts[cut]!));
        expect(bare.view().ts.length).toBe(1);
        // a view written into arrays another (longer, bucketed) view filled before gives the same points
        const scratch = new SeriesScratch();
        const whole = new SeriesStore();
        for (let k = 0; k < ts.length; k++) whole.push(ts[k]!, bl[k]!, inf[k]!, ts[0]!);
        const exact = whole.view();
        store.view(scratch);
        const again = whole.view(scratch);
        expect(again.exact).toBe(true);
        expect([...again.ts]).toEqual([...exact.ts]);
        expect([...again.backlog]).toEqual([...exact.backlog]);
        expect([...again.inflight]).toEqual([...exact.inflight]);
        expect([...store.view(scratch).ts]).toEqual([...v.ts]);
      }
      for (const s of r.series.filter((x) => (x.qdiscDropTsNs?.length ?? 0) > 40)) {
        const drops = s.qdiscDropTsNs!.map((t) => Number(t - first));
        const mid = drops[Math.floor(drops.length / 2)]!;
        const store = new StampCounts(8);
        for (const t of drops) store.push(t, t < mid ? drops[0]! : mid);
        const v = store.view();
        expect(v.exact).toBe(false);
        expect(v.ts.length).toBeLessThanOrEqual(8);
        expect(v.counts.reduce((a, b) => a + b, 0)).toBe(drops.length);
        expect(v.ts[0]).toBe(drops[0]);
        expect(store.countFrom(mid)).toBe(drops.filter((t) => t >= mid).length);
      }
    });
  }
});
