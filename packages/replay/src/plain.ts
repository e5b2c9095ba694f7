/**
 * @txreplay/replay/plain — what `txreplay diagnose` and `txreplay replay` call, without loading Apache Arrow up
 * front: a text trace small enough to hold is replayed from plain column buffers (./text-replay.ts), and the Arrow
 * readers load only when an input is an Arrow file or the trace is streamed (./diagnose.ts). ./index.ts exports the
 * same functions beside the Arrow-facing ones (replayTable, openArrowFile, tableSource).
 */
export type { ReplayResult } from './types.js';
export type { ReplayOptions } from './replay.js';
export { diagnoseFiles, diagnoseFilesWithEvents, type DiagnoseOptions } from './diagnose.js';
export { toJson } from './view/json.js';
export { formatVerdict } from './view/text.js';
export {
  parseProfile,
  parseProfileFile,
  parseDeviceProfileSpec,
  type DeviceProfile,
  type DeviceProfiles,
} from './profile.js';
export { stallThrsJiffies } from './stall-whatif.js';
export { parseBootTime } from './log-clock.js';
