/**
 * One ftrace ring-buffer page (kernel/trace/ring_buffer.c, read as libtraceevent's kbuffer-parse.c does):
 *   u64 timestamp; local_t commit (low 27 bits: data bytes; bit 31 RB_MISSED_EVENTS, bit 30 RB_MISSED_STORED
 *   — then the missed count is a long after the data); data: events with a u32 header type_len:5 time_delta:27.
 * type_len 29 padding (length in array[0]), 30 time extend (delta = array[0] << 27 | time_delta),
 * 31 absolute timestamp (the same, top 5 bits kept from the running stamp), 0 data with length in array[0],
 * 1..28 data of type_len * 4 bytes.
 */
import type { HeaderPage } from '../tracing-data/tracingData.js';
import { u32 } from '../tracing-data/bytes.js';

const TYPE_PADDING = 29;
const TYPE_TIME_EXTEND = 30;
const TYPE_TIME_STAMP = 31;
const COMMIT_MASK = (1 << 27) - 1;
const TS_MSB = 0xf8n << 56n;

export interface PageVisitor {
  /** The page starts with lost events (count -1: unknown). */
  missed(page: Buffer, count: number): void;
  /** One data event: payload page[start, end), at tsHi * 2^32 + tsLo ns. */
  event(page: Buffer, start: number, end: number, tsHi: number, tsLo: number): void;
}

export interface PageStats {
  padding: number;
  timeExtend: number;
  timeStamp: number;
}

/** The page's commit word: its low 27 bits are the data size, bits 31/30 the missed-events flags. */
function pageCommit(page: Buffer, hp: HeaderPage, le: boolean): number {
  if (hp.commitSize !== 8) return le ? page.readUInt32LE(hp.commitOffset) : page.readUInt32BE(hp.commitOffset);
  return Number((le ? page.readBigUInt64LE(hp.commitOffset) : page.readBigUInt64BE(hp.commitOffset)) & 0xffffffffn);
}

/**
 * RB_MISSED_EVENTS (bit 31): events were lost before this page; with RB_MISSED_STORED (bit 30) their count is a
 * long stored right after the data (ring_buffer.c rb_read_page), else -1 (unknown).
 */
function missedCount(page: Buffer, commit: number, at: number, longSize: number, le: boolean): number {
  if (((commit >>> 30) & 1) !== 1 || at + longSize > page.length) return -1;
  if (longSize !== 8) return le ? page.readUInt32LE(at) : page.readUInt32BE(at);
  return Number(le ? page.readBigUInt64LE(at) : page.readBigUInt64BE(at));
}

/**
 * Walk one page. The running timestamp is a bigint base (the page's, or the last absolute stamp) plus a number
 * `off`; events get it as uint32 halves of base + off, worked out in doubles (no BigInt per event).
 */
export function walkPage(
  page: Buffer,
  hp: HeaderPage,
  longSize: number,
  le: boolean,
  v: PageVisitor,
  st: PageStats,
): void {
  let base = le ? page.readBigUInt64LE(0) : page.readBigUInt64BE(0);
  let baseHi = Number(base >> 32n);
  let baseLo = Number(base & 0xffffffffn);
  const commit = pageCommit(page, hp, le);
  const size = commit & COMMIT_MASK;
  const data = hp.dataOffset;
  if (commit >>> 31 === 1) v.missed(page, missedCount(page, commit, data + size, longSize, le));
  const end = Math.min(data + size, page.length);
  let off = 0;
  let p = data;
  while (p + 4 <= end) {
    const h = u32(page, p, le);
    // Big-endian kernels put type_len in the top 5 bits (kbuffer type_len4host).
    const typeLen = le ? h & 31 : h >>> 27;
    const delta = le ? h >>> 5 : h & COMMIT_MASK;
    switch (typeLen) {
      case TYPE_PADDING: {
        if (p + 8 > end) return;
        off += delta;
        p += 4 + u32(page, p + 4, le);
        st.padding++;
        break;
      }
      case TYPE_TIME_EXTEND: {
        const ext = u32(page, p + 4, le);
        off += ext * 2 ** 27 + delta;
        p += 8;
        st.timeExtend++;
        break;
      }
      case TYPE_TIME_STAMP: {
        const ext = u32(page, p + 4, le);
        const abs = (BigInt(ext) << 27n) + BigInt(delta);
        base = abs | ((base + BigInt(off)) & TS_MSB);
        baseHi = Number(base >> 32n);
        baseLo = Number(base & 0xffffffffn);
        off = 0;
        p += 8;
        st.timeStamp++;
        break;
      }
      case 0: {
        const len = ((u32(page, p + 4, le) - 4 + 3) & ~3) >>> 0;
        off += delta;
        const lo = baseLo + off;
        const carry = Math.floor(lo / 4294967296);
        v.event(page, p + 8, Math.min(p + 8 + len, end), baseHi + carry, lo - carry * 4294967296);
        p += 8 + len;
        break;
      }
      default: {
        off += delta;
        const len = typeLen * 4;
        const lo = baseLo + off;
        const carry = Math.floor(lo / 4294967296);
        v.event(page, p + 4, Math.min(p + 4 + len, end), baseHi + carry, lo - carry * 4294967296);
        p += 4 + len;
      }
    }
    // Keep `off` exact: fold it into the bigint base before it nears 2^53.
    if (off > 2 ** 52) {
      base += BigInt(off);
      baseHi = Number(base >> 32n);
      baseLo = Number(base & 0xffffffffn);
      off = 0;
    }
  }
}
