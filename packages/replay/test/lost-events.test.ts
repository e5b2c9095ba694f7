/**
 * Lost events are unknown windows with their real width, not points (fixtures/captured/lossy-perf: one real queue
 * stop of 198.047 ms recorded at once by perf -m 1, an 8 kB ftrace buffer and a 1-page bpftrace, next to a
 * lossless tracefs instance that gives the truth). Each tracer's loss markers become windows from the previous
 * event of the CPU that lost them to its next one; the stop the lossy traces kept keeps its real length, and no
 * stop is invented from the time the loss hides.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEvents } from '@txreplay/ingest';
import { replayTable } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = path.join(repoRoot, 'fixtures/captured/lossy-perf');
/** the lossless recorder's one DRV_XOFF stop, 1856.656289 → 1856.854336 s (README "real longest DRV_XOFF stop") */
const TRUE_STOP_MS = 198.047;

async function replay(file: string) {
  const { table, summary } = await loadEvents([path.join(dir, file)]);
  return { r: replayTable(table), summary };
}

describe('lost events: unknown windows with their real width', () => {
  it('perf --show-lost-events: every PERF_RECORD_LOST line is a counted loss with a window, none skipped', async () => {
    const { r, summary } = await replay('perf-script.txt.gz');
    expect(summary.skipped).toBe(0);
    expect(r.trace.lostEvents).toBe(4929);
    const gaps = r.findings.filter((f) => f.kind === 'trace_gap');
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.every((g) => g.endNs > g.startNs)).toBe(true);
    expect(r.coverage.unknownNs).toBeGreaterThan(0);
  });

  it('ftrace CPU:N [LOST M EVENTS]: windows on that CPU with width, the overrun count matches', async () => {
    const { r } = await replay('ftrace-lossy.txt.gz');
    expect(r.trace.lostEvents).toBe(2628);
    const gaps = r.findings.filter((f) => f.kind === 'trace_gap');
    expect(gaps.every((g) => g.endNs > g.startNs)).toBe(true);
    expect(r.coverage.unknownNs).toBeGreaterThan(0);
  });

  for (const file of ['perf-script.txt.gz', 'ftrace-lossy.txt.gz']) {
    it(`${file}: the one real stop keeps its true length (${TRUE_STOP_MS} ms), no other stop is claimed`, async () => {
      const { r } = await replay(file);
      const q = r.queues.find((x) => x.dev === 'txr-cap-s0' && x.queue === 0)!;
      const stops = q.stoppedIntervals.filter((i) => i.state !== 'UNKNOWN');
      expect(stops).toHaveLength(1);
      const ms = Number(stops[0]!.endNs - stops[0]!.startNs) / 1e6;
      expect(Math.abs(ms - TRUE_STOP_MS)).toBeLessThan(0.1);
      for (const f of r.findings.filter((x) => x.kind !== 'trace_gap' && x.kind !== 'qdisc_drops_enobufs')) {
        expect(Number(f.endNs - f.startNs) / 1e6).toBeLessThan(TRUE_STOP_MS + 0.1);
      }
    });
  }

  it('bpftrace that lost 99.5 %: the unknown time is reported and no stop or stall is claimed', async () => {
    const { r } = await replay('bpftrace.txt');
    expect(r.trace.lostEvents).toBe(18299);
    expect(r.coverage.unknownNs).toBeGreaterThan(50e6);
    expect(r.findings.filter((f) => f.severity === 'critical')).toEqual([]);
    expect(
      r.findings.some((f) => ['lost_wakeup', 'lost_interrupt', 'stuck_dma', 'napi_starvation'].includes(f.kind)),
    ).toBe(false);
  });
});

describe('no finding rests on lost time', () => {
  it('a lost wake-up whose window the tracer mostly lost is only "unconfirmed" (info), and says how much is unknown', async () => {
    const { existsSync, mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const shared = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
    const src = path.join(shared, 'multiqueue', 'ftrace.txt');
    expect(existsSync(src)).toBe(true);
    const whole = replayTable((await loadEvents([src])).table);
    const lw = whole.findings.find((f) => f.kind === 'lost_wakeup' && f.queue === 1)!;
    expect(lw.severity).toBe('critical');
    // cut 80 % out of the middle of its window, as an overrun ftrace ring buffer would, with the markers ftrace
    // prints for it (CPU:N [LOST M EVENTS] before the next event of each CPU)
    const s = Number(lw.startNs) / 1e9;
    const w = Number(lw.endNs - lw.startNs) / 1e9;
    const [from, to] = [s + 0.1 * w, s + 0.9 * w];
    const out: string[] = [];
    let marked = false;
    for (const line of readFileSync(src, 'utf8').split('\n')) {
      const m = /\s(\d+\.\d{6}):/.exec(line);
      const t = m ? Number(m[1]) : Number.NaN;
      if (t > from && t < to) continue;
      if (t >= to && !marked) {
        out.push('CPU:0 [LOST 250000 EVENTS]', 'CPU:1 [LOST 250000 EVENTS]');
        marked = true;
      }
      out.push(line);
    }
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-lostwin-')), 'ftrace-cut.txt');
    writeFileSync(file, out.join('\n'));
    const r = replayTable((await loadEvents([file])).table);
    expect(r.coverage.unknownNs).toBeGreaterThan(0.7 * w * 1e9);
    const again = r.findings.filter((f) => f.kind === 'lost_wakeup' && f.queue === 1);
    expect(again.length).toBeGreaterThan(0);
    for (const f of again) {
      expect(f.severity).toBe('info');
      expect(f.title).toMatch(/^unconfirmed \(mostly lost time\)/);
      expect(f.explanation).toMatch(/fall inside windows where the tracer lost events/);
    }
  });
});
