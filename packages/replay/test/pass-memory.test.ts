/**
 * A finished pass hands its lifecycle pool and skb index table to the next pass in the process (observe/skb-index.ts
 * takePool / givePool): the next pass must not see anything of the last one. The captures are replayed fresh, then
 * again after a pass that left ~thousands of live lifecycles and a full table behind (a different capture, and the
 * same one), and every answer must be the same; a pass running while another holds the spare gets its own memory.
 */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { replayTable, toJson } from '@txreplay/replay';
import { givePool, LC_STRIDE, SkbIndex, takePool } from '../src/observe/skb-index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const captures = ['multiqueue', 'eth0-normal', 'veth-backpressure', 'veth-peer-down', 'veth-stall-napi-starved'];
const perfScript = (c: string): string =>
  path.join(traces, c, existsSync(path.join(traces, c, 'perf-script.txt')) ? 'perf-script.txt' : 'perf-script.txt.gz');

describe('pass memory handed from one pass to the next', () => {
  it('gives every capture the same answer whichever pass ran before it', async () => {
    const tables = await Promise.all(captures.map(async (c) => (await loadEvents([perfScript(c)])).table));
    const first = tables.map((t) => toJson(replayTable(t, { maxSeriesPoints: 500 })));
    // reversed, then each twice in a row: every capture now runs on memory another pass (or itself) left behind
    for (let k = tables.length - 1; k >= 0; k--) {
      expect(toJson(replayTable(tables[k]!, { maxSeriesPoints: 500 }))).toBe(first[k]);
      expect(toJson(replayTable(tables[k]!, { maxSeriesPoints: 500 }))).toBe(first[k]);
    }
  });

  it('hands the spare to one pass at a time, and a table back zeroed', () => {
    const pool = takePool(1024 * LC_STRIDE);
    const index = new SkbIndex(1 << 12, pool);
    for (let s = 0; s < 1000; s++) {
      index.key = 0x1f8881 * 2 ** 32 + s * 256;
      expect(index.getOrAddKey(s)).toBe(-1);
    }
    givePool(pool, index);
    // the same size again: the spare itself (up to 4× the request is taken)
    const again = takePool(512 * LC_STRIDE);
    expect(again).toBe(pool);
    // while it is taken, another pass gets fresh memory
    const other = takePool(1024 * LC_STRIDE);
    expect(other).not.toBe(pool);
    // the table comes back empty: none of the 1000 keys is found, each can be added again
    const next = new SkbIndex(1 << 12, again);
    for (let s = 0; s < 1000; s++) {
      next.key = 0x1f8881 * 2 ** 32 + s * 256;
      expect(next.getKey()).toBe(-1);
    }
    next.key = 0x1f8881 * 2 ** 32;
    expect(next.getOrAddKey(7)).toBe(-1);
    expect(next.size).toBe(1);
    // too small a spare is not used
    givePool(again, next);
    expect(takePool(8192 * LC_STRIDE)).not.toBe(again);
  });
});
