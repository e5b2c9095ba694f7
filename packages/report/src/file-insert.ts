/**
 * Settings of the embedded store's inserts from a temporary file (`INSERT … SELECT … FROM file(…)`), so a big insert
 * takes bounded memory in this process (chDB runs inside it). chDB reads file() through mmap by default, which maps
 * the whole file into the process (its resident size grows by the file's), and squashes what it reads into blocks
 * of up to 1 M rows before it sorts and writes each as a part. A big file is read with pread in 64 K-row blocks, one
 * thread: measured on a 358 MB Native file of 1.5 M events, peak RSS 970 → 464 MiB, time 5.6 → 3.4 s (load 7).
 */
import { statSync } from 'node:fs';

/** Files smaller than this keep chDB's defaults (bigger parts, fewer merges: `txreplay bulk`'s typical runs). */
const BOUNDED_FROM_BYTES = 64 << 20;
/** Rows per block read and written: a Native events block of ingest's default batch */
const BLOCK_ROWS = 65536;

/** The SETTINGS clause (with its leading space) for an insert that reads `file`; '' for a small file. */
export function fileInsertSettings(file: string): string {
  if (statSync(file).size < BOUNDED_FROM_BYTES) return '';
  return (
    ` SETTINGS storage_file_read_method = 'pread', max_threads = 1, max_block_size = ${BLOCK_ROWS},` +
    ` min_insert_block_size_rows = ${BLOCK_ROWS}, min_insert_block_size_bytes = 0`
  );
}
