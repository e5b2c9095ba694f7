/**
 * Binary trace formats by their first bytes (after any gzip): perf.data's "PERFILE2" magic (either byte order,
 * file or pipe mode) and trace-cmd's "\x17\x08\x44tracing".
 */
import { TRACING_MAGIC } from './tracingData.js';

export type BinaryTraceFormat = 'perf-data' | 'trace-dat';

const PERF_LE = Buffer.from('PERFILE2', 'latin1');
const PERF_BE = Buffer.from('2ELIFREP', 'latin1');

/** Needs the first 10 bytes; null for anything else (text traces, gzip that is not yet inflated, ...). */
export function detectBinaryFormat(head: Uint8Array): BinaryTraceFormat | null {
  const b = Buffer.from(head.buffer, head.byteOffset, head.length);
  if (b.length >= 8 && (b.subarray(0, 8).equals(PERF_LE) || b.subarray(0, 8).equals(PERF_BE))) return 'perf-data';
  if (b.length >= TRACING_MAGIC.length && b.subarray(0, TRACING_MAGIC.length).equals(TRACING_MAGIC)) return 'trace-dat';
  return null;
}
