/**
 * @txreplay/capture — public face. Recording recipes for the TX-path tracepoints: the bpftrace program
 * generator (txpath.bt), the perf record recipe (perf-record.sh), the tracepoint list and what the running
 * kernel offers of it, and the runner behind `txreplay capture`.
 */
export { recordTxPath, programForThisKernel } from './record.js';
export type { CaptureResult } from './run.js';
export { bpftraceProgram } from './bpftrace-program.js';
export { perfRecordArgs } from './perf-recipe.js';
export { TX_TRACEPOINTS, FIELDS_6_18, parseFormatFields, parseDropReasons } from './tracepoints.js';
export { countCapture } from './count.js';
export { PerfSkbFilter } from './skb-filter.js';
export { which, type CaptureTool } from './tools.js';
export {
  parseCaptureHeader,
  formatCaptureHeader,
  CAPTURE_HEADER_PREFIX,
  type CaptureFilter,
  type ParsedCaptureHeader,
} from './header.js';
