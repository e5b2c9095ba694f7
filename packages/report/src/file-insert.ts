/**
 * Settings of the embedded store's inserts from a temporary file (`INSERT … SELECT … FROM file(…)`), so a big insert
 * takes bounded memory in this process (chDB runs inside it). chDB reads file() through mmap by default, which maps
 * the whole file into the process (its resident size grows by the file's), and squashes what it reads into blocks
 * of up to 1 M rows before it sorts and writes each as a part, a compression buffer of 1 MB per column. A big file is
 * read with pread in 16 K-row blocks, one thread, 128 KB compression blocks: measured on a 358 MB Native file of
 * 1.5 M events (the process at 300 MiB with chDB loaded), peak RSS 970 → 395 MiB, CPU 2.7 → 4.0 s (load 9).
 */
import { statSync } from 'node:fs';

/** Bytes per compressed block while the parts are written: a buffer per column (1 MB by default; 45 columns) */
const COMPRESS_BYTES = 128 << 10;
/** Files smaller than this keep chDB's block sizes (bigger parts, fewer merges: `txreplay bulk`'s typical runs). */
const BOUNDED_FROM_BYTES = 64 << 20;
/** Rows per block read and written (a quarter of a Native events block of the writer's) */
const BLOCK_ROWS = 16384;

/**
 * The SETTINGS clause (with its leading space) for an insert that reads `file`; `bounded` (default: for big files)
 * asks for the small blocks whatever the size (a streamed report's, whose peak memory is the point).
 */
export function fileInsertSettings(file: string, bounded = statSync(file).size >= BOUNDED_FROM_BYTES): string {
  const read = ` SETTINGS storage_file_read_method = 'pread'`;
  if (!bounded) return read;
  return (
    `${read}, max_threads = 1, max_block_size = ${BLOCK_ROWS}, min_insert_block_size_rows = ${BLOCK_ROWS},` +
    ` min_insert_block_size_bytes = 0, max_compress_block_size = ${COMPRESS_BYTES}, min_compress_block_size = ${COMPRESS_BYTES >> 2},` +
    // TabSeparated (the packets) parsed in one thread: parallel parsing holds several 10 MB segments at once
    ' input_format_parallel_parsing = 0'
  );
}
