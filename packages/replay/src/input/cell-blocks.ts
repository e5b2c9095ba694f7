/**
 * Single cells of an .arrow file (evidence rows: a finding cites a few rows, each read column by column) through
 * 4 KiB blocks: the cells of one row that lie near each other, and those of rows near each other, share one
 * positioned read instead of one or two each (~6 000 reads per diagnose of a 5 M-event trace, most of them into
 * blocks already read).
 */
import { fstatSync, readSync } from 'node:fs';

const BLOCK = 4096;
/** blocks kept (1 MiB); the oldest is dropped first */
const MAX_BLOCKS = 256;

function readExact(fd: number, length: number, position: number, into: Uint8Array): void {
  let off = 0;
  while (off < length) {
    const n = readSync(fd, into, off, length - off, position + off);
    if (n <= 0) throw new Error(`arrow: unexpected end of file at byte ${position + off}`);
    off += n;
  }
}

export class CellBlocks {
  private readonly blocks = new Map<number, Uint8Array>();
  private fileSize = -1;
  constructor(private readonly fd: number) {}

  /** `length` bytes at file position `pos` into `out` (from a cached block where the bytes lie inside one). */
  read(pos: number, length: number, out: Uint8Array): void {
    const k = Math.floor(pos / BLOCK);
    const at = pos - k * BLOCK;
    if (this.fileSize < 0) this.fileSize = fstatSync(this.fd).size;
    const blockLen = Math.min(BLOCK, this.fileSize - k * BLOCK);
    // across a block edge or past the end of the file: read it as asked (and fail as a read would)
    if (at + length > blockLen) {
      readExact(this.fd, length, pos, out);
      return;
    }
    let blk = this.blocks.get(k);
    if (!blk) {
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
      blk = new Uint8Array(BLOCK);
      readExact(this.fd, blockLen, k * BLOCK, blk);
      this.blocks.set(k, blk);
    }
    out.set(blk.subarray(at, at + length));
  }
}
