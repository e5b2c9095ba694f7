/**
 * The `packets` table as ClickHouse Native blocks straight from spilled lifecycle columns (packet-spill.ts): typed
 * arrays in, typed arrays out, one block per spill chunk, no string per row. The same rows as PacketTsv's text (the
 * stream-report tests compare every column with the whole-table path on both placements); the TSV cost ~4 µs per
 * lifecycle in decimal and date formatting, a third of a streamed report's main-thread time.
 * Columns are the table's plain types (newer servers convert String to LowCardinality on insert; 18.16 has none).
 */
import type { ServerCaps } from './caps.js';
import { RUN_CONSTANT_COLUMNS, tableStructure } from './ddl.js';
import { chStringBytes, varUIntBytes } from './encode-events.js';
import { FATES, type PacketColumns } from './packet-tsv.js';

const TWO32 = 4294967296;

/** One column of a block: its byte size for `n` rows and the writer of its bytes at `p`. */
interface ColumnPlan {
  size: (c: PacketColumns) => number;
  write: (c: PacketColumns, out: Buffer, p: number) => void;
}

/** Int64 halves of base + rel (two's complement; NaN: not seen, -1) into `u32` at row `i`. */
function putNs(u32: Uint32Array, i: number, baseNum: number, rel: number): void {
  const v = rel === rel ? baseNum + rel : -1;
  const hi = Math.floor(v / TWO32);
  u32[i * 2] = v - hi * TWO32;
  u32[i * 2 + 1] = hi >>> 0;
}

export class PacketNative {
  private readonly header: Buffer[];
  private readonly plans: ColumnPlan[];
  private readonly cells: Buffer[];
  private readonly baseNum: number;
  /** one column's words before they are copied into the block (reused: the copy is immediate) */
  private words = new Uint32Array(0);
  /** the block of the last call, reused by the next when the caller wants that (`reuseBlocks`) */
  private out = Buffer.alloc(0);

  /**
   * `k`: the run's constant columns' values (RUN_CONSTANT_COLUMNS order); `offsetNs` the wall offset (time = queued_ns
   * + offsetNs); `baseNs` the spill's time base; `strings` its interned strings. Times must stay exact in doubles
   * (base below 2^53 ns, 104 days of uptime): `exact()` says so; else the caller keeps the TSV path.
   */
  constructor(
    k: readonly string[],
    private readonly caps: ServerCaps,
    private readonly offsetNs: bigint,
    baseNs: bigint,
    strings: readonly string[],
    /** the caller is done with a block before it asks for the next (a file written synchronously) */
    private readonly reuseBlocks = false,
  ) {
    this.baseNum = Number(baseNs);
    this.cells = strings.map(chStringBytes);
    const fates = FATES.map(chStringBytes);
    const structure = tableStructure('packets', { ...caps, lowCardinality: false, codecs: false })
      .split(/, (?=[a-z_]+ )/)
      .map((s) => [s.slice(0, s.indexOf(' ')), s.slice(s.indexOf(' ') + 1)] as const);
    this.header = structure.map(([name, type]) => Buffer.concat([chStringBytes(name), chStringBytes(type)]));
    const constants = new Map<string, Buffer>(RUN_CONSTANT_COLUMNS.map((c, i) => [c, chStringBytes(k[i] ?? '')]));
    this.plans = structure.map(([name]) => this.plan(name, constants.get(name), fates));
  }

  private scratch(words: number): Uint32Array {
    if (this.words.length < words) this.words = new Uint32Array(words);
    return this.words.subarray(0, words);
  }

  /** True when every time of the spill is exact as a double (see the constructor). */
  static exact(baseNs: bigint): boolean {
    return baseNs >= 0n && baseNs < 2n ** 53n;
  }

  private plan(name: string, constant: Buffer | undefined, fates: Buffer[]): ColumnPlan {
    if (constant)
      return {
        size: (c) => constant.length * c.n,
        write: (c, out, p) => out.fill(constant, p, p + constant.length * c.n),
      };
    const fixed = (bytes: number, fill: (c: PacketColumns, out: Buffer, p: number) => void): ColumnPlan => ({
      size: (c) => bytes * c.n,
      write: fill,
    });
    const strings = (pick: (c: PacketColumns) => Uint32Array | Uint8Array, table: () => Buffer[]): ColumnPlan => ({
      size: (c) => {
        const ids = pick(c);
        const t = table();
        let s = 0;
        for (let i = 0; i < c.n; i++) s += t[ids[i]!]!.length;
        return s;
      },
      write: (c, out, p) => {
        const ids = pick(c);
        const t = table();
        for (let i = 0; i < c.n; i++) {
          const cell = t[ids[i]!]!;
          if (cell.length === 1) out[p++] = cell[0]!;
          else p += cell.copy(out, p);
        }
      },
    });
    const ns = (pick: (c: PacketColumns) => Float64Array): ColumnPlan =>
      fixed(8, (c, out, p) => {
        const u32 = this.scratch(c.n * 2);
        const rel = pick(c);
        for (let i = 0; i < c.n; i++) putNs(u32, i, this.baseNum, rel[i]!);
        out.set(new Uint8Array(u32.buffer, 0, u32.byteLength), p);
      });
    const copy32 = (pick: (c: PacketColumns) => Uint32Array | Int32Array): ColumnPlan =>
      fixed(4, (c, out, p) => {
        const a = pick(c);
        out.set(new Uint8Array(a.buffer, a.byteOffset, c.n * 4), p);
      });
    switch (name) {
      case 'skbaddr':
        return fixed(8, (c, out, p) => {
          const u32 = this.scratch(c.n * 2);
          for (let i = 0; i < c.n; i++) {
            u32[i * 2] = c.skbLo[i]!;
            u32[i * 2 + 1] = c.skbHi[i]!;
          }
          out.set(new Uint8Array(u32.buffer, 0, u32.byteLength), p);
        });
      case 'dev':
        return strings(
          (c) => c.dev,
          () => this.cells,
        );
      case 'drop_reason':
        return strings(
          (c) => c.dropReason,
          () => this.cells,
        );
      case 'location':
        return strings(
          (c) => c.location,
          () => this.cells,
        );
      case 'source':
        return strings(
          (c) => c.source,
          () => this.cells,
        );
      case 'fate':
        return strings(
          (c) => c.fate,
          () => fates,
        );
      case 'queue':
        return copy32((c) => c.queue);
      case 'xmit_rc':
        return copy32((c) => c.xmitRc);
      case 'tx_busy':
        return copy32((c) => c.txBusy);
      case 'first_line':
        return copy32((c) => c.firstLine);
      case 'len':
        return fixed(4, (c, out, p) => {
          const u32 = this.scratch(c.n);
          for (let i = 0; i < c.n; i++) u32[i] = c.len[i]!;
          out.set(new Uint8Array(u32.buffer, 0, u32.byteLength), p);
        });
      case 'queued_ns':
        return ns((c) => c.queuedRel);
      case 'start_xmit_ns':
        return ns((c) => c.startXmitRel);
      case 'xmit_ns':
        return ns((c) => c.xmitRel);
      case 'freed_ns':
        return ns((c) => c.freedRel);
      case 'time':
        return this.timePlan();
    }
    throw new Error(`packets: no Native writer for column ${name}`);
  }

  /**
   * time = queued_ns + offset, clamped at the epoch (WallClockFormatter's text): DateTime64(9) nanoseconds, or
   * DateTime whole seconds (floor) before 20.1.
   */
  private timePlan(): ColumnPlan {
    const off = this.offsetNs;
    const base = BigInt(this.baseNum);
    if (this.caps.dateTime64) {
      // (base + offset) as two halves plus rel (< 2^53) with carry: exact without BigInt per row
      const b = BigInt.asUintN(64, base + off);
      const bHi = Number(b >> 32n);
      const bLo = Number(b & 0xffffffffn);
      return {
        size: (c) => 8 * c.n,
        write: (c, out, p) => {
          const u32 = this.scratch(c.n * 2);
          for (let i = 0; i < c.n; i++) {
            const rel = c.queuedRel[i]!;
            const rHi = Math.floor(rel / TWO32);
            let lo = bLo + (rel - rHi * TWO32);
            let hi = bHi + rHi;
            if (lo >= TWO32) {
              lo -= TWO32;
              hi += 1;
            }
            u32[i * 2] = lo;
            u32[i * 2 + 1] = hi >>> 0;
            // before the epoch (a negative wall offset): 0, as the text path clamps
            if (hi >>> 0 >= 0x80000000) u32[i * 2] = u32[i * 2 + 1] = 0;
          }
          out.set(new Uint8Array(u32.buffer, 0, u32.byteLength), p);
        },
      };
    }
    let sec = (base + off) / 1_000_000_000n;
    let frac = (base + off) % 1_000_000_000n;
    if (frac < 0n) {
      frac += 1_000_000_000n;
      sec -= 1n;
    }
    const secN = Number(sec);
    const fracN = Number(frac);
    return {
      size: (c) => 4 * c.n,
      write: (c, out, p) => {
        const u32 = this.scratch(c.n);
        for (let i = 0; i < c.n; i++) {
          const s = secN + Math.floor((c.queuedRel[i]! + fracN) / 1e9);
          u32[i] = Math.max(0, Math.min(s, 0xffffffff));
        }
        out.set(new Uint8Array(u32.buffer, 0, u32.byteLength), p);
      },
    };
  }

  /** One Native block of the chunk's rows (HTTP/file layout: columns, rows, then name, type and data per column). */
  block(c: PacketColumns): Buffer {
    const head = Buffer.concat([varUIntBytes(this.plans.length), varUIntBytes(c.n)]);
    const sizes = this.plans.map((pl) => pl.size(c));
    const total = head.length + this.header.reduce((s, h, i) => s + h.length + sizes[i]!, 0);
    // a fresh block per call unless reused: else ~7 MB of garbage per 65,536 rows waits for a GC, tens of MB at once
    if (!this.reuseBlocks || this.out.length < total) this.out = Buffer.allocUnsafe(total);
    const out = this.out.subarray(0, total);
    let p = head.copy(out, 0);
    this.plans.forEach((pl, i) => {
      p += this.header[i]!.copy(out, p);
      pl.write(c, out, p);
      p += sizes[i]!;
    });
    return out;
  }
}
