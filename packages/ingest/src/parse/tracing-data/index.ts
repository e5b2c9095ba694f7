export type {
  BinaryReaderStats,
  BinaryTraceMeta,
  BinaryTraceReader,
  BinaryTraceRecord,
  LostWindow,
  TraceFieldValue,
  TracepointRecord,
} from './types.js';
export type { EventFormat, FormatField } from './eventFormat.js';
export type { BinaryInput } from './input.js';
export { renderPrintFmt, type SymbolResolver } from './printFmt.js';
export { parseKallsyms, type Kallsyms } from './kallsyms.js';
export { detectBinaryFormat, type BinaryTraceFormat } from './detect.js';
