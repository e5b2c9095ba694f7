/**
 * What the read-ahead of an .arrow file's sequential walk reads (arrow-file.ts readAhead, read-ahead.ts): the file
 * is read unit by unit — a whole record batch, or runs of `maxUnitRows` rows of a longer one — and the regions of a
 * unit's columns (validity bitmap, values) that lie close together in the file are fetched with one positioned
 * read. An IPC record batch lays its columns' buffers out one after the other (Arrow columnar format, "IPC
 * File Format": the body), so the ~20 columns replay reads of one batch take 3 reads (the runs between the columns
 * it skips) instead of two per column per 8192-row range: ~600 reads for a 5 M-event file instead of ~29 000.
 * A read costs ~5 µs before its first byte on the machines measured (a paravirtualised guest, where every syscall
 * exits), as much as copying ~20 KB: the per-column reads were a third of the read-ahead thread's CPU.
 */

/** One column's regions for a unit's rows (bitmap absent: the column has no nulls there). */
export interface UnitRegions {
  hasValidity: boolean;
  bmPos: number;
  bmLen: number;
  vPos: number;
  vLen: number;
}

/** Regions closer than this are read together (the gap is read and ignored: cheaper than another read). */
const MERGE_GAP = 32 * 1024;

/**
 * The plan, in shared memory for the read-ahead thread. Unit u's data lands in its slot ((u % slots) × slotBytes):
 * reads `readIdx[u] … readIdx[u+1]` as (file position, length, offset in the slot) triples in `reads`; column j's
 * bitmap and values then lie at `at[2(u·cols + j)]` (-1: none, all valid) and `at[2(u·cols + j) + 1]` (-1: not
 * planned, chunk() reads it or reports why not) of the slot; `rows[u]` rows.
 */
export interface ReadPlan {
  units: number;
  cols: number;
  /** unit of each batch's first rows; a batch's units hold `unitRows[b]` rows each (its last one fewer) */
  unitBase: number[];
  unitRows: number[];
  rows: Int32Array;
  readIdx: Int32Array;
  reads: Float64Array;
  at: Float64Array;
  /** bytes a unit's slot needs (the largest unit) */
  slotBytes: number;
}

interface Piece {
  pos: number;
  len: number;
  /** index into `at` that receives this piece's offset in the slot */
  atIndex: number;
}

/**
 * Plan the units of batches of `lengths` rows. `maxUnitRows`: a longer batch is read in runs of that many rows
 * (rounded down to a multiple of `step`, the pass's row range, so that a range never straddles two units).
 * `regionsOf(b, j, from, to)`: column j's regions for rows [from, to) of batch b, or null (not read ahead).
 */
export function planReads(
  lengths: readonly number[],
  step: number,
  maxUnitRows: number,
  cols: number,
  regionsOf: (b: number, j: number, from: number, to: number) => UnitRegions | null,
): ReadPlan {
  const unitBase: number[] = [];
  const unitRows: number[] = [];
  const rows: number[] = [];
  const readIdx: number[] = [0];
  const reads: number[] = [];
  const at: number[] = [];
  let slotBytes = 0;
  const runRows = Math.max(step, Math.floor(maxUnitRows / step) * step);
  for (let b = 0; b < lengths.length; b++) {
    const len = lengths[b]!;
    const span = len <= runRows ? Math.max(len, 1) : runRows;
    unitBase.push(rows.length);
    unitRows.push(span);
    for (let from = 0; from < len; from += span) {
      const to = Math.min(len, from + span);
      const u = rows.length;
      rows.push(to - from);
      const pieces: Piece[] = [];
      for (let j = 0; j < cols; j++) {
        at.push(-1, -1);
        const g = regionsOf(b, j, from, to);
        if (!g) continue;
        if (g.hasValidity && g.bmLen > 0) pieces.push({ pos: g.bmPos, len: g.bmLen, atIndex: 2 * (u * cols + j) });
        pieces.push({ pos: g.vPos, len: g.vLen, atIndex: 2 * (u * cols + j) + 1 });
      }
      // slots follow each other in one buffer: a multiple of 8 keeps every slot's offsets aligned as in the file
      slotBytes = Math.max(slotBytes, (placePieces(pieces, reads, at) + 7) & ~7);
      readIdx.push(reads.length / 3);
    }
  }
  unitBase.push(rows.length);
  const i32 = (xs: number[]): Int32Array => {
    const a = new Int32Array(new SharedArrayBuffer(Math.max(1, xs.length) * 4));
    a.set(xs);
    return a;
  };
  const f64 = (xs: number[]): Float64Array => {
    const a = new Float64Array(new SharedArrayBuffer(Math.max(1, xs.length) * 8));
    a.set(xs);
    return a;
  };
  return {
    units: rows.length,
    cols,
    unitBase,
    unitRows,
    rows: i32(rows),
    readIdx: i32(readIdx),
    reads: f64(reads),
    at: f64(at),
    slotBytes,
  };
}

/**
 * One unit's pieces in file order, merged into reads where they follow within MERGE_GAP of each other, placed in the
 * slot so that every offset keeps its file position's alignment modulo 8 (Arrow aligns buffers to 8 bytes: the
 * typed-array views of the values need it). Returns the slot bytes used.
 */
function placePieces(pieces: Piece[], reads: number[], at: number[]): number {
  pieces.sort((x, y) => x.pos - y.pos);
  let end = 0;
  for (let k = 0; k < pieces.length; ) {
    const start = pieces[k]!.pos;
    let stop = start + pieces[k]!.len;
    let m = k + 1;
    // a piece overlapping the read (a damaged file's buffers) gets bytes of its own: times and pointers are converted
    // in place
    while (m < pieces.length && pieces[m]!.pos >= stop && pieces[m]!.pos - stop <= MERGE_GAP) {
      stop = pieces[m]!.pos + pieces[m]!.len;
      m++;
    }
    const dst = ((end + 7) & ~7) + (start & 7);
    reads.push(start, stop - start, dst);
    for (let p = k; p < m; p++) at[pieces[p]!.atIndex] = dst + (pieces[p]!.pos - start);
    end = dst + (stop - start);
    k = m;
  }
  return end;
}
