export * from './types.js';
export { replayTable, SEVERITY_RANK, type ReplayOptions } from './replay.js';
export { diagnoseFiles, loadForReplay, type LoadedTrace } from './diagnose.js';
export { toJson, JSON_SCHEMA_VERSION } from './json.js';
export { formatVerdict, verdictLine } from './text.js';
export { parseProfile, parseRate, type DeviceProfile } from './profile.js';
export { readColumns, timeOrder, type TraceColumns } from './columns.js';
export { observe, type Observed, type QueueObs, type DevObs } from './observe.js';
export { driveDql, jiffiesMapper, newQueueDql, type DqlStep } from './expected-dql.js';
