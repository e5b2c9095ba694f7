/**
 * @txreplay/ingest — public face. Turns kernel TX-path traces (perf script, ftrace, trace-cmd, bpftrace
 * printf / -f json, gzip or stdin) into the normalized Arrow event table described in ./schema.ts.
 *
 * CONTRACT used by replay, report and cli (implementations live in their own files):
 *   loadEvents(inputs, opts)     -> { table, summary }  in-memory Arrow Table, from .arrow or any text format
 *   ingestToArrow(inputs, out, opts) -> summary         streaming, atomic Arrow IPC file writer
 *   detectFormat(firstLines)     -> TraceFormat | null
 */
export * from './table/schema.js';
export * from './api.js';
export { detectFormat } from './parse/sniff.js';
export { inspectArrowFile, inspectTable, type TableInspection } from './table/inspect.js';
