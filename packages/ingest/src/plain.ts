/**
 * @txreplay/ingest/plain — the part of the public face that loads no Apache Arrow: what each input is (openTrace),
 * text traces parsed into plain column buffers (loadEventBuffers), kernel logs and bpftrace maps, the schema's
 * names. Replay's diagnose path imports this, so a small text `txreplay diagnose` never pays for apache-arrow
 * (about a quarter of a CPU-second to load); the Arrow readers and writers stay in ./index.ts. Every name here is
 * the same object as the one ./index.ts exports.
 */
export { arrowTypeName, COLUMNS, type ColumnName } from './table/catalogue.js';
export { META, type TraceFormat } from './table/schema.js';
export { wallClockFromMeta } from './parse/wallClock.js';
export type { DictColumn } from './table/rows.js';
export type { IngestSummary, LoadOptions } from './summary.js';
export { loadEventBuffers, type EventBuffers } from './load-buffers.js';
export { openTrace, openTraceInput, singleArrowInput, type OpenTraceOptions, type TraceInput } from './io/open.js';
export { NotATraceError, StrictParseError } from './parse/errors.js';
export { readWholeText } from './io/source.js';
export * from './parse/kernel-log/index.js';
export * from './parse/bpftrace-maps/index.js';
export * from './parse/tc-stats/index.js';
export * from './parse/ethtool-stats/index.js';
export * from './parse/queue-sysfs/index.js';
export * from './parse/interrupts/index.js';
export * from './parse/ip-link/index.js';
export * from './parse/sar-net/index.js';
export * from './parse/ip-counters/index.js';
