export type {
  BinaryTraceRecord,
  LostWindow,
  TracepointRecord,
} from './types.js';
export type { EventFormat } from './eventFormat.js';
export { renderPrintFmt } from './printFmt.js';
export { detectBinaryFormat } from './detect.js';
