/**
 * Per-batch readers of the event columns the lifecycle derivation reads (packets.ts CandidateReader), one object per
 * column per batch: its values, offset and validity bitmap read once, then a plain typed-array lookup per row. The
 * closures and the `isValid(d, row)` call per cell they replace loaded the same Data properties for every row of
 * every column (V8's generic property loads: a sixth of the derivation's time, profiled on 1 GB of text).
 */
import type { Data } from 'apache-arrow';

/** The validity bitmap of a column chunk, or null when every value is valid (as encode-events.ts isValid reads it). */
export function validity(d: Data): Uint8Array | null {
  const bm = d.nullBitmap;
  return !bm || bm.length === 0 || d.nullCount === 0 ? null : bm;
}

/** Row `i` (offset included) valid in bitmap `bm` */
export const validAt = (bm: Uint8Array | null, i: number): boolean =>
  bm === null || ((bm[i >> 3]! >> (i & 7)) & 1) === 1;

/** A 32-bit integer column: `absent` for NULL. */
export class IntColumn {
  private readonly v: Int32Array | Uint32Array;
  private readonly off: number;
  private readonly bm: Uint8Array | null;

  constructor(
    d: Data,
    private readonly absent: number,
  ) {
    this.v = d.values as Int32Array | Uint32Array;
    this.off = d.offset;
    this.bm = validity(d);
  }

  at(row: number): number {
    const i = this.off + row;
    return validAt(this.bm, i) ? this.v[i]! : this.absent;
  }
}

/**
 * A dictionary column's strings, decoded on first use per index. Per batch and never cached across batches: a
 * streamed batch's buffers are reused by ingest once its consumer returns (ingest io/stream.ts).
 */
export function dictReader(d: Data): (row: number) => string | null {
  const chunks = (d.dictionary as unknown as { data: Data[] }).data;
  const idx = d.values as Int32Array;
  const bm = validity(d);
  const seen = new Map<number, string | null>();
  return (row) => {
    if (!validAt(bm, d.offset + row)) return null;
    const k = idx[d.offset + row]!;
    if (seen.has(k)) return seen.get(k)!;
    let at = k;
    let v: string | null = null;
    for (const c of chunks) {
      if (at < c.length) {
        if (validAt(validity(c), c.offset + at)) {
          const offs = c.valueOffsets as Int32Array;
          const bytes = c.values as Uint8Array;
          v = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
            'utf8',
            offs[c.offset + at]!,
            offs[c.offset + at + 1]!,
          );
        }
        break;
      }
      at -= c.length;
    }
    seen.set(k, v);
    return v;
  };
}

/**
 * A dictionary column's values as ids from `intern` (0: NULL), each dictionary index decoded and interned once per
 * batch.
 */
export class InternedColumn {
  private readonly idx: Int32Array;
  private readonly off: number;
  private readonly bm: Uint8Array | null;
  private readonly str: (row: number) => string | null;
  /** per dictionary index: its id + 1 (0: not looked up yet in this batch) */
  private readonly ids: Int32Array;

  constructor(
    d: Data,
    private readonly intern: (s: string | null) => number,
  ) {
    this.idx = d.values as Int32Array;
    this.off = d.offset;
    this.bm = validity(d);
    this.str = dictReader(d);
    this.ids = new Int32Array((d.dictionary as unknown as { length: number } | undefined)?.length ?? 0);
  }

  id(row: number): number {
    const i = this.off + row;
    if (!validAt(this.bm, i)) return 0;
    const k = this.idx[i]!;
    const known = this.ids[k];
    if (known !== undefined && known > 0) return known - 1;
    const id = this.intern(this.str(row));
    if (k < this.ids.length) this.ids[k] = id + 1;
    return id;
  }
}
