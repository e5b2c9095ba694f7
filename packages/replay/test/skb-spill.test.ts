/**
 * Idle live skbs on disk (observe/skb-spill.ts): the file gives back exactly the records written, once each, through
 * its doublings; and a streamed pass that keeps only a few live skbs in memory (the rest written out idle and read
 * back when their address comes again) gives the result of the in-memory path on real captures.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArrowFile, diagnoseFiles, toJson } from '@txreplay/replay';
import { streamEvents } from '@txreplay/ingest';
import { SpillFile } from '../src/input/spill.js';
import { StreamPass } from '../src/stream-pass.js';
import { replayObserved, replaySource } from '../src/replay.js';
import { EvictedSkbs } from '../src/observe/skb-spill.js';
import { LC_STRIDE } from '../src/observe/skb-index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

/** A record for key `k`: the key, then fields that depend on it (so a record read back can be checked whole). */
function fill(lc: Float64Array, slot: number, k: number): void {
  lc[slot * LC_STRIDE] = k;
  for (let f = 1; f < LC_STRIDE; f++) lc[slot * LC_STRIDE + f] = k * 7 + f * 0.5;
}

describe('idle skbs on disk', () => {
  it('gives back each record written, whole and once, through three doublings', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-skb-spill-'));
    try {
      const file = path.join(dir, 'x.skbs');
      const ev = new EvictedSkbs(file, 4);
      // kernel-like addresses 256 B apart (0xffff888100000000 + …: not exact in a double, as the columns hold them)
      const key = (i: number): number => 0xffff888100000000 + i * 4096;
      const total = 60_000; // 256 pages × 64 × 3/4 = 12,288 at first: doubles at 12 K, 24 K, 49 K
      const lc = new Float64Array(1000 * LC_STRIDE);
      const slots = new Int32Array(1000);
      for (let from = 0; from < total; from += 1000) {
        for (let j = 0; j < 1000; j++) {
          fill(lc, j, key(from + j));
          slots[j] = j;
        }
        ev.putMany(lc, slots, 1000);
      }
      expect(ev.size).toBe(total);
      const back = new Float64Array(LC_STRIDE);
      // a third back, in another order than written
      for (let i = total - 1; i >= 0; i -= 3) {
        expect(ev.take(key(i), back, 0)).toBe(true);
        const want = new Float64Array(LC_STRIDE);
        fill(want, 0, key(i));
        expect([...back]).toEqual([...want]);
        expect(ev.take(key(i), back, 0)).toBe(false);
      }
      expect(ev.size).toBe(total - Math.ceil(total / 3));
      // addresses never written are not found
      for (let i = 0; i < 5000; i++) expect(ev.take(key(total + 10 + i), back, 0)).toBe(false);
      // the rest, each once
      for (let i = 0; i < total; i++) if ((total - 1 - i) % 3 !== 0) expect(ev.take(key(i), back, 0)).toBe(true);
      expect(ev.size).toBe(0);
      expect(ev.takenBack).toBe(total);
      ev.close();
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** The written file of `rel` replayed with its live skbs bounded at `liveSkbs`: JSON, skbs written, taken back. */
  async function boundedJson(rel: string, liveSkbs: number, streamed: boolean): Promise<[string, number, number]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-skb-bound-'));
    try {
      const spill = new SpillFile(path.join(dir, 'lists.spill'), 8, liveSkbs);
      const out = path.join(dir, 'events.arrow');
      let json: string;
      if (streamed) {
        const pass = new StreamPass({ spill });
        await streamEvents([path.join(traces, rel)], out, (b) => pass.push(b), { batchRows: 512 });
        const obs = pass.finish(openArrowFile(out)!);
        expect(obs).not.toBeNull();
        json = toJson(replayObserved(obs!, pass.src.metadata), { series: true });
        pass.src.close();
      } else {
        await streamEvents([path.join(traces, rel)], out, () => {}, { batchRows: 512 });
        const src = openArrowFile(out)!;
        json = toJson(
          replaySource(
            src,
            src.metadata,
            () => {
              throw new Error('rows out of order');
            },
            {},
            spill,
          ),
          { series: true },
        );
        src.close();
      }
      const ev = spill.attached.find((x): x is EvictedSkbs => x instanceof EvictedSkbs)!;
      const counts: [number, number] = [ev.written, ev.takenBack];
      spill.close();
      expect(existsSync(path.join(dir, 'lists.spill.skbs'))).toBe(false);
      return [json, ...counts];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.each([
    ['multiqueue/perf-script.txt', true],
    ['veth-peer-down/perf-script.txt', true],
    ['veth-backpressure/perf-script.txt.gz', false],
    ['veth-stall-tbf/ftrace.txt', false],
    ['veth-stall-napi-starved/perf-script.txt', false],
  ])('%s (streamed: %s): 4 live skbs in memory, the rest on disk, the same result', async (rel, streamed) => {
    const [json, written, takenBack] = await boundedJson(rel, 4, streamed);
    // idle skbs went out and came back when their address did
    expect(written).toBeGreaterThan(0);
    expect(takenBack).toBeGreaterThan(0);
    const whole = await diagnoseFiles([path.join(traces, rel)], { streamMinBytes: Number.POSITIVE_INFINITY });
    expect(json).toBe(toJson(whole, { series: true }));
  });
});
