/**
 * The row builder's columns lie in one zeroed block (src/table/rows.ts blockArena), and a batch leaves the validity
 * bytes of a column no row set as they are (they are zero already): the arrays must not overlap, and a column unset
 * in one batch, set in the next or set only by a discarded row must come out with exactly the rows that had it.
 */
import { describe, expect, it } from 'vitest';
import { NON_NULL_COLUMNS, TYPED_COLUMNS, type TypedColumn } from '../src/table/catalogue.js';
import { RowColumns } from '../src/table/rows.js';

/** The set rows of a batch's column c (its validity bitmap; null: every row). */
function setRows(bitmap: Uint8Array | null, n: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < n; r++) if (bitmap === null || (bitmap[r >> 3]! >> (r & 7)) & 1) rows.push(r);
  return rows;
}

describe('row builder columns in one block', () => {
  it('every column array has bytes of its own: all filled, each reads back its own pattern', () => {
    const cols = new RowColumns(24);
    const arrays = TYPED_COLUMNS.map(
      (c) => new Uint8Array(cols.values[c].buffer, cols.values[c].byteOffset, cols.values[c].byteLength),
    );
    const valid = Object.values(cols.valid) as Uint8Array[];
    [...arrays, ...valid].forEach((a, i) => a.fill(i + 1));
    [...arrays, ...valid].forEach((a, i) => expect(a.every((b) => b === i + 1)).toBe(true));
    expect(new Set(TYPED_COLUMNS.map((c) => cols.values[c].buffer)).size).toBe(1);
  });

  it('a column set, then unset for a batch, then set again: the set rows of each batch and no others', () => {
    const cols = new RowColumns(16);
    const col: TypedColumn = 'ifindex';
    const c = TYPED_COLUMNS.indexOf(col);
    const idx = (name: string): number => Object.keys(cols.valid).indexOf(name);
    const batch = (n: number, setAt: (r: number) => boolean): number[] => {
      for (let r = 0; r < n; r++) {
        cols.begin();
        if (setAt(r)) {
          cols.values.ifindex[r] = 100 + r;
          cols.valid.ifindex[r] = 1;
        }
        cols.commit();
      }
      const b = cols.takeBuffers();
      expect(b.n).toBe(n);
      return setRows(b.bitmaps[idx(col)]!, n);
    };
    expect(c).toBeGreaterThanOrEqual(0);
    expect(NON_NULL_COLUMNS).not.toContain(col);
    expect(batch(16, () => true)).toEqual([...Array(16).keys()]);
    expect(batch(13, () => false)).toEqual([]);
    expect(batch(16, (r) => r % 5 === 2)).toEqual([2, 7, 12]);
    expect(batch(9, () => false)).toEqual([]);
    expect(batch(11, (r) => r === 10)).toEqual([10]);
  });

  it('a row discarded after it set a column no kept row sets: the next batch does not have it', () => {
    // 8 kept rows: packBits zeroes the validity past row n only up to a multiple of 8, so row 8 is left to take()
    const cols = new RowColumns(16);
    const idx = Object.keys(cols.valid).indexOf('napi');
    for (let r = 0; r < 8; r++) {
      cols.begin();
      cols.commit();
    }
    // row 8 sets napi, then is dropped (a parse error): the batch ends with it pending
    cols.begin();
    cols.valid.napi[8] = 1;
    cols.discard();
    const first = cols.takeBuffers();
    expect(first.n).toBe(8);
    expect(setRows(first.bitmaps[idx]!, 8)).toEqual([]);
    for (let r = 0; r < 12; r++) {
      cols.begin();
      cols.commit();
    }
    const second = cols.takeBuffers();
    expect(second.n).toBe(12);
    expect(setRows(second.bitmaps[idx]!, 12)).toEqual([]);
  });
});
