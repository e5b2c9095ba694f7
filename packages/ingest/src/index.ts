/**
 * @txreplay/ingest — public face. Turns kernel TX-path traces (perf script, ftrace, trace-cmd, bpftrace
 * printf / -f json, gzip or stdin) into the normalized Arrow event table whose columns ./table/catalogue.ts lists.
 * Only what other packages, their tests and the scripts use is exported.
 *
 * CONTRACT used by replay, report and cli (implementations live in their own files):
 *   openTrace(inputs, opts)      -> TraceInput[]       what each input is, decided once (the front door)
 *   loadEvents(inputs, opts)     -> { table, summary }  in-memory Arrow Table, from .arrow or any text format
 *   ingestToArrow(inputs, out, opts) -> summary         streaming Arrow file / Arrow stream (-) / zstd Parquet
 *   streamEvents(inputs, out, onBatch, opts) -> summary  the same file, each batch handed to onBatch as parsed
 *   writeOutputFile(path, data, {inputs}) / openOutput  the one writer for every file txreplay writes
 *   detectFormat(firstLines)     -> TraceFormat | null
 *   eventTableOf(buffers)        -> Table              the Arrow table of ./plain.ts loadEventBuffers' buffers
 *
 * ./plain.ts (@txreplay/ingest/plain) is the part that loads no Apache Arrow (openTrace, loadEventBuffers, logs).
 */
export {
  CATALOGUE,
  CLICKHOUSE_TYPE,
  COLUMNS,
  TX_EVENTS,
  type ColumnName,
  type ColumnSpec as CatalogueColumn,
  type TxEventName,
  type TxEventRow,
} from './table/catalogue.js';
export { META, type TraceFormat } from './table/schema.js';
export { makeEventSchema, nullColumnData } from './table/columns.js';
export { loadEvents, ingestToArrow, eventTableOf, type IngestSummary, type LoadOptions } from './api.js';
export { streamEvents, type KeepBatch } from './io/stream.js';
export { openTraceInput, type TraceInput } from './io/open.js';
export { NotATraceError, StrictParseError } from './parse/errors.js';
export { readArrowTable } from './io/arrowInput.js';
export {
  openOutput,
  writeOutputFile,
  OutputError,
  type Output,
} from './io/output.js';
export { detectFormat } from './parse/sniff.js';
export { inspectArrowFile, type TableInspection } from './table/inspect.js';
export * from './parse/kernel-log/index.js';
export * from './parse/bpftrace-maps/index.js';
export * from './parse/tc-stats/index.js';
export * from './parse/ethtool-stats/index.js';
export * from './parse/queue-sysfs/index.js';
export * from './parse/interrupts/index.js';
export * from './parse/ip-link/index.js';
export * from './parse/sar-net/index.js';
export * from './parse/ip-counters/index.js';
