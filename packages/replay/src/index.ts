/** @txreplay/replay's public face: only what other packages, their tests and scripts/ use. */
export type {
  EnobufsSource,
  Finding,
  Interval,
  QueueSeries,
  QueueSummary,
  ReplayResult,
  Severity,
} from './types.js';
export { replayTable, type ReplayOptions } from './replay.js';
export {
  addEvidence,
  diagnoseFiles,
  diagnoseFilesWithEvents,
  evidenceDrivers,
  loadForReplay,
  splitEvidence,
  replayArrowFile,
  type DiagnoseOptions,
} from './diagnose.js';
export { openArrowFile, CorruptArrowFileError } from './input/arrow-file.js';
export { readAheadTuning } from './input/read-ahead.js';
export { tableSource } from './input/batches.js';
export { toJson } from './view/json.js';
export { ENOBUFS_LAYER_LABEL, ENOBUFS_STATUS_LABEL } from './view/enobufs.js';
export { formatVerdict, verdictLine, wallTimeText } from './view/text.js';
export { timelessSpan } from './view/timeless.js';
export { snapshotSections } from './view/snapshot-lines.js';
// the profile parsers (parseProfile, parseProfileFile, parseDeviceProfileSpec) are in ./plain.ts, with the CLI's calls
export type { DeviceProfile, DeviceProfiles } from './profile.js';
export { readColumns, timeOrder } from './columns.js';
export { observe, observeSource } from './observe/observe.js';
export { driveDql, type DqlStep } from './expected-dql.js';
export { stallThrsJiffies } from './stall-whatif.js';
export { parseBootTime } from './log-clock.js';
