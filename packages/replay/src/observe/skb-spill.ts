/**
 * Idle live skbs of a streamed pass, on disk. The observer keeps a lifecycle record (64 B, skb-index.ts) for every
 * skb whose free it has not seen; an skb freed without a tracepoint (GRO frees stolen heads so, napi_consume_skb with
 * budget 0 traces nothing either) stays live until its address comes back — on a real trace soon, as the slab hands
 * the address out again; on a trace whose addresses never come back (the generated bench trace with new addresses
 * per copy: ~89 K per GB) never, and the pool and its index grew ~13 MiB per GB of text. Records no event touched
 * since the observer's previous look are written here, and the next event at the address reads its record back
 * before anything else, so every lifecycle goes on exactly as it would have in memory.
 *
 * The file is a hash table of 4 KiB pages, 64 records each (report's open-evict.ts has the same layout for the
 * parse's open lifecycles): the page of an address is its hash's top bits, a full page sends the record on to the
 * next one and is marked so, and a lookup goes on past marked pages only; a record taken back is replaced by its
 * page's last. Memory holds a byte of count and one of mark per page (~0.03 B per record) and a filter of fixed size
 * (4 MiB of bits, 3 per address) that answers "not here" without a read for nearly every address the trace opens for
 * the first time. The file doubles, rehashed, at 3/4 full; the filter is rebuilt then, and whenever more records were
 * taken back since its last build than the file holds (each taken address leaves its bits set).
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { LC_KEY, LC_STRIDE } from './skb-index.js';

const RECORD_BYTES = LC_STRIDE * 8;
const PAGE_BYTES = 4096;
const PER_PAGE = PAGE_BYTES / RECORD_BYTES;
/** pages of a new table (1 MiB) */
const FIRST_PAGES = 256;
/** log2 of the filter's bits (2^25: 4 MiB) */
const FILTER_LOG2 = 25;
/** old pages read at a time while the table doubles (1 MiB) */
const GROW_READ_PAGES = 256;

/** The key's two 32-bit words, through one shared double (keys are exact integers in a double, or hashes). */
const keyBox = new Float64Array(1);
const keyWords = new Int32Array(keyBox.buffer);

/** A multiplicative hash of a key's words; `seed` gives an independent second one. */
function hash(lo: number, hi: number, seed: number): number {
  return Math.imul(lo ^ Math.imul(hi ^ seed, 0x85ebca6b), 0x9e3779b1) >>> 0;
}

/** A Bloom filter of fixed size: false positives only (a read that finds nothing), never false negatives. */
class KeyFilter {
  private readonly bits = new Int32Array(1 << (FILTER_LOG2 - 5));

  clear(): void {
    this.bits.fill(0);
  }

  add(key: number): void {
    keyBox[0] = key;
    const h1 = hash(keyWords[0]!, keyWords[1]!, 0x27d4eb2f);
    const h2 = hash(keyWords[0]!, keyWords[1]!, 0x5bd1e995) | 1;
    for (let k = 0; k < 3; k++) {
      const b = (h1 + Math.imul(k, h2)) >>> (32 - FILTER_LOG2);
      this.bits[b >>> 5]! |= 1 << (b & 31);
    }
  }

  mayHave(key: number): boolean {
    keyBox[0] = key;
    const h1 = hash(keyWords[0]!, keyWords[1]!, 0x27d4eb2f);
    const h2 = hash(keyWords[0]!, keyWords[1]!, 0x5bd1e995) | 1;
    for (let k = 0; k < 3; k++) {
      const b = (h1 + Math.imul(k, h2)) >>> (32 - FILTER_LOG2);
      if ((this.bits[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }
}

export class EvictedSkbs {
  private fd: number | null = null;
  private pages = FIRST_PAGES;
  /** 32 − log2(pages): a page is its hash's top bits */
  private shift = 32 - Math.log2(FIRST_PAGES);
  /** records in each page (its first `count` slots) */
  private count = new Uint8Array(FIRST_PAGES);
  /** 1: a record went past this page, full at the time (a lookup goes on to the next page) */
  private overflow = new Uint8Array(FIRST_PAGES);
  private filter: KeyFilter | null = null;
  private records = 0;
  /** records taken back since the filter was last built (their bits stay set) */
  private takenSinceFilter = 0;
  /** a page as read: its records as doubles */
  private readonly page = new Float64Array(PAGE_BYTES / 8);
  private readonly pageBytes = new Uint8Array(this.page.buffer);
  /** records staged by putMany / grow, and their order by page */
  private stage = new Float64Array(0);
  private order = new Uint32Array(0);
  private homes = new Uint32Array(0);
  /** records written (puts) and read back (takes) over the pass, for the bench's notes */
  written = 0;
  takenBack = 0;

  constructor(
    private readonly file: string,
    /** live skbs the observer keeps before it looks for idle ones */
    readonly liveBound: number,
  ) {}

  get size(): number {
    return this.records;
  }

  /**
   * Write the records of `slots` (their first `n`) of the pool `lc` out under their keys (the caller unbinds and
   * releases the slots): sorted by page, each page's new records in one write.
   */
  putMany(lc: Float64Array, slots: Int32Array, n: number): void {
    if (n === 0) return;
    this.fd ??= openSync(this.file, 'w+');
    if (this.filter === null) this.filter = new KeyFilter();
    while ((this.records + n) * 4 > this.pages * PER_PAGE * 3) this.grow();
    const stage = this.stageFor(n);
    for (let i = 0; i < n; i++) {
      const at = slots[i]! * LC_STRIDE;
      for (let f = 0; f < LC_STRIDE; f++) stage[i * LC_STRIDE + f] = lc[at + f]!;
      this.filter.add(lc[at + LC_KEY]!);
    }
    this.insertStaged(this.fd, n);
    this.records += n;
    this.written += n;
  }

  /** True when a record might be here under `key` (false: surely not, no read). */
  mayHave(key: number): boolean {
    return this.records > 0 && this.filter!.mayHave(key);
  }

  /** The record evicted under `key` into slot `slot` of `lc` (true; it leaves the file), or false when none is. */
  take(key: number, lc: Float64Array, slot: number): boolean {
    if (!this.mayHave(key)) return false;
    const mask = this.pages - 1;
    for (let p = this.home(key); ; p = (p + 1) & mask) {
      const n = this.count[p]!;
      if (n > 0) {
        readSync(this.fd!, this.pageBytes, 0, n * RECORD_BYTES, p * PAGE_BYTES);
        const i = this.find(n, key);
        if (i >= 0) {
          lc.set(this.page.subarray(i * LC_STRIDE, (i + 1) * LC_STRIDE), slot * LC_STRIDE);
          this.remove(p, i, n);
          this.takenBack++;
          if (++this.takenSinceFilter > this.records + 4096) this.rebuildFilter();
          return true;
        }
      }
      if (!this.overflow[p]) return false;
    }
  }

  /** The file goes (the pass ended: what is still here stays live to the end, as in memory, and nothing reads it). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.records = 0;
    this.filter = null;
    rmSync(this.file, { force: true });
  }

  private home(key: number): number {
    keyBox[0] = key;
    return hash(keyWords[0]!, keyWords[1]!, 0) >>> this.shift;
  }

  /** The record of `key` among the first `n` of the page read, or -1. */
  private find(n: number, key: number): number {
    const page = this.page;
    for (let i = 0; i < n; i++) if (page[i * LC_STRIDE + LC_KEY] === key) return i;
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

  private stageFor(n: number): Float64Array {
    if (this.stage.length < n * LC_STRIDE) {
      this.stage = new Float64Array(n * LC_STRIDE);
      this.order = new Uint32Array(n);
      this.homes = new Uint32Array(n);
    }
    return this.stage;
  }

  /**
   * The first `n` staged records into their pages (a full page sends a record on to the next): in order of their
   * home pages, so that the records bound for one page lie side by side and go out in one write.
   */
  private insertStaged(fd: number, n: number): void {
    const { stage, homes } = this;
    const order = this.order.subarray(0, n);
    for (let i = 0; i < n; i++) {
      homes[i] = this.home(stage[i * LC_STRIDE + LC_KEY]!);
      order[i] = i;
    }
    order.sort((a, b) => homes[a]! - homes[b]!);
    const mask = this.pages - 1;
    const run = this.page;
    let runPage = -1;
    let runFrom = 0;
    let runLen = 0;
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      let p = homes[i]!;
      while (this.count[p] === PER_PAGE) {
        this.overflow[p] = 1;
        p = (p + 1) & mask;
      }
      if (p !== runPage) {
        this.writeRun(fd, runPage, runFrom, runLen);
        runPage = p;
        runFrom = this.count[p]!;
        runLen = 0;
      }
      run.set(stage.subarray(i * LC_STRIDE, (i + 1) * LC_STRIDE), runLen * LC_STRIDE);
      runLen++;
      this.count[p]!++;
    }
    this.writeRun(fd, runPage, runFrom, runLen);
  }

  /** `len` records staged in this.page, at record `from` of page `p`. */
  private writeRun(fd: number, p: number, from: number, len: number): void {
    if (len === 0) return;
    const bytes = len * RECORD_BYTES;
    for (let done = 0; done < bytes; )
      done += writeSync(fd, this.pageBytes, done, bytes - done, p * PAGE_BYTES + from * RECORD_BYTES + done);
  }

  /** Twice the pages: every record rehashed into a new file, which takes the old one's name; the filter rebuilt. */
  private grow(): void {
    const old = { fd: this.fd!, pages: this.pages, count: this.count };
    const next = `${this.file}.next`;
    const fd = openSync(next, 'w+');
    this.pages *= 2;
    this.shift--;
    this.count = new Uint8Array(this.pages);
    this.overflow = new Uint8Array(this.pages);
    this.filter!.clear();
    this.takenSinceFilter = 0;
    this.eachOldRecord(old.fd, old.pages, old.count, (n) => {
      for (let i = 0; i < n; i++) this.filter!.add(this.stage[i * LC_STRIDE + LC_KEY]!);
      this.insertStaged(fd, n);
    });
    closeSync(old.fd);
    renameSync(next, this.file);
    this.fd = fd;
  }

  /** The filter from the records in the file (taken ones leave bits set that send later misses to a read). */
  private rebuildFilter(): void {
    this.filter!.clear();
    this.takenSinceFilter = 0;
    this.eachOldRecord(this.fd!, this.pages, this.count, (n) => {
      for (let i = 0; i < n; i++) this.filter!.add(this.stage[i * LC_STRIDE + LC_KEY]!);
    });
  }

  /** The records of a table's pages, GROW_READ_PAGES pages at a time, staged (this.stage) for `each`. */
  private eachOldRecord(fd: number, pages: number, count: Uint8Array, each: (n: number) => void): void {
    const buf = new Float64Array((GROW_READ_PAGES * PAGE_BYTES) / 8);
    const bytes = new Uint8Array(buf.buffer);
    for (let p0 = 0; p0 < pages; p0 += GROW_READ_PAGES) {
      const np = Math.min(GROW_READ_PAGES, pages - p0);
      let got = 0;
      while (got < np * PAGE_BYTES) {
        const r = readSync(fd, bytes, got, np * PAGE_BYTES - got, p0 * PAGE_BYTES + got);
        if (r === 0) break; // past the file's end: pages never written hold no records
        got += r;
      }
      const stage = this.stageFor(np * PER_PAGE);
      let n = 0;
      for (let p = 0; p < np; p++) {
        const c = count[p0 + p]!;
        stage.set(buf.subarray((p * PAGE_BYTES) / 8, (p * PAGE_BYTES) / 8 + c * LC_STRIDE), n * LC_STRIDE);
        n += c;
      }
      if (n > 0) each(n);
    }
  }
}
