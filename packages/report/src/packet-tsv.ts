/**
 * The `packets` table's TSV straight from spilled lifecycle columns (packet-spill.ts), the same text as run-rows.ts's
 * packetRows + tsvRow give for the same lifecycles (test/packet-stream.test.ts compares them) without an object, an
 * array and five BigInts per row: a 1.6 M-packet run spent 10 s of CPU in the generic encoder. Times are exact in
 * doubles while the trace clock stays below 2^53 ns (104 days); past it, or with a negative wall offset, a row's
 * values go through BigInt as before.
 */
import { tsvEscape, tsvRow, type TsvValue, type WallClockFormatter } from './tsv.js';

/** The time column's wall clock: time = ts_ns + offsetNs, formatted as the table's type wants */
export interface PacketWall {
  clock: WallClockFormatter;
  offsetNs: bigint;
}

/** One chunk of spilled lifecycles, as columns (packet-spill.ts Chunk). */
export interface PacketColumns {
  n: number;
  skbHi: Uint32Array;
  skbLo: Uint32Array;
  dev: Uint32Array;
  dropReason: Uint32Array;
  location: Uint32Array;
  source: Uint32Array;
  firstLine: Uint32Array;
  queue: Int32Array;
  xmitRc: Int32Array;
  txBusy: Int32Array;
  len: Float64Array;
  /** relative to baseNs; NaN: not seen (written as -1) */
  queuedRel: Float64Array;
  startXmitRel: Float64Array;
  xmitRel: Float64Array;
  freedRel: Float64Array;
  /** index into FATES */
  fate: Uint8Array;
}

/** PacketLifecycle['fate'] by its spilled index */
export const FATES = ['consumed', 'dropped', 'in_flight', 'unknown'] as const;

const NS_PER_S = 1e9;

/** Rows of the chunk as TSV, in Buffers of about 1 MB. */
export class PacketTsv {
  private readonly prefix: string;
  private readonly escaped: string[] = [];
  private readonly baseNum: number;
  /** base + wall offset as whole seconds and nanoseconds, or null: use BigInt */
  private readonly wallBase: { sec: number; frac: number } | null;

  constructor(
    k: TsvValue[],
    private readonly wall: PacketWall,
    private readonly baseNs: bigint,
    private readonly strings: readonly string[],
  ) {
    this.prefix = k.length > 0 ? tsvRow(k).slice(0, -1) + '\t' : '';
    const exact = BigInt(Number(baseNs)) === baseNs;
    this.baseNum = exact ? Number(baseNs) : Number.NaN;
    const b = baseNs + wall.offsetNs;
    this.wallBase = exact && b >= 0n ? { sec: Number(b / 1_000_000_000n), frac: Number(b % 1_000_000_000n) } : null;
  }

  private str(id: number): string {
    let s = this.escaped[id];
    if (s === undefined) s = this.escaped[id] = tsvEscape(this.strings[id]!);
    return s;
  }

  /** A time column: base + rel in decimal, -1 when not seen. */
  private ns(rel: number): string {
    if (rel !== rel) return '-1';
    const v = this.baseNum + rel;
    return Math.abs(v) <= Number.MAX_SAFE_INTEGER ? String(v) : String(this.baseNs + BigInt(rel));
  }

  private wallOf(rel: number): string {
    const w = this.wallBase;
    if (w === null || Math.abs(rel) > Number.MAX_SAFE_INTEGER)
      return this.wall.clock.format(this.baseNs + BigInt(rel) + this.wall.offsetNs);
    let sec = Math.floor(rel / NS_PER_S);
    let frac = rel - sec * NS_PER_S;
    if (frac < 0) {
      frac += NS_PER_S;
      sec--;
    } else if (frac >= NS_PER_S) {
      frac -= NS_PER_S;
      sec++;
    }
    sec += w.sec;
    frac += w.frac;
    if (frac >= NS_PER_S) {
      frac -= NS_PER_S;
      sec++;
    }
    return this.wall.clock.formatParts(sec, frac);
  }

  *chunks(c: PacketColumns): Generator<Buffer> {
    let parts: string[] = [];
    let size = 0;
    for (let i = 0; i < c.n; i++) {
      const hi = c.skbHi[i]!;
      const lo = c.skbLo[i]!;
      const skb = hi === 0 ? String(lo) : String((BigInt(hi) << 32n) | BigInt(lo));
      const q = c.queuedRel[i]!;
      const line = `${this.prefix}${skb}\t${this.str(c.dev[i]!)}\t${c.queue[i]}\t${c.len[i]}\t${this.ns(q)}\t${this.ns(c.startXmitRel[i]!)}\t${this.ns(c.xmitRel[i]!)}\t${this.ns(c.freedRel[i]!)}\t${this.wallOf(q)}\t${c.xmitRc[i]}\t${c.txBusy[i]}\t${FATES[c.fate[i]!]}\t${this.str(c.dropReason[i]!)}\t${this.str(c.location[i]!)}\t${this.str(c.source[i]!)}\t${c.firstLine[i]}\n`;
      parts.push(line);
      size += line.length;
      if (size >= 1 << 20) {
        yield Buffer.from(parts.join(''));
        parts = [];
        size = 0;
      }
    }
    if (parts.length > 0) yield Buffer.from(parts.join(''));
  }
}
