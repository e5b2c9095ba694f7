/**
 * The reorder window (slot-window.ts) takes its entries in (ts, line, arrival) order whatever the arrival order:
 * in order (appended), a little out of order (placed from the end), and so far out of order that it turns into a
 * binary heap (more than 4,096 entries to move) — the same order as a plain sorted insertion, taken as the stream
 * goes (the smallest out whenever more than `window` are held), then to the end.
 */
import { expect, it } from 'vitest';
import { SlotWindow } from '../src/slot-window.js';

interface Entry {
  ts: number;
  line: number;
  seq: number;
}

const before = (a: Entry, b: Entry): boolean =>
  a.ts - b.ts < 0 || (a.ts === b.ts && (a.line < b.line || (a.line === b.line && a.seq < b.seq)));

/** The order a window of `window` entries gives `entries`: a sorted array, insertion by binary search. */
function reference(entries: Entry[], window: number): number[] {
  const held: Entry[] = [];
  const out: number[] = [];
  for (const e of entries) {
    let lo = 0;
    let hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(held[mid]!, e)) lo = mid + 1;
      else hi = mid;
    }
    held.splice(lo, 0, e);
    if (held.length > window) out.push(held.shift()!.seq);
  }
  return out.concat(held.map((e) => e.seq));
}

function taken(entries: Entry[], window: number): number[] {
  const w = new SlotWindow();
  const out: number[] = [];
  for (const e of entries) {
    w.push(e.seq, e.ts, e.line, e.seq);
    if (w.size > window) out.push(w.pop());
  }
  while (w.size > 0) out.push(w.pop());
  return out;
}

/** `n` entries in time order with equal times (line breaks them), then `displaced` of them moved back by `by`. */
function stream(n: number, every: number, by: number): Entry[] {
  const entries = Array.from({ length: n }, (_, i) => ({ ts: Math.floor(i / 3) * 1000, line: i % 5, seq: 0 }));
  for (let i = every; i + by < n; i += every) {
    const [e] = entries.splice(i, 1);
    entries.splice(i + by, 0, e!);
  }
  return entries.map((e, seq) => ({ ...e, seq }));
}

it('in order, a little out of order, and out of order by more than it moves: the sorted order', () => {
  for (const [every, by] of [
    [0, 0],
    [97, 40],
    [3001, 6000],
  ] as const) {
    const entries = every === 0 ? stream(30_000, 30_000, 0) : stream(30_000, every, by);
    expect(taken(entries, 8192)).toEqual(reference(entries, 8192));
  }
});
