/**
 * Open lifecycles that have gone idle, on disk: a streamed `report` holds every skb whose free it has not seen, and
 * an skb freed without a tracepoint (GRO frees stolen heads so) stays open until its address comes back — on a real
 * trace soon, as the slab hands the address out again; on a trace whose addresses never come back (the generated
 * bench trace with new addresses per copy: ~89 K per GB) never. Lifecycles not touched between two evictions are
 * written here, one fixed-size record each, and a later event at the address reads the record back first, so every
 * lifecycle ends exactly as it would have in memory.
 *
 * The index of the records is on disk too (an index in memory, ~40–80 B per address, grew the parse ~15 MiB per GB
 * of a never-freed trace with what the allocator kept around it): the file is a hash table of 4 KiB pages, 32 records
 * each, the page of an address its hash's top bits; a full page sends the record to the next one (linear probing by
 * page) and is marked so, and a lookup goes on past marked pages only. Memory holds a byte of count and one of mark
 * per page (~0.1 B per record) and a filter of fixed size (4 MiB of bits, 3 per address) that answers "not here"
 * without a read for nearly every address the trace opens for the first time. The file doubles, rehashed, at 3/4
 * full. It is a scratch file beside the spill.
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { OpenColumns } from './open-packets.js';

/** OpenColumns' fields in a record, in this order (each exact in a double) */
const FIELDS = [
  'skbHi',
  'skbLo',
  'dev',
  'dropReason',
  'location',
  'source',
  'firstLine',
  'queue',
  'xmitRc',
  'txBusy',
  'len',
  'queuedRel',
  'startXmitRel',
  'xmitRel',
  'freedRel',
  'fate',
] as const;
const RECORD_DOUBLES = FIELDS.length;
const RECORD_BYTES = RECORD_DOUBLES * 8;
const PAGE_BYTES = 4096;
const PER_PAGE = PAGE_BYTES / RECORD_BYTES;
/** pages of a new table (1 MiB) */
const FIRST_PAGES = 256;
/** log2 of the filter's bits (2^25: 4 MiB) */
const FILTER_LOG2 = 25;
/** Addresses are equal when their 53 low bits are (skb-table.ts: kernel pointers and ftrace hashes differ below) */
const HI_MASK = 0x1fffff;

/** A multiplicative hash of an address (its 53 low bits); `seed` gives an independent second one. */
function hash(hi: number, lo: number, seed: number): number {
  return Math.imul(lo ^ Math.imul((hi & HI_MASK) ^ seed, 0x85ebca6b), 0x9e3779b1) >>> 0;
}

/** A Bloom filter of fixed size: false positives only (a read that finds nothing), never false negatives. */
class AddressFilter {
  private readonly bits = new Int32Array(1 << (FILTER_LOG2 - 5));

  add(hi: number, lo: number): void {
    const h1 = hash(hi, lo, 0x27d4eb2f);
    const h2 = hash(hi, lo, 0x5bd1e995) | 1;
    for (let k = 0; k < 3; k++) {
      const b = (h1 + Math.imul(k, h2)) >>> (32 - FILTER_LOG2);
      this.bits[b >>> 5]! |= 1 << (b & 31);
    }
  }

  mayHave(hi: number, lo: number): boolean {
    const h1 = hash(hi, lo, 0x27d4eb2f);
    const h2 = hash(hi, lo, 0x5bd1e995) | 1;
    for (let k = 0; k < 3; k++) {
      const b = (h1 + Math.imul(k, h2)) >>> (32 - FILTER_LOG2);
      if ((this.bits[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }
}

export class EvictedLifecycles {
  private fd: number | null = null;
  private pages = FIRST_PAGES;
  /** 32 − log2(pages): a page is its hash's top bits */
  private shift = 32 - Math.log2(FIRST_PAGES);
  /** records in each page (its first `count` slots) */
  private count = new Uint8Array(FIRST_PAGES);
  /** 1: a record went past this page, full at the time (a lookup goes on to the next page) */
  private overflow = new Uint8Array(FIRST_PAGES);
  private filter: AddressFilter | null = null;
  private records = 0;
  /** a page as read: its records as doubles */
  private readonly page = new Float64Array(PAGE_BYTES / 8);
  private readonly pageBytes = new Uint8Array(this.page.buffer);
  private readonly rec = new Float64Array(RECORD_DOUBLES);

  constructor(private readonly file: string) {}

  get size(): number {
    return this.records;
  }

  /** Write slot `s` of `o` out under its address (the caller releases the slot). */
  put(o: OpenColumns, s: number): void {
    for (let f = 0; f < RECORD_DOUBLES; f++) this.rec[f] = o[FIELDS[f]!][s]!;
    this.fd ??= openSync(this.file, 'w+');
    this.filter ??= new AddressFilter();
    this.filter.add(o.skbHi[s]!, o.skbLo[s]!);
    if ((this.records + 1) * 4 > this.pages * PER_PAGE * 3) this.grow();
    this.insert(this.fd, this.rec);
    this.records++;
  }

  /** The lifecycle evicted under this address into slot `s` of `o` (true), or false when there is none. */
  take(skbHi: number, skbLo: number, o: OpenColumns, s: number): boolean {
    if (this.records === 0 || !this.filter!.mayHave(skbHi, skbLo)) return false;
    const mask = this.pages - 1;
    for (let p = this.home(skbHi, skbLo); ; p = (p + 1) & mask) {
      const n = this.count[p]!;
      if (n > 0) {
        readSync(this.fd!, this.pageBytes, 0, n * RECORD_BYTES, p * PAGE_BYTES);
        const i = this.find(n, skbHi, skbLo);
        if (i >= 0) {
          const at = i * RECORD_DOUBLES;
          for (let f = 0; f < RECORD_DOUBLES; f++) o[FIELDS[f]!][s] = this.page[at + f]!;
          this.remove(p, i, n);
          return true;
        }
      }
      if (!this.overflow[p]) return false;
    }
  }

  /** Every lifecycle still here, into slot `s` of `o` one at a time (the trace ended), then the file goes. */
  drain(o: OpenColumns, s: number, each: () => void): void {
    for (let p = 0; p < this.pages; p++) {
      const n = this.count[p]!;
      if (n === 0) continue;
      readSync(this.fd!, this.pageBytes, 0, n * RECORD_BYTES, p * PAGE_BYTES);
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < RECORD_DOUBLES; f++) o[FIELDS[f]!][s] = this.page[i * RECORD_DOUBLES + f]!;
        each();
      }
    }
    this.close();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.records = 0;
    this.filter = null;
    this.pages = FIRST_PAGES;
    this.shift = 32 - Math.log2(FIRST_PAGES);
    this.count = new Uint8Array(FIRST_PAGES);
    this.overflow = new Uint8Array(FIRST_PAGES);
    rmSync(this.file, { force: true });
  }

  private home(hi: number, lo: number): number {
    return hash(hi, lo, 0) >>> this.shift;
  }

  /** The record of this address among the first `n` of the page read, or -1. */
  private find(n: number, hi: number, lo: number): number {
    const page = this.page;
    for (let i = 0; i < n; i++) {
      const at = i * RECORD_DOUBLES;
      if (page[at + 1] === lo && (page[at]! & HI_MASK) === (hi & HI_MASK)) return i;
    }
    return -1;
  }

  /** Record `i` of page `p` (of `n`, read into this.page) out: the page's last record takes its place. */
  private remove(p: number, i: number, n: number): void {
    const last = n - 1;
    if (i !== last) {
      const bytes = this.pageBytes.subarray(last * RECORD_BYTES, n * RECORD_BYTES);
      writeSync(this.fd!, bytes, 0, RECORD_BYTES, p * PAGE_BYTES + i * RECORD_BYTES);
    }
    this.count[p] = last;
    this.records--;
  }

  /** Append `rec` (a record's doubles) to its page, or the first page after it with room. */
  private insert(fd: number, rec: Float64Array): void {
    const mask = this.pages - 1;
    let p = this.home(rec[0]!, rec[1]!);
    while (this.count[p] === PER_PAGE) {
      this.overflow[p] = 1;
      p = (p + 1) & mask;
    }
    const bytes = new Uint8Array(rec.buffer, rec.byteOffset, RECORD_BYTES);
    writeSync(fd, bytes, 0, RECORD_BYTES, p * PAGE_BYTES + this.count[p]! * RECORD_BYTES);
    this.count[p]!++;
  }

  /** Twice the pages: every record rehashed into a new file, which takes the old one's name. */
  private grow(): void {
    const old = { fd: this.fd!, pages: this.pages, count: this.count };
    const next = `${this.file}.next`;
    const fd = openSync(next, 'w+');
    this.pages *= 2;
    this.shift--;
    this.count = new Uint8Array(this.pages);
    this.overflow = new Uint8Array(this.pages);
    for (let p = 0; p < old.pages; p++) {
      const n = old.count[p]!;
      if (n === 0) continue;
      readSync(old.fd, this.pageBytes, 0, n * RECORD_BYTES, p * PAGE_BYTES);
      for (let i = 0; i < n; i++) this.insert(fd, this.page.subarray(i * RECORD_DOUBLES, (i + 1) * RECORD_DOUBLES));
    }
    closeSync(old.fd);
    renameSync(next, this.file);
    this.fd = fd;
  }
}
